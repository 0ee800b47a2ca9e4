/*
** src/io/features_read.c: reading row ranges of an open feature source
** (features.c resolved it into parts). A range is read part by part in
** sub-blocks through one scratch buffer of bounded size (only the span of
** columns a part contributes is read), converted to float32 and checked;
** a single float32 part holding every column in order is read straight into
** the caller's buffer. Rows can also be read as double, for values that
** must keep their stored precision. Labels and user ids are read here too.
**
** Conversion matches numpy's astype(float32): one rounding to nearest from
** the stored value. 64-bit integers are therefore read as integers and cast
** once (through double they would round twice); float64 is read as double
** and cast; a finite value beyond float32's range is an error, never Inf.
** Booleans arrive as HDF5 enums (h5py) or 8-bit bitfields (PyTables, so
** pandas), which HDF5 will not convert to numbers: they are read raw.
*/
#include "features_impl.h"

#include "core/dist.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "h5.h"
#include "kernels/cpu/kernels.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUB_ROWS 65536
#define SCRATCH_BYTES ((int64_t)4 << 20)

/* Reads rows [first, first+count) x columns [col, col+ncols) of a 1-D or
** 2-D dataset into buf as mem_type. */
static herr_t read_block(hid_t dset, int64_t first, int64_t count, int64_t col,
                         int64_t ncols, hid_t mem_type, void *buf)
{
    hid_t space = H5Dget_space(dset);
    if (space < 0)
        return -1;
    int rank = H5Sget_simple_extent_ndims(space);
    hsize_t start[2] = {(hsize_t)first, (hsize_t)col};
    hsize_t size[2] = {(hsize_t)count, (hsize_t)ncols};
    herr_t rc = -1;
    if (rank == 1 || rank == 2)
        rc = H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, size, NULL);
    /* The memory space has the selection's shape: HDF5 then maps chunks to
    ** memory block by block instead of element by element (3x faster). */
    hid_t mem = H5Screate_simple(rank == 2 ? 2 : 1, size, NULL);
    if (rc >= 0 && mem >= 0)
        rc = H5Dread(dset, mem_type, mem, space, H5P_DEFAULT, buf);
    else
        rc = -1;
    if (mem >= 0)
        H5Sclose(mem);
    H5Sclose(space);
    return rc;
}

/* After a failed read of rows [first, first+count) of a part: the first
** piece (a chunk's rows, or 4096 rows when contiguous) that fails alone, so
** the message names the damaged rows rather than the whole range. */
static void locate_failure(rt_features *f, const part *pt, void *buf,
                           int64_t *first, int64_t *count)
{
    int64_t piece = 4096;
    hid_t dcpl = H5Dget_create_plist(pt->dset);
    if (dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED) {
        hsize_t chunk[H5S_MAX_RANK];
        if (H5Pget_chunk(dcpl, H5S_MAX_RANK, chunk) >= 1 && chunk[0] > 0)
            piece = (int64_t)chunk[0];
    }
    if (dcpl >= 0)
        H5Pclose(dcpl);
    int64_t w = pt->hi - pt->lo;
    /* buf holds *count rows (direct: the caller's rows) or SCRATCH_BYTES */
    if (*count <= piece || (!f->direct && piece * w * 8 > SCRATCH_BYTES))
        return;
    int64_t end = *first + *count;
    for (int64_t r = *first - *first % piece; r < end; r += piece) {
        int64_t a = r < *first ? *first : r, b = r + piece < end ? r + piece : end;
        if (read_block(pt->dset, a, b - a, pt->lo, w, pt->mem_type, buf) < 0) {
            *first = a;
            *count = b - a;
            return;
        }
    }
}

static retain_status read_failed(rt_features *f, const char *dataset, int64_t first,
                                 int64_t count)
{
    return rt_error(RETAIN_ERR_DATA,
                    "%s:%s: cannot read rows %lld..%lld (file truncated or "
                    "damaged, or a compressed chunk is corrupt); copy or write "
                    "the file again",
                    f->path, dataset, (long long)first,
                    (long long)(first + count - 1));
}

