/*
** src/cli/cmd_gen_baskets.c: `retain gen baskets`: baskets with planted
** frequent patterns (src/gen/baskets.c), written as HDF5 CSR (/baskets
** indptr, indices, item_names; the truth in /patterns) or as FIMI `.dat`
** text with the truth in a side file OUT.dat.truth.h5. Baskets are made in
** batches of per-stream blocks in parallel and written in order, so memory
** stays bounded and the output is the same bits for any --threads.
*/
#include "cli.h"

#include "core/error.h"
#include "gen/baskets.h"
#include "io/h5write.h"
#include "io/textfmt.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_BYTES (32 << 20)
#define NAME_ROWS 65536

typedef enum out_format { OUT_H5, OUT_DAT } out_format;

typedef struct batch {
    int64_t blocks, rows;   /* capacity: blocks of STREAM_ROWS baskets   */
    int64_t *lengths;       /* rows                                      */
    int32_t *items;         /* blocks x STREAM_ROWS x max_len            */
    int64_t *block_items;   /* ids made per block                        */
    int64_t *indptr;        /* rows, running offsets for HDF5            */
    char *text;             /* .dat lines, per block regions             */
    int64_t text_cap;
    int64_t *text_at, *text_len; /* region start and used bytes per block */
} batch;

static void batch_free(batch *b)
{
    free(b->lengths);
    free(b->items);
    free(b->block_items);
    free(b->indptr);
    free(b->text);
    free(b->text_at);
    free(b->text_len);
}

static retain_status batch_alloc(batch *b, int64_t max_len)
{
    const int64_t stream = RT_GEN_BASKETS_STREAM_ROWS;
    memset(b, 0, sizeof *b);
    b->blocks = BATCH_BYTES / (stream * max_len * 4);
    if (b->blocks < 1)
        b->blocks = 1;
    b->rows = b->blocks * stream;
    b->lengths = malloc((size_t)b->rows * sizeof *b->lengths);
    b->items = malloc((size_t)(b->rows * max_len) * sizeof *b->items);
    b->block_items = malloc((size_t)b->blocks * sizeof *b->block_items);
    b->indptr = malloc((size_t)b->rows * sizeof *b->indptr);
    b->text_at = malloc((size_t)b->blocks * sizeof *b->text_at);
    b->text_len = malloc((size_t)b->blocks * sizeof *b->text_len);
    if (!b->lengths || !b->items || !b->block_items || !b->indptr || !b->text_at ||
        !b->text_len)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for a batch of baskets");
    return RETAIN_OK;
}

static retain_status write_attrs(hid_t obj, const rt_gen_baskets_params *p, int64_t n)
{
    retain_status s;
    if ((s = rt_h5_attr_set_string(obj, "generator", "retain gen baskets")) ||
        (s = rt_h5_attr_set_string(obj, "engine_version", retain_version())) ||
        (s = rt_h5_attr_set_int64(obj, "seed", (int64_t)p->seed)) ||
        (s = rt_h5_attr_set_int64(obj, "baskets", n)) ||
        (s = rt_h5_attr_set_int64(obj, "items", p->items)) ||
        (s = rt_h5_attr_set_double(obj, "avg_len", p->avg_len)) ||
        (s = rt_h5_attr_set_int64(obj, "patterns", p->patterns)) ||
        (s = rt_h5_attr_set_double(obj, "pattern_len", p->pattern_len)) ||
        (s = rt_h5_attr_set_double(obj, "corruption", p->corruption)) ||
        (s = rt_h5_attr_set_double(obj, "noise", p->noise)) ||
        (s = rt_h5_attr_set_string(obj, "model",
                                   "IBM Quest (Agrawal and Srikant 1994): basket length "
                                   "1 + Poisson(avg_len - 1); items from patterns picked "
                                   "by weight, each losing items while U < corruption, "
                                   "or with probability noise one item by Zipf "
                                   "popularity; ids 0-based, sorted, distinct")))
        return s;
    return RETAIN_OK;
}

/* /patterns: the planted truth. */
static retain_status write_patterns(hid_t file, const rt_gen_baskets *g, int64_t npat)
{
    const int64_t *indptr = rt_gen_baskets_pattern_indptr(g);
    retain_status s;
    if ((s = rt_h5_write_vector(file, "/patterns/indptr", H5T_STD_I64LE, H5T_NATIVE_INT64,
                                npat + 1, indptr)) ||
        (s = rt_h5_write_vector(file, "/patterns/indices", H5T_STD_I32LE, H5T_NATIVE_INT32,
                                indptr[npat], rt_gen_baskets_pattern_items(g))) ||
        (s = rt_h5_write_vector(file, "/patterns/weight", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                npat, rt_gen_baskets_pattern_weights(g))) ||
        (s = rt_h5_write_vector(file, "/patterns/corruption", H5T_IEEE_F64LE,
                                H5T_NATIVE_DOUBLE, npat,
                                rt_gen_baskets_pattern_corruption(g))))
        return s;
    return RETAIN_OK;
}

