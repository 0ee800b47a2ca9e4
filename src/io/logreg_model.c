/*
** src/io/logreg_model.c: logistic-regression model files (layout in
** logreg_model.h). Numbers are stored in binary float64, so a loaded model
** predicts the same bits as the one saved.
*/
#include "logreg_model.h"

#include "core/error.h"
#include "h5.h"
#include "h5write.h"
#include "io/atomic.h"
#include "logreg/logreg.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static retain_status write_meta(hid_t meta, const retain_logreg_model *m,
                                const char *const *names, const char *label,
                                const char *training_file, const retain_logreg_metrics *t)
{
    const retain_logreg_params *p = &m->params;
    retain_status s;
    if ((s = rt_h5_attr_set_int64(meta, "format_version", RT_LOGREG_FORMAT_VERSION)) ||
        (s = rt_h5_attr_set_string(meta, "kind", "logreg")) ||
        (s = rt_h5_attr_set_string(meta, "engine_version", retain_version())) ||
        (s = rt_h5_attr_set_strings(meta, "feature_names", m->d, names)) ||
        (s = rt_h5_attr_set_string(meta, "label", label ? label : "")) ||
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
        (s = rt_h5_attr_set_int64(meta, "train_positives", m->train_positives)) ||
        (s = rt_h5_attr_set_string(meta, "training_file", training_file ? training_file : "")))
        return s;
    if (t && ((s = rt_h5_attr_set_double(meta, "train_roc_auc", t->roc_auc)) ||
              (s = rt_h5_attr_set_double(meta, "train_pr_auc", t->pr_auc)) ||
              (s = rt_h5_attr_set_double(meta, "train_log_loss", t->log_loss)) ||
              (s = rt_h5_attr_set_double(meta, "train_brier", t->brier))))
        return s;
    return RETAIN_OK;
}

static retain_status write_model(hid_t f, const retain_logreg_model *m,
                                 const char *const *names, const char *label,
                                 const char *training_file, const retain_logreg_metrics *t)
{
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(gcpl, 0);
    hid_t meta = H5Gcreate2(f, "/meta", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    if (meta < 0)
        return rt_error(RETAIN_ERR_IO, "cannot create group /meta");
    retain_status s = write_meta(meta, m, names, label, training_file, t);
    H5Gclose(meta);
    if (s)
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
    rt_output out;
    retain_status s = rt_output_begin(&out, path, inputs, ninputs);
    if (s)
        return s;
    hid_t f;
    s = rt_h5_create(out.tmp_path, &f);
    if (!s) {
        s = write_model(f, m, feature_names, label, training_file, train);
        s = rt_h5_close_file(f, out.tmp_path, s);
    }
    if (s) {
        rt_output_abort(&out);
        return rt_error_context(s, "saving the model %s", path);
    }
    return rt_output_commit(&out);
}

/* ---- loading ------------------------------------------------------------------ */

static retain_status damaged(const char *path, const char *what)
{
    return rt_error(RETAIN_ERR_DATA, "model file %s is damaged or incomplete: %s; fit the "
                    "model again", path, what);
}

static bool all_finite(const double *v, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

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
        return damaged(path, "/meta has no finite intercept");
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

static retain_status load_open(hid_t f, const char *path, retain_logreg_model **out,
                               char ***out_names)
{
    if (rt_h5_kind(f, "/meta") != H5I_GROUP)
        return rt_error(RETAIN_ERR_DATA, "%s is not a retain model file (no /meta group); "
                        "give a file written by `retain logreg fit`", path);
    hid_t meta = H5Gopen2(f, "/meta", H5P_DEFAULT);
    char kind[64];
    int64_t version, d = 0;
    char **names = NULL;
    retain_logreg_model *m = NULL;
    retain_status s = RETAIN_OK;
    if (!rt_h5_attr_string(meta, "kind", kind, sizeof kind))
        s = damaged(path, "/meta has no kind attribute");
    else if (strcmp(kind, "logreg") != 0)
        s = rt_error(RETAIN_ERR_DATA, "%s holds a %s model, not a logistic-regression model "
                     "(written by `retain logreg fit`)", path, kind);
    else if (!rt_h5_attr_int64(meta, "format_version", &version) || version < 1)
        s = damaged(path, "/meta has no valid format_version");
    else if (version > RT_LOGREG_FORMAT_VERSION)
        s = rt_error(RETAIN_ERR_DATA, "%s has logistic-regression model format %lld, newer "
                     "than this retain %s reads (format %d); use a newer retain",
                     path, (long long)version, retain_version(), RT_LOGREG_FORMAT_VERSION);
    else if (rt_h5_read_attr_strings(meta, "feature_names", &d, &names) || d < 1)
        s = damaged(path, "/meta has no feature_names");
    else if (!(s = rt_logreg_model_alloc(d, &m)))
        s = read_meta(meta, path, m);
    H5Gclose(meta);
    if (!s && (!rt_h5_read_exact(f, "/scaler/mean", H5T_NATIVE_DOUBLE, d, m->mean) ||
               !rt_h5_read_exact(f, "/scaler/scale", H5T_NATIVE_DOUBLE, d, m->scale) ||
               !rt_h5_read_exact(f, "/coef", H5T_NATIVE_DOUBLE, d, m->coef)))
        s = damaged(path, "/scaler/mean, /scaler/scale and /coef must hold one float64 per "
                    "feature");
    if (!s && (!all_finite(m->mean, d) || !all_finite(m->scale, d) || !all_finite(m->coef, d)))
        s = damaged(path, "the scaler or the coefficients hold NaN or Inf");
    for (int64_t j = 0; !s && j < d; j++)
        if (!(m->scale[j] > 0))
            s = damaged(path, "the scaler has a scale <= 0");
    if (s) {
        retain_logreg_free(m);
        rt_h5_free_strings(names, d);
        return s;
    }
    m->d = d;
    rt_logreg_model_unscale(m);
    *out = m;
    *out_names = names;
    return RETAIN_OK;
}

retain_status rt_logreg_model_load(const char *path, retain_logreg_model **out,
                                   char ***feature_names)
{
    *out = NULL;
    *feature_names = NULL;
    hid_t f;
    retain_status s = rt_h5_open_read(path, &f);
    if (s)
        return s;
    s = load_open(f, path, out, feature_names);
    H5Fclose(f);
    return s;
}
