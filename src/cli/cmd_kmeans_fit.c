/*
** src/cli/cmd_kmeans_fit.c: `retain kmeans fit FILE -k K -o MODEL.h5`:
** reads the feature matrix (and optional sample weights and initial
** centroids), fits a k-means model (src/kmeans), saves it
** (src/io/kmeans_model.c), optionally writes the training rows' segments,
** and prints a segment profile or a JSON summary. Under mpirun each rank
** reads and fits on its own rows (the sums meet in core/dist.c).
*/
#include "cli.h"

#include "core/dist.h"
#include "core/error.h"
#include "io/atomic.h"
#include "io/features.h"
#include "io/kmeans_model.h"
#include "kmeans/kmeans.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PROFILE_MAX_FEATURES 10

typedef struct fit_options {
    const char *output, *labels_out, *init, *init_centroids, *scale, *weights, *algorithm,
        *device;
    rt_features_spec spec;
} fit_options;

/* The input file's rows and weights, read in ranges: f is opened with the
** --sample-weight dataset as its label. */
typedef struct file_rows {
    rt_features *f;
    const char *input, *weights;
    double *wbuf;
    int64_t wcap;
    bool failed; /* the last read failed (its message names the file) */
} file_rows;

/* Weights of rows [first, first + count); 1 without --sample-weight. */
static retain_status read_file_weights(file_rows *fr, int64_t first, int64_t count, float *w)
{
    if (!fr->weights) {
        for (int64_t i = 0; i < count; i++)
            w[i] = 1.0f;
        return RETAIN_OK;
    }
    if (count > fr->wcap) {
        free(fr->wbuf);
        fr->wcap = 0;
        if (!(fr->wbuf = malloc((size_t)count * sizeof *fr->wbuf)))
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld sample weights",
                            (long long)count);
        fr->wcap = count;
    }
    return cli_weights_range(fr->f, fr->input, fr->weights, first, count, fr->wbuf, w);
}

/* retain_row_source.read for mini-batch runs. */
static retain_status read_file_rows(void *user, int64_t first, int64_t count, float *x,
                                    float *w)
{
    file_rows *fr = user;
    retain_status s = rt_features_read(fr->f, first, count, x);
    if (!s && w)
        s = read_file_weights(fr, first, count, w);
    fr->failed = s != RETAIN_OK;
    return s;
}

/* /centroids of `path`: k x d, or a DATA error saying what it holds. */
static retain_status read_centroids(const char *path, int64_t k, int64_t d,
                                    retain_matrix_owned *out)
{
    rt_features_spec spec = {.dataset = "/centroids"};
    rt_features *f;
    retain_status s = rt_features_open(path, &spec, &f);
    if (s)
        return rt_error_context(s, "--init-centroids");
    if (rt_features_rows(f) != k || rt_features_cols(f) != d)
        s = rt_error(RETAIN_ERR_DATA, "--init-centroids %s: /centroids is %lld x %lld; it "
                     "must be k x features = %lld x %lld",
                     path, (long long)rt_features_rows(f), (long long)rt_features_cols(f),
                     (long long)k, (long long)d);
    else
        s = rt_features_read_all(f, out);
    rt_features_close(f);
    return s;
}

static void print_profile(const retain_kmeans_model *m, const char *const *names,
                          int64_t rows)
{
    int64_t k = retain_kmeans_model_k(m), d = retain_kmeans_model_d(m);
    int64_t shown = d < PROFILE_MAX_FEATURES ? d : PROFILE_MAX_FEATURES;
    const float *c = retain_kmeans_model_centroids(m);
    const int64_t *sizes = retain_kmeans_model_sizes(m);
    printf("%8s %12s %7s", "segment", "size", "share");
    for (int64_t j = 0; j < shown; j++)
        printf(" %*s", strlen(names[j]) > 12 ? (int)strlen(names[j]) : 12, names[j]);
    printf("\n");
    for (int64_t l = 0; l < k; l++) {
        printf("%8lld %12lld %6.2f%%", (long long)l, (long long)sizes[l],
               100.0 * (double)sizes[l] / (double)rows);
        for (int64_t j = 0; j < shown; j++)
            printf(" %*.6g", strlen(names[j]) > 12 ? (int)strlen(names[j]) : 12,
                   (double)c[l * d + j]);
        printf("\n");
    }
    if (shown < d)
        printf("(centroids of %lld more features are in the model file and in --json)\n",
               (long long)(d - shown));
}

