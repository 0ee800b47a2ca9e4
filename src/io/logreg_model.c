/*
** src/io/logreg_model.c: logistic-regression model files (layout in
** logreg_model.h; what every model file shares: model_file.c). Numbers are
** stored in binary float64, so a loaded model predicts the same bits as the
** one saved.
*/
#include "logreg_model.h"

#include "core/error.h"
#include "h5.h"
#include "h5write.h"
#include "logreg/logreg.h"
#include "model_file.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const rt_model_kind KIND = {"logreg", "logistic-regression", "retain logreg fit",
                                   RT_LOGREG_FORMAT_VERSION};

typedef struct saving {
    const retain_logreg_model *m;
    const char *label;
    const retain_logreg_metrics *train;
} saving;

/* The churn model's attributes of /meta and its datasets. */
static retain_status write_body(hid_t f, hid_t meta, const void *ctx)
{
    const saving *sv = ctx;
    const retain_logreg_model *m = sv->m;
    const retain_logreg_params *p = &m->params;
    const retain_logreg_metrics *t = sv->train;
    retain_status s;
    if ((s = rt_h5_attr_set_string(meta, "label", sv->label ? sv->label : "")) ||
        (s = rt_h5_attr_set_string(meta, "penalty", rt_logreg_penalty_name(p->penalty))) ||
        (s = rt_h5_attr_set_double(meta, "C", p->C)) ||
        (s = rt_h5_attr_set_double(meta, "l1_ratio", p->l1_ratio)) ||
        (s = rt_h5_attr_set_double(meta, "tol", p->tol)) ||
        (s = rt_h5_attr_set_int64(meta, "max_iter", p->max_iter)) ||
        (s = rt_h5_attr_set_int64(meta, "memory", p->memory)) ||
        (s = rt_h5_attr_set_string(meta, "scale",
                                   p->scale == RETAIN_SCALE_NONE ? "none" : "standard")) ||
        (s = rt_h5_attr_set_string(meta, "class_weight_mode",
                                   p->class_weight_balanced ? "balanced" : "given")) ||
        (s = rt_h5_attr_set_doubles(meta, "class_weight", 2, m->class_weight)) ||
        (s = rt_h5_attr_set_double(meta, "intercept", m->intercept)) ||
        (s = rt_h5_attr_set_double(meta, "intercept_original", m->intercept_original)) ||
        (s = rt_h5_attr_set_double(meta, "objective", m->objective)) ||
        (s = rt_h5_attr_set_int64(meta, "n_iter", m->n_iter)) ||
        (s = rt_h5_attr_set_int64(meta, "converged", m->converged)) ||
        (s = rt_h5_attr_set_int64(meta, "warnings", (int64_t)m->warnings)) ||
        (s = rt_h5_attr_set_int64(meta, "train_rows", m->train_rows)) ||
        (s = rt_h5_attr_set_int64(meta, "train_positives", m->train_positives)))
        return s;
    if (t && ((s = rt_h5_attr_set_double(meta, "train_roc_auc", t->roc_auc)) ||
              (s = rt_h5_attr_set_double(meta, "train_pr_auc", t->pr_auc)) ||
              (s = rt_h5_attr_set_double(meta, "train_log_loss", t->log_loss)) ||
              (s = rt_h5_attr_set_double(meta, "train_brier", t->brier))))
        return s;
    int64_t d = m->d;
    if ((s = rt_h5_write_vector(f, "/scaler/mean", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, d,
                                m->mean)) ||
        (s = rt_h5_write_vector(f, "/scaler/scale", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, d,
                                m->scale)) ||
        (s = rt_h5_write_vector(f, "/coef", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, d, m->coef)) ||
        (s = rt_h5_write_vector(f, "/coef_original", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, d,
                                m->coef_original)))
        return s;
    return RETAIN_OK;
}

retain_status rt_logreg_model_save(const char *path, const retain_logreg_model *m,
                                   const char *const *feature_names, const char *label,
                                   const char *training_file,
                                   const retain_logreg_metrics *train,
                                   const char *const *inputs, int ninputs)
{
    saving sv = {m, label, train};
    return rt_model_save(path, &KIND, feature_names, m->d, training_file, write_body, &sv,
                         inputs, ninputs);
}

