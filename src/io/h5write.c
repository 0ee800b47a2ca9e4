/*
** src/io/h5write.c: HDF5 writing helpers (see h5write.h). Files are created
** with the 1.8 format bounds so h5py, pandas and older tools read them.
** Under MPI a shared file is created by every rank through MPI-IO and
** each writes its own rows (independent transfers).
*/
#include "h5write.h"

#include "core/dist.h"
#include "core/error.h"
#include "h5.h"

#include <stdbool.h>
#include <string.h>

#ifdef RETAIN_WITH_MPI
#include <mpi.h>
#endif

static retain_status write_failed(const char *what, const char *name)
{
    return rt_error(RETAIN_ERR_IO,
                    "cannot write %s %s (disk full, file too large or device "
                    "error)", what, name);
}

/* shared: every MPI rank creates the file together, through MPI-IO. */
static retain_status create_file(const char *path, bool shared, hid_t *out)
{
    rt_h5_quiet();
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST);
#ifdef RETAIN_WITH_MPI
    if (shared)
        H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL);
#endif
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(fcpl, 0); /* the root group, as for every object */
    *out = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl);
    H5Pclose(fcpl);
    H5Pclose(fapl);
    retain_status s = *out < 0 ? rt_error(RETAIN_ERR_IO, "cannot create HDF5 file %s", path)
                               : RETAIN_OK;
    if (shared && (s = rt_dist_agree(s)) && *out >= 0) {
        H5Fclose(*out);
        *out = H5I_INVALID_HID;
    }
    return s;
}

retain_status rt_h5_create(const char *path, hid_t *out)
{
    return create_file(path, false, out);
}

retain_status rt_h5_create_shared(const char *path, hid_t *out)
{
    return create_file(path, rt_dist_size() > 1, out);
}

retain_status rt_h5_close_file(hid_t file, const char *path, retain_status prior)
{
    herr_t a = prior ? 0 : H5Fflush(file, H5F_SCOPE_GLOBAL);
    herr_t b = H5Fclose(file);
    if (prior)
        return prior;
    if (a < 0 || b < 0)
        return write_failed("file", path);
    return RETAIN_OK;
}

int64_t rt_h5_chunk_rows(int64_t rows, int64_t row_bytes, int64_t bytes)
{
    int64_t r = row_bytes > 0 ? bytes / row_bytes : bytes;
    if (r < 1)
        r = 1;
    if (r > rows)
        r = rows;
    return r < 1 ? 1 : r;
}

/* Creates the groups above `path` that do not exist yet. Groups and
** datasets are made without modification times, so the same data written
** twice gives the same bytes. */
static retain_status create_parents(hid_t file, const char *path)
{
    char parent[1024];
    size_t n = strlen(path);
    if (n >= sizeof parent)
        return rt_error(RETAIN_ERR_USAGE, "HDF5 path too long: %s", path);
    memcpy(parent, path, n + 1);
    for (size_t i = 1; i < n; i++) {
        if (parent[i] != '/')
            continue;
        parent[i] = '\0';
        if (H5Lexists(file, parent, H5P_DEFAULT) <= 0) {
            hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
            H5Pset_obj_track_times(gcpl, 0);
            hid_t g = H5Gcreate2(file, parent, H5P_DEFAULT, gcpl, H5P_DEFAULT);
            H5Pclose(gcpl);
            if (g < 0)
                return write_failed("group", parent);
            H5Gclose(g);
        }
        parent[i] = '/';
    }
    return RETAIN_OK;
}

/* Creates a chunked dataset (chunk NULL: contiguous) with optional
** gzip + shuffle, its parent groups first. */
static retain_status create_dataset(hid_t file, const char *path, hid_t type, hid_t space,
                                    int rank, const hsize_t *chunk, int gzip, hid_t dapl,
                                    hid_t *out)
{
    *out = H5I_INVALID_HID;
    retain_status s = create_parents(file, path);
    if (s)
        return s;
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    if (chunk) {
        H5Pset_chunk(dcpl, rank, chunk);
        if (gzip > 0) {
            H5Pset_shuffle(dcpl);
            H5Pset_deflate(dcpl, (unsigned)gzip);
        }
    }
    *out = H5Dcreate2(file, path, type, space, H5P_DEFAULT, dcpl, dapl);
    H5Pclose(dcpl);
    if (*out < 0)
        return write_failed("dataset", path);
    return RETAIN_OK;
}

retain_status rt_h5_dataset_create(hid_t file, const char *path, hid_t type,
                                   int64_t rows, int64_t cols, int gzip, hid_t *out)
{
    int rank = cols > 0 ? 2 : 1;
    hsize_t dims[2] = {(hsize_t)rows, (hsize_t)cols};
    int64_t row_bytes = (int64_t)H5Tget_size(type) * (cols > 0 ? cols : 1);
    hsize_t chunk[2] = {(hsize_t)rt_h5_chunk_rows(rows, row_bytes, 1 << 20),
                        (hsize_t)cols};
    hid_t space = H5Screate_simple(rank, dims, NULL);
    retain_status s = create_dataset(file, path, type, space, rank, rows > 0 ? chunk : NULL,
                                     gzip, H5P_DEFAULT, out);
    H5Sclose(space);
    return s;
}

