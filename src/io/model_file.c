/*
** src/io/model_file.c: the parts of a model file every model shares (see
** model_file.h): the /meta header, atomic saving, and the checks and
** messages of loading. Under MPI every rank calls the save with the same
** model; rank 0 writes the file and the others wait to hear the outcome.
*/
#include "model_file.h"

#include "core/dist.h"
#include "core/error.h"
#include "h5.h"
#include "h5write.h"
#include "io/atomic.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static retain_status write_file(hid_t f, const rt_model_kind *kind, const char *const *names,
                                int64_t d, const char *training_file, rt_model_body_fn body,
                                const void *ctx)
{
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(gcpl, 0);
    hid_t meta = H5Gcreate2(f, "/meta", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    if (meta < 0)
        return rt_error(RETAIN_ERR_IO, "cannot create group /meta");
    retain_status s;
    if (!(s = rt_h5_attr_set_int64(meta, "format_version", kind->version)) &&
        !(s = rt_h5_attr_set_string(meta, "kind", kind->kind)) &&
        !(s = rt_h5_attr_set_string(meta, "engine_version", retain_version())) &&
        !(s = rt_h5_attr_set_strings(meta, "feature_names", d, names)) &&
        !(s = rt_h5_attr_set_string(meta, "training_file", training_file ? training_file : "")))
        s = body(f, meta, ctx);
    H5Gclose(meta);
    return s;
}

static retain_status save_here(const char *path, const rt_model_kind *kind,
                               const char *const *names, int64_t d, const char *training_file,
                               rt_model_body_fn body, const void *ctx,
                               const char *const *inputs, int ninputs)
{
    rt_output out;
    retain_status s = rt_output_begin(&out, path, inputs, ninputs);
    if (s)
        return s;
    hid_t f;
    s = rt_h5_create(out.tmp_path, &f);
    if (!s) {
        s = write_file(f, kind, names, d, training_file, body, ctx);
        s = rt_h5_close_file(f, out.tmp_path, s);
    }
    if (s) {
        rt_output_abort(&out);
        return rt_error_context(s, "saving the model %s", path);
    }
    return rt_output_commit(&out);
}

retain_status rt_model_save(const char *path, const rt_model_kind *kind,
                            const char *const *names, int64_t d, const char *training_file,
                            rt_model_body_fn body, const void *ctx,
                            const char *const *inputs, int ninputs)
{
    /* every rank holds the same model: rank 0 writes it, all learn how it went */
    retain_status s = rt_dist_rank() == 0 ? save_here(path, kind, names, d, training_file,
                                                      body, ctx, inputs, ninputs)
                                          : RETAIN_OK;
    return rt_dist_agree(s);
}

retain_status rt_model_damaged(const char *path, const char *what)
{
    return rt_error(RETAIN_ERR_DATA, "model file %s is damaged or incomplete: %s; fit the "
                    "model again", path, what);
}

retain_status rt_model_open(const char *path, const rt_model_kind *kind, hid_t *file,
                            hid_t *meta, char ***names, int64_t *d)
{
    *meta = H5I_INVALID_HID;
    *names = NULL;
    *d = 0;
    retain_status s = rt_h5_open_read(path, file);
    if (s)
        return s;
    if (rt_h5_kind(*file, "/meta") != H5I_GROUP) {
        H5Fclose(*file);
        return rt_error(RETAIN_ERR_DATA, "%s is not a retain model file (no /meta group); "
                        "give a file written by `%s`", path, kind->command);
    }
    *meta = H5Gopen2(*file, "/meta", H5P_DEFAULT);
    char found[64];
    int64_t version;
    if (!rt_h5_attr_string(*meta, "kind", found, sizeof found))
        s = rt_model_damaged(path, "/meta has no kind attribute");
    else if (strcmp(found, kind->kind) != 0)
        s = rt_error(RETAIN_ERR_DATA, "%s holds a %s model, not a %s model (written by `%s`)",
                     path, found, kind->title, kind->command);
    else if (!rt_h5_attr_int64(*meta, "format_version", &version) || version < 1)
        s = rt_model_damaged(path, "/meta has no valid format_version");
    else if (version > kind->version)
        s = rt_error(RETAIN_ERR_DATA, "%s has %s model format %lld, newer than this retain %s "
                     "reads (format %d); use a newer retain", path, kind->title,
                     (long long)version, retain_version(), kind->version);
    else if (rt_h5_read_attr_strings(*meta, "feature_names", d, names) || *d < 1)
        s = rt_model_damaged(path, "/meta has no feature_names");
    if (s) {
        rt_h5_free_strings(*names, *d);
        *names = NULL;
        rt_model_close(*file, *meta);
    }
    return s;
}

void rt_model_close(hid_t file, hid_t meta)
{
    if (meta >= 0)
        H5Gclose(meta);
    H5Fclose(file);
}

retain_status rt_model_read_array(hid_t f, const char *path, const char *name, hid_t mem_type,
                                  int64_t rows, int64_t cols, void *buf)
{
    char what[256];
    if (rt_h5_kind(f, name) != H5I_DATASET) {
        snprintf(what, sizeof what, "no dataset %s", name);
        return rt_model_damaged(path, what);
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
        return rt_model_damaged(path, what);
    }
    herr_t rc = H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    H5Dclose(ds);
    if (rc < 0) {
        snprintf(what, sizeof what, "cannot read %s (truncated?)", name);
        return rt_model_damaged(path, what);
    }
    return RETAIN_OK;
}

retain_status rt_model_identity(const char *path, char id[17], char trained_at[32])
{
    FILE *in = fopen(path, "rb");
    struct stat st;
    if (!in || fstat(fileno(in), &st) != 0) {
        int err = errno;
        if (in)
            fclose(in);
        return rt_error(RETAIN_ERR_IO, "%s: cannot read the model file: %s", path,
                        strerror(err));
    }
    uint64_t h = 14695981039346656037u;
    unsigned char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0)
        for (size_t i = 0; i < got; i++)
            h = (h ^ buf[i]) * 1099511628211u;
    bool failed = ferror(in);
    fclose(in);
    if (failed)
        return rt_error(RETAIN_ERR_IO, "%s: error reading the model file", path);
    snprintf(id, 17, "%016llx", (unsigned long long)h);
    struct tm utc;
    gmtime_r(&st.st_mtime, &utc);
    strftime(trained_at, 32, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return RETAIN_OK;
}

bool rt_all_finite_f64(const double *v, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

bool rt_all_finite_f32(const float *v, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}
