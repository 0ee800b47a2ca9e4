/*
** src/io/features.c: opening a feature source (see features.h): find the
** layout (2-D dataset, pandas frame, group of columns), resolve the selected
** columns into parts (datasets of `width` columns whose columns map to
** destination columns), and the label and user ids. Reading rows through
** the parts is features_read.c.
**
** Before any row is read, every dataset's claimed size is compared with what
** the file stores (rt_h5_check_stored_shared, one slack for all datasets
** used), so a damaged or never-filled file claiming 10^15 values is refused
** at open instead of read for days.
** Under MPI the file is opened by every rank through the MPI-IO driver
** (rt_h5_open_read_shared) and each reads its own rows (features_read.c
** reads hyperslabs of rows, so nothing passes through one rank).
*/
#include "features_impl.h"

#include "core/dist.h"
#include "core/error.h"
#include "core/mem.h"
#include "h5.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rt_features_layout_name(rt_layout layout)
{
    switch (layout) {
    case RT_LAYOUT_DATASET: return "2-D dataset";
    case RT_LAYOUT_PANDAS: return "pandas frame";
    case RT_LAYOUT_COLUMNS: return "group of 1-D columns";
    }
    return "unknown";
}

static retain_status not_found(rt_features *f, const char *what, const char *path,
                               const char *fix)
{
    char listing[3000];
    rt_h5_list(f->file, listing, sizeof listing);
    return rt_error(RETAIN_ERR_DATA, "%s: no %s %s%s; the file holds:%s", f->path,
                    what, path, fix ? fix : "", listing);
}

static bool group_attr_is(hid_t file, const char *path, const char *attr,
                          const char *value)
{
    if (rt_h5_kind(file, path) != H5I_GROUP)
        return false;
    hid_t g = H5Gopen2(file, path, H5P_DEFAULT);
    if (g < 0)
        return false;
    char text[64] = "";
    bool yes = rt_h5_attr_string(g, attr, text, sizeof text) && strcmp(text, value) == 0;
    H5Gclose(g);
    return yes;
}