static retain_status write_item_names(hid_t file, int64_t items)
{
    hid_t d;
    retain_status s = rt_h5_strings_create(file, "/baskets/item_names", items, &d);
    if (s)
        return s;
    int width = 1;
    for (int64_t v = items - 1; v >= 10; v /= 10)
        width++;
    width = width < 4 ? 4 : width;
    char *text = malloc((size_t)NAME_ROWS * 16);
    const char **names = malloc((size_t)NAME_ROWS * sizeof *names);
    if (!text || !names)
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for item names");
    for (int64_t first = 0; !s && first < items; first += NAME_ROWS) {
        int64_t n = items - first < NAME_ROWS ? items - first : NAME_ROWS;
        for (int64_t i = 0; i < n; i++) {
            snprintf(text + i * 16, 16, "item_%0*lld", width, (long long)(first + i));
            names[i] = text + i * 16;
        }
        s = rt_h5_write_string_rows(d, first, n, names);
    }
    free(text);
    free(names);
    if (H5Dclose(d) < 0 && !s)
        s = rt_error(RETAIN_ERR_IO, "cannot write dataset /baskets/item_names");
    return s;
}

/* Makes baskets [first, first + n) into the batch, in parallel by block. */
static void make_batch(const rt_gen_baskets *g, batch *b, int64_t first, int64_t n)
{
    const int64_t stream = RT_GEN_BASKETS_STREAM_ROWS, max_len = rt_gen_baskets_max_len(g);
    int64_t blocks = (n + stream - 1) / stream;
#pragma omp parallel for schedule(dynamic)
    for (int64_t k = 0; k < blocks; k++) {
        int64_t r0 = k * stream, m = n - r0 < stream ? n - r0 : stream;
        b->block_items[k] = rt_gen_baskets_block(g, first + r0, m, b->lengths + r0,
                                                 b->items + r0 * max_len);
    }
}

/* Formats the batch as FIMI lines, each block into its own text region. */
static retain_status format_batch(const rt_gen_baskets *g, batch *b, int64_t n)
{
    const int64_t stream = RT_GEN_BASKETS_STREAM_ROWS, max_len = rt_gen_baskets_max_len(g);
    int64_t blocks = (n + stream - 1) / stream, need = 0;
    for (int64_t k = 0; k < blocks; k++) {
        b->text_at[k] = need;
        need += b->block_items[k] * 11 + stream;
    }
    if (need > b->text_cap) {
        char *t = realloc(b->text, (size_t)need);
        if (!t)
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld bytes of text",
                            (long long)need);
        b->text = t;
        b->text_cap = need;
    }
#pragma omp parallel for schedule(dynamic)
    for (int64_t k = 0; k < blocks; k++) {
        int64_t r0 = k * stream, m = n - r0 < stream ? n - r0 : stream;
        const int32_t *ids = b->items + r0 * max_len;
        char *p = b->text + b->text_at[k];
        for (int64_t i = 0; i < m; i++) {
            for (int64_t j = 0; j < b->lengths[r0 + i]; j++) {
                if (j)
                    *p++ = ' ';
                p = rt_put_uint(p, (uint64_t)*ids++);
            }
            *p++ = '\n';
        }
        b->text_len[k] = p - (b->text + b->text_at[k]);
    }
    return RETAIN_OK;
}

typedef struct h5_sink {
    hid_t file, indptr, indices;
    int64_t offset; /* ids written so far */
} h5_sink;

static retain_status write_batch_h5(const rt_gen_baskets *g, batch *b, h5_sink *o,
                                    int64_t first, int64_t n)
{
    const int64_t stream = RT_GEN_BASKETS_STREAM_ROWS, max_len = rt_gen_baskets_max_len(g);
    int64_t blocks = (n + stream - 1) / stream, packed = 0;
    for (int64_t k = 0; k < blocks; k++) {
        memmove(b->items + packed, b->items + k * stream * max_len,
                (size_t)b->block_items[k] * sizeof *b->items);
        packed += b->block_items[k];
    }
    for (int64_t i = 0; i < n; i++) {
        o->offset += b->lengths[i];
        b->indptr[i] = o->offset;
    }
    retain_status s;
    if ((s = rt_h5_append(o->indices, H5T_NATIVE_INT32, packed, b->items)) ||
        (s = rt_h5_write_rows(o->indptr, H5T_NATIVE_INT64, first + 1, n, 0, b->indptr)))
        return s;
    return RETAIN_OK;
}

