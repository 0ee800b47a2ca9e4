/*
** src/io/features.c: the feature-matrix reader (see features.h). Whatever the
** layout, a matrix is a list of parts: datasets of `width` columns (1 for a
** 1-D column) whose columns map to destination columns. A row range is read
** part by part in sub-blocks of at most SUB_ROWS rows through one scratch
** buffer, converted to float32 and checked; a single float32 part holding
** every column in order is read straight into the caller's buffer.
*/
#include "features.h"

#include "core/error.h"
#include "core/mem.h"
#include "h5.h"
#include "kernels/cpu/kernels.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUB_ROWS 65536
#define NAME_CAP 512

typedef struct part {
    hid_t dset;
    char path[NAME_CAP];
    int64_t width;     /* columns in the dataset; 1 for 1-D */
    bool as_double;    /* read through double (float64, 64-bit integers) */
    hid_t mem_type;    /* owned copy; for enums the native enum type */
    int enum_size;     /* > 0: enum (bool) over integers of this size */
    bool enum_signed;
    int64_t *dst_col;  /* per dataset column: destination column or -1 */
} part;

/* One column of some dataset: labels, ids. */
typedef struct column_ref {
    hid_t dset; /* owned; H5I_INVALID_HID when absent */
    char name[NAME_CAP];
    int64_t width, index;
} column_ref;

struct rt_features {
    char path[NAME_CAP * 2];
    char source[NAME_CAP];
    rt_layout layout;
    hid_t file;
    int64_t rows, cols;
    char **names;
    const char **type_names;
    part *parts;
    int nparts;
    int64_t *origin_part, *origin_col; /* per destination column */
    bool direct;                       /* one float32 part, columns in order */
    bool allow_nonfinite;
    void *scratch;
    column_ref label, ids;
    bool ids_strings;
};

const char *rt_features_layout_name(rt_layout layout)
{
    switch (layout) {
    case RT_LAYOUT_DATASET: return "2-D dataset";
    case RT_LAYOUT_PANDAS: return "pandas frame";
    case RT_LAYOUT_COLUMNS: return "group of 1-D columns";
    }
    return "unknown";
}

static retain_status not_found(rt_features *f, const char *what, const char *path)
{
    char listing[3000];
    rt_h5_list(f->file, listing, sizeof listing);
    return rt_error(RETAIN_ERR_DATA, "%s: no %s %s; the file holds:%s", f->path,
                    what, path, listing);
}

static bool is_pandas_frame(hid_t file, const char *path)
{
    if (rt_h5_kind(file, path) != H5I_GROUP)
        return false;
    hid_t g = H5Gopen2(file, path, H5P_DEFAULT);
    char kind[64] = "";
    bool yes = rt_h5_attr_string(g, "pandas_type", kind, sizeof kind) &&
               strcmp(kind, "frame") == 0;
    H5Gclose(g);
    return yes;
}

/* The default source: /features, else the only pandas frame at the root. */
static retain_status find_default_source(rt_features *f)
{
    if (rt_h5_exists(f->file, "/features")) {
        snprintf(f->source, sizeof f->source, "/features");
        return RETAIN_OK;
    }
    hid_t root = H5Gopen2(f->file, "/", H5P_DEFAULT);
    H5G_info_t info;
    int frames = 0;
    if (H5Gget_info(root, &info) >= 0) {
        for (hsize_t i = 0; i < info.nlinks; i++) {
            char name[NAME_CAP], path[NAME_CAP + 1];
            if (H5Lget_name_by_idx(root, ".", H5_INDEX_NAME, H5_ITER_INC, i, name,
                                   sizeof name, H5P_DEFAULT) < 0)
                continue;
            snprintf(path, sizeof path, "/%s", name);
            if (is_pandas_frame(f->file, path) && frames++ == 0)
                snprintf(f->source, sizeof f->source, "%s", path);
        }
    }
    H5Gclose(root);
    if (frames == 1)
        return RETAIN_OK;
    char listing[3000];
    rt_h5_list(f->file, listing, sizeof listing);
    return rt_error(RETAIN_ERR_DATA,
                    "%s: no /features dataset%s; pick the features with "
                    "--dataset PATH. The file holds:%s",
                    f->path, frames > 1 ? " and several pandas frames" : "",
                    listing);
}

/* Splits "a,b,c" into a malloc'd list. */
static retain_status split_columns(const char *text, int64_t *out_n, char ***out)
{
    int64_t n = 1;
    for (const char *p = text; *p; p++)
        n += *p == ',';
    char **list = calloc((size_t)n, sizeof *list);
    if (!list)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    const char *start = text;
    for (int64_t i = 0; i < n; i++) {
        const char *end = strchr(start, ',');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        list[i] = strndup(start, len);
        if (!list[i] || len == 0) {
            rt_h5_free_strings(list, n);
            return rt_error(RETAIN_ERR_USAGE,
                            "--columns '%s' has an empty name; give names "
                            "separated by single commas",
                            text);
        }
        start = end ? end + 1 : start + len;
    }
    *out_n = n;
    *out = list;
    return RETAIN_OK;
}

