/*
** src/io/h5write.h: writing HDF5 outputs: create the file (on an rt_output
** temporary), chunked datasets written in row blocks with bounded memory,
** string lists and attributes. Every call checks HDF5's return and turns a
** failure (a full disk included) into RETAIN_ERR_IO naming the dataset.
*/
#ifndef RT_IO_H5WRITE_H
#define RT_IO_H5WRITE_H

#include "retain.h"

#include <hdf5.h>
#include <stdint.h>

/* Creates (truncating) an HDF5 file at path. */
retain_status rt_h5_create(const char *path, hid_t *out);
/* The same, under MPI with more than one rank by every rank together
** through the MPI-IO driver (a failure on one is every rank's; objects
** are then created by all ranks alike and rows written by each). */
retain_status rt_h5_create_shared(const char *path, hid_t *out);

/* Flushes and closes the file and returns the outcome of the whole write:
** `prior` (the status so far) if it is a failure, whose message is left as
** it is; otherwise a failed flush or close, which is a failed write. */
retain_status rt_h5_close_file(hid_t file, const char *path, retain_status prior);

/* A dataset of `rows` (x `cols` when cols > 0, else 1-D) of file type
** `type`, chunked by about 1 MiB of rows, gzip level `gzip` (0: none) with
** shuffle. Intermediate groups are created. */
retain_status rt_h5_dataset_create(hid_t file, const char *path, hid_t type,
                                   int64_t rows, int64_t cols, int gzip,
                                   hid_t *out);

/* Rows chosen so one chunk holds about `bytes` (at least 1, at most rows). */
int64_t rt_h5_chunk_rows(int64_t rows, int64_t row_bytes, int64_t bytes);

/* Writes rows [first, first + count) from buf (memory type mem_type, count x
** cols contiguous; cols 0 for 1-D). */
retain_status rt_h5_write_rows(hid_t dset, hid_t mem_type, int64_t first,
                               int64_t count, int64_t cols, const void *buf);

/* A whole 1-D dataset in one call (small outputs). */
retain_status rt_h5_write_vector(hid_t file, const char *path, hid_t file_type,
                                 hid_t mem_type, int64_t n, const void *buf);

/* A 1-D dataset of variable-length UTF-8 strings. */
retain_status rt_h5_write_strings(hid_t file, const char *path, int64_t n,
                                  const char *const *strings);

/* Attributes on any object. */
retain_status rt_h5_attr_set_string(hid_t obj, const char *name, const char *value);
retain_status rt_h5_attr_set_strings(hid_t obj, const char *name, int64_t n,
                                     const char *const *values);
retain_status rt_h5_attr_set_double(hid_t obj, const char *name, double value);
retain_status rt_h5_attr_set_doubles(hid_t obj, const char *name, int64_t n,
                                     const double *values);
retain_status rt_h5_attr_set_int64(hid_t obj, const char *name, int64_t value);

/* ---- growing outputs (sizes not known in advance) -------------------------- */

/* A 1-D dataset of file type `type` that starts empty and grows with
** rt_h5_append: unlimited maximum size, chunks of about 1 MiB, gzip level
** `gzip` (0: none) with shuffle, and a chunk cache that keeps the last,
** partly filled chunk between appends. Intermediate groups are created. */
retain_status rt_h5_dataset_create_growing(hid_t file, const char *path, hid_t type,
                                           int gzip, hid_t *out);

/* Appends `count` values from buf (memory type mem_type) at the end of a
** growing 1-D dataset. */
retain_status rt_h5_append(hid_t dset, hid_t mem_type, int64_t count, const void *buf);

/* A 1-D dataset of `n` variable-length UTF-8 strings, to be filled in row
** blocks with rt_h5_write_string_rows (for lists too long to hold at once). */
retain_status rt_h5_strings_create(hid_t file, const char *path, int64_t n, hid_t *out);
retain_status rt_h5_write_string_rows(hid_t dset, int64_t first, int64_t count,
                                      const char *const *strings);

#endif
