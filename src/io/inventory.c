/*
** src/io/inventory.c: the file inventory behind `retain info` (see
** inventory.h). Datasets are found by walking groups, each group and
** dataset once however many links lead to it (hard links may form cycles);
** statistics read each numeric dataset in blocks of rows as float32 and
** feed the colstats kernel, so a file of any size is described in memory
** bounded by one block, and the datasets' claims beyond what the file
** stores share one slack (rt_h5_check_stored_shared).
*/
#include "inventory.h"

#include "core/error.h"
#include "core/mem.h"
#include "h5.h"
#include "kernels/cpu/kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STAT_BLOCK_BYTES (8 << 20)
#define STAT_PIECE_BYTES (32 << 10)

struct rt_stats_acc {
    int64_t cols, count_rows;
    int64_t *nan, *inf;
    double *sum, *sumsq;
    float *min, *max;
};

retain_status rt_stats_acc_create(int64_t cols, rt_stats_acc **out)
{
    rt_stats_acc *a = calloc(1, sizeof *a);
    if (!a)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    a->cols = cols;
    a->nan = calloc((size_t)cols, sizeof *a->nan);
    a->inf = calloc((size_t)cols, sizeof *a->inf);
    a->sum = calloc((size_t)cols, sizeof *a->sum);
    a->sumsq = calloc((size_t)cols, sizeof *a->sumsq);
    a->min = malloc((size_t)cols * sizeof *a->min);
    a->max = malloc((size_t)cols * sizeof *a->max);
    if (!a->nan || !a->inf || !a->sum || !a->sumsq || !a->min || !a->max) {
        rt_stats_acc_free(a);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    }
    for (int64_t j = 0; j < cols; j++) {
        a->min[j] = INFINITY;
        a->max[j] = -INFINITY;
    }
    *out = a;
    return RETAIN_OK;
}

void rt_stats_acc_add(rt_stats_acc *a, const float *x, int64_t rows)
{
    /* The kernel walks one vector of columns down all its rows at a time;
    ** pieces of STAT_PIECE_BYTES keep every such walk in cache. */
    rt_colstats acc = {a->nan, a->inf, a->sum, a->sumsq, a->min, a->max};
    a->count_rows += rows;
    if (a->cols <= 0)
        return;
    int64_t piece = STAT_PIECE_BYTES / (a->cols * 4);
    piece = piece < 16 ? 16 : piece;
    for (int64_t r = 0; r < rows; r += piece)
        rt_kernels_get()->colstats(x + r * a->cols, rows - r < piece ? rows - r : piece,
                                   a->cols, a->cols, &acc);
}

void rt_stats_acc_finish(const rt_stats_acc *a, rt_column_stats *out)
{
    for (int64_t j = 0; j < a->cols; j++) {
        rt_column_stats *s = &out[j];
        int64_t n = a->count_rows - a->nan[j] - a->inf[j];
        s->nan = a->nan[j];
        s->inf = a->inf[j];
        s->min = n ? a->min[j] : NAN;
        s->max = n ? a->max[j] : NAN;
        s->mean = n ? a->sum[j] / (double)n : NAN;
        double var = n ? a->sumsq[j] / (double)n - s->mean * s->mean : NAN;
        s->std = n ? sqrt(var > 0 ? var : 0) : NAN;
    }
}

void rt_stats_acc_free(rt_stats_acc *a)
{
    if (!a)
        return;
    free(a->nan);
    free(a->inf);
    free(a->sum);
    free(a->sumsq);
    free(a->min);
    free(a->max);
    free(a);
}