static int64_t find_name(char **names, int64_t n, const char *name)
{
    for (int64_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

static retain_status unknown_column(rt_features *f, const char *name, char **names,
                                    int64_t n)
{
    char avail[1500];
    size_t used = 0;
    avail[0] = '\0';
    for (int64_t i = 0; i < n && used + 4 < sizeof avail; i++)
        used += (size_t)snprintf(avail + used, sizeof avail - used, "%s%s",
                                 i ? ", " : "", names[i]);
    return rt_error(RETAIN_ERR_DATA,
                    "%s:%s has no column '%s'; its columns are: %s", f->path,
                    f->source, name, avail);
}

static retain_status add_part(rt_features *f, hid_t dset, const char *path,
                              int64_t width)
{
    part *grown = realloc(f->parts, (size_t)(f->nparts + 1) * sizeof *grown);
    if (!grown) {
        H5Dclose(dset);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    }
    f->parts = grown;
    part *p = &f->parts[f->nparts++];
    memset(p, 0, sizeof *p);
    p->dset = dset;
    p->width = width;
    snprintf(p->path, sizeof p->path, "%s", path);
    p->dst_col = malloc((size_t)width * sizeof *p->dst_col);
    if (!p->dst_col)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    for (int64_t j = 0; j < width; j++)
        p->dst_col[j] = -1;
    hid_t t = H5Dget_type(dset);
    H5T_class_t cls = H5Tget_class(t);
    size_t size = H5Tget_size(t);
    p->as_double = !(cls == H5T_FLOAT && size <= 4) &&
                   !(cls == H5T_INTEGER && size <= 2);
    p->mem_type = H5Tcopy(p->as_double ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT);
    if (cls == H5T_ENUM) {
        H5Tclose(p->mem_type);
        p->mem_type = H5Tget_native_type(t, H5T_DIR_ASCEND);
        p->enum_size = (int)H5Tget_size(p->mem_type);
        hid_t base = H5Tget_super(t);
        p->enum_signed = H5Tget_sign(base) == H5T_SGN_2;
        H5Tclose(base);
    }
    H5Tclose(t);
    return RETAIN_OK;
}

/* Checks that a dataset is numeric; names the dataset and column otherwise. */
static retain_status require_numeric(rt_features *f, hid_t dset, const char *path,
                                     const char *column)
{
    hid_t t = H5Dget_type(dset);
    bool ok = rt_h5_type_is_numeric(t);
    const char *tn = rt_h5_type_name(t);
    H5Tclose(t);
    if (ok)
        return RETAIN_OK;
    if (column)
        return rt_error(RETAIN_ERR_DATA,
                        "%s:%s column '%s' holds %s data; features must be "
                        "numeric: drop it from --columns or encode it as numbers",
                        f->path, path, column, tn);
    return rt_error(RETAIN_ERR_DATA,
                    "%s:%s holds %s data; features must be numeric (integer or "
                    "float)",
                    f->path, path, tn);
}

static retain_status set_names(rt_features *f, int64_t n)
{
    f->names = calloc((size_t)n + 1, sizeof *f->names);
    f->type_names = calloc((size_t)n + 1, sizeof *f->type_names);
    f->origin_part = calloc((size_t)n + 1, sizeof *f->origin_part);
    f->origin_col = calloc((size_t)n + 1, sizeof *f->origin_col);
    if (!f->names || !f->type_names || !f->origin_part || !f->origin_col)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    f->cols = n;
    return RETAIN_OK;
}

static void map_column(rt_features *f, int part_index, int64_t col, int64_t dst,
                       const char *name)
{
    part *p = &f->parts[part_index];
    p->dst_col[col] = dst;
    f->origin_part[dst] = part_index;
    f->origin_col[dst] = col;
    f->names[dst] = strdup(name);
    hid_t t = H5Dget_type(p->dset);
    f->type_names[dst] = rt_h5_type_name(t);
    H5Tclose(t);
}

/* Layout 1: a 2-D dataset with names from its feature_names attribute or a
** /feature_names dataset. */
static retain_status open_dataset(rt_features *f, const rt_features_spec *spec)
{
    hid_t dapl = rt_h5_dapl();
    hid_t d = H5Dopen2(f->file, f->source, dapl);
    H5Pclose(dapl);
    if (d < 0)
        return rt_error(RETAIN_ERR_DATA, "%s:%s cannot be opened (file damaged?)",
                        f->path, f->source);
    hsize_t dims[8];
    int rank = rt_h5_shape(d, dims);
    if (rank != 2) {
        char shape[128];
        rt_h5_shape_text(rank, dims, shape, sizeof shape);
        H5Dclose(d);
        return rt_error(RETAIN_ERR_DATA,
                        "%s:%s is %d-D (%s); features need a 2-D dataset (rows = "
                        "users, columns = features), or a group of 1-D columns "
                        "given with --dataset GROUP --columns a,b,c",
                        f->path, f->source, rank, shape);
    }
    retain_status s = require_numeric(f, d, f->source, NULL);
    if (s) {
        H5Dclose(d);
        return s;
    }
    f->rows = (int64_t)dims[0];
    int64_t width = (int64_t)dims[1];
    if ((s = add_part(f, d, f->source, width)))
        return s;

    char **file_names = NULL;
    int64_t nnames = 0;
    if (H5Aexists(d, "feature_names") > 0) {
        if ((s = rt_h5_read_attr_strings(d, "feature_names", &nnames, &file_names)))
            return rt_error_context(s, "%s:%s attribute feature_names", f->path,
                                    f->source);
    } else if (rt_h5_kind(f->file, "/feature_names") == H5I_DATASET) {
        hid_t nd = H5Dopen2(f->file, "/feature_names", H5P_DEFAULT);
        s = rt_h5_read_strings(nd, &nnames, &file_names);
        H5Dclose(nd);
        if (s)
            return rt_error_context(s, "%s:/feature_names", f->path);
    }
    if (file_names && nnames != width) {
        rt_h5_free_strings(file_names, nnames);
        return rt_error(RETAIN_ERR_DATA,
                        "%s:%s has %lld columns but %lld feature names; fix the "
                        "names or remove them",
                        f->path, f->source, (long long)width, (long long)nnames);
    }
    if (!file_names) {
        file_names = calloc((size_t)width + 1, sizeof *file_names);
        for (int64_t j = 0; file_names && j < width; j++) {
            char buf[32];
            snprintf(buf, sizeof buf, "x%lld", (long long)j);
            file_names[j] = strdup(buf);
        }
        nnames = width;
        if (!file_names)
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    }
    if (spec->columns) {
        char **want;
        int64_t nwant;
        if ((s = split_columns(spec->columns, &nwant, &want)) == RETAIN_OK &&
            (s = set_names(f, nwant)) == RETAIN_OK) {
            for (int64_t i = 0; i < nwant && !s; i++) {
                int64_t j = find_name(file_names, nnames, want[i]);
                if (j < 0)
                    s = unknown_column(f, want[i], file_names, nnames);
                else
                    map_column(f, 0, j, i, want[i]);
            }
        }
        rt_h5_free_strings(want, nwant);
    } else if ((s = set_names(f, width)) == RETAIN_OK) {
        for (int64_t j = 0; j < width; j++)
            map_column(f, 0, j, j, file_names[j]);
        f->direct = !f->parts[0].as_double;
    }
    rt_h5_free_strings(file_names, nnames);
    return s;
}

/* Layout 2: pandas fixed format. axis0 names the columns, axis1 is the index,
** block<i>_items / block<i>_values hold the columns of one dtype each, stored
** transposed (rows x items); object (string) blocks are variable-length. */
static retain_status open_pandas(rt_features *f, const rt_features_spec *spec)
{
    hid_t g = H5Gopen2(f->file, f->source, H5P_DEFAULT);
    int64_t nblocks = 0;
    rt_h5_attr_int64(g, "nblocks", &nblocks);
    char axis1[NAME_CAP + 8];
    snprintf(axis1, sizeof axis1, "%s/axis1", f->source);
    hsize_t dims[8] = {0};
    if (rt_h5_kind(f->file, axis1) == H5I_DATASET) {
        hid_t a = H5Dopen2(f->file, axis1, H5P_DEFAULT);
        rt_h5_shape(a, dims);
        H5Dclose(a);
    }
    H5Gclose(g);
    f->rows = (int64_t)dims[0];
    if (nblocks <= 0 || nblocks > 100000)
        return rt_error(RETAIN_ERR_DATA,
                        "%s:%s looks like a pandas frame but has no data blocks "
                        "(nblocks = %lld); write it again with to_hdf(format=\"fixed\")",
                        f->path, f->source, (long long)nblocks);

    /* Every column: (block, index in block, numeric?) */
    char **all = NULL;
    int64_t nall = 0, *block_of = NULL, *index_in = NULL;
    bool *numeric = NULL;
    retain_status s = RETAIN_OK;
    for (int64_t b = 0; b < nblocks && !s; b++) {
        char items[NAME_CAP + 32], values[NAME_CAP + 32];
        snprintf(items, sizeof items, "%s/block%lld_items", f->source, (long long)b);
        snprintf(values, sizeof values, "%s/block%lld_values", f->source, (long long)b);
        if (rt_h5_kind(f->file, items) != H5I_DATASET ||
            rt_h5_kind(f->file, values) != H5I_DATASET) {
            s = rt_error(RETAIN_ERR_DATA, "%s:%s is missing block %lld of the pandas "
                         "frame (file damaged?)", f->path, f->source, (long long)b);
            break;
        }
        hid_t id = H5Dopen2(f->file, items, H5P_DEFAULT);
        char **names;
        int64_t n;
        s = rt_h5_read_strings(id, &n, &names);
        H5Dclose(id);
        if (s) {
            s = rt_error_context(s, "%s:%s", f->path, items);
            break;
        }
        hid_t dapl = rt_h5_dapl();
        hid_t vd = H5Dopen2(f->file, values, dapl);
        H5Pclose(dapl);
        hid_t vt = H5Dget_type(vd);
        bool is_num = rt_h5_type_is_numeric(vt);
        H5Tclose(vt);
        hsize_t vdims[8];
        int rank = rt_h5_shape(vd, vdims);
        if (is_num && (rank != 2 || (int64_t)vdims[0] != f->rows ||
                       (int64_t)vdims[1] != n)) {
            H5Dclose(vd);
            rt_h5_free_strings(names, n);
            s = rt_error(RETAIN_ERR_DATA, "%s:%s has a shape that does not match "
                         "its %lld items and %lld rows (file damaged?)",
                         f->path, values, (long long)n, (long long)f->rows);
            break;
        }
        if (is_num) {
            if ((s = add_part(f, vd, values, n))) {
                rt_h5_free_strings(names, n);
                break;
            }
        } else {
            H5Dclose(vd);
        }
        char **ga = realloc(all, (size_t)(nall + n) * sizeof *ga);
        int64_t *gb = realloc(block_of, (size_t)(nall + n) * sizeof *gb);
        int64_t *gi = realloc(index_in, (size_t)(nall + n) * sizeof *gi);
        bool *gn = realloc(numeric, (size_t)(nall + n) * sizeof *gn);
        all = ga ? ga : all;
        block_of = gb ? gb : block_of;
        index_in = gi ? gi : index_in;
        numeric = gn ? gn : numeric;
        if (!ga || !gb || !gi || !gn) {
            rt_h5_free_strings(names, n);
            s = rt_error(RETAIN_ERR_INTERNAL, "out of memory");
            break;
        }
        for (int64_t i = 0; i < n; i++) {
            all[nall] = names[i];
            block_of[nall] = is_num ? f->nparts - 1 : -1;
            index_in[nall] = i;
            numeric[nall] = is_num;
            nall++;
        }
        free(names);
    }
    if (!s) {
        char **want = NULL;
        int64_t nwant = 0;
        if (spec->columns) {
            s = split_columns(spec->columns, &nwant, &want);
        } else {
            want = calloc((size_t)nall + 1, sizeof *want);
            for (int64_t i = 0; want && i < nall; i++)
                if (numeric[i] && (!spec->label || strcmp(all[i], spec->label)) &&
                    (!spec->user_id || strcmp(all[i], spec->user_id)) &&
                    !(!spec->user_id && strcmp(all[i], "user_id") == 0))
                    want[nwant++] = strdup(all[i]);
            if (!want)
                s = rt_error(RETAIN_ERR_INTERNAL, "out of memory");
        }
        if (!s)
            s = set_names(f, nwant);
        for (int64_t i = 0; i < nwant && !s; i++) {
            int64_t j = find_name(all, nall, want[i]);
            if (j < 0)
                s = unknown_column(f, want[i], all, nall);
            else if (!numeric[j])
                s = rt_error(RETAIN_ERR_DATA,
                             "%s:%s column '%s' holds string data (a pandas object "
                             "column); features must be numeric: drop it from "
                             "--columns or encode it as numbers",
                             f->path, f->source, want[i]);
            else
                map_column(f, (int)block_of[j], index_in[j], i, want[i]);
        }
        rt_h5_free_strings(want, nwant);
    }
    rt_h5_free_strings(all, nall);
    free(block_of);
    free(index_in);
    free(numeric);
    return s;
}

/* Layout 3: a group of 1-D datasets, one per column. */
static retain_status open_columns(rt_features *f, const rt_features_spec *spec)
{
    char **want = NULL;
    int64_t nwant = 0;
    retain_status s = RETAIN_OK;
    const char *sep = strcmp(f->source, "/") ? "/" : "";
    if (spec->columns) {
        s = split_columns(spec->columns, &nwant, &want);
    } else {
        hid_t g = H5Gopen2(f->file, f->source, H5P_DEFAULT);
        H5G_info_t info;
        H5Gget_info(g, &info);
        want = calloc((size_t)info.nlinks + 1, sizeof *want);
        for (hsize_t i = 0; want && i < info.nlinks; i++) {
            char name[NAME_CAP], path[NAME_CAP * 2 + 2];
            if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name,
                                   sizeof name, H5P_DEFAULT) < 0)
                continue;
            snprintf(path, sizeof path, "%s%s%s", f->source, sep, name);
            if (rt_h5_kind(f->file, path) != H5I_DATASET ||
                strcmp(name, "user_id") == 0 || strcmp(name, "feature_names") == 0 ||
                (spec->label && (strcmp(spec->label, path) == 0 ||
                                 strcmp(spec->label, name) == 0)))
                continue;
            hid_t d = H5Dopen2(f->file, path, H5P_DEFAULT);
            hsize_t dims[8];
            hid_t t = H5Dget_type(d);
            if (rt_h5_shape(d, dims) == 1 && rt_h5_type_is_numeric(t))
                want[nwant++] = strdup(name);
            H5Tclose(t);
            H5Dclose(d);
        }
        H5Gclose(g);
        if (!want)
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
        if (nwant == 0) {
            free(want);
            return not_found(f, "1-D numeric column datasets under", f->source);
        }
    }
    if (!s)
        s = set_names(f, nwant);
    f->rows = -1;
    for (int64_t i = 0; i < nwant && !s; i++) {
        char path[NAME_CAP * 2 + 2];
        snprintf(path, sizeof path, "%s%s%s", f->source, sep, want[i]);
        if (rt_h5_kind(f->file, path) != H5I_DATASET) {
            s = not_found(f, "column dataset", path);
            break;
        }
        hid_t dapl = rt_h5_dapl();
        hid_t d = H5Dopen2(f->file, path, dapl);
        H5Pclose(dapl);
        hsize_t dims[8];
        int rank = rt_h5_shape(d, dims);
        if (rank != 1) {
            H5Dclose(d);
            s = rt_error(RETAIN_ERR_DATA,
                         "%s:%s is %d-D; a column group needs 1-D datasets of "
                         "equal length",
                         f->path, path, rank);
            break;
        }
        if ((s = require_numeric(f, d, path, want[i]))) {
            H5Dclose(d);
            break;
        }
        if (f->rows >= 0 && (int64_t)dims[0] != f->rows) {
            H5Dclose(d);
            s = rt_error(RETAIN_ERR_DATA,
                         "%s:%s has %llu rows but %s has %lld; columns must have "
                         "equal length",
                         f->path, path, (unsigned long long)dims[0],
                         f->parts[0].path, (long long)f->rows);
            break;
        }
        f->rows = (int64_t)dims[0];
        if ((s = add_part(f, d, path, 1)))
            break;
        map_column(f, f->nparts - 1, 0, i, want[i]);
    }
    rt_h5_free_strings(want, nwant);
    return s;
}