static void print_json(const cli_common *common, const retain_kmeans_model *m,
                       const char *const *names, const char *input, const fit_options *o,
                       int64_t rows, double seconds)
{
    int64_t k = retain_kmeans_model_k(m), d = retain_kmeans_model_d(m);
    const float *c = retain_kmeans_model_centroids(m);
    const int64_t *sizes = retain_kmeans_model_sizes(m);
    cli_json j;
    json_begin(&j, stdout);
    json_string(&j, "command", "kmeans fit");
    json_string(&j, "input", input);
    json_string(&j, "output", o->output);
    if (o->labels_out)
        json_string(&j, "labels_out", o->labels_out);
    json_int(&j, "k", k);
    json_int(&j, "n", rows);
    json_int(&j, "d", d);
    json_double(&j, "inertia", retain_kmeans_model_inertia(m));
    json_int(&j, "n_iter", retain_kmeans_model_n_iter(m));
    json_bool(&j, "converged", retain_kmeans_model_converged(m));
    json_int(&j, "n_init", m->n_init);
    json_int(&j, "iterations_total", m->iterations_total);
    json_double(&j, "seconds", seconds);
    json_double(&j, "seconds_init", m->init_seconds);
    json_double(&j, "seconds_lloyd", m->lloyd_seconds);
    json_double(&j, "seconds_per_iteration",
                m->iterations_total ? m->lloyd_seconds / (double)m->iterations_total : 0.0);
    json_string(&j, "algorithm", rt_kmeans_algorithm_name(retain_kmeans_model_algorithm(m)));
    if (retain_kmeans_model_algorithm(m) == RETAIN_KMEANS_MINIBATCH) {
        json_int(&j, "batch_size", m->params.batch_size);
        json_int(&j, "n_steps", m->n_steps);
    }
    json_string(&j, "isa", retain_isa_name());
    json_string(&j, "device", retain_device_name(m->params.device));
    json_int(&j, "threads", retain_threads_get());
    cli_ranks_json(&j);
    json_string(&j, "init", rt_kmeans_init_name(m->params.init));
    json_string(&j, "scale", rt_kmeans_scale_name(m->params.scale));
    json_int(&j, "seed", common->seed);
    json_array(&j, "feature_names");
    for (int64_t f = 0; f < d; f++)
        json_string(&j, NULL, names[f]);
    json_array_end(&j);
    json_array(&j, "segments");
    for (int64_t l = 0; l < k; l++) {
        json_object(&j, NULL);
        json_int(&j, "segment", l);
        json_int(&j, "size", sizes[l]);
        json_double(&j, "share", (double)sizes[l] / (double)rows);
        json_array(&j, "centroid");
        for (int64_t f = 0; f < d; f++)
            json_double(&j, NULL, c[l * d + f]);
        json_array_end(&j);
        json_object_end(&j);
    }
    json_array_end(&j);
    json_end(&j);
}

