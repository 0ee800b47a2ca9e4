/*
** src/io/clv_model.c: writing and reading lifetime-value model files
** (layout in clv_model.h; what every model file shares: model_file.c).
*/
#include "clv_model.h"

#include "core/datetime.h"
#include "h5.h"
#include "h5write.h"
#include "model_file.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const rt_model_kind KIND = {"clv", "lifetime-value", "retain clv fit",
                                   RT_CLV_FORMAT_VERSION};

static retain_status write_body(hid_t f, hid_t meta, const void *ctx)
{
    const rt_clv_saved *m = ctx;
    const rt_clv_fit *fit = m->fit;
    retain_status s;
    static const char *const names[] = {"bgnbd", "mbgnbd", "pareto"};
    if ((s = rt_h5_attr_set_string(meta, "model", names[m->model])) ||
        (s = rt_h5_attr_set_string(meta, "occasion", m->occasion)) ||
        (s = rt_h5_attr_set_string(meta, "time_unit", m->time_unit)) ||
        (s = rt_h5_attr_set_string(meta, "calibration_end", m->calibration_end)) ||
        (s = rt_h5_attr_set_int64(meta, "customers", m->customers)) ||
        (s = rt_h5_attr_set_int64(meta, "repeat_buyers", m->repeat_buyers)) ||
        (s = rt_h5_attr_set_doubles(meta, "params", 4, fit->params)) ||
        (s = rt_h5_attr_set_doubles(meta, "se", 4, fit->se)) ||
        (s = rt_h5_attr_set_double(meta, "loglik", fit->loglik)) ||
        (s = rt_h5_attr_set_int64(meta, "n_iter", fit->n_iter)) ||
        (s = rt_h5_attr_set_int64(meta, "converged", fit->converged)))
        return s;
    if (m->spend && ((s = rt_h5_attr_set_doubles(meta, "gamma_gamma", 3, m->spend->params)) ||
                     (s = rt_h5_attr_set_doubles(meta, "gamma_gamma_se", 3, m->spend->se)) ||
                     (s = rt_h5_attr_set_double(meta, "gamma_gamma_loglik", m->spend->loglik))))
        return s;
    (void)f;
    return RETAIN_OK;
}

retain_status rt_clv_model_save(const char *path, const rt_clv_saved *m,
                                const char *training_file, const char *const *inputs,
                                int ninputs)
{
    static const char *const names[4] = {"x", "t_x", "T", "m_x"};
    return rt_model_save(path, &KIND, names, 4, training_file, write_body, m, inputs, ninputs);
}

/* ---- loading ------------------------------------------------------------------ */

/* The model attribute, by rt_clv_model (Gamma-Gamma is never the model). */
static const char *const MODEL_NAMES[] = {[RT_CLV_BGNBD] = "bgnbd", [RT_CLV_MBGNBD] = "mbgnbd",
                                          [RT_CLV_PARETO] = "pareto"};

static bool positive(const double *v, int n)
{
    for (int j = 0; j < n; j++)
        if (!(isfinite(v[j]) && v[j] > 0))
            return false;
    return true;
}

static retain_status read_meta(hid_t meta, const char *path, rt_clv_loaded *m)
{
    int64_t end;
    char what[160];
    if (!rt_h5_attr_string(meta, "model", m->model_name, sizeof m->model_name))
        return rt_model_damaged(path, "/meta has no model attribute");
    int found = -1;
    for (int k = 0; k < (int)(sizeof MODEL_NAMES / sizeof *MODEL_NAMES); k++)
        if (MODEL_NAMES[k] && strcmp(m->model_name, MODEL_NAMES[k]) == 0)
            found = k;
    if (found < 0) {
        snprintf(what, sizeof what, "unknown model '%s' (bgnbd, mbgnbd or pareto)",
                 m->model_name);
        return rt_model_damaged(path, what);
    }
    m->model = (rt_clv_model)found;
    if (!rt_h5_attr_string(meta, "occasion", m->occasion, sizeof m->occasion) ||
        (strcmp(m->occasion, "day") != 0 && strcmp(m->occasion, "order") != 0))
        return rt_model_damaged(path, "/meta has no occasion day or order");
    if (!rt_h5_attr_string(meta, "time_unit", m->time_unit, sizeof m->time_unit) ||
        (strcmp(m->time_unit, "day") != 0 && strcmp(m->time_unit, "week") != 0))
        return rt_model_damaged(path, "/meta has no time_unit day or week");
    if (!rt_h5_attr_string(meta, "calibration_end", m->calibration_end,
                           sizeof m->calibration_end) ||
        !rt_datetime_parse(m->calibration_end, &end) || end % 86400 != 0)
        return rt_model_damaged(path, "/meta has no calibration_end date");
    if (!rt_h5_attr_doubles(meta, "params", 4, m->params) || !positive(m->params, 4))
        return rt_model_damaged(path, "/meta has no params: 4 positive numbers");
    m->has_spend = H5Aexists(meta, "gamma_gamma") > 0;
    if (m->has_spend &&
        (!rt_h5_attr_doubles(meta, "gamma_gamma", 3, m->spend) || !positive(m->spend, 3)))
        return rt_model_damaged(path, "/meta gamma_gamma is not 3 positive numbers");
    m->period = (rt_clv_period){end + 86400, strcmp(m->occasion, "order") == 0,
                                strcmp(m->time_unit, "week") == 0 ? 7.0 * 86400 : 86400, 0};
    return RETAIN_OK;
}

retain_status rt_clv_model_load(const char *path, rt_clv_loaded *out)
{
    memset(out, 0, sizeof *out);
    hid_t f, meta;
    char **names;
    int64_t d;
    retain_status s = rt_model_open(path, &KIND, &f, &meta, &names, &d);
    if (s)
        return s;
    s = read_meta(meta, path, out);
    rt_h5_free_strings(names, d);
    rt_model_close(f, meta);
    return s;
}