/* Resolves a label or id: a dataset path, or a column of the frame/group. */
static retain_status open_column_ref(rt_features *f, const char *what,
                                     const char *name, column_ref *ref)
{
    ref->dset = H5I_INVALID_HID;
    snprintf(ref->name, sizeof ref->name, "%s", name);
    char path[NAME_CAP * 2 + 2];
    snprintf(path, sizeof path, "%s", name);
    if (rt_h5_kind(f->file, path) != H5I_DATASET && f->layout != RT_LAYOUT_DATASET) {
        const char *sep = strcmp(f->source, "/") ? "/" : "";
        snprintf(path, sizeof path, "%s%s%s", f->source, sep, name);
    }
    if (rt_h5_kind(f->file, path) == H5I_DATASET) {
        hid_t d = H5Dopen2(f->file, path, H5P_DEFAULT);
        hsize_t dims[8];
        int rank = rt_h5_shape(d, dims);
        if (!(rank == 1 || (rank == 2 && dims[1] == 1)) ||
            (int64_t)dims[0] != f->rows) {
            char shape[128];
            rt_h5_shape_text(rank, dims, shape, sizeof shape);
            H5Dclose(d);
            return rt_error(RETAIN_ERR_DATA,
                            "%s:%s (%s) is %s but the features have %lld rows; "
                            "it must be 1-D with one value per row",
                            f->path, path, what, shape, (long long)f->rows);
        }
        ref->dset = d;
        ref->width = 1;
        ref->index = 0;
        return RETAIN_OK;
    }
    if (f->layout == RT_LAYOUT_PANDAS) {
        for (int p = 0; p < f->nparts; p++) {
            char items[NAME_CAP + 16];
            snprintf(items, sizeof items, "%s", f->parts[p].path);
            char *cut = strstr(items, "_values");
            if (!cut)
                continue;
            strcpy(cut, "_items");
            hid_t id = H5Dopen2(f->file, items, H5P_DEFAULT);
            char **names;
            int64_t n;
            retain_status s = rt_h5_read_strings(id, &n, &names);
            H5Dclose(id);
            if (s)
                continue;
            int64_t j = find_name(names, n, name);
            rt_h5_free_strings(names, n);
            if (j >= 0) {
                ref->dset = H5Dopen2(f->file, f->parts[p].path, H5P_DEFAULT);
                ref->width = f->parts[p].width;
                ref->index = j;
                return RETAIN_OK;
            }
        }
    }
    return not_found(f, what, name);
}

