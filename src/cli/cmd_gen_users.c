/*
** src/cli/cmd_gen_users.c: `retain gen users`: writes a synthetic users file
** (/features, /user_id, /segment_true, /churned with the true churn model as
** attributes) in batches of rows, so memory stays bounded whatever -n is.
** Batches are generated in parallel from per-block random streams
** (src/gen/users.c) and written in order.
*/
#include "cli.h"

#include "core/error.h"
#include "gen/users.h"
#include "io/atomic.h"
#include "io/h5write.h"

#include <stdlib.h>
#include <string.h>

#define BATCH_BYTES (32 << 20)

typedef struct users_out {
    hid_t file, features, ids, segments, churned;
} users_out;

static retain_status create_datasets(users_out *o, const rt_gen_users_params *p,
                                     const rt_gen_users *g, int gzip)
{
    retain_status s;
    if ((s = rt_h5_dataset_create(o->file, "/features", H5T_IEEE_F32LE, p->n, p->d, gzip,
                                  &o->features)) ||
        (s = rt_h5_dataset_create(o->file, "/user_id", H5T_STD_I64LE, p->n, 0, gzip,
                                  &o->ids)) ||
        (s = rt_h5_dataset_create(o->file, "/segment_true", H5T_STD_I32LE, p->n, 0, gzip,
                                  &o->segments)) ||
        (s = rt_h5_dataset_create(o->file, "/churned", H5T_STD_I8LE, p->n, 0, gzip,
                                  &o->churned)))
        return s;
    const char *const *names = rt_gen_users_names(g);
    if ((s = rt_h5_attr_set_strings(o->features, "feature_names", p->d, names)) ||
        (s = rt_h5_attr_set_double(o->churned, "intercept", rt_gen_users_intercept(g))) ||
        (s = rt_h5_attr_set_doubles(o->churned, "coef", p->d, rt_gen_users_coef(g))) ||
        (s = rt_h5_attr_set_strings(o->churned, "coef_names", p->d, names)) ||
        (s = rt_h5_attr_set_string(o->churned, "model",
                                   "P(churned = 1) = 1 / (1 + exp(-(intercept + "
                                   "sum_j coef[j] * features[:, j])))")) ||
        (s = rt_h5_attr_set_doubles(o->segments, "weights", p->k, rt_gen_users_weights(g))) ||
        (s = rt_h5_attr_set_double(o->segments, "separation", p->separation)) ||
        (s = rt_h5_attr_set_string(o->file, "generator", "retain gen users")) ||
        (s = rt_h5_attr_set_string(o->file, "engine_version", retain_version())) ||
        (s = rt_h5_attr_set_int64(o->file, "seed", (int64_t)p->seed)) ||
        (s = rt_h5_attr_set_int64(o->file, "segments", p->k)) ||
        (s = rt_h5_attr_set_string(o->file, "shape", p->gaussian ? "gaussian" : "realistic")))
        return s;
    return RETAIN_OK;
}

static void close_datasets(users_out *o)
{
    hid_t *all[4] = {&o->features, &o->ids, &o->segments, &o->churned};
    for (int i = 0; i < 4; i++)
        if (*all[i] >= 0) {
            H5Dclose(*all[i]);
            *all[i] = H5I_INVALID_HID;
        }
}

static retain_status write_users(const rt_gen_users_params *p, const rt_gen_users *g,
                                 const char *path, int gzip, cli_progress *progress,
                                 int64_t *churners)
{
    users_out o = {H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID,
                   H5I_INVALID_HID};
    const int64_t stream = RT_GEN_USERS_STREAM_ROWS;
    int64_t batch = BATCH_BYTES / (p->d * 4) / stream * stream;
    if (batch < stream)
        batch = stream;
    float *x = malloc((size_t)(batch * p->d) * sizeof *x);
    int64_t *ids = malloc((size_t)batch * sizeof *ids);
    int32_t *seg = malloc((size_t)batch * sizeof *seg);
    int8_t *churn = malloc((size_t)batch);
    retain_status s = (!x || !ids || !seg || !churn)
                          ? rt_error(RETAIN_ERR_INTERNAL, "out of memory for a batch of rows")
                          : rt_h5_create(path, &o.file);
    if (!s)
        s = create_datasets(&o, p, g, gzip);
    *churners = 0;
    for (int64_t first = 0; !s && first < p->n; first += batch) {
        int64_t n = p->n - first < batch ? p->n - first : batch;
        int64_t blocks = (n + stream - 1) / stream;
#pragma omp parallel for schedule(dynamic)
        for (int64_t b = 0; b < blocks; b++) {
            int64_t r0 = b * stream, m = n - r0 < stream ? n - r0 : stream;
            rt_gen_users_block(g, first + r0, m, x + r0 * p->d, seg + r0, churn + r0);
            for (int64_t i = 0; i < m; i++)
                ids[r0 + i] = first + r0 + i + 1;
        }
        for (int64_t i = 0; i < n; i++)
            *churners += churn[i];
        if ((s = rt_h5_write_rows(o.features, H5T_NATIVE_FLOAT, first, n, p->d, x)) ||
            (s = rt_h5_write_rows(o.ids, H5T_NATIVE_INT64, first, n, 0, ids)) ||
            (s = rt_h5_write_rows(o.segments, H5T_NATIVE_INT32, first, n, 0, seg)) ||
            (s = rt_h5_write_rows(o.churned, H5T_NATIVE_INT8, first, n, 0, churn)))
            break;
        cli_progress_report(progress, "gen users", first + n, p->n);
    }
    close_datasets(&o);
    if (o.file >= 0)
        s = rt_h5_close_file(o.file, path, s);
    free(x);
    free(ids);
    free(seg);
    free(churn);
    return s;
}