static retain_status write_batch_dat(batch *b, FILE *f, int64_t n)
{
    int64_t blocks = (n + RT_GEN_BASKETS_STREAM_ROWS - 1) / RT_GEN_BASKETS_STREAM_ROWS;
    for (int64_t k = 0; k < blocks; k++)
        if (fwrite(b->text + b->text_at[k], 1, (size_t)b->text_len[k], f) !=
            (size_t)b->text_len[k])
            return rt_error(RETAIN_ERR_IO, "write failed (disk full?)");
    return RETAIN_OK;
}

/* The truth file for .dat output: /patterns and the parameters. */
static retain_status write_truth_file(const char *path, const rt_gen_baskets_params *p,
                                      const rt_gen_baskets *g, int64_t n)
{
    hid_t file;
    retain_status s = rt_h5_create(path, &file);
    if (s)
        return s;
    if (!(s = write_patterns(file, g, p->patterns)))
        s = write_attrs(file, p, n);
    return rt_h5_close_file(file, path, s);
}

static retain_status generate(const rt_gen_baskets_params *p, const rt_gen_baskets *g,
                              int64_t n, out_format format, const char *path, FILE *text,
                              int gzip, cli_progress *progress, int64_t *nnz)
{
    batch b;
    h5_sink o = {H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, 0};
    retain_status s = batch_alloc(&b, rt_gen_baskets_max_len(g));
    if (!s && format == OUT_H5) {
        int64_t zero = 0;
        if (!(s = rt_h5_create(path, &o.file)) &&
            !(s = rt_h5_dataset_create(o.file, "/baskets/indptr", H5T_STD_I64LE, n + 1, 0,
                                       gzip, &o.indptr)) &&
            !(s = rt_h5_dataset_create_growing(o.file, "/baskets/indices", H5T_STD_I32LE,
                                               gzip, &o.indices)) &&
            !(s = rt_h5_write_rows(o.indptr, H5T_NATIVE_INT64, 0, 1, 0, &zero)) &&
            !(s = write_item_names(o.file, p->items)) &&
            !(s = write_patterns(o.file, g, p->patterns)))
            s = write_attrs(o.file, p, n);
    }
    *nnz = 0;
    for (int64_t first = 0; !s && first < n; first += b.rows) {
        int64_t m = n - first < b.rows ? n - first : b.rows;
        make_batch(g, &b, first, m);
        for (int64_t k = 0; k < (m + RT_GEN_BASKETS_STREAM_ROWS - 1) / RT_GEN_BASKETS_STREAM_ROWS; k++)
            *nnz += b.block_items[k];
        if (format == OUT_H5)
            s = write_batch_h5(g, &b, &o, first, m);
        else if (!(s = format_batch(g, &b, m)))
            s = write_batch_dat(&b, text, m);
        cli_progress_report(progress, "gen baskets", first + m, n);
    }
    if (o.indptr >= 0 && H5Dclose(o.indptr) < 0 && !s)
        s = rt_error(RETAIN_ERR_IO, "cannot write dataset /baskets/indptr");
    if (o.indices >= 0 && H5Dclose(o.indices) < 0 && !s)
        s = rt_error(RETAIN_ERR_IO, "cannot write dataset /baskets/indices");
    if (o.file >= 0)
        s = rt_h5_close_file(o.file, path, s);
    batch_free(&b);
    return s;
}

/* What cli_write_outputs passes back to the writers. */
typedef struct run {
    const rt_gen_baskets_params *p;
    rt_gen_baskets *g;
    int64_t n;
    out_format format;
    int gzip;
    cli_progress progress;
    int64_t nnz;
} run;

static retain_status run_data(void *ctx, const char *tmp_path, FILE *text)
{
    run *r = ctx;
    return generate(r->p, r->g, r->n, r->format, tmp_path, text, r->gzip, &r->progress,
                    &r->nnz);
}

static retain_status run_truth(void *ctx, const char *tmp_path)
{
    run *r = ctx;
    return write_truth_file(tmp_path, r->p, r->g, r->n);
}