static void close_ref(column_ref *ref)
{
    if (ref->dset >= 0)
        H5Dclose(ref->dset);
    ref->dset = H5I_INVALID_HID;
}

retain_status rt_features_open(const char *path, const rt_features_spec *spec,
                               rt_features **out)
{
    *out = NULL;
    rt_features_spec none = {0};
    if (!spec)
        spec = &none;
    rt_features *f = calloc(1, sizeof *f);
    if (!f)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    f->label.dset = f->ids.dset = H5I_INVALID_HID;
    f->allow_nonfinite = spec->allow_nonfinite;
    snprintf(f->path, sizeof f->path, "%s", path);
    retain_status s = rt_h5_open_read(path, &f->file);
    if (s) {
        free(f);
        return s;
    }
    if (spec->dataset) {
        snprintf(f->source, sizeof f->source, "%s", spec->dataset);
        if (!rt_h5_exists(f->file, f->source))
            s = not_found(f, "dataset or group", f->source);
    } else {
        s = find_default_source(f);
    }
    if (!s) {
        H5I_type_t kind = rt_h5_kind(f->file, f->source);
        if (kind == H5I_DATASET) {
            f->layout = RT_LAYOUT_DATASET;
            s = open_dataset(f, spec);
        } else if (is_pandas_frame(f->file, f->source)) {
            f->layout = RT_LAYOUT_PANDAS;
            s = open_pandas(f, spec);
        } else if (kind == H5I_GROUP) {
            f->layout = RT_LAYOUT_COLUMNS;
            s = open_columns(f, spec);
        } else {
            s = not_found(f, "dataset or group", f->source);
        }
    }
    if (!s && f->cols == 0)
        s = rt_error(RETAIN_ERR_DATA, "%s:%s has no numeric feature columns",
                     path, f->source);
    if (!s && spec->label)
        s = open_column_ref(f, "label", spec->label, &f->label);
    if (!s) {
        const char *ids = spec->user_id;
        if (!ids && f->layout == RT_LAYOUT_PANDAS) {
            char axis1[NAME_CAP + 8];
            snprintf(axis1, sizeof axis1, "%s/axis1", f->source);
            ids = axis1;
            s = open_column_ref(f, "user id", ids, &f->ids);
        } else if (!ids && rt_h5_kind(f->file, "/user_id") == H5I_DATASET) {
            s = open_column_ref(f, "user id", "/user_id", &f->ids);
        } else if (ids) {
            s = open_column_ref(f, "user id", ids, &f->ids);
        }
        if (!s && f->ids.dset >= 0) {
            hid_t t = H5Dget_type(f->ids.dset);
            H5T_class_t cls = H5Tget_class(t);
            f->ids_strings = cls == H5T_STRING;
            if (cls != H5T_STRING && cls != H5T_INTEGER)
                s = rt_error(RETAIN_ERR_DATA,
                             "%s:%s user ids are %s; they must be integers or strings",
                             path, f->ids.name, rt_h5_type_name(t));
            H5Tclose(t);
        }
    }
    if (s) {
        rt_features_close(f);
        return s;
    }
    *out = f;
    return RETAIN_OK;
}

