/*
** src/io/model_file.h: what every model file shares. A model file is HDF5
** with a /meta group whose attributes name the kind, the format version,
** the engine version, the feature names and the training file; each model
** adds its own attributes and datasets. Saving is atomic (io/atomic.c);
** loading refuses a file that is not a model, a model of another kind, a
** newer format or a damaged one, with the file named and what to do.
*/
#ifndef RT_IO_MODEL_FILE_H
#define RT_IO_MODEL_FILE_H

#include "retain.h"

#include <hdf5.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct rt_model_kind {
    const char *kind;    /* the /meta kind attribute: "kmeans"           */
    const char *title;   /* in messages: "k-means"                       */
    const char *command; /* what writes it: "retain kmeans fit"          */
    int version;         /* the format this engine writes and reads      */
} rt_model_kind;

/* Writes the model's own attributes into meta and datasets into file. */
typedef retain_status (*rt_model_body_fn)(hid_t file, hid_t meta, const void *ctx);

/* Writes path atomically (not over one of the inputs): the shared /meta
** attributes for d feature names, then body. Under MPI every rank calls it
** with the same model; rank 0 writes, and its outcome is every rank's. */
retain_status rt_model_save(const char *path, const rt_model_kind *kind,
                            const char *const *names, int64_t d, const char *training_file,
                            rt_model_body_fn body, const void *ctx,
                            const char *const *inputs, int ninputs);

/* Opens path as a model of this kind: *file and *meta open (close both
** with rt_model_close) and its feature names (*d of them; free with
** rt_h5_free_strings), or a DATA / I/O error and nothing open. */
retain_status rt_model_open(const char *path, const rt_model_kind *kind, hid_t *file,
                            hid_t *meta, char ***names, int64_t *d);
void rt_model_close(hid_t file, hid_t meta);

/* RETAIN_ERR_DATA: the model file is damaged or incomplete, and why. */
retain_status rt_model_damaged(const char *path, const char *what);
/* Reads dataset `name` of exactly rows (x cols when cols > 0) values, or
** says which is missing, misshapen or unreadable. */
retain_status rt_model_read_array(hid_t f, const char *path, const char *name, hid_t mem_type,
                                  int64_t rows, int64_t cols, void *buf);
/* What outputs scored with a model record about it: id, 16 hex digits of
** the FNV-1a hash of the file's bytes (the same model, the same id, wherever
** it is copied), and trained_at, the file's modification time in UTC
** (ISO 8601): the atomic save sets it when training ends. */
retain_status rt_model_identity(const char *path, char id[17], char trained_at[32]);
bool rt_all_finite_f64(const double *v, int64_t n);
bool rt_all_finite_f32(const float *v, int64_t n);

#endif