static void describe_layout(hid_t d, rt_dataset_info *info)
{
    hid_t dcpl = H5Dget_create_plist(d);
    if (H5Pget_layout(dcpl) == H5D_CHUNKED) {
        hsize_t chunk[8];
        int r = H5Pget_chunk(dcpl, 8, chunk);
        for (int i = 0; i < r; i++)
            info->chunk[i] = (int64_t)chunk[i];
    }
    int nf = H5Pget_nfilters(dcpl);
    size_t used = 0;
    for (int i = 0; i < nf; i++) {
        unsigned flags, values[8];
        size_t nvalues = 8;
        char name[64];
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &nvalues, values,
                                         sizeof name, name, NULL);
        const char *label = id == H5Z_FILTER_DEFLATE ? "gzip"
                            : id == H5Z_FILTER_SHUFFLE ? "shuffle"
                            : id == H5Z_FILTER_FLETCHER32 ? "fletcher32"
                                                          : name;
        used += (size_t)snprintf(info->filters + used, sizeof info->filters - used,
                                 "%s%s", i ? " + " : "", label);
        if (id == H5Z_FILTER_DEFLATE && nvalues > 0 && used < sizeof info->filters)
            used += (size_t)snprintf(info->filters + used, sizeof info->filters - used,
                                     " %u", values[0]);
        if (used >= sizeof info->filters)
            break;
    }
    H5Pclose(dcpl);
    info->storage_bytes = (int64_t)H5Dget_storage_size(d);
}

static retain_status dataset_stats(hid_t d, rt_dataset_info *info)
{
    int64_t rows = info->dims[0], cols = info->rank == 2 ? info->dims[1] : 1;
    int64_t block = rows;
    if (cols > 0 && block > STAT_BLOCK_BYTES / (cols * 4))
        block = STAT_BLOCK_BYTES / (cols * 4);
    if (block < 1)
        block = 1;
    float *buf;
    retain_status s = retain_malloc((size_t)(block * cols) * sizeof *buf, (void **)&buf);
    rt_stats_acc *acc = NULL;
    if (!s)
        s = rt_stats_acc_create(cols, &acc);
    hid_t space = H5Dget_space(d);
    for (int64_t r = 0; !s && r < rows; r += block) {
        int64_t n = rows - r < block ? rows - r : block;
        hsize_t start[2] = {(hsize_t)r, 0}, size[2] = {(hsize_t)n, (hsize_t)cols};
        /* memory shaped like the selection: HDF5's fast path for chunks */
        hid_t mem = H5Screate_simple(info->rank, size, NULL);
        herr_t rc = H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, size, NULL);
        if (rc >= 0)
            rc = H5Dread(d, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, buf);
        H5Sclose(mem);
        if (rc < 0)
            s = rt_error(RETAIN_ERR_DATA, "%s: cannot read rows %lld..%lld (file "
                         "truncated or damaged?)", info->path, (long long)r,
                         (long long)(r + n - 1));
        else
            rt_stats_acc_add(acc, buf, n);
    }
    H5Sclose(space);
    if (!s) {
        info->stats = calloc((size_t)cols, sizeof *info->stats);
        if (!info->stats)
            s = rt_error(RETAIN_ERR_INTERNAL, "out of memory");
        else {
            rt_stats_acc_finish(acc, info->stats);
            info->stats_cols = cols;
            info->has_stats = true;
        }
    }
    rt_stats_acc_free(acc);
    retain_free(buf);
    return s;
}

typedef struct walker {
    hid_t file;
    const char *file_path;
    rt_inventory *inv;
    int64_t cap, max_stat_cols;
    const char *skip_stats;
    void (*progress)(void *, const char *, int64_t, int64_t);
    void *user;
    rt_h5_seen seen; /* groups and datasets met; a dataset's value: its index */
    int64_t slack;   /* what the file's datasets may claim beyond storage */
} walker;