void rt_features_close(rt_features *f)
{
    if (!f)
        return;
    for (int p = 0; p < f->nparts; p++) {
        H5Dclose(f->parts[p].dset);
        H5Tclose(f->parts[p].mem_type);
        free(f->parts[p].dst_col);
    }
    free(f->parts);
    close_ref(&f->label);
    close_ref(&f->ids);
    rt_h5_free_strings(f->names, f->cols);
    free(f->type_names);
    free(f->origin_part);
    free(f->origin_col);
    retain_free(f->scratch);
    if (f->file >= 0)
        H5Fclose(f->file);
    free(f);
}

int64_t rt_features_rows(const rt_features *f) { return f->rows; }
int64_t rt_features_cols(const rt_features *f) { return f->cols; }
rt_layout rt_features_layout(const rt_features *f) { return f->layout; }
const char *const *rt_features_names(const rt_features *f)
{
    return (const char *const *)f->names;
}
const char *rt_features_source(const rt_features *f) { return f->source; }
const char *rt_features_column_type(const rt_features *f, int64_t j)
{
    return f->type_names[j];
}
bool rt_features_has_label(const rt_features *f) { return f->label.dset >= 0; }
const char *rt_features_label_name(const rt_features *f) { return f->label.name; }
bool rt_features_has_user_ids(const rt_features *f) { return f->ids.dset >= 0; }
bool rt_features_user_ids_are_strings(const rt_features *f) { return f->ids_strings; }

