/*
** src/io/features.h: reading a user feature matrix from HDF5 in any of the
** three layouts of DESIGN.md (a 2-D dataset; a pandas to_hdf fixed-format
** group; a group of equal-length 1-D columns), any numeric type, any
** chunking or filter. Rows are read in ranges, so callers can stream files
** larger than memory; every read converts to float32 once and rejects NaN
** and Inf with the row and column named unless told otherwise. Labels and
** user ids come from the same file.
*/
#ifndef RT_IO_FEATURES_H
#define RT_IO_FEATURES_H

#include "retain.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum rt_layout {
    RT_LAYOUT_DATASET, /* one 2-D dataset                      */
    RT_LAYOUT_PANDAS,  /* pandas DataFrame.to_hdf(format=fixed) */
    RT_LAYOUT_COLUMNS, /* a group of 1-D datasets              */
} rt_layout;

typedef struct rt_features_spec {
    const char *dataset;  /* dataset or group path; NULL: /features, else the
                             file's one pandas frame                        */
    const char *columns;  /* comma-separated names to select, in order; NULL:
                             every numeric column                           */
    const char *label;    /* label dataset path or frame column; NULL: none */
    const char *user_id;  /* id dataset path or frame column; NULL: /user_id
                             if present (pandas: an integer index)           */
    bool allow_nonfinite; /* leave NaN/Inf in place (info, imputation)      */
    bool random_access;   /* rows are read in ranges out of order: no chunk
                             cache, which HDF5 fills with chunks read in
                             pieces and does not give back (up to ~64 MiB) */
    int64_t chunk_cache;  /* bytes of that cache for sequential reads; 0:
                             64 MiB (a memory budget may ask for less)      */
} rt_features_spec;

typedef struct rt_features rt_features;

/* Opens `path` and resolves the layout, columns, label and ids; reads no
** rows. Errors name the file and dataset and list what exists. Every
** dataset used is checked against what the file stores for it
** (rt_h5_check_stored_shared: the datasets of one open share one slack),
** so a damaged or never-filled file claiming an impossible shape is
** refused here, before anything is allocated.
** Without spec->user_id, ids come from a `user_id` dataset or column when
** there is one, else (pandas) from an integer or string index. */
retain_status rt_features_open(const char *path, const rt_features_spec *spec,
                               rt_features **out);
void rt_features_close(rt_features *f);

int64_t rt_features_rows(const rt_features *f);
int64_t rt_features_cols(const rt_features *f);
rt_layout rt_features_layout(const rt_features *f);
const char *rt_features_layout_name(rt_layout layout);
/* Column names (cols of them), owned by f. */
const char *const *rt_features_names(const rt_features *f);
/* The dataset or group the features come from, e.g. "/features". */
const char *rt_features_source(const rt_features *f);
/* The file's type name of column j ("float32", "int64", ...). */
const char *rt_features_column_type(const rt_features *f, int64_t j);

/* Rows [first, first + count) into dst (count x cols, row-major, float32).
** Values are rounded once to the nearest float32, as numpy's
** astype(float32) does; a finite value beyond float32's range is a DATA
** error naming row and column, and so is NaN/Inf unless allow_nonfinite.
** Memory beyond dst is bounded (a few MiB plus HDF5's chunk cache) whatever
** count is. */
retain_status rt_features_read(rt_features *f, int64_t first, int64_t count,
                               float *dst);

/* The same rows as double (count x cols, row-major), each value converted
** once from what the file stores, NaN/Inf refused unless allow_nonfinite. */
retain_status rt_features_read_f64(rt_features *f, int64_t first, int64_t count,
                                   double *dst);

/* All rows into a new matrix; the size is checked before allocating. */
retain_status rt_features_read_all(rt_features *f, retain_matrix_owned *out);

/* This rank's rows (core/dist.h: all rows in one process) into a new
** matrix, the first one's row number into *first. Under MPI every rank
** must call it; a failure on one rank (a NaN in its rows, no memory) is
** every rank's, and so is a file with fewer row blocks than ranks. */
retain_status rt_features_read_rank(rt_features *f, retain_matrix_owned *out, int64_t *first);

bool rt_features_has_label(const rt_features *f);
const char *rt_features_label_name(const rt_features *f);
/* Label values of rows [first, first + count) as doubles (bool -> 0/1). */
retain_status rt_features_read_label(rt_features *f, int64_t first,
                                     int64_t count, double *dst);

bool rt_features_has_user_ids(const rt_features *f);
/* Where the ids come from: a dataset path, or "/df column 'user_id'". */
const char *rt_features_user_id_name(const rt_features *f);
bool rt_features_user_ids_are_strings(const rt_features *f);
/* Integer ids of rows [first, first + count). */
retain_status rt_features_read_user_ids(rt_features *f, int64_t first,
                                        int64_t count, int64_t *dst);
/* String ids: malloc'd strings into dst[0..count); free each with free(). */
retain_status rt_features_read_user_id_strings(rt_features *f, int64_t first,
                                               int64_t count, char **dst);

/* A string attribute `name` of the features' dataset or group, else of the
** file's root group, into buf; false when neither has one. */
bool rt_features_attr_string(const rt_features *f, const char *name, char *buf,
                             size_t cap);

/* The model's names joined by commas, to select them with spec.columns
** (malloc'd), when the input names every one of them, among others or in
** another order; NULL when it lacks one (rt_features_check_names then says
** which) or a name holds a comma. */
char *rt_features_select_names(const char *const *model_names, int64_t model_d,
                               const char *const *names, int64_t d);

/* RETAIN_ERR_DATA unless the input's feature names are the model's, in the
** same order; the message lists the names missing from the input, those
** it has beyond the model's and, when only the order differs, both orders. */
retain_status rt_features_check_names(const char *model_path,
                                      const char *const *model_names, int64_t model_d,
                                      const char *input_path, const char *const *names,
                                      int64_t d);

#endif
