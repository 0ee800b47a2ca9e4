/*
** src/cli/cmd_info.c: `retain info [FILE]`: without a file, the build (ISA,
** threads, CUDA, HDF5); with an HDF5 file, the feature matrix the other
** commands would read (layout, per-column type, NaN/Inf counts, min, mean,
** max, std) and every dataset (shape, type, chunks, filters, stored size,
** and NaN/Inf counts and range for numeric ones); with a text file (CSV,
** .dat), its size, line count and first lines.
*/
#include "cli.h"

#include "core/error.h"
#include "core/mem.h"
#include "io/features.h"
#include "io/h5.h"
#include "io/inventory.h"

#ifdef RETAIN_WITH_CUDA
#include "kernels/cuda/device.cuh"
#endif

#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct feature_summary {
    rt_features *f;
    rt_column_stats *stats;
    char problem[1024]; /* why no feature matrix was found */
} feature_summary;

static retain_status feature_stats(rt_features *f, cli_progress *progress,
                                   rt_column_stats **out)
{
    int64_t rows = rt_features_rows(f), cols = rt_features_cols(f);
    int64_t block = (8 << 20) / (cols * 4);
    block = block < 1 ? 1 : block > rows ? (rows ? rows : 1) : block;
    float *buf;
    rt_stats_acc *acc = NULL;
    retain_status s = retain_malloc((size_t)(block * cols) * sizeof *buf, (void **)&buf);
    if (!s)
        s = rt_stats_acc_create(cols, &acc);
    for (int64_t r = 0; !s && r < rows; r += block) {
        int64_t n = rows - r < block ? rows - r : block;
        if (!(s = rt_features_read(f, r, n, buf)))
            rt_stats_acc_add(acc, buf, n);
        cli_progress_report(progress, "reading", r + n, rows);
    }
    if (!s) {
        *out = calloc((size_t)cols, sizeof **out);
        if (!*out)
            s = rt_error(RETAIN_ERR_INTERNAL, "out of memory");
        else
            rt_stats_acc_finish(acc, *out);
    }
    rt_stats_acc_free(acc);
    retain_free(buf);
    return s;
}

static void print_stats_row(const char *name, const char *type, const rt_column_stats *c)
{
    printf("  %-22s %-8s %10lld %8lld %12.6g %12.6g %12.6g %12.6g\n", name, type,
           (long long)c->nan, (long long)c->inf, c->min, c->mean, c->max, c->std);
}

static void json_stats(cli_json *j, const rt_column_stats *c)
{
    json_int(j, "nan", c->nan);
    json_int(j, "inf", c->inf);
    json_double(j, "min", c->min);
    json_double(j, "mean", c->mean);
    json_double(j, "max", c->max);
    json_double(j, "std", c->std);
}

static void print_text(const char *path, const rt_inventory *inv, const feature_summary *fs)
{
    char size[32];
    printf("%s  (%s, HDF5)\n\n", path, rt_mem_format(inv->file_bytes, size, sizeof size));
    if (fs->f) {
        rt_features *f = fs->f;
        printf("features: %s (%s), %lld rows x %lld columns%s%s\n", rt_features_source(f),
               rt_features_layout_name(rt_features_layout(f)), (long long)rt_features_rows(f),
               (long long)rt_features_cols(f),
               rt_features_has_user_ids(f) ? ", user ids " : "",
               rt_features_has_user_ids(f)
                   ? (rt_features_user_ids_are_strings(f) ? "(strings)" : "(integers)")
                   : "");
        printf("  %-22s %-8s %10s %8s %12s %12s %12s %12s\n", "column", "type", "nan", "inf",
               "min", "mean", "max", "std");
        for (int64_t c = 0; c < rt_features_cols(f); c++)
            print_stats_row(rt_features_names(f)[c], rt_features_column_type(f, c),
                            &fs->stats[c]);
    } else {
        printf("features: none found: %s\n", fs->problem);
    }
    printf("\ndatasets:\n  %-26s %-16s %-10s %-14s %-18s %10s\n", "path", "shape", "type",
           "chunks", "filters", "stored");
    for (int64_t i = 0; i < inv->count; i++) {
        const rt_dataset_info *d = &inv->datasets[i];
        char shape[64] = "", chunk[64] = "-", stored[32];
        size_t used = 0;
        int rank = d->rank < 8 ? d->rank : 8;
        for (int r = 0; r < rank && used < sizeof shape; r++)
            used += (size_t)snprintf(shape + used, sizeof shape - used, r ? " x %lld" : "%lld",
                                     (long long)d->dims[r]);
        if (d->rank > 8 && used < sizeof shape)
            snprintf(shape + used, sizeof shape - used, " x ...");
        if (d->rank == 0)
            snprintf(shape, sizeof shape, "scalar");
        if (d->chunk[0]) {
            used = 0;
            for (int r = 0; r < rank && used < sizeof chunk; r++)
                used += (size_t)snprintf(chunk + used, sizeof chunk - used,
                                         r ? " x %lld" : "%lld", (long long)d->chunk[r]);
        }
        printf("  %-26s %-16s %-10s %-14s %-18s %10s", d->path, shape, d->type, chunk,
               d->filters[0] ? d->filters : "-",
               rt_mem_format(d->storage_bytes, stored, sizeof stored));
        if (d->has_stats && d->stats_cols == 1)
            printf("   nan %lld, inf %lld, min %.6g, mean %.6g, max %.6g", (long long)d->stats[0].nan,
                   (long long)d->stats[0].inf, d->stats[0].min, d->stats[0].mean,
                   d->stats[0].max);
        else if (d->has_stats) {
            int64_t nan = 0, inf = 0;
            for (int64_t c = 0; c < d->stats_cols; c++)
                nan += d->stats[c].nan, inf += d->stats[c].inf;
            printf("   nan %lld, inf %lld", (long long)nan, (long long)inf);
        }
        if (d->note[0])
            printf("\n    %s", d->note);
        printf("\n");
    }
}