/* Reads rows [first, first+count) x columns [col, col+ncols) of a 1-D or
** 2-D dataset into buf as mem_type. */
static herr_t read_block(hid_t dset, int64_t first, int64_t count, int64_t col,
                         int64_t ncols, hid_t mem_type, void *buf)
{
    hid_t space = H5Dget_space(dset);
    int rank = H5Sget_simple_extent_ndims(space);
    hsize_t start[2] = {(hsize_t)first, (hsize_t)col};
    hsize_t size[2] = {(hsize_t)count, (hsize_t)ncols};
    hsize_t mem_size[1] = {(hsize_t)(count * ncols)};
    herr_t rc = H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, size, NULL);
    hid_t mem = H5Screate_simple(1, mem_size, NULL);
    if (rank < 1 || rank > 2)
        rc = -1;
    if (rc >= 0)
        rc = H5Dread(dset, mem_type, mem, space, H5P_DEFAULT, buf);
    H5Sclose(mem);
    H5Sclose(space);
    return rc;
}

static retain_status read_failed(rt_features *f, const char *dataset, int64_t first,
                                 int64_t count)
{
    return rt_error(RETAIN_ERR_DATA,
                    "%s:%s: cannot read rows %lld..%lld (file truncated or "
                    "damaged?)",
                    f->path, dataset, (long long)first,
                    (long long)(first + count - 1));
}

