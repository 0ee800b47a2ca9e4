/*
** src/io/kmeans_model.c: k-means model files (layout in kmeans_model.h).
** Numbers are stored in binary at full precision (float64 scaler and
** metrics, float32 centroids as the model uses them), so a loaded model
** predicts the same bits as the one saved. Also the check that an input's
** features are the model's, with the difference spelled out.
*/
#include "kmeans_model.h"

#include "core/error.h"
#include "h5.h"
#include "h5write.h"
#include "io/atomic.h"
#include "kmeans/kmeans.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static retain_status write_matrix(hid_t f, const char *path, int64_t rows, int64_t cols,
                                  const float *data)
{
    hid_t ds;
    retain_status s = rt_h5_dataset_create(f, path, H5T_IEEE_F32LE, rows, cols, 0, &ds);
    if (s)
        return s;
    s = rt_h5_write_rows(ds, H5T_NATIVE_FLOAT, 0, rows, cols, data);
    if (H5Dclose(ds) < 0 && !s)
        s = rt_error(RETAIN_ERR_IO, "cannot write dataset %s", path);
    return s;
}

static retain_status write_meta(hid_t meta, const retain_kmeans_model *m,
                                const char *const *names, const char *training_file)
{
    const retain_kmeans_params *p = &m->params;
    retain_status s;
    if ((s = rt_h5_attr_set_int64(meta, "format_version", RT_KMEANS_FORMAT_VERSION)) ||
        (s = rt_h5_attr_set_string(meta, "kind", "kmeans")) ||
        (s = rt_h5_attr_set_string(meta, "engine_version", retain_version())) ||
        (s = rt_h5_attr_set_strings(meta, "feature_names", m->d, names)) ||
        (s = rt_h5_attr_set_int64(meta, "k", m->k)) ||
        (s = rt_h5_attr_set_int64(meta, "seed", (int64_t)p->seed)) ||
        (s = rt_h5_attr_set_int64(meta, "n_init", m->n_init)) ||
        (s = rt_h5_attr_set_int64(meta, "max_iter", p->max_iter)) ||
        (s = rt_h5_attr_set_double(meta, "tol", p->tol)) ||
        (s = rt_h5_attr_set_string(meta, "init", rt_kmeans_init_name(p->init))) ||
        (s = rt_h5_attr_set_string(meta, "scale", rt_kmeans_scale_name(p->scale))) ||
        (s = rt_h5_attr_set_string(meta, "algorithm", rt_kmeans_algorithm_name(m->algorithm))) ||
        (s = rt_h5_attr_set_double(meta, "inertia", m->inertia)) ||
        (s = rt_h5_attr_set_int64(meta, "n_iter", m->n_iter)) ||
        (s = rt_h5_attr_set_int64(meta, "converged", m->converged)) ||
        (s = rt_h5_attr_set_int64(meta, "train_rows", m->train_rows)) ||
        (s = rt_h5_attr_set_double(meta, "tol_scale", m->tol_scale)) ||
        (s = rt_h5_attr_set_string(meta, "training_file", training_file ? training_file : "")) ||
        (m->algorithm == RETAIN_KMEANS_MINIBATCH &&
         ((s = rt_h5_attr_set_int64(meta, "batch_size", p->batch_size)) ||
          (s = rt_h5_attr_set_int64(meta, "n_steps", m->n_steps)))))
        return s;
    return RETAIN_OK;
}

