/*
** src/cli/cmd_kmeans_sweep.c: `retain kmeans sweep FILE -k LO:HI`: reads the
** features once, fits k-means for every k of the range as `kmeans fit`
** would with the same options and seed, scores each model with
** retain_kmeans_evaluate (silhouette on a seeded sample, Calinski-Harabasz,
** Davies-Bouldin; src/kmeans/metrics.c) and prints a table, or --json, with
** two suggested k: the best silhouette, and the elbow of the inertia curve.
*/
#include "cli.h"

#include "core/error.h"
#include "io/features.h"
#include "kmeans/kmeans.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ELBOW_RULE                                                                        \
    "the k farthest below the line joining the first and last points of the inertia "    \
    "curve, both axes scaled to [0, 1]"

typedef struct sweep_row {
    int64_t k, n_iter;
    bool converged;
    double inertia, seconds;
    retain_kmeans_metrics metrics;
} sweep_row;

/* The fit's progress, its phase prefixed with the k being fitted. */
typedef struct sweep_progress {
    cli_progress bar;
    int64_t k, index, count;
    char phase[64];
} sweep_progress;

static void report_fit(void *user, const char *phase, int64_t done, int64_t total)
{
    sweep_progress *sp = user;
    snprintf(sp->phase, sizeof sp->phase, "k=%lld (%lld/%lld) %s", (long long)sp->k,
             (long long)sp->index + 1, (long long)sp->count, phase);
    cli_progress_report(&sp->bar, sp->phase, done, total);
}

/* -k "LO:HI", 1 <= LO <= HI <= INT32_MAX; 0 or a usage exit code. */
static int parse_range(const cli_command *cmd, const cli_common *common, const char *text,
                       int64_t *lo, int64_t *hi)
{
    if (!text)
        return cli_usage_error(cmd, common, "-k is missing: give the segments to try as "
                               "LO:HI, e.g. -k 2:16");
    char *end;
    errno = 0;
    long long a = strtoll(text, &end, 10);
    bool ok = end != text && *end == ':' && !errno;
    const char *second = end + 1;
    long long b = ok ? strtoll(second, &end, 10) : 0;
    if (!ok || end == second || *end || errno)
        return cli_usage_error(cmd, common, "-k %s: expected LO:HI, two whole numbers of "
                               "segments, e.g. -k 2:16", text);
    if (a < 1)
        return cli_usage_error(cmd, common, "-k %s: the range must start at 1 or more "
                               "segments, e.g. -k 2:16", text);
    if (b < a)
        return cli_usage_error(cmd, common, "-k %s: LO is above HI; write the smaller "
                               "number first: -k %lld:%lld", text, b, a);
    if (b > INT32_MAX)
        return cli_usage_error(cmd, common, "-k %s: at most %d segments", text, INT32_MAX);
    *lo = a;
    *hi = b;
    return 0;
}

/* The --scale names of `kmeans fit`; 0 or a usage exit code. */
/* RETAIN_ERR_DATA unless x has at least `hi` distinct rows, checked before
** any fit so a sweep does not fail after its first fits. */
static retain_status check_distinct(const char *input, const retain_matrix_owned *x,
                                    int64_t lo, int64_t hi)
{
    rt_kmeans_data data = {x->data, x->rows, x->cols, x->cols, NULL};
    int64_t distinct;
    retain_status s = rt_kmeans_count_distinct(&data, hi, &distinct);
    if (s || distinct >= hi)
        return s;
    if (distinct < lo)
        return rt_error(RETAIN_ERR_DATA, "%s: -k %lld:%lld asks for %lld or more segments but "
                        "the data has only %lld distinct rows; use -k 1:%lld or fewer",
                        input, (long long)lo, (long long)hi, (long long)lo,
                        (long long)distinct, (long long)distinct);
    return rt_error(RETAIN_ERR_DATA, "%s: -k %lld:%lld asks for up to %lld segments but the "
                    "data has only %lld distinct rows; use -k %lld:%lld",
                    input, (long long)lo, (long long)hi, (long long)hi, (long long)distinct,
                    (long long)lo, (long long)distinct);
}