/* Checks option values and output paths; 0 or a usage exit code. */
static int check_options(const cli_command *cmd, const cli_common *common, const char *input,
                         fit_options *o, retain_kmeans_params *p)
{
    bool is_text;
    int rc = cli_output_kind(cmd, common, o->output, ".h5", "HDF5", 0, &is_text);
    if (rc)
        return rc;
    if (o->labels_out && !cli_has_suffix(o->labels_out, ".h5") &&
        !cli_has_suffix(o->labels_out, ".hdf5"))
        return cli_usage_error(cmd, common, "--labels-out %s: the output is HDF5; name it "
                               ".h5 or .hdf5", o->labels_out);
    if (o->labels_out && strcmp(o->labels_out, o->output) == 0)
        return cli_usage_error(cmd, common, "--labels-out and -o are both %s; give two files",
                               o->output);
    if ((rc = cli_kmeans_names(cmd, common, o->init, o->scale, o->algorithm, p)) ||
        (rc = cli_device(cmd, common, o->device, &p->device)))
        return rc;
    if (p->device == RETAIN_DEVICE_CUDA && p->algorithm == RETAIN_KMEANS_MINIBATCH)
        cli_warn(cmd, common, "--algorithm minibatch runs on the CPU; the GPU is used for "
                 "lloyd and hamerly (which runs as lloyd there)");
    if (o->init_centroids) {
        if (p->init == RETAIN_KMEANS_INIT_RANDOM)
            return cli_usage_error(cmd, common, "--init random and --init-centroids exclude "
                                   "each other");
        p->init = RETAIN_KMEANS_INIT_GIVEN;
    }
    if (rt_dist_size() > 1) {
        const char *alone = p->algorithm == RETAIN_KMEANS_MINIBATCH ? "--algorithm minibatch"
                            : p->init == RETAIN_KMEANS_INIT_RANDOM  ? "--init random"
                                                                    : NULL;
        if (alone)
            return cli_usage_error(cmd, common, "%s does not run under MPI yet; run it as "
                                   "one process, without mpirun", alone);
    }
    const char *inputs[2] = {input, o->init_centroids};
    retain_status s = rt_output_check_not_input(o->output, inputs, o->init_centroids ? 2 : 1);
    if (!s && o->labels_out)
        s = rt_output_check_not_input(o->labels_out, inputs, o->init_centroids ? 2 : 1);
    return s ? cli_fail(cmd, common, s) : 0;
}