/* ---- loading ------------------------------------------------------------------ */

static retain_status read_meta(hid_t meta, const char *path, retain_logreg_model *m)
{
    retain_logreg_params *p = &m->params;
    retain_logreg_params_init(p);
    char text[64];
    int64_t i;
    double cw[2];
    if (rt_h5_attr_string(meta, "penalty", text, sizeof text) &&
        rt_logreg_penalty_parse(text) >= 0)
        p->penalty = (retain_logreg_penalty)rt_logreg_penalty_parse(text);
    if (rt_h5_attr_string(meta, "scale", text, sizeof text) && strcmp(text, "none") == 0)
        p->scale = RETAIN_SCALE_NONE;
    if (rt_h5_attr_string(meta, "class_weight_mode", text, sizeof text))
        p->class_weight_balanced = strcmp(text, "balanced") == 0;
    rt_h5_attr_double(meta, "C", &p->C);
    rt_h5_attr_double(meta, "l1_ratio", &p->l1_ratio);
    rt_h5_attr_double(meta, "tol", &p->tol);
    rt_h5_attr_int64(meta, "max_iter", &p->max_iter);
    rt_h5_attr_int64(meta, "memory", &p->memory);
    if (H5Aexists(meta, "class_weight") > 0) {
        hid_t a = H5Aopen(meta, "class_weight", H5P_DEFAULT);
        hid_t space = H5Aget_space(a);
        if (H5Sget_simple_extent_npoints(space) == 2 && H5Aread(a, H5T_NATIVE_DOUBLE, cw) >= 0) {
            m->class_weight[0] = cw[0];
            m->class_weight[1] = cw[1];
        }
        H5Sclose(space);
        H5Aclose(a);
    }
    if (!rt_h5_attr_double(meta, "intercept", &m->intercept) || !isfinite(m->intercept))
        return rt_model_damaged(path, "/meta has no finite intercept");
    if (!rt_h5_attr_double(meta, "objective", &m->objective))
        m->objective = NAN;
    rt_h5_attr_int64(meta, "n_iter", &m->n_iter);
    if (rt_h5_attr_int64(meta, "converged", &i))
        m->converged = i != 0;
    if (rt_h5_attr_int64(meta, "warnings", &i))
        m->warnings = (unsigned)i;
    rt_h5_attr_int64(meta, "train_rows", &m->train_rows);
    rt_h5_attr_int64(meta, "train_positives", &m->train_positives);
    return RETAIN_OK;
}

retain_status rt_logreg_model_load(const char *path, retain_logreg_model **out,
                                   char ***feature_names)
{
    *out = NULL;
    *feature_names = NULL;
    hid_t f, meta;
    char **names;
    int64_t d;
    retain_status s = rt_model_open(path, &KIND, &f, &meta, &names, &d);
    if (s)
        return s;
    retain_logreg_model *m = NULL;
    if (!(s = rt_logreg_model_alloc(d, &m)) && !(s = read_meta(meta, path, m)) &&
        !(s = rt_model_read_array(f, path, "/scaler/mean", H5T_NATIVE_DOUBLE, d, 0, m->mean)) &&
        !(s = rt_model_read_array(f, path, "/scaler/scale", H5T_NATIVE_DOUBLE, d, 0, m->scale)) &&
        !(s = rt_model_read_array(f, path, "/coef", H5T_NATIVE_DOUBLE, d, 0, m->coef)) &&
        (!rt_all_finite_f64(m->mean, d) || !rt_all_finite_f64(m->scale, d) ||
         !rt_all_finite_f64(m->coef, d)))
        s = rt_model_damaged(path, "the scaler or the coefficients hold NaN or Inf");
    for (int64_t j = 0; !s && j < d; j++)
        if (!(m->scale[j] > 0))
            s = rt_model_damaged(path, "the scaler has a scale <= 0");
    rt_model_close(f, meta);
    if (s) {
        retain_logreg_free(m);
        rt_h5_free_strings(names, d);
        return s;
    }
    m->d = d;
    rt_logreg_model_unscale(m);
    *out = m;
    *feature_names = names;
    return RETAIN_OK;
}