/* Index of the row with the highest silhouette (NaN rows skipped), or -1. */
static int64_t best_silhouette(const sweep_row *rows, int64_t count)
{
    int64_t best = -1;
    for (int64_t i = 0; i < count; i++)
        if (!isnan(rows[i].metrics.silhouette) &&
            (best < 0 || rows[i].metrics.silhouette > rows[best].metrics.silhouette))
            best = i;
    return best;
}

/* Index of the elbow by ELBOW_RULE, or -1: fewer than 3 k, a flat curve,
** or no point below the line. The perpendicular distance to the line is
** the vertical gap times a constant, so the gap ranks the points. */
static int64_t elbow(const sweep_row *rows, int64_t count)
{
    if (count < 3)
        return -1;
    double lo = rows[0].inertia, hi = rows[0].inertia;
    for (int64_t i = 1; i < count; i++) {
        lo = rows[i].inertia < lo ? rows[i].inertia : lo;
        hi = rows[i].inertia > hi ? rows[i].inertia : hi;
    }
    if (!(hi > lo))
        return -1;
    double k0 = (double)rows[0].k, span = (double)(rows[count - 1].k - rows[0].k);
    double y0 = (rows[0].inertia - lo) / (hi - lo);
    double y1 = (rows[count - 1].inertia - lo) / (hi - lo);
    int64_t best = -1;
    double widest = 0.0;
    for (int64_t i = 1; i < count - 1; i++) {
        double x = ((double)rows[i].k - k0) / span;
        double gap = y0 + (y1 - y0) * x - (rows[i].inertia - lo) / (hi - lo);
        if (gap > widest) {
            widest = gap;
            best = i;
        }
    }
    return best;
}

/* A metric in a column of `width`, "-" where it is undefined (NaN). */
static void print_metric(int width, double value)
{
    if (isnan(value))
        printf(" %*s", width, "-");
    else
        printf(" %*.6g", width, value);
}

static void print_table(const char *input, const retain_matrix_owned *x,
                        const cli_common *common, const char *scale, const sweep_row *rows,
                        int64_t count)
{
    printf("k-means sweep of %s: k %lld..%lld on %lld rows x %lld features (scale %s, "
           "seed %lld)\n", input, (long long)rows[0].k, (long long)rows[count - 1].k,
           (long long)x->rows, (long long)x->cols, scale, (long long)common->seed);
    int64_t used = rows[0].metrics.silhouette_rows;
    if (used == x->rows)
        printf("silhouette: exact, on all %lld rows\n", (long long)used);
    else
        printf("silhouette: on a sample of %lld of %lld rows (the same rows for every k; "
               "--sample 0 for all)\n", (long long)used, (long long)x->rows);
    printf("%5s %14s %11s %18s %15s %10s %9s\n", "k", "inertia", "silhouette",
           "calinski_harabasz", "davies_bouldin", "iterations", "seconds");
    for (int64_t i = 0; i < count; i++) {
        printf("%5lld", (long long)rows[i].k);
        print_metric(14, rows[i].inertia);
        print_metric(11, rows[i].metrics.silhouette);
        print_metric(18, rows[i].metrics.calinski_harabasz);
        print_metric(15, rows[i].metrics.davies_bouldin);
        printf(" %10lld %9.2f\n", (long long)rows[i].n_iter, rows[i].seconds);
    }
    int64_t best = best_silhouette(rows, count), bend = elbow(rows, count);
    if (best >= 0)
        printf("suggested k: %lld by silhouette (the highest, %.6g)\n",
               (long long)rows[best].k, rows[best].metrics.silhouette);
    else
        printf("suggested k: none by silhouette (undefined for every k: it needs 2 or more "
               "segments)\n");
    if (bend >= 0)
        printf("suggested k: %lld by the elbow of inertia (%s)\n", (long long)rows[bend].k,
               ELBOW_RULE);
    else
        printf("suggested k: none by the elbow of inertia (it needs 3 or more k and a point "
               "below the line from the first to the last)\n");
}

/* A suggested k, or null. */
static void json_suggestion(cli_json *j, const char *key, const sweep_row *rows, int64_t at)
{
    if (at >= 0)
        json_int(j, key, rows[at].k);
    else
        json_double(j, key, NAN);
}