static retain_status write_model(hid_t f, const retain_kmeans_model *m,
                                 const char *const *names, const char *training_file)
{
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(gcpl, 0);
    hid_t meta = H5Gcreate2(f, "/meta", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    if (meta < 0)
        return rt_error(RETAIN_ERR_IO, "cannot create group /meta");
    retain_status s = write_meta(meta, m, names, training_file);
    H5Gclose(meta);
    if (s)
        return s;
    int64_t k = m->k, d = m->d;
    if (m->params.scale == RETAIN_SCALE_STANDARD &&
        ((s = rt_h5_write_vector(f, "/scaler/mean", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, d,
                                 m->offset)) ||
         (s = rt_h5_write_vector(f, "/scaler/scale", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, d,
                                 m->spread))))
        return s;
    if (m->params.scale == RETAIN_SCALE_MINMAX &&
        ((s = rt_h5_write_vector(f, "/scaler/min", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, d,
                                 m->offset)) ||
         (s = rt_h5_write_vector(f, "/scaler/range", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, d,
                                 m->spread))))
        return s;
    if ((s = write_matrix(f, "/centroids", k, d, m->centroids)) ||
        (s = write_matrix(f, "/centroids_scaled", k, d, m->centroids_scaled)) ||
        (s = rt_h5_write_vector(f, "/segment_sizes", H5T_STD_I64LE, H5T_NATIVE_INT64, k,
                                m->sizes)))
        return s;
    return RETAIN_OK;
}

retain_status rt_kmeans_model_save(const char *path, const retain_kmeans_model *m,
                                   const char *const *feature_names,
                                   const char *training_file, const char *const *inputs,
                                   int ninputs)
{
    rt_output out;
    retain_status s = rt_output_begin(&out, path, inputs, ninputs);
    if (s)
        return s;
    hid_t f;
    s = rt_h5_create(out.tmp_path, &f);
    if (!s) {
        s = write_model(f, m, feature_names, training_file);
        s = rt_h5_close_file(f, out.tmp_path, s);
    }
    if (s) {
        rt_output_abort(&out);
        return rt_error_context(s, "saving the model %s", path);
    }
    return rt_output_commit(&out);
}

/* ---- loading ------------------------------------------------------------------ */

static bool attr_double(hid_t obj, const char *name, double *out)
{
    if (H5Aexists(obj, name) <= 0)
        return false;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = H5Aget_type(a);
    H5T_class_t cls = H5Tget_class(t);
    hid_t space = H5Aget_space(a);
    bool ok = (cls == H5T_FLOAT || cls == H5T_INTEGER) &&
              H5Sget_simple_extent_npoints(space) == 1 &&
              H5Aread(a, H5T_NATIVE_DOUBLE, out) >= 0;
    H5Sclose(space);
    H5Tclose(t);
    H5Aclose(a);
    return ok;
}

static retain_status damaged(const char *path, const char *what)
{
    return rt_error(RETAIN_ERR_DATA, "model file %s is damaged or incomplete: %s; fit the "
                    "model again", path, what);
}

/* Reads dataset `name` of exactly rows (x cols when cols > 0) values. */
static retain_status read_array(hid_t f, const char *path, const char *name, hid_t mem_type,
                                int64_t rows, int64_t cols, void *buf)
{
    char what[256];
    if (rt_h5_kind(f, name) != H5I_DATASET) {
        snprintf(what, sizeof what, "no dataset %s", name);
        return damaged(path, what);
    }
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    hsize_t dims[8];
    int rank = ds >= 0 ? rt_h5_shape(ds, dims) : -1;
    bool shape_ok = cols > 0 ? rank == 2 && dims[0] == (hsize_t)rows && dims[1] == (hsize_t)cols
                             : rank == 1 && dims[0] == (hsize_t)rows;
    if (!shape_ok) {
        if (ds >= 0)
            H5Dclose(ds);
        snprintf(what, sizeof what, "%s should be %lld%s%.0lld values", name, (long long)rows,
                 cols > 0 ? " x " : "", (long long)cols);
        return damaged(path, what);
    }
    herr_t rc = H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    H5Dclose(ds);
    if (rc < 0) {
        snprintf(what, sizeof what, "cannot read %s (truncated?)", name);
        return damaged(path, what);
    }
    return RETAIN_OK;
}

static bool all_finite_f32(const float *v, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

static bool all_finite_f64(const double *v, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

static retain_status read_meta(hid_t meta, const char *path, retain_kmeans_model *m)
{
    retain_kmeans_params *p = &m->params;
    char text[64];
    double v;
    int64_t i;
    if (rt_h5_attr_int64(meta, "seed", &i))
        p->seed = (uint64_t)i;
    if (rt_h5_attr_int64(meta, "n_init", &i))
        m->n_init = i;
    if (rt_h5_attr_int64(meta, "max_iter", &i))
        p->max_iter = i;
    if (attr_double(meta, "tol", &v))
        p->tol = v;
    if (rt_h5_attr_string(meta, "init", text, sizeof text))
        p->init = strcmp(text, "random") == 0  ? RETAIN_KMEANS_INIT_RANDOM
                  : strcmp(text, "given") == 0 ? RETAIN_KMEANS_INIT_GIVEN
                                               : RETAIN_KMEANS_INIT_PLUSPLUS;
    m->algorithm = RETAIN_KMEANS_LLOYD; /* what files written before the choice ran */
    if (rt_h5_attr_string(meta, "algorithm", text, sizeof text))
        m->algorithm = strcmp(text, "hamerly") == 0     ? RETAIN_KMEANS_HAMERLY
                       : strcmp(text, "minibatch") == 0 ? RETAIN_KMEANS_MINIBATCH
                                                        : RETAIN_KMEANS_LLOYD;
    if (rt_h5_attr_int64(meta, "batch_size", &i))
        m->params.batch_size = i;
    rt_h5_attr_int64(meta, "n_steps", &m->n_steps);
    if (!attr_double(meta, "inertia", &m->inertia) || !rt_h5_attr_int64(meta, "n_iter", &m->n_iter))
        return damaged(path, "/meta lacks the training metrics inertia and n_iter");
    if (rt_h5_attr_int64(meta, "converged", &i))
        m->converged = i != 0;
    rt_h5_attr_int64(meta, "train_rows", &m->train_rows);
    attr_double(meta, "tol_scale", &m->tol_scale);
    return RETAIN_OK;
}

static retain_status load_open(hid_t f, const char *path, retain_kmeans_model **out,
                               char ***out_names, int64_t *out_d)
{
    if (rt_h5_kind(f, "/meta") != H5I_GROUP)
        return rt_error(RETAIN_ERR_DATA, "%s is not a retain model file (no /meta group); "
                        "give a file written by `retain kmeans fit`", path);
    hid_t meta = H5Gopen2(f, "/meta", H5P_DEFAULT);
    char kind[64], scale[64];
    int64_t version, k, d = 0;
    char **names = NULL;
    retain_kmeans_model *m = NULL;
    retain_status s = RETAIN_OK;
    if (!rt_h5_attr_string(meta, "kind", kind, sizeof kind))
        s = damaged(path, "/meta has no kind attribute");
    else if (strcmp(kind, "kmeans") != 0)
        s = rt_error(RETAIN_ERR_DATA, "%s holds a %s model, not a k-means model", path, kind);
    else if (!rt_h5_attr_int64(meta, "format_version", &version) || version < 1)
        s = damaged(path, "/meta has no valid format_version");
    else if (version > RT_KMEANS_FORMAT_VERSION)
        s = rt_error(RETAIN_ERR_DATA, "%s has k-means model format %lld, newer than this "
                     "retain %s reads (format %d); use a newer retain",
                     path, (long long)version, retain_version(), RT_KMEANS_FORMAT_VERSION);
    else if (!rt_h5_attr_int64(meta, "k", &k) || k < 1 || k > INT32_MAX)
        s = damaged(path, "/meta has no valid k");
    else if (rt_h5_read_attr_strings(meta, "feature_names", &d, &names) || d < 1)
        s = damaged(path, "/meta has no feature_names");
    else if (!rt_h5_attr_string(meta, "scale", scale, sizeof scale) ||
             (strcmp(scale, "standard") && strcmp(scale, "minmax") && strcmp(scale, "none")))
        s = damaged(path, "/meta has no valid scale");
    else if (!(s = rt_kmeans_model_alloc(k, d, &m))) {
        m->params.k = k;
        m->params.scale = strcmp(scale, "minmax") == 0 ? RETAIN_SCALE_MINMAX
                          : strcmp(scale, "none") == 0 ? RETAIN_SCALE_NONE
                                                       : RETAIN_SCALE_STANDARD;
        s = read_meta(meta, path, m);
    }
    H5Gclose(meta);
    if (!s && m->params.scale != RETAIN_SCALE_NONE) {
        bool standard = m->params.scale == RETAIN_SCALE_STANDARD;
        if (!(s = read_array(f, path, standard ? "/scaler/mean" : "/scaler/min",
                             H5T_NATIVE_DOUBLE, d, 0, m->offset)))
            s = read_array(f, path, standard ? "/scaler/scale" : "/scaler/range",
                           H5T_NATIVE_DOUBLE, d, 0, m->spread);
        if (!s && (!all_finite_f64(m->offset, d) || !all_finite_f64(m->spread, d)))
            s = damaged(path, "the scaler holds NaN or Inf");
        for (int64_t j = 0; !s && j < d; j++)
            if (!(m->spread[j] > 0))
                s = damaged(path, "the scaler has a spread <= 0");
    } else if (!s) {
        for (int64_t j = 0; j < d; j++)
            m->spread[j] = 1.0;
    }
    if (!s && !(s = read_array(f, path, "/centroids", H5T_NATIVE_FLOAT, k, d, m->centroids)) &&
        !(s = read_array(f, path, "/centroids_scaled", H5T_NATIVE_FLOAT, k, d,
                         m->centroids_scaled)) &&
        !(s = read_array(f, path, "/segment_sizes", H5T_NATIVE_INT64, k, 0, m->sizes)) &&
        (!all_finite_f32(m->centroids, k * d) || !all_finite_f32(m->centroids_scaled, k * d)))
        s = damaged(path, "the centroids hold NaN or Inf");
    if (s) {
        retain_kmeans_free(m);
        rt_h5_free_strings(names, d);
        return s;
    }
    *out = m;
    *out_names = names;
    *out_d = d;
    return RETAIN_OK;
}

retain_status rt_kmeans_model_load(const char *path, retain_kmeans_model **out,
                                   char ***feature_names)
{
    *out = NULL;
    *feature_names = NULL;
    hid_t f;
    retain_status s = rt_h5_open_read(path, &f);
    if (s)
        return s;
    int64_t d;
    s = load_open(f, path, out, feature_names, &d);
    H5Fclose(f);
    return s;
}

/* ---- feature check ------------------------------------------------------------ */