int cmd_gen_users(int argc, char **argv)
{
    rt_gen_users_params p;
    rt_gen_users_params_init(&p);
    cli_common common = {.seed = (int64_t)p.seed};
    const char *output = NULL, *shape = "realistic";
    int64_t gzip = 0;
    cli_opt opts[] = {
        {"rows", 'n', CLI_INT, &p.n, "N", "users (rows) to generate", 1, 1e12},
        {"dims", 'd', CLI_INT, &p.d, "D", "feature columns: the first 10 are named "
         "(recency_days, frequency, monetary, ...), the rest behaviour_NN", 1, 100000},
        {"segments", 'k', CLI_INT, &p.k, "K", "true segments in the mixture", 1, 100000},
        {"separation", 0, CLI_DOUBLE, &p.separation, "S", "least distance between segment "
         "centres in within-segment standard deviations (8+: well separated)", 0, 1000},
        {"churn-rate", 0, CLI_DOUBLE, &p.churn_rate, "R", "share of churners the "
         "intercept aims at", 1e-6, 1 - 1e-6},
        {"shape", 0, CLI_STRING, &shape, "realistic|gaussian", "skewed columns in "
         "realistic units, or linear columns that keep segments Gaussian", 1, 0},
        {"compress", 0, CLI_INT, &gzip, "LEVEL", "gzip level 1-9 with shuffle (0: none)", 0, 9},
        {"output", 'o', CLI_STRING, &output, "FILE.h5", "output file (required)", 1, 0},
        {0},
    };
    cli_command cmd = {
        "gen users", "-n ROWS -d DIMS -k SEGMENTS -o FILE.h5",
        "Generate a customer feature matrix with known segments and a known churn model.",
        "Writes /features (float32, rows x dims, feature_names attribute), /user_id\n"
        "(int64, 1..n), /segment_true (int32, the true segment) and /churned (int8,\n"
        "drawn from the logistic model stored in its attributes intercept, coef\n"
        "and coef_names). Memory stays at about 32 MiB whatever the row count.\n\n"
        "example: retain gen users -n 1M -d 16 -k 6 --separation 8 -o users.h5",
        opts, 0, 0};
    const char *pos[1];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    if (!output)
        return cli_usage_error(&cmd, &common, "no output file: give -o FILE.h5");
    if (!cli_has_suffix(output, ".h5") && !cli_has_suffix(output, ".hdf5"))
        return cli_usage_error(&cmd, &common, "-o %s: the output is HDF5; name it .h5 or .hdf5",
                               output);
    if (strcmp(shape, "realistic") && strcmp(shape, "gaussian"))
        return cli_usage_error(&cmd, &common, "--shape must be realistic or gaussian, got '%s'",
                               shape);
    p.gaussian = strcmp(shape, "gaussian") == 0;
    p.seed = (uint64_t)common.seed;
    if (p.k > p.n)
        return cli_usage_error(&cmd, &common, "-k %lld is more segments than rows (-n %lld)",
                               (long long)p.k, (long long)p.n);

    double t0 = rt_seconds();
    rt_gen_users *g;
    retain_status s = rt_gen_users_create(&p, &g);
    if (s)
        return cli_fail(&cmd, &common, s);
    rt_output out;
    if ((s = rt_output_begin(&out, output, NULL, 0))) {
        rt_gen_users_free(g);
        return cli_fail(&cmd, &common, s);
    }
    cli_progress progress;
    cli_progress_start(&progress, &common);
    int64_t churners = 0;
    s = write_users(&p, g, out.tmp_path, (int)gzip, &progress, &churners);
    cli_progress_finish(&progress);
    s = s ? (rt_output_abort(&out), s) : rt_output_commit(&out);
    if (s) {
        rt_gen_users_free(g);
        return cli_fail(&cmd, &common, s);
    }
    double seconds = rt_seconds() - t0, rate = (double)churners / (double)p.n;
    if (common.json) {
        cli_json j;
        json_begin(&j, stdout);
        json_string(&j, "command", "gen users");
        json_string(&j, "output", output);
        json_int(&j, "rows", p.n);
        json_int(&j, "cols", p.d);
        json_int(&j, "segments", p.k);
        json_int(&j, "seed", (int64_t)p.seed);
        json_double(&j, "separation", p.separation);
        json_string(&j, "shape", shape);
        json_double(&j, "churn_rate", rate);
        json_double(&j, "churn_intercept", rt_gen_users_intercept(g));
        json_array(&j, "churn_coef");
        for (int64_t c = 0; c < p.d; c++)
            json_double(&j, NULL, rt_gen_users_coef(g)[c]);
        json_array_end(&j);
        json_double(&j, "seconds", seconds);
        json_end(&j);
    } else if (!common.quiet) {
        printf("wrote %s: %lld users x %lld features, %lld segments, churn rate %.3f "
               "(aimed at %.3f), %.2f s\n",
               output, (long long)p.n, (long long)p.d, (long long)p.k, rate, p.churn_rate,
               seconds);
    }
    rt_gen_users_free(g);
    return 0;
}
