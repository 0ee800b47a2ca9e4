/*
** src/io/kmeans_model.h: k-means model files (HDF5). Layout, format 1:
**   /meta               group; attributes format_version, kind = "kmeans",
**                       engine_version, feature_names, training parameters
**                       (k, seed, n_init, max_iter, tol, init, scale),
**                       training metrics (inertia, n_iter, converged,
**                       train_rows, tol_scale) and training_file
**   /scaler/mean, /scaler/scale     float64 (d), scale "standard"
**   /scaler/min, /scaler/range      float64 (d), scale "minmax"
**   /centroids          float32 k x d, input units
**   /centroids_scaled   float32 k x d, the units distances are measured in
**   /segment_sizes      int64 k, training rows per segment
** Saving goes through rt_output (atomic); loading refuses another kind, a
** newer format or a damaged file with a message naming the file.
*/
#ifndef RT_IO_KMEANS_MODEL_H
#define RT_IO_KMEANS_MODEL_H

#include "retain.h"

#include <stdint.h>

#define RT_KMEANS_FORMAT_VERSION 1

/* Writes m to path atomically; refuses a path that is one of the inputs.
** feature_names: d names; training_file: recorded in /meta. */
retain_status rt_kmeans_model_save(const char *path, const retain_kmeans_model *m,
                                   const char *const *feature_names,
                                   const char *training_file, const char *const *inputs,
                                   int ninputs);

/* Reads a model and its feature names (d of them; free with
** rt_h5_free_strings(names, d)). */
retain_status rt_kmeans_model_load(const char *path, retain_kmeans_model **out,
                                   char ***feature_names);

#endif