static void print_json(const char *path, const rt_inventory *inv, const feature_summary *fs)
{
    cli_json j;
    json_begin(&j, stdout);
    json_string(&j, "command", "info");
    json_string(&j, "file", path);
    json_string(&j, "format", "hdf5");
    json_int(&j, "bytes", inv->file_bytes);
    if (fs->f) {
        rt_features *f = fs->f;
        json_object(&j, "features");
        json_string(&j, "source", rt_features_source(f));
        json_string(&j, "layout", rt_features_layout_name(rt_features_layout(f)));
        json_int(&j, "rows", rt_features_rows(f));
        json_int(&j, "cols", rt_features_cols(f));
        json_array(&j, "columns");
        for (int64_t c = 0; c < rt_features_cols(f); c++) {
            json_object(&j, NULL);
            json_string(&j, "name", rt_features_names(f)[c]);
            json_string(&j, "type", rt_features_column_type(f, c));
            json_stats(&j, &fs->stats[c]);
            json_object_end(&j);
        }
        json_array_end(&j);
        json_object_end(&j);
    } else {
        json_string(&j, "features_problem", fs->problem);
    }
    json_array(&j, "datasets");
    for (int64_t i = 0; i < inv->count; i++) {
        const rt_dataset_info *d = &inv->datasets[i];
        json_object(&j, NULL);
        json_string(&j, "path", d->path);
        int rank = d->rank < 8 ? d->rank : 8;
        json_array(&j, "shape");
        for (int r = 0; r < rank; r++)
            json_int(&j, NULL, d->dims[r]);
        json_array_end(&j);
        json_int(&j, "rank", d->rank);
        json_string(&j, "type", d->type);
        json_array(&j, "chunks");
        for (int r = 0; r < rank && d->chunk[0]; r++)
            json_int(&j, NULL, d->chunk[r]);
        json_array_end(&j);
        json_string(&j, "filters", d->filters);
        json_int(&j, "stored_bytes", d->storage_bytes);
        if (d->note[0])
            json_string(&j, "note", d->note);
        if (d->has_stats) {
            json_array(&j, "columns");
            for (int64_t c = 0; c < d->stats_cols; c++) {
                json_object(&j, NULL);
                json_stats(&j, &d->stats[c]);
                json_object_end(&j);
            }
            json_array_end(&j);
        }
        json_object_end(&j);
    }
    json_array_end(&j);
    json_end(&j);
}

/* Text files: size, lines and the first few lines. */
static int describe_text(const cli_command *cmd, const cli_common *common, const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        rt_error(RETAIN_ERR_IO, "%s: cannot open", path);
        return cli_fail(cmd, common, RETAIN_ERR_IO);
    }
    char buf[1 << 16], head[3][256] = {{0}};
    int64_t bytes = 0, lines = 0;
    size_t n, hn = 0;
    bool binary = false;
    int hl = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        for (size_t i = 0; i < n; i++) {
            if (buf[i] == '\0')
                binary = true;
            if (hl < 3 && buf[i] != '\n' && buf[i] != '\r' && hn < sizeof head[0] - 1)
                head[hl][hn++] = buf[i];
            if (buf[i] == '\n') {
                lines++;
                if (hl < 3)
                    hl++, hn = 0;
            }
        }
        bytes += (int64_t)n;
        if (binary)
            break;
    }
    fclose(in);
    if (binary) {
        rt_error(RETAIN_ERR_DATA, "%s: neither HDF5 nor text; give an .h5, .csv or .dat file",
                 path);
        return cli_fail(cmd, common, RETAIN_ERR_DATA);
    }
    if (bytes > 0 && (hl < 3 ? hn > 0 : 0))
        lines++;
    if (common->json) {
        cli_json j;
        json_begin(&j, stdout);
        json_string(&j, "command", "info");
        json_string(&j, "file", path);
        json_string(&j, "format", "text");
        json_int(&j, "bytes", bytes);
        json_int(&j, "lines", lines);
        json_array(&j, "head");
        for (int i = 0; i < 3 && head[i][0]; i++)
            json_string(&j, NULL, head[i]);
        json_array_end(&j);
        json_end(&j);
    } else {
        char size[32];
        printf("%s  (%s, text, %lld lines)\n", path, rt_mem_format(bytes, size, sizeof size),
               (long long)lines);
        for (int i = 0; i < 3 && head[i][0]; i++)
            printf("  %s\n", head[i]);
    }
    return 0;
}

