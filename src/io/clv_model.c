/*
** src/io/clv_model.c: writing lifetime-value model files (clv_model.h).
*/
#include "clv_model.h"

#include "h5.h"
#include "h5write.h"
#include "model_file.h"

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
