/*
** src/io/baskets.c: the basket builder every reader fills (baskets_impl.h),
** format names, and rt_baskets_read, which picks the reader: HDF5 in
** baskets_h5.c, the text formats in baskets_text.c (the file is read whole:
** its bytes are of the order of its (basket, item) pairs).
*/
#include "baskets_impl.h"

#include "core/error.h"
#include "io/textfmt.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static retain_status oom(const char *what)
{
    return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %s", what);
}

retain_status rt_bbuild_init(rt_bbuild *bb)
{
    memset(bb, 0, sizeof *bb);
    rt_strmap_init(&bb->names);
    bb->baskets_cap = 1024;
    bb->b.indptr = malloc((size_t)bb->baskets_cap * sizeof *bb->b.indptr);
    if (!bb->b.indptr)
        return oom("the baskets");
    bb->b.indptr[0] = 0;
    return RETAIN_OK;
}

void rt_bbuild_free(rt_bbuild *bb)
{
    rt_baskets_free(&bb->b);
    rt_strmap_free(&bb->names);
    free(bb->small);
    memset(bb, 0, sizeof *bb);
}

retain_status rt_bbuild_name(rt_bbuild *bb, const char *s, size_t len, int32_t *idx)
{
    return rt_strmap_get(&bb->names, s, len, idx);
}

retain_status rt_bbuild_id(rt_bbuild *bb, uint64_t id, int32_t *idx)
{
    if (id < (uint64_t)bb->small_cap && bb->small[id]) {
        *idx = bb->small[id] - 1;
        return RETAIN_OK;
    }
    char text[24];
    retain_status s = rt_strmap_get(&bb->names, text, (size_t)(rt_put_uint(text, id) - text), idx);
    if (s || id >= (uint64_t)RT_BBUILD_SMALL_IDS)
        return s;
    if (id >= (uint64_t)bb->small_cap) {
        int64_t cap = bb->small_cap ? bb->small_cap : 4096;
        while (cap <= (int64_t)id)
            cap *= 2;
        int32_t *small = realloc(bb->small, (size_t)cap * sizeof *small);
        if (!small)
            return oom("the item ids");
        memset(small + bb->small_cap, 0, (size_t)(cap - bb->small_cap) * sizeof *small);
        bb->small = small;
        bb->small_cap = cap;
    }
    bb->small[id] = *idx + 1;
    return RETAIN_OK;
}

retain_status rt_bbuild_push(rt_bbuild *bb, int32_t idx)
{
    if (bb->fill == bb->items_cap) {
        int64_t cap = bb->items_cap ? bb->items_cap * 2 : 65536;
        int32_t *items = realloc(bb->b.items, (size_t)cap * sizeof *items);
        if (!items)
            return oom("the (basket, item) pairs");
        bb->b.items = items;
        bb->items_cap = cap;
    }
    bb->b.items[bb->fill++] = idx;
    return RETAIN_OK;
}

retain_status rt_bbuild_reserve(rt_bbuild *bb, int64_t items, int64_t baskets)
{
    if (items > bb->items_cap) {
        int32_t *more = realloc(bb->b.items, (size_t)items * sizeof *more);
        if (!more)
            return oom("the (basket, item) pairs");
        bb->b.items = more;
        bb->items_cap = items;
    }
    if (baskets + 2 > bb->baskets_cap) {
        int64_t *more = realloc(bb->b.indptr, (size_t)(baskets + 2) * sizeof *more);
        if (!more)
            return oom("the baskets");
        bb->b.indptr = more;
        bb->baskets_cap = baskets + 2;
    }
    return RETAIN_OK;
}

retain_status rt_bbuild_close_basket(rt_bbuild *bb)
{
    if (bb->b.n + 2 > bb->baskets_cap) {
        int64_t cap = bb->baskets_cap * 2;
        int64_t *indptr = realloc(bb->b.indptr, (size_t)cap * sizeof *indptr);
        if (!indptr)
            return oom("the baskets");
        bb->b.indptr = indptr;
        bb->baskets_cap = cap;
    }
    bb->b.indptr[++bb->b.n] = bb->fill;
    return RETAIN_OK;
}

