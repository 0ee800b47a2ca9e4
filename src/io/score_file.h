/*
** src/io/score_file.h: the HDF5 file `retain score` writes: /user_id and
** one 1-D dataset per score column, all `rows` long, filled in row blocks
** in any order, plus attributes. The scoring job (src/score) describes its
** columns with plain C types and never sees HDF5; the file itself is an
** rt_output temporary (atomic.h) that the caller commits or aborts.
*/
#ifndef RT_IO_SCORE_FILE_H
#define RT_IO_SCORE_FILE_H

#include "retain.h"

#include <stdint.h>

typedef enum rt_score_type {
    RT_SCORE_INT8,
    RT_SCORE_INT32,
    RT_SCORE_FLOAT32,
    RT_SCORE_FLOAT64,
} rt_score_type;

typedef enum rt_score_ids {
    RT_SCORE_IDS_ROW,    /* the input has none: row numbers (int64)  */
    RT_SCORE_IDS_INT64,  /* integer ids copied from the input        */
    RT_SCORE_IDS_STRING, /* string ids copied from the input         */
} rt_score_ids;

typedef struct rt_score_column {
    const char *path;      /* "/segment"                                  */
    rt_score_type type;
    const char *note_name; /* a string attribute on the dataset, or NULL  */
    const char *note;
    const char *labels_name; /* a string-list attribute, or NULL          */
    const char *const *labels;
    int nlabels;
} rt_score_column;

/* Bytes one value of type t takes. */
int rt_score_type_size(rt_score_type t);

typedef struct rt_score_file rt_score_file;

/* Creates the file at path (a temporary) with /user_id and the columns. */
retain_status rt_score_file_create(const char *path, const rt_score_column *cols, int ncols,
                                   int64_t rows, rt_score_ids ids, rt_score_file **out);

/* Writes rows [first, first + count): data[c] holds count values of column
** c; ids holds count int64 ids (ROW, INT64) or strings (STRING). */
retain_status rt_score_file_write(rt_score_file *f, int64_t first, int64_t count,
                                  const void *const *data, const int64_t *ids,
                                  const char *const *id_strings);

/* Attributes on the file's root group. */
retain_status rt_score_file_attr_string(rt_score_file *f, const char *name, const char *value);
retain_status rt_score_file_attr_int64(rt_score_file *f, const char *name, int64_t value);
retain_status rt_score_file_attr_double(rt_score_file *f, const char *name, double value);

/* Closes everything; returns `prior` if it is a failure, else the outcome
** of the flush and close (a failed close is a failed write). */
retain_status rt_score_file_close(rt_score_file *f, retain_status prior);

#endif