/* Value i of raw enum/bitfield storage (integers of `size` bytes). */
static double raw_value(const void *raw, int size, bool sign, int64_t i)
{
    const char *p = (const char *)raw + i * size;
    switch (size) {
    case 1: return sign ? *(const int8_t *)p : *(const uint8_t *)p;
    case 2: return sign ? *(const int16_t *)p : *(const uint16_t *)p;
    case 4: return sign ? (double)*(const int32_t *)p : (double)*(const uint32_t *)p;
    default: return sign ? (double)*(const int64_t *)p : (double)*(const uint64_t *)p;
    }
}

static bool range_ok(const rt_features *f, int64_t first, int64_t count)
{
    return first >= 0 && count >= 0 && first <= f->rows && count <= f->rows - first;
}

static retain_status bad_range(const rt_features *f, const char *what, int64_t first,
                               int64_t count)
{
    if (first < 0 || count < 0 || count > INT64_MAX - first)
        return rt_error(RETAIN_ERR_USAGE,
                        "%s: %s rows requested from row %lld, count %lld: both must "
                        "be >= 0 and within the file's %lld rows",
                        f->path, what, (long long)first, (long long)count,
                        (long long)f->rows);
    return rt_error(RETAIN_ERR_USAGE,
                    "%s: %s rows %lld..%lld requested but the file has %lld rows "
                    "(0..%lld)",
                    f->path, what, (long long)first, (long long)(first + count - 1),
                    (long long)f->rows, (long long)f->rows - 1);
}

/* The scratch buffer for sub-blocks: about SCRATCH_BYTES, at least a row
** (a direct source needs it only to be read as double). */
static retain_status ensure_scratch(rt_features *f, bool as_double)
{
    if (f->scratch || (f->direct && !as_double))
        return RETAIN_OK;
    int64_t widest = 1;
    for (int p = 0; p < f->nparts; p++)
        if (f->parts[p].hi - f->parts[p].lo > widest)
            widest = f->parts[p].hi - f->parts[p].lo;
    int64_t row_bytes = widest * 8;
    f->sub_rows = SCRATCH_BYTES / row_bytes;
    f->sub_rows = f->sub_rows < 1 ? 1 : f->sub_rows > SUB_ROWS ? SUB_ROWS : f->sub_rows;
    char what[128];
    snprintf(what, sizeof what, "a read buffer for %lld columns", (long long)widest);
    retain_status s = rt_mem_check_claim(row_bytes * f->sub_rows, what,
                                         "select fewer columns with --columns");
    if (!s)
        s = retain_malloc((size_t)(row_bytes * f->sub_rows), &f->scratch);
    return s ? rt_error_context(s, "%s:%s", f->path, f->source) : RETAIN_OK;
}

/* Converts the n rows of part pt in f->scratch into out (n x cols); records
** the earliest float64 value too large for float32 at *ovf (flat index). */
static void convert_part(rt_features *f, const part *pt, int64_t n, float *out,
                         int64_t *ovf, double *ovf_value)
{
    const int64_t cols = f->cols, w = pt->hi - pt->lo;
    for (int64_t c = pt->lo; c < pt->hi; c++) {
        int64_t j = pt->dst_col[c], k = c - pt->lo;
        if (j < 0)
            continue;
        switch (pt->conv) {
        case CONV_RAW:
            for (int64_t i = 0; i < n; i++)
                out[i * cols + j] =
                    (float)raw_value(f->scratch, pt->raw_size, pt->raw_signed, i * w + k);
            break;
        case CONV_F64: {
            const double *src = f->scratch;
            for (int64_t i = 0; i < n; i++) {
                double v = src[i * w + k];
                float x = (float)v;
                if (isinf(x) && isfinite(v) && (*ovf < 0 || i * cols + j < *ovf)) {
                    *ovf = i * cols + j;
                    *ovf_value = v;
                }
                out[i * cols + j] = x;
            }
            break;
        }
        case CONV_I64: {
            const int64_t *src = f->scratch;
            for (int64_t i = 0; i < n; i++)
                out[i * cols + j] = (float)src[i * w + k];
            break;
        }
        case CONV_U64: {
            const uint64_t *src = f->scratch;
            for (int64_t i = 0; i < n; i++)
                out[i * cols + j] = (float)src[i * w + k];
            break;
        }
        case CONV_F32: {
            const float *src = f->scratch;
            for (int64_t i = 0; i < n; i++)
                out[i * cols + j] = src[i * w + k];
            break;
        }
        }
    }
}