/* Value i of raw enum storage (integers of `size` bytes) as a double. */
static double enum_value(const void *raw, int size, bool sign, int64_t i)
{
    const char *p = (const char *)raw + i * size;
    switch (size) {
    case 1: return sign ? *(const int8_t *)p : *(const uint8_t *)p;
    case 2: return sign ? *(const int16_t *)p : *(const uint16_t *)p;
    case 4: return sign ? (double)*(const int32_t *)p : (double)*(const uint32_t *)p;
    default: return sign ? (double)*(const int64_t *)p : (double)*(const uint64_t *)p;
    }
}

retain_status rt_features_read(rt_features *f, int64_t first, int64_t count,
                               float *dst)
{
    if (first < 0 || count < 0 || first + count > f->rows)
        return rt_error(RETAIN_ERR_USAGE,
                        "%s: rows %lld..%lld requested but the file has %lld rows",
                        f->path, (long long)first, (long long)(first + count - 1),
                        (long long)f->rows);
    if (count == 0)
        return RETAIN_OK;
    const int64_t cols = f->cols;
    if (!f->direct && !f->scratch) {
        int64_t widest = 1;
        for (int p = 0; p < f->nparts; p++)
            widest = f->parts[p].width > widest ? f->parts[p].width : widest;
        retain_status s = retain_malloc((size_t)(SUB_ROWS * widest) * sizeof(double),
                                        &f->scratch);
        if (s)
            return s;
    }
    for (int64_t r0 = 0; r0 < count; r0 += SUB_ROWS) {
        int64_t n = count - r0 < SUB_ROWS ? count - r0 : SUB_ROWS;
        float *out = dst + r0 * cols;
        for (int p = 0; p < f->nparts; p++) {
            part *pt = &f->parts[p];
            void *buf = f->direct ? (void *)out : f->scratch;
            if (read_block(pt->dset, first + r0, n, 0, pt->width,
                           pt->mem_type, buf) < 0)
                return read_failed(f, pt->path, first + r0, n);
            if (f->direct)
                break;
            for (int64_t c = 0; c < pt->width; c++) {
                int64_t j = pt->dst_col[c];
                if (j < 0)
                    continue;
                if (pt->enum_size) {
                    for (int64_t i = 0; i < n; i++)
                        out[i * cols + j] = (float)enum_value(
                            f->scratch, pt->enum_size, pt->enum_signed,
                            i * pt->width + c);
                } else if (pt->as_double) {
                    const double *src = f->scratch;
                    for (int64_t i = 0; i < n; i++) {
                        double v = src[i * pt->width + c];
                        if (isfinite(v) && fabs(v) > FLT_MAX)
                            return rt_error(RETAIN_ERR_DATA,
                                            "%s:%s row %lld, column %lld (%s): value "
                                            "%g does not fit in float32; rescale "
                                            "the column",
                                            f->path, pt->path, (long long)(first + r0 + i),
                                            (long long)j, f->names[j], v);
                        out[i * cols + j] = (float)v;
                    }
                } else {
                    const float *src = f->scratch;
                    for (int64_t i = 0; i < n; i++)
                        out[i * cols + j] = src[i * pt->width + c];
                }
            }
        }
        if (f->allow_nonfinite)
            continue;
        int64_t bad = rt_kernels_get()->first_nonfinite(out, n * cols);
        if (bad >= 0) {
            int64_t row = first + r0 + bad / cols, j = bad % cols;
            float v = out[bad];
            return rt_error(RETAIN_ERR_DATA,
                            "%s:%s row %lld (counting from 0), column %lld (%s) "
                            "is %s; fix the data or pass --impute mean|median|zero",
                            f->path, f->parts[f->origin_part[j]].path,
                            (long long)row, (long long)j, f->names[j],
                            isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf");
        }
    }
    return RETAIN_OK;
}

retain_status rt_features_read_all(rt_features *f, retain_matrix_owned *out)
{
    retain_status s = retain_matrix_alloc(f->rows, f->cols, out);
    if (s)
        return rt_error_context(s, "%s:%s", f->path, f->source);
    s = rt_features_read(f, 0, f->rows, out->data);
    if (s)
        retain_matrix_release(out);
    return s;
}

static retain_status check_ref_range(rt_features *f, column_ref *ref, const char *what,
                                     int64_t first, int64_t count)
{
    if (ref->dset < 0)
        return rt_error(RETAIN_ERR_USAGE, "%s: no %s was given or found", f->path, what);
    if (first < 0 || count < 0 || first + count > f->rows)
        return rt_error(RETAIN_ERR_USAGE, "%s: %s rows out of range", f->path, what);
    return RETAIN_OK;
}

retain_status rt_features_read_label(rt_features *f, int64_t first, int64_t count,
                                     double *dst)
{
    retain_status s = check_ref_range(f, &f->label, "label", first, count);
    if (s || count == 0)
        return s;
    hid_t t = H5Dget_type(f->label.dset);
    herr_t rc;
    if (H5Tget_class(t) == H5T_ENUM) {
        /* h5py and PyTables store bool as an enum over integers: HDF5 will
        ** not convert it, so read the native enum and widen by hand. */
        hid_t mem = H5Tget_native_type(t, H5T_DIR_ASCEND);
        hid_t base = H5Tget_super(t);
        int size = (int)H5Tget_size(mem);
        bool sign = H5Tget_sign(base) == H5T_SGN_2;
        void *raw = malloc((size_t)count * (size_t)size);
        rc = raw ? read_block(f->label.dset, first, count, f->label.index, 1, mem, raw)
                 : -1;
        for (int64_t i = 0; rc >= 0 && i < count; i++)
            dst[i] = enum_value(raw, size, sign, i);
        free(raw);
        H5Tclose(base);
        H5Tclose(mem);
    } else {
        rc = read_block(f->label.dset, first, count, f->label.index, 1,
                        H5T_NATIVE_DOUBLE, dst);
    }
    H5Tclose(t);
    if (rc < 0)
        return read_failed(f, f->label.name, first, count);
    return RETAIN_OK;
}

retain_status rt_features_read_user_ids(rt_features *f, int64_t first, int64_t count,
                                        int64_t *dst)
{
    retain_status s = check_ref_range(f, &f->ids, "user id", first, count);
    if (s || count == 0)
        return s;
    if (f->ids_strings)
        return rt_error(RETAIN_ERR_USAGE, "%s:%s user ids are strings", f->path,
                        f->ids.name);
    if (read_block(f->ids.dset, first, count, f->ids.index, 1,
                   H5T_NATIVE_INT64, dst) < 0)
        return read_failed(f, f->ids.name, first, count);
    return RETAIN_OK;
}

retain_status rt_features_read_user_id_strings(rt_features *f, int64_t first,
                                               int64_t count, char **dst)
{
    retain_status s = check_ref_range(f, &f->ids, "user id", first, count);
    if (s || count == 0)
        return s;
    if (!f->ids_strings) {
        int64_t *ids = malloc((size_t)count * sizeof *ids);
        if (!ids)
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
        s = rt_features_read_user_ids(f, first, count, ids);
        for (int64_t i = 0; !s && i < count; i++) {
            char buf[32];
            snprintf(buf, sizeof buf, "%lld", (long long)ids[i]);
            dst[i] = strdup(buf);
        }
        free(ids);
        return s;
    }
    hid_t ft = H5Dget_type(f->ids.dset);
    herr_t rc;
    if (H5Tis_variable_str(ft) > 0) {
        hid_t mem = H5Tcopy(H5T_C_S1);
        H5Tset_size(mem, H5T_VARIABLE);
        H5Tset_cset(mem, H5Tget_cset(ft));
        rc = read_block(f->ids.dset, first, count, 0, 1, mem, dst);
        H5Tclose(mem);
    } else {
        size_t width = H5Tget_size(ft);
        char *raw = malloc((size_t)count * width);
        rc = raw ? read_block(f->ids.dset, first, count, 0, 1, ft, raw) : -1;
        for (int64_t i = 0; rc >= 0 && i < count; i++)
            dst[i] = strndup(raw + (size_t)i * width, width);
        free(raw);
    }
    H5Tclose(ft);
    if (rc < 0)
        return read_failed(f, f->ids.name, first, count);
    return RETAIN_OK;
}
