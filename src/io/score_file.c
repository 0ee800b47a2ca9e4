/*
** src/io/score_file.c: writing the output of `retain score` (score_file.h)
** on the shared HDF5 writer (h5write.c): chunked 1-D datasets filled block
** by block, string ids as variable-length UTF-8. Under MPI every rank
** creates the file together and writes its own blocks (no string ids).
*/
#include "score_file.h"

#include "core/dist.h"
#include "core/error.h"
#include "h5write.h"

#include <stdlib.h>

#define MAX_COLUMNS 16

struct rt_score_file {
    hid_t file, ids;
    rt_score_ids id_kind;
    int ncols;
    hid_t sets[MAX_COLUMNS];
    rt_score_type types[MAX_COLUMNS];
    const char *path;
};

int rt_score_type_size(rt_score_type t)
{
    return t == RT_SCORE_INT8 ? 1 : t == RT_SCORE_FLOAT64 ? 8 : 4;
}

static hid_t file_type(rt_score_type t)
{
    return t == RT_SCORE_INT8    ? H5T_STD_I8LE
           : t == RT_SCORE_INT32   ? H5T_STD_I32LE
           : t == RT_SCORE_FLOAT32 ? H5T_IEEE_F32LE
                                   : H5T_IEEE_F64LE;
}

static hid_t mem_type(rt_score_type t)
{
    return t == RT_SCORE_INT8    ? H5T_NATIVE_INT8
           : t == RT_SCORE_INT32   ? H5T_NATIVE_INT32
           : t == RT_SCORE_FLOAT32 ? H5T_NATIVE_FLOAT
                                   : H5T_NATIVE_DOUBLE;
}

static retain_status create_column(rt_score_file *f, const rt_score_column *c, int64_t rows)
{
    hid_t *d = &f->sets[f->ncols];
    retain_status s = rt_h5_dataset_create(f->file, c->path, file_type(c->type), rows, 0, 0, d);
    if (s)
        return s;
    f->types[f->ncols++] = c->type;
    if (c->note_name && (s = rt_h5_attr_set_string(*d, c->note_name, c->note)))
        return s;
    if (c->labels_name)
        s = rt_h5_attr_set_strings(*d, c->labels_name, c->nlabels, c->labels);
    return s;
}

retain_status rt_score_file_create(const char *path, const rt_score_column *cols, int ncols,
                                   int64_t rows, rt_score_ids ids, rt_score_file **out)
{
    *out = NULL;
    if (ncols > MAX_COLUMNS)
        return rt_error(RETAIN_ERR_INTERNAL, "%d score columns; at most %d", ncols,
                        MAX_COLUMNS);
    if (ids == RT_SCORE_IDS_STRING && rt_dist_size() > 1) /* the same on every rank */
        return rt_error(RETAIN_ERR_USAGE, "string user ids cannot be written by several MPI "
                        "ranks (parallel HDF5 writes no variable-length strings); score this "
                        "input as one process, without mpirun");
    rt_score_file *f = calloc(1, sizeof *f);
    if (!f)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    f->ids = H5I_INVALID_HID;
    f->id_kind = ids;
    f->path = path;
    retain_status s = rt_h5_create_shared(path, &f->file);
    if (s) {
        free(f);
        return s;
    }
    *out = f;
    s = ids == RT_SCORE_IDS_STRING
            ? rt_h5_strings_create(f->file, "/user_id", rows, &f->ids)
            : rt_h5_dataset_create(f->file, "/user_id", H5T_STD_I64LE, rows, 0, 0, &f->ids);
    if (!s && ids == RT_SCORE_IDS_ROW)
        s = rt_h5_attr_set_string(f->ids, "source", "row number in the input (0-based): the "
                                                    "input has no user ids");
    for (int c = 0; c < ncols && !s; c++)
        s = create_column(f, &cols[c], rows);
    return s;
}

retain_status rt_score_file_write(rt_score_file *f, int64_t first, int64_t count,
                                  const void *const *data, const int64_t *ids,
                                  const char *const *id_strings)
{
    retain_status s = f->id_kind == RT_SCORE_IDS_STRING
                          ? rt_h5_write_string_rows(f->ids, first, count, id_strings)
                          : rt_h5_write_rows(f->ids, H5T_NATIVE_INT64, first, count, 0, ids);
    for (int c = 0; c < f->ncols && !s; c++)
        s = rt_h5_write_rows(f->sets[c], mem_type(f->types[c]), first, count, 0, data[c]);
    return s;
}

retain_status rt_score_file_attr_string(rt_score_file *f, const char *name, const char *value)
{
    return rt_h5_attr_set_string(f->file, name, value);
}

retain_status rt_score_file_attr_int64(rt_score_file *f, const char *name, int64_t value)
{
    return rt_h5_attr_set_int64(f->file, name, value);
}

retain_status rt_score_file_attr_double(rt_score_file *f, const char *name, double value)
{
    return rt_h5_attr_set_double(f->file, name, value);
}

retain_status rt_score_file_close(rt_score_file *f, retain_status prior)
{
    if (!f)
        return prior;
    if (f->ids >= 0)
        H5Dclose(f->ids);
    for (int c = 0; c < f->ncols; c++)
        H5Dclose(f->sets[c]);
    retain_status s = rt_h5_close_file(f->file, f->path, prior);
    free(f);
    return s;
}