static void print_json(const char *input, const retain_matrix_owned *x,
                       const cli_common *common, const char *scale, int64_t sample,
                       const sweep_row *rows, int64_t count, double seconds)
{
    cli_json j;
    json_begin(&j, stdout);
    json_string(&j, "command", "kmeans sweep");
    json_string(&j, "input", input);
    json_int(&j, "n", x->rows);
    json_int(&j, "d", x->cols);
    json_int(&j, "k_min", rows[0].k);
    json_int(&j, "k_max", rows[count - 1].k);
    json_string(&j, "scale", scale);
    json_int(&j, "seed", common->seed);
    json_int(&j, "sample", sample);
    json_int(&j, "silhouette_rows", rows[0].metrics.silhouette_rows);
    json_array(&j, "rows");
    for (int64_t i = 0; i < count; i++) {
        json_object(&j, NULL);
        json_int(&j, "k", rows[i].k);
        json_double(&j, "inertia", rows[i].inertia);
        json_double(&j, "silhouette", rows[i].metrics.silhouette);
        json_double(&j, "calinski_harabasz", rows[i].metrics.calinski_harabasz);
        json_double(&j, "davies_bouldin", rows[i].metrics.davies_bouldin);
        json_int(&j, "silhouette_rows", rows[i].metrics.silhouette_rows);
        json_int(&j, "n_iter", rows[i].n_iter);
        json_bool(&j, "converged", rows[i].converged);
        json_double(&j, "seconds", rows[i].seconds);
        json_object_end(&j);
    }
    json_array_end(&j);
    json_suggestion(&j, "suggested_k_silhouette", rows, best_silhouette(rows, count));
    json_suggestion(&j, "suggested_k_elbow", rows, elbow(rows, count));
    json_string(&j, "elbow_rule", ELBOW_RULE);
    json_string(&j, "isa", retain_isa_name());
    json_int(&j, "threads", retain_threads_get());
    json_double(&j, "seconds", seconds);
    json_end(&j);
}

/* Fits and scores every k of the range into rows. */
static retain_status sweep(const char *input, const retain_matrix_owned *x,
                           const retain_kmeans_params *base, int64_t sample, uint64_t seed,
                           sweep_progress *progress, sweep_row *rows)
{
    retain_matrix view = retain_matrix_view(x);
    for (int64_t i = 0; i < progress->count; i++) {
        retain_kmeans_params p = *base;
        p.k = base->k + i;
        progress->k = p.k;
        progress->index = i;
        double t0 = rt_seconds();
        retain_kmeans_model *m;
        retain_status s = retain_kmeans_fit(&view, NULL, &p, &m);
        if (s)
            return rt_error_context(s, "%s, k = %lld", input, (long long)p.k);
        s = retain_kmeans_evaluate(m, &view, sample, seed, &rows[i].metrics);
        rows[i].k = p.k;
        rows[i].n_iter = retain_kmeans_model_n_iter(m);
        rows[i].converged = retain_kmeans_model_converged(m);
        rows[i].inertia = retain_kmeans_model_inertia(m);
        rows[i].seconds = rt_seconds() - t0;
        retain_kmeans_free(m);
        if (s)
            return rt_error_context(s, "%s, k = %lld", input, (long long)p.k);
    }
    return RETAIN_OK;
}