static retain_status add_dataset(walker *w, const char *path)
{
    if (w->inv->count == w->cap) {
        int64_t cap = w->cap ? 2 * w->cap : 16;
        rt_dataset_info *grown = realloc(w->inv->datasets, (size_t)cap * sizeof *grown);
        if (!grown)
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
        w->inv->datasets = grown;
        w->cap = cap;
    }
    rt_dataset_info *info = &w->inv->datasets[w->inv->count++];
    memset(info, 0, sizeof *info);
    snprintf(info->path, sizeof info->path, "%s", path);
    hid_t d = H5Dopen2(w->file, path, H5P_DEFAULT);
    if (d < 0)
        return rt_error(RETAIN_ERR_DATA, "%s cannot be opened (file damaged?); copy or "
                        "write the file again", path);
    int64_t first = rt_h5_seen_add(&w->seen, d, w->inv->count - 1);
    if (first >= 0)
        snprintf(info->note, sizeof info->note,
                 "not read: another link to %s, described there",
                 w->inv->datasets[first].path);
    hsize_t dims[8] = {0};
    info->rank = rt_h5_shape(d, dims);
    for (int i = 0; i < info->rank && i < 8; i++)
        info->dims[i] = (int64_t)dims[i];
    hid_t t = H5Dget_type(d);
    snprintf(info->type, sizeof info->type, "%s", rt_h5_type_name(t));
    /* HDF5 converts integers and floats to float32; enums and bitfields
    ** (bool) it will not, so they get no statistics here. */
    H5T_class_t cls = H5Tget_class(t);
    info->numeric = (cls == H5T_INTEGER || cls == H5T_FLOAT) && rt_h5_type_is_numeric(t);
    H5Tclose(t);
    describe_layout(d, info);
    retain_status s = RETAIN_OK;
    size_t skip_len = w->skip_stats ? strlen(w->skip_stats) : 0;
    bool skipped = skip_len && strncmp(path, w->skip_stats, skip_len) == 0 &&
                   (path[skip_len] == '\0' || path[skip_len] == '/');
    bool want = !skipped && first == -1 && info->numeric &&
                (info->rank == 1 || info->rank == 2) &&
                (info->rank == 1 || (info->dims[1] >= 1 && info->dims[1] <= w->max_stat_cols));
    if (want && rt_h5_check_stored_shared(d, w->file_path, path, &w->slack) != RETAIN_OK) {
        snprintf(info->note, sizeof info->note, "not read: %s", retain_last_error());
        rt_error_clear();
        want = false;
    }
    if (want) {
        if (w->progress)
            w->progress(w->user, path, 0, info->dims[0]);
        s = dataset_stats(d, info);
    }
    H5Dclose(d);
    return s;
}

static retain_status walk(walker *w, const char *group_path, int depth)
{
    hid_t g = H5Gopen2(w->file, group_path, H5P_DEFAULT);
    if (g < 0)
        return rt_error(RETAIN_ERR_DATA, "group %s cannot be opened (file damaged?)",
                        group_path);
    H5G_info_t ginfo;
    retain_status s = RETAIN_OK;
    if (rt_h5_seen_add(&w->seen, g, 0) != -1) { /* entered by another path */
        H5Gclose(g);
        return RETAIN_OK;
    }
    if (H5Gget_info(g, &ginfo) < 0)
        s = rt_error(RETAIN_ERR_DATA, "group %s cannot be read (file damaged?)",
                     group_path);
    for (hsize_t i = 0; !s && i < ginfo.nlinks; i++) {
        char name[512], path[1100];
        if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name,
                               H5P_DEFAULT) < 0 ||
            !rt_h5_link_name_ok(name))
            continue;
        if ((size_t)snprintf(path, sizeof path, "%s%s%s", group_path,
                             strcmp(group_path, "/") ? "/" : "", name) >= sizeof path)
            continue;
        H5I_type_t kind = rt_h5_kind(w->file, path);
        if (kind == H5I_GROUP && depth < 16)
            s = walk(w, path, depth + 1);
        else if (kind == H5I_DATASET)
            s = add_dataset(w, path);
    }
    H5Gclose(g);
    return s;
}

retain_status rt_inventory_build(const char *path, int64_t max_stat_cols,
                                 const char *skip_stats,
                                 void (*progress)(void *, const char *, int64_t, int64_t),
                                 void *progress_user, rt_inventory *out)
{
    memset(out, 0, sizeof *out);
    hid_t file;
    retain_status s = rt_h5_open_read(path, &file);
    if (s)
        return s;
    struct stat st;
    out->file_bytes = stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
    walker w = {file, path, out, 0, max_stat_cols, skip_stats, progress, progress_user,
                {0}, RT_H5_CLAIM_SLACK};
    s = walk(&w, "/", 0);
    rt_h5_seen_free(&w.seen);
    H5Fclose(file);
    if (s) {
        rt_error_context(s, "%s", path);
        rt_inventory_free(out);
    }
    return s;
}

void rt_inventory_free(rt_inventory *inv)
{
    for (int64_t i = 0; i < inv->count; i++)
        free(inv->datasets[i].stats);
    free(inv->datasets);
    memset(inv, 0, sizeof *inv);
}