/* The dataset column j of the features comes from. */
static const char *column_source(const rt_features *f, int64_t j)
{
    return f->layout == RT_LAYOUT_COLUMNS ? f->parts[f->origin_part[j]].path : f->source;
}

static retain_status nonfinite_error(const rt_features *f, int64_t row, int64_t j, double v)
{
    return rt_error(RETAIN_ERR_DATA,
                    "%s:%s row %lld (counting from 0), column %lld (%s) "
                    "is %s; fix the data (fill or drop the row)",
                    f->path, column_source(f, j), (long long)row, (long long)j, f->names[j],
                    isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf");
}

/* What every read of feature rows does first: check the request (fn names
** the caller) and make sure of the scratch buffer. */
static retain_status begin_read(rt_features *f, const char *fn, int64_t first, int64_t count,
                                const void *dst, bool as_double)
{
    if (!f || (!dst && count > 0))
        return rt_error(RETAIN_ERR_USAGE, "%s: %s is NULL", fn, f ? "dst" : "f");
    if (!range_ok(f, first, count))
        return bad_range(f, "feature", first, count);
    return count ? ensure_scratch(f, as_double) : RETAIN_OK;
}

retain_status rt_features_read(rt_features *f, int64_t first, int64_t count,
                               float *dst)
{
    retain_status s = begin_read(f, "rt_features_read", first, count, dst, false);
    if (s || count == 0)
        return s;
    const int64_t cols = f->cols;
    const int64_t step = f->direct ? SUB_ROWS : f->sub_rows;
    for (int64_t r0 = 0; r0 < count; r0 += step) {
        int64_t n = count - r0 < step ? count - r0 : step;
        float *out = dst + r0 * cols;
        int64_t ovf = -1;
        double ovf_value = 0;
        for (int p = 0; p < f->nparts; p++) {
            part *pt = &f->parts[p];
            if (pt->lo == pt->hi)
                continue; /* a pandas block none of whose columns is selected */
            void *buf = f->direct ? (void *)out : f->scratch;
            if (read_block(pt->dset, first + r0, n, pt->lo, pt->hi - pt->lo,
                           pt->mem_type, buf) < 0) {
                int64_t a = first + r0, m = n;
                locate_failure(f, pt, buf, &a, &m);
                return read_failed(f, pt->path, a, m);
            }
            if (!f->direct)
                convert_part(f, pt, n, out, &ovf, &ovf_value);
        }
        if (f->allow_nonfinite && ovf < 0)
            continue;
        int64_t bad = f->allow_nonfinite ? ovf : rt_kernels_get()->first_nonfinite(out, n * cols);
        if (bad < 0)
            continue;
        int64_t row = first + r0 + bad / cols, j = bad % cols;
        if (bad == ovf)
            return rt_error(RETAIN_ERR_DATA,
                            "%s:%s row %lld (counting from 0), column %lld (%s): "
                            "value %g does not fit in float32 (largest %g); "
                            "rescale the column",
                            f->path, column_source(f, j), (long long)row, (long long)j,
                            f->names[j], ovf_value, (double)FLT_MAX);
        return nonfinite_error(f, row, j, out[bad]);
    }
    return RETAIN_OK;
}

retain_status rt_features_read_f64(rt_features *f, int64_t first, int64_t count,
                                   double *dst)
{
    retain_status s = begin_read(f, "rt_features_read_f64", first, count, dst, true);
    if (s || count == 0)
        return s;
    const int64_t cols = f->cols;
    for (int64_t r0 = 0; r0 < count; r0 += f->sub_rows) {
        int64_t n = count - r0 < f->sub_rows ? count - r0 : f->sub_rows;
        double *out = dst + r0 * cols;
        for (int p = 0; p < f->nparts; p++) {
            part *pt = &f->parts[p];
            int64_t w = pt->hi - pt->lo;
            hid_t mem = pt->conv == CONV_RAW ? pt->mem_type : H5T_NATIVE_DOUBLE;
            if (w == 0)
                continue;
            if (read_block(pt->dset, first + r0, n, pt->lo, w, mem, f->scratch) < 0) {
                int64_t a = first + r0, m = n;
                locate_failure(f, pt, f->scratch, &a, &m);
                return read_failed(f, pt->path, a, m);
            }
            for (int64_t c = pt->lo; c < pt->hi; c++) {
                int64_t j = pt->dst_col[c], k = c - pt->lo;
                for (int64_t i = 0; j >= 0 && i < n; i++)
                    out[i * cols + j] =
                        pt->conv == CONV_RAW
                            ? raw_value(f->scratch, pt->raw_size, pt->raw_signed, i * w + k)
                            : ((const double *)f->scratch)[i * w + k];
            }
        }
        for (int64_t i = 0; !f->allow_nonfinite && i < n * cols; i++)
            if (!isfinite(out[i]))
                return nonfinite_error(f, first + r0 + i / cols, i % cols, out[i]);
    }
    return RETAIN_OK;
}

retain_status rt_features_read_all(rt_features *f, retain_matrix_owned *out)
{
    if (!f || !out)
        return rt_error(RETAIN_ERR_USAGE, "rt_features_read_all: %s is NULL",
                        f ? "out" : "f");
    retain_status s = retain_matrix_alloc(f->rows, f->cols, out);
    if (s)
        return rt_error_context(s, "%s:%s", f->path, f->source);
    s = rt_features_read(f, 0, f->rows, out->data);
    if (s)
        retain_matrix_release(out);
    /* the chunk and conversion buffers HDF5 keeps on its free lists are
    ** not needed again soon: give them back while the data is held */
    H5garbage_collect();
    return s;
}

retain_status rt_features_read_rank(rt_features *f, retain_matrix_owned *out, int64_t *first)
{
    int64_t count, blocks = rt_block_count(f->rows);
    rt_dist_rows(f->rows, first, &count);
    /* the same test on every rank: all refuse together */
    if (f->rows > 0 && blocks < rt_dist_size())
        return rt_error(RETAIN_ERR_USAGE, "%s:%s: %lld rows make %lld blocks of %d rows, "
                        "one rank's least share; run on at most %lld ranks", f->path,
                        f->source, (long long)f->rows, (long long)blocks, RT_BLOCK_ROWS,
                        (long long)(blocks > 1 ? blocks : 1));
    retain_status s = retain_matrix_alloc(count, f->cols, out);
    if (s)
        rt_error_context(s, "%s:%s rows %lld..%lld", f->path, f->source, (long long)*first,
                         (long long)(*first + count - 1));
    else if ((s = rt_features_read(f, *first, count, out->data)))
        retain_matrix_release(out);
    H5garbage_collect();
    return rt_dist_agree(s);
}

static retain_status check_ref_range(rt_features *f, column_ref *ref, const char *what,
                                     int64_t first, int64_t count, const void *dst)
{
    if (ref->dset < 0)
        return rt_error(RETAIN_ERR_USAGE, "%s: no %s was given or found", f->path, what);
    if (!range_ok(f, first, count))
        return bad_range(f, what, first, count);
    if (!dst && count > 0)
        return rt_error(RETAIN_ERR_USAGE, "reading %s: dst is NULL", what);
    return RETAIN_OK;
}

retain_status rt_features_read_label(rt_features *f, int64_t first, int64_t count,
                                     double *dst)
{
    retain_status s = check_ref_range(f, &f->label, "label", first, count, dst);
    if (s || count == 0)
        return s;
    hid_t t = H5Dget_type(f->label.dset);
    H5T_class_t cls = H5Tget_class(t);
    herr_t rc;
    if (cls == H5T_ENUM || cls == H5T_BITFIELD) {
        /* h5py stores bool as an enum over int8, PyTables as an 8-bit
        ** bitfield: HDF5 converts neither, so read raw and widen by hand. */
        hid_t mem = H5Tget_native_type(t, H5T_DIR_ASCEND);
        hid_t base = cls == H5T_ENUM ? H5Tget_super(t) : H5I_INVALID_HID;
        int size = (int)H5Tget_size(mem);
        bool sign = base >= 0 && H5Tget_sign(base) == H5T_SGN_2;
        void *raw = size >= 1 && size <= 8 ? malloc((size_t)count * (size_t)size) : NULL;
        rc = raw ? read_block(f->label.dset, first, count, f->label.index, 1, mem, raw)
                 : -1;
        for (int64_t i = 0; rc >= 0 && i < count; i++)
            dst[i] = raw_value(raw, size, sign, i);
        free(raw);
        if (base >= 0)
            H5Tclose(base);
        H5Tclose(mem);
    } else {
        rc = read_block(f->label.dset, first, count, f->label.index, 1,
                        H5T_NATIVE_DOUBLE, dst);
    }
    H5Tclose(t);
    if (rc < 0)
        return read_failed(f, f->label.name, first, count);
    for (int64_t i = 0; !f->allow_nonfinite && i < count; i++)
        if (!isfinite(dst[i]))
            return rt_error(RETAIN_ERR_DATA,
                            "%s:%s (label) row %lld (counting from 0) is %s; a "
                            "label must be 0 or 1: fix the data or drop the row",
                            f->path, f->label.name, (long long)(first + i),
                            isnan(dst[i]) ? "NaN" : "infinite");
    return RETAIN_OK;
}

retain_status rt_features_read_user_ids(rt_features *f, int64_t first, int64_t count,
                                        int64_t *dst)
{
    retain_status s = check_ref_range(f, &f->ids, "user id", first, count, dst);
    if (s || count == 0)
        return s;
    if (f->ids_strings)
        return rt_error(RETAIN_ERR_USAGE,
                        "%s:%s user ids are strings; read them as strings",
                        f->path, f->ids.name);
    if (read_block(f->ids.dset, first, count, f->ids.index, 1,
                   H5T_NATIVE_INT64, dst) < 0)
        return read_failed(f, f->ids.name, first, count);
    return RETAIN_OK;
}

retain_status rt_features_read_user_id_strings(rt_features *f, int64_t first,
                                               int64_t count, char **dst)
{
    retain_status s = check_ref_range(f, &f->ids, "user id", first, count, dst);
    if (s || count == 0)
        return s;
    for (int64_t i = 0; i < count; i++)
        dst[i] = NULL;
    if (!f->ids_strings) {
        int64_t *ids = malloc((size_t)count * sizeof *ids);
        if (!ids)
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
        s = rt_features_read_user_ids(f, first, count, ids);
        for (int64_t i = 0; !s && i < count; i++) {
            char buf[32];
            snprintf(buf, sizeof buf, "%lld", (long long)ids[i]);
            if (!(dst[i] = strdup(buf)))
                s = rt_error(RETAIN_ERR_INTERNAL, "out of memory");
        }
        free(ids);
        goto done;
    }
    hid_t ft = H5Dget_type(f->ids.dset);
    herr_t rc;
    if (H5Tis_variable_str(ft) > 0) {
        hid_t mem = H5Tcopy(H5T_C_S1);
        H5Tset_size(mem, H5T_VARIABLE);
        H5Tset_cset(mem, H5Tget_cset(ft));
        char **raw = calloc((size_t)count, sizeof *raw);
        rc = raw ? read_block(f->ids.dset, first, count, 0, 1, mem, raw) : -1;
        for (int64_t i = 0; rc >= 0 && i < count; i++)
            if (!(dst[i] = strdup(raw[i] ? raw[i] : "")))
                rc = -2;
        if (raw && rc != -1) {
            hsize_t n = (hsize_t)count;
            hid_t space = H5Screate_simple(1, &n, NULL);
            H5Dvlen_reclaim(mem, space, H5P_DEFAULT, raw);
            H5Sclose(space);
        }
        free(raw);
        H5Tclose(mem);
    } else {
        size_t width = H5Tget_size(ft);
        bool space_pad = H5Tget_strpad(ft) == H5T_STR_SPACEPAD;
        char *raw = malloc((size_t)count * width);
        hid_t mem = H5Tcopy(ft);
        rc = raw ? read_block(f->ids.dset, first, count, 0, 1, mem, raw) : -1;
        for (int64_t i = 0; rc >= 0 && i < count; i++) {
            if (!(dst[i] = strndup(raw + (size_t)i * width, width))) {
                rc = -2;
                break;
            }
            size_t len = strlen(dst[i]);
            while (space_pad && len > 0 && dst[i][len - 1] == ' ')
                dst[i][--len] = '\0';
        }
        H5Tclose(mem);
        free(raw);
    }
    H5Tclose(ft);
    if (rc == -2)
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory reading user ids");
    else if (rc < 0)
        s = read_failed(f, f->ids.name, first, count);
done:
    if (s)
        for (int64_t i = 0; i < count; i++) {
            free(dst[i]);
            dst[i] = NULL;
        }
    return s;
}
