/*
** src/io/baskets_h5.c: baskets from HDF5 compressed sparse rows: a group
** (default /baskets, else the root) holding `indptr` (n + 1 non-decreasing
** offsets from 0 to the length of `indices`) and `indices` (non-negative
** integer item ids), with optional `item_names` (strings; ids index them).
** This is what `retain gen baskets` and scipy.sparse's CSR arrays hold.
** Every claim is checked against the file before memory is spent on it.
*/
#include "baskets_impl.h"

#include "core/error.h"
#include "io/h5.h"

#include <stdlib.h>
#include <string.h>

/* Item names into the builder; map[k] is the index of name k. */
static retain_status read_names(rt_bbuild *bb, hid_t file, const char *path,
                                const char *dpath, int64_t *count, int32_t **map)
{
    hid_t d = H5Dopen2(file, dpath, H5P_DEFAULT);
    if (d < 0)
        return rt_error(RETAIN_ERR_DATA, "%s: cannot open dataset %s", path, dpath);
    char **names = NULL;
    retain_status s = rt_h5_check_stored(d, path, dpath);
    if (!s && (s = rt_h5_read_strings(d, count, &names)))
        rt_error_context(s, "%s: dataset %s", path, dpath);
    H5Dclose(d);
    if (s)
        return s;
    *map = malloc((size_t)(*count ? *count : 1) * sizeof **map);
    if (!*map)
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for %s", dpath);
    for (int64_t k = 0; !s && k < *count; k++)
        s = rt_bbuild_name(bb, names[k], strlen(names[k]), &(*map)[k]);
    rt_h5_free_strings(names, *count);
    return s;
}

static retain_status fill(rt_bbuild *bb, hid_t file, const char *path, const char *g)
{
    char ip[512], ix[512], nm[512];
    snprintf(ip, sizeof ip, "%s/indptr", g);
    snprintf(ix, sizeof ix, "%s/indices", g);
    snprintf(nm, sizeof nm, "%s/item_names", g);
    int64_t np = 0, ni = 0, nnames = 0, *indptr = NULL, *indices = NULL;
    int32_t *map = NULL;
    retain_status s = rt_h5_read_vector(file, path, ip, H5T_NATIVE_INT64, &np, (void **)&indptr);
    if (!s)
        s = rt_h5_read_vector(file, path, ix, H5T_NATIVE_INT64, &ni, (void **)&indices);
    if (!s && np < 1)
        s = rt_error(RETAIN_ERR_DATA, "%s: %s is empty; it must hold n + 1 offsets", path, ip);
    if (!s && (indptr[0] != 0 || indptr[np - 1] != ni))
        s = rt_error(RETAIN_ERR_DATA,
                     "%s: %s must run from 0 to the length of %s (%lld), not from %lld to %lld",
                     path, ip, ix, (long long)ni, (long long)indptr[0], (long long)indptr[np - 1]);
    for (int64_t r = 0; !s && r + 1 < np; r++)
        if (indptr[r + 1] < indptr[r])
            s = rt_error(RETAIN_ERR_DATA, "%s: %s decreases at row %lld (%lld after %lld)", path,
                         ip, (long long)(r + 1), (long long)indptr[r + 1], (long long)indptr[r]);
    bool named = rt_h5_kind(file, nm) == H5I_DATASET;
    if (!s && named)
        s = read_names(bb, file, path, nm, &nnames, &map);
    for (int64_t r = 0; !s && r + 1 < np; r++) {
        for (int64_t k = indptr[r]; !s && k < indptr[r + 1]; k++) {
            int64_t id = indices[k];
            int32_t idx;
            if (id < 0 || (named && id >= nnames))
                s = rt_error(RETAIN_ERR_DATA,
                             "%s: %s[%lld] (basket %lld) is %lld; ids must be %s", path, ix,
                             (long long)k, (long long)r, (long long)id,
                             named ? "indices into item_names" : "non-negative");
            else if (named)
                s = rt_bbuild_push(bb, map[id]);
            else if (!(s = rt_bbuild_id(bb, (uint64_t)id, &idx)))
                s = rt_bbuild_push(bb, idx);
        }
        if (!s)
            s = rt_bbuild_close_basket(bb);
    }
    free(indptr);
    free(indices);
    free(map);
    return s;
}

retain_status rt_baskets_read_h5(const char *path, const char *group, rt_baskets *out)
{
    memset(out, 0, sizeof *out);
    hid_t file;
    retain_status s = rt_h5_open_read(path, &file);
    if (s)
        return s;
    const char *g = group;
    if (!g)
        g = rt_h5_kind(file, "/baskets/indptr") == H5I_DATASET ? "/baskets" : "";
    if (strcmp(g, "/") == 0)
        g = "";
    char ip[512];
    snprintf(ip, sizeof ip, "%s/indptr", g);
    if (rt_h5_kind(file, ip) != H5I_DATASET) {
        char listing[1024];
        rt_h5_list(file, listing, sizeof listing);
        H5Fclose(file);
        return rt_error(RETAIN_ERR_DATA,
                        "%s: no baskets: no dataset %s (baskets are a group with indptr and "
                        "indices; name it with --group); the file holds:\n%s",
                        path, ip, listing);
    }
    rt_bbuild bb;
    if (!(s = rt_bbuild_init(&bb)) && !(s = fill(&bb, file, path, g)))
        s = rt_bbuild_finish(&bb, path, out);
    if (s)
        rt_bbuild_free(&bb);
    else
        out->format = RT_BASKETS_H5;
    H5Fclose(file);
    return s;
}