/* One line on the CUDA devices this build can use. */
static void describe_gpu(char *buf, size_t cap)
{
#ifdef RETAIN_WITH_CUDA
    int count;
    char name[160];
    if (rt_cuda_probe(&count, name, sizeof name) == RETAIN_OK)
        snprintf(buf, cap, "%d CUDA device%s, first: %s", count, count == 1 ? "" : "s", name);
    else
        snprintf(buf, cap, "none usable (%s)", retain_last_error());
#else
    snprintf(buf, cap, "not built (configure with -DRETAIN_CUDA=ON and nvcc present)");
#endif
}

int cmd_info(int argc, char **argv)
{
    cli_common common = {0};
    rt_features_spec spec = {0};
    int64_t max_cols = 4096;
    cli_opt opts[] = {
        {"dataset", 0, CLI_STRING, &spec.dataset, "PATH", "feature dataset or group "
         "(default: /features, else the file's one pandas frame)", 1, 0},
        {"columns", 0, CLI_STRING, &spec.columns, "a,b,c", "feature columns to describe", 1, 0},
        {"max-stat-cols", 0, CLI_INT, &max_cols, "N", "skip statistics for datasets wider "
         "than this", 0, 1e9},
        {0},
    };
    cli_command cmd = {
        "info", "[FILE]",
        "Show what is inside a file, or without a file, how this build was made.",
        "For HDF5: the feature matrix other commands would read, with NaN/Inf counts\n"
        "per column, and every dataset with shape, type, chunks and filters. For text\n"
        "(CSV, .dat): size, line count and the first lines.\n\n"
        "example: retain info users.h5",
        opts, 0, 1};
    const char *pos[1];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    if (npos == 0) {
        char gpu[256];
        describe_gpu(gpu, sizeof gpu);
        if (common.json) {
            cli_json j;
            json_begin(&j, stdout);
            json_string(&j, "version", retain_version());
            json_string(&j, "isa", retain_isa_name());
            json_int(&j, "threads", retain_threads_get());
            json_string(&j, "gpu", gpu);
            json_string(&j, "build", retain_build_info());
            json_end(&j);
        } else {
            printf("%s\ngpu: %s\n", retain_build_info(), gpu);
        }
        return 0;
    }
    const char *path = pos[0];
    rt_h5_quiet();
    FILE *probe = fopen(path, "rb");
    if (probe) {
        fclose(probe);
        if (H5Fis_hdf5(path) <= 0) {
            char sig[8] = {0};
            probe = fopen(path, "rb");
            size_t got = probe ? fread(sig, 1, 8, probe) : 0;
            if (probe)
                fclose(probe);
            if (!(got == 8 && memcmp(sig, "\211HDF\r\n\032\n", 8) == 0))
                return describe_text(&cmd, &common, path);
        }
    }
    cli_progress progress;
    cli_progress_start(&progress, &common);
    feature_summary fs = {0};
    spec.allow_nonfinite = true;
    retain_status s = rt_features_open(path, &spec, &fs.f);
    if (s == RETAIN_OK) {
        s = feature_stats(fs.f, &progress, &fs.stats);
        if (s) {
            cli_progress_finish(&progress);
            rt_features_close(fs.f);
            return cli_fail(&cmd, &common, s);
        }
    } else if (spec.dataset || spec.columns || s == RETAIN_ERR_IO) {
        cli_progress_finish(&progress);
        return cli_fail(&cmd, &common, s);
    } else {
        snprintf(fs.problem, sizeof fs.problem, "%s", retain_last_error());
        char *cut = strstr(fs.problem, " The file holds:");
        if (!cut)
            cut = strstr(fs.problem, "; the file holds:");
        if (cut)
            *cut = '\0';
    }
    rt_inventory inv;
    s = rt_inventory_build(path, max_cols, fs.f ? rt_features_source(fs.f) : NULL,
                           cli_progress_report, &progress, &inv);
    cli_progress_finish(&progress);
    if (s) {
        rt_features_close(fs.f);
        free(fs.stats);
        return cli_fail(&cmd, &common, s);
    }
    if (common.json)
        print_json(path, &inv, &fs);
    else
        print_text(path, &inv, &fs);
    rt_inventory_free(&inv);
    rt_features_close(fs.f);
    free(fs.stats);
    return 0;
}