int cmd_kmeans_sweep(int argc, char **argv)
{
    retain_kmeans_params p;
    retain_kmeans_params_init(&p);
    cli_common common = {0};
    rt_features_spec spec = {0};
    const char *range = NULL, *scale = "standard", *init = "k-means++", *algorithm = "auto";
    int64_t sample = 10000;
    p.max_iter = -1; /* the algorithm's default: cli_kmeans_names */
    p.tol = -1;
    cli_opt opts[] = {
        {"segments", 'k', CLI_STRING, &range, "LO:HI", "the segment counts to try, LO to HI "
         "(required)", 1, 0},
        {"sample", 0, CLI_INT, &sample, "N", "rows the silhouette uses, drawn from --seed "
         "(0: all rows, exact but O(rows^2))", 0, 9.2e18},
        {"n-init", 0, CLI_INT, &p.n_init, "N", "runs per k from different seeds, lowest "
         "inertia kept; 0: 1", 0, 1e6},
        {"max-iter", 0, CLI_INT, &p.max_iter, "N", "iterations per run, as for `kmeans "
         "fit` (default 300; minibatch 100)", 0, 1e9},
        {"tol", 0, CLI_DOUBLE, &p.tol, "T", "stop when the summed squared centroid shift is "
         "<= T x the mean feature variance of the scaled data (default 1e-4; minibatch 0)",
         0, 1e300},
        {"init", 0, CLI_STRING, &init, "k-means++|random", "initial centroids, as for "
         "`kmeans fit`", 1, 0},
        {"algorithm", 0, CLI_STRING, &algorithm, "auto|lloyd|hamerly|minibatch", "as for "
         "`kmeans fit` (minibatch here runs on the rows in memory)", 1, 0},
        {"batch-size", 0, CLI_INT, &p.batch_size, "N", "minibatch: rows per step", 1, 9.2e18},
        {"scale", 0, CLI_STRING, &scale, "standard|minmax|none", "feature scaling; the "
         "metrics are computed on the scaled features", 1, 0},
        {"dataset", 0, CLI_STRING, &spec.dataset, "PATH", "feature dataset or group "
         "(default: /features, else the file's one pandas frame)", 1, 0},
        {"columns", 0, CLI_STRING, &spec.columns, "a,b,c", "feature columns to use "
         "(default: every numeric column)", 1, 0},
        {0},
    };
    cli_command cmd = {
        "kmeans sweep", "FILE -k LO:HI [options]",
        "Fit k-means for every k from LO to HI and compare the fits.",
        "Reads the features once and fits each k as `kmeans fit` does with the same\n"
        "options and --seed (the same model). For each k it prints the inertia\n"
        "(scaled units), and, on the scaled features with the model's segments, the\n"
        "silhouette (-1..1, higher is better; on --sample rows, the same for every\n"
        "k), Calinski-Harabasz (higher is better) and Davies-Bouldin (>= 0, lower\n"
        "is better), as scikit-learn's sklearn.metrics computes them, unweighted;\n"
        "they are undefined (- in the table, null in --json) for k = 1. Seconds are\n"
        "the fit's and the scoring's. It then suggests two k: the highest\n"
        "silhouette, and the elbow of inertia: the k farthest below the line joining\n"
        "the first and last points of the inertia curve, both axes scaled to [0, 1].\n\n"
        "example: retain kmeans sweep users.h5 -k 2:12 --sample 20000",
        opts, 1, 1};
    const char *pos[1];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    const char *input = pos[0];
    int64_t lo = 0, hi = 0;
    if ((rc = parse_range(&cmd, &common, range, &lo, &hi)) ||
        (rc = cli_kmeans_names(&cmd, &common, init, scale, algorithm, &p)))
        return rc;
    p.k = lo;
    p.seed = (uint64_t)common.seed;

    double t0 = rt_seconds();
    rt_features *f = NULL;
    retain_matrix_owned x = {0};
    sweep_row *rows = NULL;
    sweep_progress progress = {.count = hi - lo + 1};
    cli_progress_start(&progress.bar, &common);
    p.progress = report_fit;
    p.progress_user = &progress;
    retain_status s = rt_features_open(input, &spec, &f);
    if (!s)
        s = rt_features_read_all(f, &x);
    if (!s && x.rows == 0)
        s = rt_error(RETAIN_ERR_DATA, "%s: %s has no rows; -k %s needs at least %lld "
                     "rows", input, rt_features_source(f), range, (long long)hi);
    if (!s)
        s = check_distinct(input, &x, lo, hi);
    if (!s && !(rows = calloc((size_t)progress.count, sizeof *rows)))
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld sweep results",
                     (long long)progress.count);
    if (!s)
        s = sweep(input, &x, &p, sample, p.seed, &progress, rows);
    cli_progress_finish(&progress.bar);
    if (!s && common.json)
        print_json(input, &x, &common, scale, sample, rows, progress.count, rt_seconds() - t0);
    else if (!s)
        print_table(input, &x, &common, scale, rows, progress.count);
    free(rows);
    retain_matrix_release(&x);
    rt_features_close(f);
    return s ? cli_fail(&cmd, &common, s) : 0;
}
