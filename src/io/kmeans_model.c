/*
** src/io/kmeans_model.c: k-means model files (layout in kmeans_model.h;
** what every model file shares: model_file.c). Numbers are stored in
** binary at full precision (float64 scaler and metrics, float32 centroids
** as the model uses them), so a loaded model predicts the same bits as the
** one saved.
*/
#include "kmeans_model.h"

#include "core/error.h"
#include "h5.h"
#include "h5write.h"
#include "kmeans/kmeans.h"
#include "model_file.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const rt_model_kind KIND = {"kmeans", "k-means", "retain kmeans fit",
                                   RT_KMEANS_FORMAT_VERSION};

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

/* The k-means attributes of /meta and the datasets. */
static retain_status write_body(hid_t f, hid_t meta, const void *ctx)
{
    const retain_kmeans_model *m = ctx;
    const retain_kmeans_params *p = &m->params;
    retain_status s;
    if ((s = rt_h5_attr_set_int64(meta, "k", m->k)) ||
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
        (m->algorithm == RETAIN_KMEANS_MINIBATCH &&
         ((s = rt_h5_attr_set_int64(meta, "batch_size", p->batch_size)) ||
          (s = rt_h5_attr_set_int64(meta, "n_steps", m->n_steps)))))
        return s;
    int64_t k = m->k, d = m->d;
    if (p->scale == RETAIN_SCALE_STANDARD &&
        ((s = rt_h5_write_vector(f, "/scaler/mean", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, d,
                                 m->offset)) ||
         (s = rt_h5_write_vector(f, "/scaler/scale", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, d,
                                 m->spread))))
        return s;
    if (p->scale == RETAIN_SCALE_MINMAX &&
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
    return rt_model_save(path, &KIND, feature_names, m->d, training_file, write_body, m, inputs,
                         ninputs);
}

/* ---- loading ------------------------------------------------------------------ */

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
    if (rt_h5_attr_double(meta, "tol", &v))
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
    if (!rt_h5_attr_double(meta, "inertia", &m->inertia) || !rt_h5_attr_int64(meta, "n_iter", &m->n_iter))
        return rt_model_damaged(path, "/meta lacks the training metrics inertia and n_iter");
    if (rt_h5_attr_int64(meta, "converged", &i))
        m->converged = i != 0;
    rt_h5_attr_int64(meta, "train_rows", &m->train_rows);
    rt_h5_attr_double(meta, "tol_scale", &m->tol_scale);
    return RETAIN_OK;
}

retain_status rt_kmeans_model_load(const char *path, retain_kmeans_model **out,
                                   char ***feature_names)
{
    *out = NULL;
    *feature_names = NULL;
    hid_t f, meta;
    char **names;
    int64_t d, k;
    retain_status s = rt_model_open(path, &KIND, &f, &meta, &names, &d);
    if (s)
        return s;
    char scale[64];
    retain_kmeans_model *m = NULL;
    if (!rt_h5_attr_int64(meta, "k", &k) || k < 1 || k > INT32_MAX)
        s = rt_model_damaged(path, "/meta has no valid k");
    else if (!rt_h5_attr_string(meta, "scale", scale, sizeof scale) ||
             (strcmp(scale, "standard") && strcmp(scale, "minmax") && strcmp(scale, "none")))
        s = rt_model_damaged(path, "/meta has no valid scale");
    else if (!(s = rt_kmeans_model_alloc(k, d, &m))) {
        m->params.k = k;
        m->params.scale = strcmp(scale, "minmax") == 0 ? RETAIN_SCALE_MINMAX
                          : strcmp(scale, "none") == 0 ? RETAIN_SCALE_NONE
                                                       : RETAIN_SCALE_STANDARD;
        s = read_meta(meta, path, m);
    }
    if (!s && m->params.scale != RETAIN_SCALE_NONE) {
        bool standard = m->params.scale == RETAIN_SCALE_STANDARD;
        if (!(s = rt_model_read_array(f, path, standard ? "/scaler/mean" : "/scaler/min",
                                      H5T_NATIVE_DOUBLE, d, 0, m->offset)))
            s = rt_model_read_array(f, path, standard ? "/scaler/scale" : "/scaler/range",
                                    H5T_NATIVE_DOUBLE, d, 0, m->spread);
        if (!s && (!rt_all_finite_f64(m->offset, d) || !rt_all_finite_f64(m->spread, d)))
            s = rt_model_damaged(path, "the scaler holds NaN or Inf");
        for (int64_t j = 0; !s && j < d; j++)
            if (!(m->spread[j] > 0))
                s = rt_model_damaged(path, "the scaler has a spread <= 0");
    } else if (!s) {
        for (int64_t j = 0; j < d; j++)
            m->spread[j] = 1.0;
    }
    if (!s &&
        !(s = rt_model_read_array(f, path, "/centroids", H5T_NATIVE_FLOAT, k, d, m->centroids)) &&
        !(s = rt_model_read_array(f, path, "/centroids_scaled", H5T_NATIVE_FLOAT, k, d,
                                  m->centroids_scaled)) &&
        !(s = rt_model_read_array(f, path, "/segment_sizes", H5T_NATIVE_INT64, k, 0, m->sizes)) &&
        (!rt_all_finite_f32(m->centroids, k * d) || !rt_all_finite_f32(m->centroids_scaled, k * d)))
        s = rt_model_damaged(path, "the centroids hold NaN or Inf");
    rt_model_close(f, meta);
    if (s) {
        retain_kmeans_free(m);
        rt_h5_free_strings(names, d);
        return s;
    }
    *out = m;
    *feature_names = names;
    return RETAIN_OK;
}