static bool is_pandas_frame(hid_t file, const char *path)
{
    return group_attr_is(file, path, "pandas_type", "frame");
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
    if (root >= 0 && H5Gget_info(root, &info) >= 0) {
        for (hsize_t i = 0; i < info.nlinks; i++) {
            char name[NAME_CAP], path[NAME_CAP + 1];
            if (H5Lget_name_by_idx(root, ".", H5_INDEX_NAME, H5_ITER_INC, i, name,
                                   sizeof name, H5P_DEFAULT) < 0 ||
                !rt_h5_link_name_ok(name))
                continue;
            snprintf(path, sizeof path, "/%s", name);
            if (is_pandas_frame(f->file, path) && frames++ == 0)
                snprintf(f->source, sizeof f->source, "%s", path);
        }
    }
    if (root >= 0)
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

/* Splits "a,b,c" into a malloc'd list; refuses empty and repeated names. */
static retain_status split_columns(const char *text, int64_t *out_n, char ***out)
{
    int64_t n = 1;
    for (const char *p = text; *p; p++)
        n += *p == ',';
    char **list = calloc((size_t)n + 1, sizeof *list);
    if (!list)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    const char *start = text;
    for (int64_t i = 0; i < n; i++) {
        const char *end = strchr(start, ',');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        list[i] = strndup(start, len);
        if (!list[i]) {
            rt_h5_free_strings(list, n);
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
        }
        if (len == 0) {
            rt_h5_free_strings(list, n);
            return rt_error(RETAIN_ERR_USAGE,
                            "--columns '%s' has an empty name; give names "
                            "separated by single commas",
                            text);
        }
        for (int64_t k = 0; k < i; k++)
            if (strcmp(list[k], list[i]) == 0) {
                retain_status s = rt_error(RETAIN_ERR_USAGE,
                                           "--columns '%s' names '%s' twice; give "
                                           "each column once",
                                           text, list[i]);
                rt_h5_free_strings(list, n);
                return s;
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
                    "%s:%s has no column '%s'; fix --columns: its columns are: %s",
                    f->path, f->source, name, n ? avail : "(none)");
}

/* Checks that a dataset is numeric; names the dataset and column otherwise. */
static retain_status require_numeric(rt_features *f, hid_t dset, const char *path,
                                     const char *column)
{
    hid_t t = H5Dget_type(dset);
    bool ok = t >= 0 && rt_h5_type_is_numeric(t);
    const char *tn = t >= 0 ? rt_h5_type_name(t) : "unreadable";
    if (t >= 0)
        H5Tclose(t);
    if (ok)
        return RETAIN_OK;
    if (column)
        return rt_error(RETAIN_ERR_DATA,
                        "%s:%s column '%s' holds %s data; features must be "
                        "numeric: drop it from --columns or encode it as numbers",
                        f->path, path, column, tn);
    return rt_error(RETAIN_ERR_DATA,
                    "%s:%s holds %s data; features must be numeric (integer, "
                    "float or bool): choose another --dataset or encode it as numbers",
                    f->path, path, tn);
}

/* Adds a dataset as a part (taking ownership of dset) after checking that
** its claimed size is plausible. */
static retain_status add_part(rt_features *f, hid_t dset, const char *path,
                              int64_t width)
{
    retain_status s = rt_h5_check_stored_shared(dset, f->path, path, &f->slack);
    if (s) {
        H5Dclose(dset);
        return s;
    }
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
    p->mem_type = H5I_INVALID_HID;
    snprintf(p->path, sizeof p->path, "%s", path);
    p->dst_col = malloc((size_t)(width > 0 ? width : 1) * sizeof *p->dst_col);
    if (!p->dst_col)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    for (int64_t j = 0; j < width; j++)
        p->dst_col[j] = -1;
    hid_t t = H5Dget_type(dset);
    H5T_class_t cls = H5Tget_class(t);
    size_t size = H5Tget_size(t);
    if (cls == H5T_ENUM || cls == H5T_BITFIELD) {
        p->conv = CONV_RAW;
        p->mem_type = H5Tget_native_type(t, H5T_DIR_ASCEND);
        p->raw_size = (int)H5Tget_size(p->mem_type);
        hid_t base = cls == H5T_ENUM ? H5Tget_super(t) : H5I_INVALID_HID;
        p->raw_signed = base >= 0 && H5Tget_sign(base) == H5T_SGN_2;
        if (base >= 0)
            H5Tclose(base);
    } else if (cls == H5T_INTEGER && size > 2) {
        bool sign = H5Tget_sign(t) == H5T_SGN_2;
        p->conv = sign ? CONV_I64 : CONV_U64;
        p->mem_type = H5Tcopy(sign ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64);
    } else if (cls == H5T_FLOAT && size > 4) {
        p->conv = CONV_F64;
        p->mem_type = H5Tcopy(H5T_NATIVE_DOUBLE);
    } else {
        p->conv = CONV_F32;
        p->mem_type = H5Tcopy(H5T_NATIVE_FLOAT);
    }
    H5Tclose(t);
    if (p->mem_type < 0 || (p->conv == CONV_RAW && (p->raw_size < 1 || p->raw_size > 8)))
        return rt_error(RETAIN_ERR_DATA, "%s:%s has a type this reader cannot convert",
                        f->path, path);
    return RETAIN_OK;
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

static retain_status map_column(rt_features *f, int part_index, int64_t col,
                                int64_t dst, const char *name)
{
    part *p = &f->parts[part_index];
    if (p->dst_col[col] >= 0)
        return rt_error(RETAIN_ERR_USAGE,
                        "%s:%s column '%s' is selected twice; give each column once",
                        f->path, f->source, name);
    p->dst_col[col] = dst;
    if (p->lo == p->hi) {
        p->lo = col;
        p->hi = col + 1;
    } else {
        p->lo = col < p->lo ? col : p->lo;
        p->hi = col + 1 > p->hi ? col + 1 : p->hi;
    }
    f->origin_part[dst] = part_index;
    f->origin_col[dst] = col;
    f->names[dst] = strdup(name);
    hid_t t = H5Dget_type(p->dset);
    f->type_names[dst] = rt_h5_type_name(t);
    H5Tclose(t);
    if (!f->names[dst])
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    return RETAIN_OK;
}

/* Layout 1: a 2-D dataset with names from its feature_names attribute or a
** /feature_names dataset. */
static retain_status open_dataset(rt_features *f, const rt_features_spec *spec)
{
    hid_t d = rt_h5_open_rows(f->file, f->source, f->feature_cache);
    if (d < 0)
        return rt_error(RETAIN_ERR_DATA,
                        "%s:%s cannot be opened (file damaged?); write it again",
                        f->path, f->source);
    hsize_t dims[8];
    int rank = rt_h5_shape(d, dims);
    if (rank != 2) {
        char shape[160];
        rt_h5_shape_text(rank, dims, shape, sizeof shape);
        H5Dclose(d);
        return rt_error(RETAIN_ERR_DATA,
                        "%s:%s is %d-D (%s); features need a 2-D dataset (rows = "
                        "users, columns = features): choose one with --dataset, or "
                        "give a group of 1-D columns with --dataset GROUP --columns a,b,c",
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
        int64_t bytes;
        if ((s = rt_mem_check_claim(rt_mul_size(width, 64, &bytes) ? bytes : -1,
                                    "default column names",
                                    "give the dataset a feature_names attribute")))
            return rt_error_context(s, "%s:%s", f->path, f->source);
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
        char **want = NULL;
        int64_t nwant = 0;
        bool every_in_order = true; /* the selection is the whole row: read it as is */
        if ((s = split_columns(spec->columns, &nwant, &want)) == RETAIN_OK &&
            (s = set_names(f, nwant)) == RETAIN_OK) {
            for (int64_t i = 0; i < nwant && !s; i++) {
                int64_t j = find_name(file_names, nnames, want[i]);
                every_in_order &= j == i;
                s = j < 0 ? unknown_column(f, want[i], file_names, nnames)
                          : map_column(f, 0, j, i, want[i]);
            }
        }
        f->direct = !s && every_in_order && nwant == width && f->parts[0].conv == CONV_F32;
        rt_h5_free_strings(want, nwant);
    } else if ((s = set_names(f, width)) == RETAIN_OK) {
        for (int64_t j = 0; j < width && !s; j++)
            s = map_column(f, 0, j, j, file_names[j]);
        f->direct = f->parts[0].conv == CONV_F32;
    }
    rt_h5_free_strings(file_names, nnames);
    return s;
}

/* Layout 2: pandas fixed format. axis0 names the columns, axis1 is the index,
** block<i>_items / block<i>_values hold the columns of one dtype each, stored
** transposed (rows x items); object (string) blocks are pickled
** variable-length arrays this reader cannot use. */
static retain_status open_pandas(rt_features *f, const rt_features_spec *spec)
{
    hid_t g = H5Gopen2(f->file, f->source, H5P_DEFAULT);
    int64_t nblocks = 0;
    char variety[32] = "regular";
    if (g >= 0) {
        rt_h5_attr_int64(g, "nblocks", &nblocks);
        rt_h5_attr_string(g, "axis1_variety", variety, sizeof variety);
        H5Gclose(g);
    }
    if (strcmp(variety, "regular") != 0)
        return rt_error(RETAIN_ERR_DATA,
                        "%s:%s is a pandas frame with a %s index (e.g. a MultiIndex); "
                        "call reset_index() before to_hdf so the index is one column",
                        f->path, f->source, variety);
    char axis1[NAME_CAP + 8];
    snprintf(axis1, sizeof axis1, "%s/axis1", f->source);
    hsize_t dims[8] = {0};
    if (rt_h5_kind(f->file, axis1) != H5I_DATASET)
        return rt_error(RETAIN_ERR_DATA,
                        "%s:%s looks like a pandas frame but has no index (%s); "
                        "write it again with to_hdf(format=\"fixed\")",
                        f->path, f->source, axis1);
    hid_t a = H5Dopen2(f->file, axis1, H5P_DEFAULT);
    int arank = a >= 0 ? rt_h5_shape(a, dims) : -1;
    if (a >= 0)
        H5Dclose(a);
    if (arank != 1)
        return rt_error(RETAIN_ERR_DATA, "%s:%s is not a 1-D index (file damaged?)",
                        f->path, axis1);
    f->rows = (int64_t)dims[0];
    if (nblocks <= 0 || nblocks > 100000)
        return rt_error(RETAIN_ERR_DATA,
                        "%s:%s looks like a pandas frame but has no data blocks "
                        "(nblocks = %lld); write it again with to_hdf(format=\"fixed\")",
                        f->path, f->source, (long long)nblocks);

    /* Every column: (part, index in block); part -1 when not numeric. */
    retain_status s = RETAIN_OK;
    for (int64_t b = 0; b < nblocks && !s; b++) {
        char items[NAME_CAP + 32], values[NAME_CAP + 32];
        snprintf(items, sizeof items, "%s/block%lld_items", f->source, (long long)b);
        snprintf(values, sizeof values, "%s/block%lld_values", f->source, (long long)b);
        if (rt_h5_kind(f->file, items) != H5I_DATASET ||
            rt_h5_kind(f->file, values) != H5I_DATASET) {
            s = rt_error(RETAIN_ERR_DATA, "%s:%s is missing block %lld of the pandas "
                         "frame (file damaged?); write it again",
                         f->path, f->source, (long long)b);
            break;
        }
        hid_t id = H5Dopen2(f->file, items, H5P_DEFAULT);
        char **names = NULL;
        int64_t n = 0;
        s = id >= 0 ? rt_h5_read_strings(id, &n, &names)
                    : rt_error(RETAIN_ERR_DATA, "cannot be opened (file damaged?)");
        if (id >= 0)
            H5Dclose(id);
        if (s) {
            s = rt_error_context(s, "%s:%s", f->path, items);
            break;
        }
        hid_t vd = rt_h5_open_rows(f->file, values, f->feature_cache);
        hid_t vt = vd >= 0 ? H5Dget_type(vd) : H5I_INVALID_HID;
        bool is_num = vt >= 0 && rt_h5_type_is_numeric(vt);
        if (vt >= 0)
            H5Tclose(vt);
        hsize_t vdims[8] = {0};
        int rank = vd >= 0 ? rt_h5_shape(vd, vdims) : -1;
        if (vd < 0 || (is_num && (rank != 2 || (int64_t)vdims[0] != f->rows ||
                                  (int64_t)vdims[1] != n))) {
            if (vd >= 0)
                H5Dclose(vd);
            rt_h5_free_strings(names, n);
            s = rt_error(RETAIN_ERR_DATA, "%s:%s has a shape that does not match "
                         "its %lld items and %lld rows (file damaged?); write it again",
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
        char **ga = realloc(f->pd_names, (size_t)(f->npd + n + 1) * sizeof *ga);
        if (ga)
            f->pd_names = ga;
        int *gb = realloc(f->pd_part, (size_t)(f->npd + n + 1) * sizeof *gb);
        if (gb)
            f->pd_part = gb;
        int64_t *gi = realloc(f->pd_index, (size_t)(f->npd + n + 1) * sizeof *gi);
        if (gi)
            f->pd_index = gi;
        if (!ga || !gb || !gi) {
            rt_h5_free_strings(names, n);
            s = rt_error(RETAIN_ERR_INTERNAL, "out of memory");
            break;
        }
        for (int64_t i = 0; i < n; i++) {
            f->pd_names[f->npd] = names[i];
            f->pd_part[f->npd] = is_num ? f->nparts - 1 : -1;
            f->pd_index[f->npd] = i;
            f->npd++;
        }
        free(names);
    }
    if (s)
        return s;
    char **want = NULL;
    int64_t nwant = 0;
    if (spec->columns) {
        s = split_columns(spec->columns, &nwant, &want);
    } else {
        /* Every numeric column but label and ids, in the frame's column
        ** order (axis0), not the order of its dtype blocks. */
        char **order = NULL, axis0[NAME_CAP + 8];
        int64_t norder = 0;
        snprintf(axis0, sizeof axis0, "%s/axis0", f->source);
        if (rt_h5_kind(f->file, axis0) == H5I_DATASET) {
            hid_t ad = H5Dopen2(f->file, axis0, H5P_DEFAULT);
            if (ad < 0 || rt_h5_read_strings(ad, &norder, &order) != RETAIN_OK ||
                norder != f->npd) {
                rt_h5_free_strings(order, norder);
                order = NULL;
                norder = 0;
            }
            if (ad >= 0)
                H5Dclose(ad);
            rt_error_clear();
        }
        want = calloc((size_t)f->npd + 1, sizeof *want);
        for (int64_t k = 0; want && k < f->npd; k++) {
            int64_t i = order ? find_name(f->pd_names, f->npd, order[k]) : k;
            if (i < 0)
                continue;
            const char *name = f->pd_names[i];
            if (f->pd_part[i] >= 0 && (!spec->label || strcmp(name, spec->label)) &&
                strcmp(name, spec->user_id ? spec->user_id : "user_id") &&
                find_name(want, nwant, name) < 0)
                want[nwant++] = strdup(name);
        }
        rt_h5_free_strings(order, norder);
        if (!want)
            s = rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    }
    if (!s)
        s = set_names(f, nwant);
    for (int64_t i = 0; i < nwant && !s; i++) {
        int64_t j = find_name(f->pd_names, f->npd, want[i]);
        if (j < 0)
            s = unknown_column(f, want[i], f->pd_names, f->npd);
        else if (f->pd_part[j] < 0)
            s = rt_error(RETAIN_ERR_DATA,
                         "%s:%s column '%s' holds string data (a pandas object "
                         "column); features must be numeric: drop it from "
                         "--columns or encode it as numbers",
                         f->path, f->source, want[i]);
        else
            s = map_column(f, f->pd_part[j], f->pd_index[j], i, want[i]);
    }
    rt_h5_free_strings(want, nwant);
    return s;
}

/* Names of the numeric 1-D datasets directly under a group (the columns a
** group layout offers), excluding ids, names and the label. */
static retain_status group_columns(rt_features *f, const rt_features_spec *spec,
                                   bool all, int64_t *out_n, char ***out)
{
    const char *sep = strcmp(f->source, "/") ? "/" : "";
    hid_t g = H5Gopen2(f->file, f->source, H5P_DEFAULT);
    H5G_info_t info;
    if (g < 0 || H5Gget_info(g, &info) < 0) {
        if (g >= 0)
            H5Gclose(g);
        return rt_error(RETAIN_ERR_DATA, "%s:%s cannot be read (file damaged?)",
                        f->path, f->source);
    }
    int64_t n = 0;
    char **list = calloc((size_t)info.nlinks + 1, sizeof *list);
    for (hsize_t i = 0; list && i < info.nlinks; i++) {
        char name[NAME_CAP], path[NAME_CAP * 2 + 2];
        if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name,
                               sizeof name, H5P_DEFAULT) < 0 ||
            !rt_h5_link_name_ok(name))
            continue;
        snprintf(path, sizeof path, "%s%s%s", f->source, sep, name);
        if (rt_h5_kind(f->file, path) != H5I_DATASET)
            continue;
        if (!all && (strcmp(name, spec->user_id ? spec->user_id : "user_id") == 0 ||
                     (spec->user_id && strcmp(spec->user_id, path) == 0) ||
                     strcmp(name, "feature_names") == 0 ||
                     (spec->label && (strcmp(spec->label, path) == 0 ||
                                      strcmp(spec->label, name) == 0))))
            continue;
        hid_t d = H5Dopen2(f->file, path, H5P_DEFAULT);
        if (d < 0)
            continue;
        hsize_t dims[8];
        hid_t t = H5Dget_type(d);
        if (rt_h5_shape(d, dims) == 1 && rt_h5_type_is_numeric(t))
            list[n++] = strdup(name);
        H5Tclose(t);
        H5Dclose(d);
    }
    H5Gclose(g);
    if (!list)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    *out_n = n;
    *out = list;
    return RETAIN_OK;
}

/* Layout 3: a group of 1-D datasets, one per column. */
static retain_status open_columns(rt_features *f, const rt_features_spec *spec)
{
    char **want = NULL;
    int64_t nwant = 0;
    retain_status s = RETAIN_OK;
    const char *sep = strcmp(f->source, "/") ? "/" : "";
    if (group_attr_is(f->file, f->source, "pandas_type", "frame_table"))
        return rt_error(RETAIN_ERR_DATA,
                        "%s:%s is a pandas frame written with format=\"table\"; "
                        "write it with to_hdf(..., format=\"fixed\")",
                        f->path, f->source);
    if (group_attr_is(f->file, f->source, "pandas_type", "series"))
        return rt_error(RETAIN_ERR_DATA,
                        "%s:%s is a pandas Series; write a DataFrame (series.to_frame())",
                        f->path, f->source);
    if (spec->columns) {
        s = split_columns(spec->columns, &nwant, &want);
    } else {
        if ((s = group_columns(f, spec, false, &nwant, &want)))
            return s;
        if (nwant == 0) {
            free(want);
            return not_found(f, "1-D numeric column datasets under", f->source,
                             "; give the feature dataset or group with --dataset");
        }
    }
    if (!s)
        s = set_names(f, nwant);
    f->rows = -1;
    size_t cache = f->feature_cache / (size_t)(nwant > 0 ? nwant : 1);
    cache = cache < (1u << 20) && f->feature_cache ? (1u << 20) : cache;
    for (int64_t i = 0; i < nwant && !s; i++) {
        char path[NAME_CAP * 2 + 2];
        snprintf(path, sizeof path, "%s%s%s", f->source, sep, want[i]);
        if (rt_h5_kind(f->file, path) != H5I_DATASET) {
            char **avail = NULL;
            int64_t navail = 0;
            if ((s = group_columns(f, spec, true, &navail, &avail)) == RETAIN_OK)
                s = unknown_column(f, want[i], avail, navail);
            rt_h5_free_strings(avail, navail);
            break;
        }
        hid_t d = rt_h5_open_rows(f->file, path, cache);
        if (d < 0) {
            s = rt_error(RETAIN_ERR_DATA, "%s:%s cannot be opened (file damaged?)",
                         f->path, path);
            break;
        }
        hsize_t dims[8];
        int rank = rt_h5_shape(d, dims);
        if (rank != 1) {
            char shape[160];
            rt_h5_shape_text(rank, dims, shape, sizeof shape);
            H5Dclose(d);
            s = rt_error(RETAIN_ERR_DATA,
                         "%s:%s is %d-D (%s); a column group needs 1-D datasets of "
                         "equal length: leave it out of --columns",
                         f->path, path, rank, shape);
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
                         "equal length: fix the file or leave the column out of "
                         "--columns",
                         f->path, path, (unsigned long long)dims[0],
                         f->parts[0].path, (long long)f->rows);
            break;
        }
        f->rows = (int64_t)dims[0];
        if ((s = add_part(f, d, path, 1)))
            break;
        s = map_column(f, f->nparts - 1, 0, i, want[i]);
    }
    if (f->rows < 0)
        f->rows = 0;
    rt_h5_free_strings(want, nwant);
    return s;
}

/* Opens a 1-D dataset (or n x 1) of f->rows values as a label or id column. */
static retain_status open_ref_dataset(rt_features *f, const char *what,
                                      const char *path, column_ref *ref)
{
    hid_t d = rt_h5_open_rows(f->file, path, 8u << 20);
    if (d < 0)
        return rt_error(RETAIN_ERR_DATA, "%s:%s (%s) cannot be opened (file damaged?)",
                        f->path, path, what);
    hsize_t dims[8];
    int rank = rt_h5_shape(d, dims);
    if (!(rank == 1 || (rank == 2 && dims[1] == 1)) || (int64_t)dims[0] != f->rows) {
        char shape[160];
        rt_h5_shape_text(rank, dims, shape, sizeof shape);
        H5Dclose(d);
        return rt_error(RETAIN_ERR_DATA,
                        "%s:%s (%s) is %s but the features have %lld rows; "
                        "it must be 1-D with one value per row",
                        f->path, path, what, shape, (long long)f->rows);
    }
    retain_status s = rt_h5_check_stored_shared(d, f->path, path, &f->slack);
    if (s) {
        H5Dclose(d);
        return s;
    }
    ref->dset = d;
    ref->index = 0;
    snprintf(ref->name, sizeof ref->name, "%s", path);
    return RETAIN_OK;
}

/* Resolves a label or id: a dataset path, or a column of the frame/group.
** `required`: a missing one is an error (else the ref stays empty). */
static retain_status open_column_ref(rt_features *f, const char *what,
                                     const char *name, column_ref *ref,
                                     bool required)
{
    ref->dset = H5I_INVALID_HID;
    snprintf(ref->name, sizeof ref->name, "%s", name);
    if (f->layout == RT_LAYOUT_PANDAS && name[0] != '/') {
        int64_t j = find_name(f->pd_names, f->npd, name);
        if (j >= 0 && f->pd_part[j] < 0 && !required)
            return RETAIN_OK;
        if (j >= 0 && f->pd_part[j] < 0)
            return rt_error(RETAIN_ERR_DATA,
                            "%s:%s column '%s' (%s) holds strings pickled by pandas "
                            "(an object column), which only Python can read; store "
                            "it as numbers or in its own dataset",
                            f->path, f->source, name, what);
        if (j >= 0) {
            ref->dset = H5Dopen2(f->file, f->parts[f->pd_part[j]].path, H5P_DEFAULT);
            ref->index = f->pd_index[j];
            snprintf(ref->name, sizeof ref->name, "%s column '%s'", f->source, name);
            if (ref->dset < 0)
                return rt_error(RETAIN_ERR_DATA, "%s:%s cannot be opened", f->path,
                                f->parts[f->pd_part[j]].path);
            return RETAIN_OK;
        }
        if (!required)
            return RETAIN_OK; /* datasets beside a frame are not its columns */
    }
    char path[NAME_CAP * 2 + 2];
    if (name[0] == '/') {
        snprintf(path, sizeof path, "%s", name);
    } else {
        /* A bare name: beside the features in their group, else at the root. */
        const char *sep = strcmp(f->source, "/") ? "/" : "";
        snprintf(path, sizeof path, "%s%s%s", f->source, sep, name);
        if (f->layout == RT_LAYOUT_DATASET || rt_h5_kind(f->file, path) != H5I_DATASET)
            snprintf(path, sizeof path, "/%s", name);
    }
    if (rt_h5_kind(f->file, path) == H5I_DATASET)
        return open_ref_dataset(f, what, path, ref);
    if (!required)
        return RETAIN_OK;
    char fix[160];
    snprintf(fix, sizeof fix, "; give the %s with --%s PATH",
             what, strcmp(what, "label") == 0 ? "label" : "user-id");
    return not_found(f, what, name, fix);
}

static void close_ref(column_ref *ref)
{
    if (ref->dset >= 0)
        H5Dclose(ref->dset);
    ref->dset = H5I_INVALID_HID;
}

static retain_status check_label_type(rt_features *f)
{
    hid_t t = H5Dget_type(f->label.dset);
    bool ok = rt_h5_type_is_numeric(t);
    const char *tn = rt_h5_type_name(t);
    H5Tclose(t);
    if (ok)
        return RETAIN_OK;
    return rt_error(RETAIN_ERR_DATA,
                    "%s:%s (label) holds %s data; a label must be 0/1 as integers, "
                    "floats or bool: encode it as numbers or choose another --label",
                    f->path, f->label.name, tn);
}

/* Opens user ids: explicit, else a user_id column/dataset, else the pandas
** index when it holds integers or strings. */
static retain_status open_ids(rt_features *f, const rt_features_spec *spec)
{
    retain_status s;
    bool explicit_ids = spec->user_id != NULL;
    if (explicit_ids) {
        s = open_column_ref(f, "user id", spec->user_id, &f->ids, true);
    } else {
        s = open_column_ref(f, "user id", "user_id", &f->ids, false);
        if (!s && f->ids.dset < 0 && f->layout == RT_LAYOUT_PANDAS) {
            char axis1[NAME_CAP + 8];
            snprintf(axis1, sizeof axis1, "%s/axis1", f->source);
            hid_t d = H5Dopen2(f->file, axis1, H5P_DEFAULT);
            hid_t t = d >= 0 ? H5Dget_type(d) : H5I_INVALID_HID;
            H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
            if (t >= 0)
                H5Tclose(t);
            if (d >= 0)
                H5Dclose(d);
            if (cls == H5T_INTEGER || cls == H5T_STRING)
                s = open_column_ref(f, "user id", axis1, &f->ids, true);
        }
    }
    if (s || f->ids.dset < 0)
        return s;
    hid_t t = H5Dget_type(f->ids.dset);
    H5T_class_t cls = H5Tget_class(t);
    f->ids_strings = cls == H5T_STRING;
    if (cls != H5T_STRING && (cls != H5T_INTEGER || !rt_h5_type_is_numeric(t)))
        s = rt_error(RETAIN_ERR_DATA,
                     "%s:%s user ids are %s; they must be integers or strings: "
                     "%s",
                     f->path, f->ids.name, rt_h5_type_name(t),
                     explicit_ids ? "choose another --user-id"
                                  : "convert them, or rename the dataset");
    H5Tclose(t);
    return s;
}

retain_status rt_features_open(const char *path, const rt_features_spec *spec,
                               rt_features **out)
{
    if (!out)
        return rt_error(RETAIN_ERR_USAGE, "rt_features_open: out is NULL");
    *out = NULL;
    if (!path || !*path)
        return rt_error(RETAIN_ERR_USAGE, "no input file given");
    rt_features_spec none = {0};
    if (!spec)
        spec = &none;
    rt_features *f = calloc(1, sizeof *f);
    if (!f)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    f->label.dset = f->ids.dset = H5I_INVALID_HID;
    f->allow_nonfinite = spec->allow_nonfinite;
    f->feature_cache = spec->random_access  ? 0
                       : spec->chunk_cache ? (size_t)spec->chunk_cache
                                           : (size_t)64 << 20;
    f->slack = RT_H5_CLAIM_SLACK;
    snprintf(f->path, sizeof f->path, "%s", path);
    retain_status s = rt_h5_open_read_shared(path, &f->file);
    if (s) {
        free(f);
        return s;
    }
    if (spec->dataset) {
        snprintf(f->source, sizeof f->source, "%s%s", spec->dataset[0] == '/' ? "" : "/",
                 spec->dataset);
        size_t n = strlen(f->source);
        while (n > 1 && f->source[n - 1] == '/')
            f->source[--n] = '\0';
        if (!rt_h5_exists(f->file, f->source))
            s = not_found(f, "dataset or group", f->source,
                          "; fix --dataset PATH");
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
            s = not_found(f, "dataset or group", f->source, NULL);
        }
    }
    if (!s && f->cols == 0)
        s = rt_error(RETAIN_ERR_DATA,
                     "%s:%s has no numeric feature columns; choose the features "
                     "with --dataset or --columns",
                     path, f->source);
    if (!s && spec->label) {
        s = open_column_ref(f, "label", spec->label, &f->label, true);
        if (!s)
            s = check_label_type(f);
    }
    if (!s)
        s = open_ids(f, spec);
    /* under MPI the file is closed collectively: the ranks fail together */
    if ((s = rt_dist_agree(s))) {
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
        if (f->parts[p].mem_type >= 0)
            H5Tclose(f->parts[p].mem_type);
        free(f->parts[p].dst_col);
    }
    free(f->parts);
    close_ref(&f->label);
    close_ref(&f->ids);
    rt_h5_free_strings(f->names, f->cols);
    rt_h5_free_strings(f->pd_names, f->npd);
    free(f->pd_part);
    free(f->pd_index);
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
    return j >= 0 && j < f->cols ? f->type_names[j] : "";
}
bool rt_features_attr_string(const rt_features *f, const char *name, char *buf, size_t cap)
{
    hid_t source = H5Oopen(f->file, f->source, H5P_DEFAULT);
    bool found = source >= 0 && rt_h5_attr_string(source, name, buf, cap);
    if (source >= 0)
        H5Oclose(source);
    return found || rt_h5_attr_string(f->file, name, buf, cap);
}
bool rt_features_has_label(const rt_features *f) { return f->label.dset >= 0; }
const char *rt_features_label_name(const rt_features *f) { return f->label.name; }
bool rt_features_has_user_ids(const rt_features *f) { return f->ids.dset >= 0; }
bool rt_features_user_ids_are_strings(const rt_features *f) { return f->ids_strings; }
const char *rt_features_user_id_name(const rt_features *f) { return f->ids.name; }