int cmd_kmeans_fit(int argc, char **argv)
{
    retain_kmeans_params p;
    retain_kmeans_params_init(&p);
    cli_common common = {0};
    fit_options o = {.init = "k-means++", .scale = "standard", .algorithm = "auto",
                     .device = "cpu"};
    p.max_iter = -1; /* the algorithm's default: cli_kmeans_names */
    p.tol = -1;
    cli_opt opts[] = {
        {"segments", 'k', CLI_INT, &p.k, "K", "segments (clusters) to find", 1, INT32_MAX},
        {"output", 'o', CLI_STRING, &o.output, "MODEL.h5", "model file to write (required)",
         1, 0},
        {"labels-out", 0, CLI_STRING, &o.labels_out, "OUT.h5", "also write the training "
         "rows' segments, as `kmeans predict` does", 1, 0},
        {"init", 0, CLI_STRING, &o.init, "k-means++|random", "how to choose the initial "
         "centroids", 1, 0},
        {"init-centroids", 0, CLI_STRING, &o.init_centroids, "FILE.h5", "initial centroids "
         "from the dataset /centroids (k x features, input units); one run", 1, 0},
        {"n-init", 0, CLI_INT, &p.n_init, "N", "runs from different seeds, lowest inertia "
         "kept; 0: 1 for k-means++, 10 for random", 0, 1e6},
        {"max-iter", 0, CLI_INT, &p.max_iter, "N", "Lloyd iterations per run, or minibatch "
         "passes over the data (0: only initialise; default 300, minibatch 100)", 0, 1e9},
        {"tol", 0, CLI_DOUBLE, &p.tol, "T", "stop when the summed squared centroid shift (of "
         "one step for minibatch) is <= T x the mean feature variance of the scaled data "
         "(default 1e-4, minibatch 0)", 0, 1e300},
        {"algorithm", 0, CLI_STRING, &o.algorithm, "auto|lloyd|hamerly|minibatch", "hamerly "
         "skips rows whose segment cannot change (2 floats per row; same answers); auto: "
         "hamerly when k x features >= 1024; minibatch streams FILE in batches (any size, "
         "~16 MiB of rows in memory; an approximation, as MiniBatchKMeans)", 1, 0},
        {"batch-size", 0, CLI_INT, &p.batch_size, "N", "minibatch: rows per step", 1, 9.2e18},
        {"max-no-improvement", 0, CLI_INT, &p.max_no_improvement, "N", "minibatch: stop after "
         "N steps without a lower smoothed batch inertia (0: never)", 0, 9.2e18},
        {"scale", 0, CLI_STRING, &o.scale, "standard|minmax|none", "feature scaling fitted "
         "here and stored in the model", 1, 0},
        {"dataset", 0, CLI_STRING, &o.spec.dataset, "PATH", "feature dataset or group "
         "(default: /features, else the file's one pandas frame)", 1, 0},
        {"columns", 0, CLI_STRING, &o.spec.columns, "a,b,c", "feature columns to use "
         "(default: every numeric column)", 1, 0},
        {"sample-weight", 0, CLI_STRING, &o.weights, "DATASET", "per-row weights (>= 0) from "
         "this dataset or frame column of FILE", 1, 0},
        CLI_DEVICE_OPTION(&o.device),
        {0},
    };
    cli_command cmd = {
        "kmeans fit", "FILE -k K -o MODEL.h5 [options]",
        "Find K customer segments with k-means (Lloyd or mini-batch, k-means++ seeding).",
        "Scales the features (standard by default), seeds with greedy k-means++ as\n"
        "scikit-learn does, runs Lloyd's iterations to convergence and saves the\n"
        "model: scaler, centroids in input and scaled units, segment sizes and the\n"
        "training parameters. Segments are numbered largest first. Prints each\n"
        "segment's size, share and centroid (input units); --json prints a summary\n"
        "with inertia (scaled units), iterations, timings and the kernel used.\n"
        "Same data, options and --seed give the same model for any --threads.\n\n"
        "--algorithm minibatch (MiniBatchKMeans) is for files larger than memory:\n"
        "it streams FILE in batches (~16 MiB of rows held), one pass for the scaler\n"
        "and seeding sample, then passes of --batch-size steps until the smoothed\n"
        "batch inertia stops falling (--max-no-improvement), and a last pass for\n"
        "the sizes and inertia. Every segment ends with rows.\n\n"
        "--device cuda runs Lloyd's passes on the GPU: the rows are copied there\n"
        "once as float32 (float64 files are converted when read, as for the CPU),\n"
        "in chunks when larger than its memory. k-means++ makes its passes over\n"
        "the rows there too, and seeds the same centroids as the CPU, bit for bit;\n"
        "its draws, empty clusters and the stopping test stay on the CPU. The\n"
        "inertia matches the CPU's to 1e-4 relative; the same run twice gives the\n"
        "same bits.\n\n"
        "Built with RETAIN_MPI, `mpirun -np P retain kmeans fit ...` fits on P ranks,\n"
        "each reading its own rows (and writing them to --labels-out): the same\n"
        "model as one process (lloyd and hamerly; minibatch and --init random run\n"
        "as one process).\n\n"
        "example: retain kmeans fit users.h5 -k 6 -o segments.h5 --labels-out seg.h5\n"
        "         retain kmeans fit big.h5 -k 6 --algorithm minibatch -o segments.h5\n"
        "         retain kmeans fit users.h5 -k 64 -o segments.h5 --device auto",
        opts, 1, 1};
    const char *pos[1];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    const char *input = pos[0];
    if ((rc = check_options(&cmd, &common, input, &o, &p)))
        return rc;
    p.seed = (uint64_t)common.seed;

    double t0 = rt_seconds();
    rt_features *f = NULL;
    retain_matrix_owned x = {0}, given = {0};
    float *weights = NULL;
    retain_kmeans_model *m = NULL;
    cli_progress progress;
    cli_progress_start(&progress, &common);
    p.progress = cli_progress_report;
    p.progress_user = &progress;
    /* minibatch streams the file; the others read it whole */
    bool stream = p.algorithm == RETAIN_KMEANS_MINIBATCH;
    rt_features_spec spec = o.spec;
    spec.label = o.weights;
    spec.random_access = stream;
    file_rows fr = {NULL, input, o.weights, NULL, 0, false};
    retain_status s = rt_features_open(input, &spec, &f);
    fr.f = f;
    if (!s && rt_features_rows(f) == 0)
        s = rt_error(RETAIN_ERR_DATA, "%s: %s has no rows; k-means needs at least %lld", input,
                     rt_features_source(f), (long long)p.k);
    int64_t first = 0; /* this rank's rows (all of them in one process) */
    if (!s && !stream)
        s = rt_features_read_rank(f, &x, &first);
    if (!s && !stream && o.weights) {
        if (!(weights = malloc((size_t)(x.rows ? x.rows : 1) * sizeof *weights)))
            s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld sample weights",
                         (long long)x.rows);
        else
            s = read_file_weights(&fr, first, x.rows, weights);
        s = rt_dist_agree(s);
    }
    if (!s && o.init_centroids &&
        !(s = rt_dist_agree(read_centroids(o.init_centroids, p.k, rt_features_cols(f),
                                           &given))))
        p.init_centroids = given.data;
    if (!s && stream) {
        retain_row_source src = {rt_features_rows(f), rt_features_cols(f), o.weights != NULL,
                                 read_file_rows, &fr};
        s = retain_kmeans_fit_source(&src, &p, &m);
        if (s && !fr.failed) /* a read's message names the file already */
            rt_error_context(s, "%s", input);
    } else if (!s) {
        retain_matrix view = retain_matrix_view(&x);
        if ((s = retain_kmeans_fit(&view, weights, &p, &m)))
            rt_error_context(s, "%s", input);
    }
    /* the rows go before the model file is written, so the writer's
    ** buffers never add to the peak */
    retain_matrix_release(&x);
    retain_matrix_release(&given);
    free(weights);
    free(fr.wbuf);
    const char *const *names = f ? rt_features_names(f) : NULL;
    if (!s) {
        const char *inputs[2] = {input, o.init_centroids};
        s = rt_kmeans_model_save(o.output, m, names, input, inputs, o.init_centroids ? 2 : 1);
    }
    if (!s && o.labels_out)
        s = cli_kmeans_write_segments(o.labels_out, f, m, o.output, input, &progress);
    cli_progress_finish(&progress);
    if (!s) {
        double seconds = rt_seconds() - t0;
        int64_t rows = rt_features_rows(f);
        if (common.json) {
            print_json(&common, m, names, input, &o, rows, seconds);
        } else if (!common.quiet) {
            char steps[64] = "";
            if (stream)
                snprintf(steps, sizeof steps, " (%lld steps of %lld rows)", (long long)m->n_steps,
                         (long long)(p.batch_size < rows ? p.batch_size : rows));
            printf("k-means: %lld segments, %lld rows x %lld features, inertia %.6g (scaled "
                   "units), %lld %s%s, %s, %.2f s\n",
                   (long long)p.k, (long long)rows, (long long)retain_kmeans_model_d(m),
                   retain_kmeans_model_inertia(m), (long long)retain_kmeans_model_n_iter(m),
                   stream ? (retain_kmeans_model_n_iter(m) == 1 ? "pass" : "passes")
                          : (retain_kmeans_model_n_iter(m) == 1 ? "iteration" : "iterations"),
                   steps,
                   retain_kmeans_model_converged(m) ? "converged" : "not converged (max-iter)",
                   seconds);
            print_profile(m, names, rows);
            printf("wrote %s%s%s\n", o.output, o.labels_out ? " and " : "",
                   o.labels_out ? o.labels_out : "");
        }
    }
    retain_kmeans_free(m);
    rt_features_close(f);
    return s ? cli_fail(&cmd, &common, s) : 0;
}