int cmd_gen_baskets(int argc, char **argv)
{
    rt_gen_baskets_params p;
    rt_gen_baskets_params_init(&p);
    cli_common common = {.seed = (int64_t)p.seed};
    const char *output = NULL;
    int64_t n = 100000, gzip = 0;
    cli_opt opts[] = {
        {"baskets", 'n', CLI_INT, &n, "N", "baskets to generate", 1, 1e11},
        {"items", 0, CLI_INT, &p.items, "N", "item catalogue size (ids 0..N-1)", 2, 1e7},
        {"avg-len", 0, CLI_DOUBLE, &p.avg_len, "T", "mean basket length; lengths are "
         "1 + Poisson(T - 1)", 1, 10000},
        {"patterns", 0, CLI_INT, &p.patterns, "P", "planted frequent patterns", 1, 1e6},
        {"pattern-len", 0, CLI_DOUBLE, &p.pattern_len, "I", "mean pattern length; lengths "
         "are 2 + Poisson(I - 2)", 2, 1000},
        {"corruption", 0, CLI_DOUBLE, &p.corruption, "C", "mean corruption level: a "
         "pattern loses items while a uniform draw is below its level", 0, 0.9},
        {"noise", 0, CLI_DOUBLE, &p.noise, "S", "share of basket picks that are single "
         "random items (Zipf popularity) instead of patterns", 0, 1},
        {"compress", 0, CLI_INT, &gzip, "LEVEL", "gzip level 1-9 with shuffle for HDF5 "
         "output (0: none)", 0, 9},
        {"output", 'o', CLI_STRING, &output, "OUT.h5|OUT.dat", "output file (required); "
         "the suffix picks the format", 1, 0},
        {0},
    };
    cli_command cmd = {
        "gen baskets", "-n BASKETS -o OUT.h5|OUT.dat",
        "Generate market baskets with planted frequent patterns (IBM Quest model).",
        "OUT.h5: /baskets/indptr (int64, n+1), /baskets/indices (int32 item ids,\n"
        "0-based, sorted and distinct within a basket) and /baskets/item_names\n"
        "(item_0000, ...): the CSR layout scipy writes. The truth is in /patterns\n"
        "(indptr, indices, weight: each pattern's share of pattern picks,\n"
        "corruption), the parameters and seed are root attributes.\n"
        "OUT.dat: FIMI text, one basket per line, ids separated by single spaces;\n"
        "the truth and parameters go to OUT.dat.truth.h5 (same /patterns layout).\n"
        "Memory stays at about 32 MiB whatever -n is.\n\n"
        "example: retain gen baskets -n 1M --items 5000 --avg-len 12 -o baskets.h5",
        opts, 0, 0};
    const char *pos[1];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    bool is_text;
    if ((rc = cli_output_kind(&cmd, &common, output, ".dat", "FIMI text", gzip, &is_text)))
        return rc;
    out_format format = is_text ? OUT_DAT : OUT_H5;
    if (p.avg_len > (double)p.items)
        return cli_usage_error(&cmd, &common, "--avg-len %g is more than --items %lld; "
                               "a basket holds distinct items", p.avg_len, (long long)p.items);
    if (p.pattern_len > (double)p.items)
        return cli_usage_error(&cmd, &common, "--pattern-len %g is more than --items %lld",
                               p.pattern_len, (long long)p.items);
    p.seed = (uint64_t)common.seed;

    double t0 = rt_seconds();
    run r = {&p, NULL, n, format, (int)gzip, {0}, 0};
    retain_status s = rt_gen_baskets_create(&p, &r.g);
    if (s)
        return cli_fail(&cmd, &common, s);
    char truth_path[PATH_MAX];
    cli_progress_start(&r.progress, &common);
    s = cli_write_outputs(output, is_text, run_data, run_truth, &r, truth_path,
                          sizeof truth_path);
    cli_progress_finish(&r.progress);
    rt_gen_baskets_free(r.g);
    if (s)
        return cli_fail(&cmd, &common, s);
    int64_t nnz = r.nnz;
    double seconds = rt_seconds() - t0, mean = (double)nnz / (double)n;
    if (common.json) {
        cli_json j;
        json_begin(&j, stdout);
        json_string(&j, "command", "gen baskets");
        json_string(&j, "output", output);
        json_string(&j, "format", format == OUT_H5 ? "hdf5" : "dat");
        json_string(&j, "truth", format == OUT_H5 ? output : truth_path);
        json_int(&j, "baskets", n);
        json_int(&j, "item_occurrences", nnz);
        json_double(&j, "mean_length", mean);
        json_int(&j, "items", p.items);
        json_int(&j, "patterns", p.patterns);
        json_double(&j, "avg_len", p.avg_len);
        json_double(&j, "pattern_len", p.pattern_len);
        json_double(&j, "corruption", p.corruption);
        json_double(&j, "noise", p.noise);
        json_int(&j, "seed", (int64_t)p.seed);
        json_double(&j, "seconds", seconds);
        json_double(&j, "baskets_per_second", seconds > 0 ? (double)n / seconds : 0.0);
        json_end(&j);
    } else if (!common.quiet) {
        printf("wrote %s: %lld baskets, %lld item occurrences (mean length %.2f), %lld "
               "items, %lld planted patterns%s%s, %.2f s\n",
               output, (long long)n, (long long)nnz, mean, (long long)p.items,
               (long long)p.patterns, format == OUT_DAT ? " in " : "",
               format == OUT_DAT ? truth_path : "", seconds);
    }
    return 0;
}