retain_status rt_bbuild_finish(rt_bbuild *bb, const char *path, rt_baskets *out)
{
    rt_baskets *b = &bb->b;
    /* seen[item] = basket number + 1 once the item is in the basket */
    int64_t *seen = calloc((size_t)(bb->names.count ? bb->names.count : 1), sizeof *seen);
    if (!seen)
        return oom("the basket items");
    int64_t w = 0;
    for (int64_t i = 0; i < b->n; i++) {
        int64_t lo = b->indptr[i], hi = b->indptr[i + 1], start = w;
        for (int64_t k = lo; k < hi; k++)
            if (seen[b->items[k]] != i + 1) {
                seen[b->items[k]] = i + 1;
                b->items[w++] = b->items[k];
            }
        b->repeats += (hi - lo) - (w - start);
        b->indptr[i] = start;
        b->empty += w == start;
        if (w - start > b->max_len)
            b->max_len = w - start;
    }
    free(seen);
    b->indptr[b->n] = w;
    if (b->n == 0)
        return rt_error(RETAIN_ERR_DATA, "%s: no baskets: the input is empty", path);
    if (w == 0)
        return rt_error(RETAIN_ERR_DATA, "%s: %lld baskets but no item in any of them", path,
                        (long long)b->n);
    b->n_items = bb->names.count;
    b->label_text = bb->names.text;
    b->label_off = bb->names.off;
    bb->names.text = NULL;
    bb->names.off = NULL;
    *out = *b;
    memset(b, 0, sizeof *b);
    rt_bbuild_free(bb);
    return RETAIN_OK;
}

void rt_baskets_free(rt_baskets *b)
{
    free(b->indptr);
    free(b->items);
    free(b->label_text);
    free(b->label_off);
    memset(b, 0, sizeof *b);
}

retain_status rt_baskets_lengths(const rt_baskets *b, rt_basket_lengths *out)
{
    memset(out, 0, sizeof *out);
    int64_t *hist = calloc((size_t)b->max_len + 1, sizeof *hist);
    if (!hist)
        return oom("the basket lengths");
    for (int64_t i = 0; i < b->n; i++)
        hist[b->indptr[i + 1] - b->indptr[i]]++;
    const double q[4] = {0.5, 0.9, 0.99, 0.999};
    int64_t *at[4] = {&out->p50, &out->p90, &out->p99, &out->p999}, seen = 0;
    int qi = 0;
    for (int64_t len = 0; len <= b->max_len; len++) {
        seen += hist[len];
        while (qi < 4 && (double)seen >= q[qi] * (double)b->n)
            *at[qi++] = len;
    }
    free(hist);
    out->max = b->max_len;
    out->mean = b->n ? (double)b->indptr[b->n] / (double)b->n : 0;
    return RETAIN_OK;
}

static const char *const format_names[] = {"auto", "dat", "names", "long", "h5"};

const char *rt_baskets_format_name(rt_baskets_format fmt)
{
    return fmt >= RT_BASKETS_AUTO && fmt <= RT_BASKETS_H5 ? format_names[fmt] : "?";
}

retain_status rt_baskets_format_parse(const char *name, rt_baskets_format *out)
{
    for (int i = 0; i <= RT_BASKETS_H5; i++)
        if (strcmp(name, format_names[i]) == 0) {
            *out = (rt_baskets_format)i;
            return RETAIN_OK;
        }
    return rt_error(RETAIN_ERR_USAGE, "--format must be auto, dat, names, long or h5, not '%s'",
                    name);
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a > b && strcmp(s + a - b, suffix) == 0;
}

static retain_status read_whole(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return rt_error(RETAIN_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
        fclose(f);
        return rt_error(RETAIN_ERR_IO, "%s is a folder, not a baskets file", path);
    }
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 1 << 20, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *more = realloc(buf, cap * 2);
        if (!more) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = more;
        cap *= 2;
    }
    bool failed = ferror(f);
    fclose(f);
    if (!buf)
        return oom(path);
    if (failed) {
        free(buf);
        return rt_error(RETAIN_ERR_IO, "cannot read %s", path);
    }
    *out = buf;
    *len = n;
    return RETAIN_OK;
}

retain_status rt_baskets_read(const char *path, rt_baskets_format fmt, const char *group,
                              rt_baskets *out)
{
    memset(out, 0, sizeof *out);
    if (fmt == RT_BASKETS_AUTO) {
        if (has_suffix(path, ".h5") || has_suffix(path, ".hdf5"))
            fmt = RT_BASKETS_H5;
        else if (!has_suffix(path, ".csv") && !has_suffix(path, ".CSV"))
            fmt = RT_BASKETS_DAT;
    }
    if (fmt == RT_BASKETS_H5)
        return rt_baskets_read_h5(path, group, out);
    char *text = NULL;
    size_t len = 0;
    retain_status s = read_whole(path, &text, &len);
    if (s)
        return s;
    s = rt_baskets_parse(text, len, fmt, path, out);
    free(text);
    return s;
}