retain_status rt_h5_write_rows(hid_t dset, hid_t mem_type, int64_t first,
                               int64_t count, int64_t cols, const void *buf)
{
    if (count <= 0)
        return RETAIN_OK;
    int rank = cols > 0 ? 2 : 1;
    hsize_t start[2] = {(hsize_t)first, 0}, size[2] = {(hsize_t)count, (hsize_t)cols};
    hid_t file_space = H5Dget_space(dset);
    hid_t mem_space = H5Screate_simple(rank, size, NULL);
    herr_t rc = H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, size, NULL);
    if (rc >= 0)
        rc = H5Dwrite(dset, mem_type, mem_space, file_space, H5P_DEFAULT, buf);
    H5Sclose(mem_space);
    H5Sclose(file_space);
    if (rc < 0) {
        char name[512] = "dataset";
        H5Iget_name(dset, name, sizeof name);
        return write_failed("rows of", name);
    }
    return RETAIN_OK;
}

retain_status rt_h5_write_vector(hid_t file, const char *path, hid_t file_type,
                                 hid_t mem_type, int64_t n, const void *buf)
{
    hid_t d;
    retain_status s = rt_h5_dataset_create(file, path, file_type, n, 0, 0, &d);
    if (s)
        return s;
    s = rt_h5_write_rows(d, mem_type, 0, n, 0, buf);
    if (H5Dclose(d) < 0 && !s)
        s = write_failed("dataset", path);
    return s;
}

static hid_t vlen_utf8(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

retain_status rt_h5_write_strings(hid_t file, const char *path, int64_t n,
                                  const char *const *strings)
{
    hid_t t = vlen_utf8();
    hid_t d;
    retain_status s = rt_h5_dataset_create(file, path, t, n, 0, 0, &d);
    if (!s) {
        s = rt_h5_write_rows(d, t, 0, n, 0, strings);
        if (H5Dclose(d) < 0 && !s)
            s = write_failed("dataset", path);
    }
    H5Tclose(t);
    return s;
}

static retain_status attr_write(hid_t obj, const char *name, hid_t type,
                                hid_t space, const void *value)
{
    if (H5Aexists(obj, name) > 0)
        H5Adelete(obj, name);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, type, value);
    if (a >= 0 && H5Aclose(a) < 0)
        rc = -1;
    H5Sclose(space);
    if (rc < 0)
        return write_failed("attribute", name);
    return RETAIN_OK;
}

retain_status rt_h5_attr_set_string(hid_t obj, const char *name, const char *value)
{
    hid_t t = vlen_utf8();
    retain_status s = attr_write(obj, name, t, H5Screate(H5S_SCALAR), &value);
    H5Tclose(t);
    return s;
}

retain_status rt_h5_attr_set_strings(hid_t obj, const char *name, int64_t n,
                                     const char *const *values)
{
    hid_t t = vlen_utf8();
    hsize_t dims[1] = {(hsize_t)n};
    retain_status s = attr_write(obj, name, t, H5Screate_simple(1, dims, NULL), values);
    H5Tclose(t);
    return s;
}

retain_status rt_h5_attr_set_double(hid_t obj, const char *name, double value)
{
    return attr_write(obj, name, H5T_NATIVE_DOUBLE, H5Screate(H5S_SCALAR), &value);
}

retain_status rt_h5_attr_set_doubles(hid_t obj, const char *name, int64_t n,
                                     const double *values)
{
    hsize_t dims[1] = {(hsize_t)n};
    return attr_write(obj, name, H5T_NATIVE_DOUBLE, H5Screate_simple(1, dims, NULL),
                      values);
}

retain_status rt_h5_attr_set_int64(hid_t obj, const char *name, int64_t value)
{
    return attr_write(obj, name, H5T_NATIVE_INT64, H5Screate(H5S_SCALAR), &value);
}

retain_status rt_h5_dataset_create_growing(hid_t file, const char *path, hid_t type,
                                           int gzip, hid_t *out)
{
    hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED};
    hsize_t chunk[1] = {(hsize_t)rt_h5_chunk_rows(INT64_MAX, (int64_t)H5Tget_size(type),
                                                  1 << 20)};
    hid_t space = H5Screate_simple(1, dims, maxdims);
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    /* Four chunks of cache: an append that ends mid-chunk finds it again. */
    H5Pset_chunk_cache(dapl, 521, 4u << 20, 1.0);
    retain_status s = create_dataset(file, path, type, space, 1, chunk, gzip, dapl, out);
    H5Pclose(dapl);
    H5Sclose(space);
    return s;
}

retain_status rt_h5_append(hid_t dset, hid_t mem_type, int64_t count, const void *buf)
{
    if (count <= 0)
        return RETAIN_OK;
    hid_t space = H5Dget_space(dset);
    hsize_t dims[1] = {0};
    int rank = space < 0 ? -1 : H5Sget_simple_extent_dims(space, dims, NULL);
    if (space >= 0)
        H5Sclose(space);
    hsize_t grown[1] = {dims[0] + (hsize_t)count};
    if (rank != 1 || H5Dset_extent(dset, grown) < 0) {
        char name[512] = "dataset";
        H5Iget_name(dset, name, sizeof name);
        return write_failed("rows of", name);
    }
    return rt_h5_write_rows(dset, mem_type, (int64_t)dims[0], count, 0, buf);
}

retain_status rt_h5_strings_create(hid_t file, const char *path, int64_t n, hid_t *out)
{
    hid_t t = vlen_utf8();
    retain_status s = rt_h5_dataset_create(file, path, t, n, 0, 0, out);
    H5Tclose(t);
    return s;
}

retain_status rt_h5_write_string_rows(hid_t dset, int64_t first, int64_t count,
                                      const char *const *strings)
{
    hid_t t = vlen_utf8();
    retain_status s = rt_h5_write_rows(dset, t, first, count, 0, strings);
    H5Tclose(t);
    return s;
}
