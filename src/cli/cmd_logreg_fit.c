/*
** src/cli/cmd_logreg_fit.c: `retain logreg fit FILE --label /churned -o
** MODEL.h5`: reads the features and the 0/1 label, fits the churn model
** (src/logreg), saves it (src/io/logreg_model.c), and prints the
** coefficient table sorted by size, training metrics and, with --cv K,
** cross-validated metrics; or all of it as JSON. Under mpirun each rank
** reads and fits on its own rows (the sums meet in core/dist.c).
*/
#include "cli.h"

#include "core/dist.h"
#include "core/error.h"
#include "io/atomic.h"
#include "io/features.h"
#include "io/logreg_model.h"
#include "logreg/logreg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fit_options {
    const char *output, *penalty, *scale, *class_weight, *weights, *device;
    int64_t cv;
    double threshold;
    rt_features_spec spec;
} fit_options;

/* --penalty, --scale and --class-weight into p; 0 or a usage exit code. */
static int parse_names(const cli_command *cmd, const cli_common *common, const fit_options *o,
                       retain_logreg_params *p)
{
    int penalty = rt_logreg_penalty_parse(o->penalty);
    if (penalty < 0)
        return cli_usage_error(cmd, common, "--penalty %s: choose l2, l1, elasticnet or none",
                               o->penalty);
    p->penalty = (retain_logreg_penalty)penalty;
    if (strcmp(o->scale, "standard") == 0)
        p->scale = RETAIN_SCALE_STANDARD;
    else if (strcmp(o->scale, "none") == 0)
        p->scale = RETAIN_SCALE_NONE;
    else
        return cli_usage_error(cmd, common, "--scale %s: choose standard or none", o->scale);
    if (!o->class_weight)
        return 0;
    if (strcmp(o->class_weight, "balanced") == 0) {
        p->class_weight_balanced = 1;
        return 0;
    }
    char *end;
    p->class_weight[0] = strtod(o->class_weight, &end);
    if (*end == ',')
        p->class_weight[1] = strtod(end + 1, &end);
    if (*end || strchr(o->class_weight, ',') == NULL || !(p->class_weight[0] > 0) ||
        !(p->class_weight[1] > 0) || !isfinite(p->class_weight[0]) ||
        !isfinite(p->class_weight[1]))
        return cli_usage_error(cmd, common, "--class-weight %s: give balanced, or the weights "
                               "of class 0 and class 1 as two positive numbers, e.g. 1,4",
                               o->class_weight);
    return 0;
}

typedef struct ranked {
    double size;
    int64_t j;
} ranked;

static int by_size(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return (x->j > y->j) - (x->j < y->j);
}

/* Feature indices ordered by |coefficient| on scaled units, largest first. */
static int64_t *coefficient_order(const retain_logreg_model *m)
{
    int64_t d = retain_logreg_model_d(m);
    int64_t *order = malloc((size_t)d * sizeof *order);
    ranked *r = malloc((size_t)d * sizeof *r);
    if (order && r) {
        for (int64_t j = 0; j < d; j++)
            r[j] = (ranked){fabs(m->coef[j]), j};
        qsort(r, (size_t)d, sizeof *r, by_size);
        for (int64_t j = 0; j < d; j++)
            order[j] = r[j].j;
    } else {
        free(order);
        order = NULL;
    }
    free(r);
    return order;
}

static void print_text(const retain_logreg_model *m, const char *const *names,
                       const int64_t *order, const retain_logreg_metrics *train,
                       const retain_logreg_metrics *cv, int64_t folds, const char *output,
                       double seconds)
{
    const retain_logreg_params *p = &m->params;
    int64_t d = retain_logreg_model_d(m);
    char ratio[48] = "";
    if (p->penalty == RETAIN_LOGREG_ELASTICNET)
        snprintf(ratio, sizeof ratio, ", l1-ratio %g", p->l1_ratio);
    printf("logistic regression: penalty %s, C %g%s, %lld rows x %lld features, %lld "
           "iterations, %s, objective %.10g, %.2f s\n",
           rt_logreg_penalty_name(p->penalty), p->C, ratio,
           (long long)m->train_rows, (long long)d, (long long)m->n_iter,
           m->converged ? "converged" : "not converged", m->objective, seconds);
    int w = 9;
    for (int64_t j = 0; j < d; j++)
        w = (int)strlen(names[j]) > w ? (int)strlen(names[j]) : w;
    printf("\n  %-*s %16s %18s %8s\n", w, "feature", "coef (scaled)", "coef (input units)",
           "odds x");
    for (int64_t k = 0; k < d; k++) {
        int64_t j = order[k];
        printf("  %-*s %16.8g %18.8g %8.4f\n", w, names[j], m->coef[j], m->coef_original[j],
               exp(m->coef[j]));
    }
    printf("  %-*s %16.8g %18.8g\n", w, "intercept", m->intercept, m->intercept_original);
    printf("  (odds x: factor on the odds of churn per standard deviation of the feature)\n\n");
    cli_logreg_print_metrics("training metrics", train, false);
    if (cv)
        cli_logreg_print_cv(cv, folds);
    printf("wrote %s\n", output);
}

static void print_json(const cli_common *common, const retain_logreg_model *m,
                       const char *const *names, const int64_t *order, const char *input,
                       const fit_options *o, const retain_logreg_metrics *train,
                       const retain_logreg_metrics *cv, double seconds)
{
    const retain_logreg_params *p = &m->params;
    int64_t d = retain_logreg_model_d(m);
    unsigned warn = m->warnings;
    cli_json j;
    json_begin(&j, stdout);
    json_string(&j, "command", "logreg fit");
    json_string(&j, "input", input);
    json_string(&j, "label", o->spec.label);
    if (o->weights)
        json_string(&j, "sample_weight", o->weights);
    json_string(&j, "output", o->output);
    json_int(&j, "n", m->train_rows);
    json_int(&j, "d", d);
    json_int(&j, "positives", m->train_positives);
    json_string(&j, "penalty", rt_logreg_penalty_name(p->penalty));
    json_double(&j, "C", p->C);
    json_double(&j, "l1_ratio", p->l1_ratio);
    json_double(&j, "tol", p->tol);
    json_int(&j, "max_iter", p->max_iter);
    json_string(&j, "scale", p->scale == RETAIN_SCALE_NONE ? "none" : "standard");
    json_array(&j, "class_weight");
    json_double(&j, NULL, m->class_weight[0]);
    json_double(&j, NULL, m->class_weight[1]);
    json_array_end(&j);
    json_double(&j, "objective", m->objective);
    json_int(&j, "n_iter", m->n_iter);
    json_bool(&j, "converged", m->converged);
    json_array(&j, "warnings");
    if (warn & RETAIN_LOGREG_WARN_MAX_ITER)
        json_string(&j, NULL, "max_iter");
    if (warn & RETAIN_LOGREG_WARN_SEPARABLE)
        json_string(&j, NULL, "separable");
    if (warn & RETAIN_LOGREG_WARN_STALLED)
        json_string(&j, NULL, "stalled");
    json_array_end(&j);
    json_string(&j, "device", retain_device_name(p->device));
    json_double(&j, "seconds", seconds);
    json_double(&j, "seconds_fit", m->fit_seconds);
    json_int(&j, "passes", m->evaluations);
    json_double(&j, "seconds_passes", m->pass_seconds);
    json_array(&j, "trace");
    for (int64_t it = 0; it <= m->n_iter && it < m->trace_len; it++) {
        json_object(&j, NULL);
        json_int(&j, "iteration", it);
        json_double(&j, "seconds", m->trace[2 * it]);
        json_double(&j, "objective", m->trace[2 * it + 1]);
        json_object_end(&j);
    }
    json_array_end(&j);
    json_string(&j, "isa", retain_isa_name());
    json_int(&j, "threads", retain_threads_get());
    cli_ranks_json(&j);
    json_int(&j, "seed", common->seed);
    json_double(&j, "intercept", m->intercept);
    json_double(&j, "intercept_original", m->intercept_original);
    json_array(&j, "coefficients");
    for (int64_t k = 0; k < d; k++) {
        int64_t f = order[k];
        json_object(&j, NULL);
        json_string(&j, "feature", names[f]);
        json_double(&j, "coef", m->coef[f]);
        json_double(&j, "coef_original", m->coef_original[f]);
        json_double(&j, "mean", m->mean[f]);
        json_double(&j, "scale", m->scale[f]);
        json_object_end(&j);
    }
    json_array_end(&j);
    cli_logreg_json_metrics(&j, "train", train, true);
    if (cv)
        cli_logreg_json_cv(&j, cv, o->cv);
    json_end(&j);
}

/* Training metrics over every row: ranks' probabilities and labels meet
** first under MPI (the ranking metrics need all of them in one place). */
static retain_status train_metrics(retain_status s, const double *y, const double *prob,
                                   int64_t n, double threshold, retain_logreg_metrics *out)
{
    if (rt_dist_size() == 1)
        return s ? s : retain_logreg_evaluate(y, prob, n, threshold, out);
    double *all = malloc((size_t)(2 * n + 1) * sizeof *all);
    if (!all && !s)
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld labels and probabilities",
                     (long long)n);
    s = rt_dist_gather_rows_f64(s, y, n, all);
    s = rt_dist_gather_rows_f64(s, prob, n, all ? all + n : NULL);
    if (!s)
        s = retain_logreg_evaluate(all, all + n, n, threshold, out);
    free(all);
    return s;
}

int cmd_logreg_fit(int argc, char **argv)
{
    retain_logreg_params p;
    retain_logreg_params_init(&p);
    cli_common common = {0};
    fit_options o = {.penalty = "l2", .scale = "standard", .threshold = 0.5,
                     .device = "cpu"};
    o.spec.label = "/churned";
    cli_opt opts[] = {
        {"output", 'o', CLI_STRING, &o.output, "MODEL.h5", "model file to write (required)",
         1, 0},
        {"label", 0, CLI_STRING, &o.spec.label, "DATASET", "the 0/1 churn label: a dataset "
         "of FILE or a frame column", 1, 0},
        {"penalty", 0, CLI_STRING, &o.penalty, "l2|l1|elasticnet|none", "regularisation of "
         "the coefficients (never of the intercept)", 1, 0},
        {"C", 'C', CLI_DOUBLE, &p.C, "C", "inverse regularisation strength as in "
         "scikit-learn: larger C, weaker penalty", 1e-300, 1e300},
        {"l1-ratio", 0, CLI_DOUBLE, &p.l1_ratio, "R", "elastic net: share of the L1 part, 0..1", 0, 1},
        {"class-weight", 0, CLI_STRING, &o.class_weight, "balanced|W0,W1", "weights of "
         "non-churners and churners; balanced: n / (2 x rows of the class)", 1, 0},
        {"sample-weight", 0, CLI_STRING, &o.weights, "DATASET", "per-row weights (>= 0) "
         "from this dataset or frame column of FILE, as sklearn's sample_weight", 1, 0},
        {"scale", 0, CLI_STRING, &o.scale, "standard|none", "feature scaling fitted here and "
         "stored in the model", 1, 0},
        {"tol", 0, CLI_DOUBLE, &p.tol, "T", "stop when the largest gradient entry of the "
         "objective / (C x sum of row weights) is <= T", 0, 1e300},
        {"max-iter", 0, CLI_INT, &p.max_iter, "N", "solver iterations; one or two passes "
         "over the data each", 0, 1e9},
        {"cv", 0, CLI_INT, &o.cv, "K", "also K-fold stratified cross-validation (seeded by "
         "--seed): mean and spread of every metric", 2, 1000},
        {"threshold", 0, CLI_DOUBLE, &o.threshold, "P", "probability at which a row counts "
         "as predicted churn for precision, recall, F1", 0, 1},
        {"dataset", 0, CLI_STRING, &o.spec.dataset, "PATH", "feature dataset or group "
         "(default: /features, else the file's one pandas frame)", 1, 0},
        {"columns", 0, CLI_STRING, &o.spec.columns, "a,b,c", "feature columns to use "
         "(default: every numeric column but the label and ids)", 1, 0},
        CLI_DEVICE_OPTION(&o.device),
        {0},
    };
    cli_command cmd = {
        "logreg fit", "FILE -o MODEL.h5 [--label /churned] [options]",
        "Fit a churn model: regularised logistic regression on the features of FILE.",
        "Minimises C x sum of the row log-losses + penalty, as scikit-learn's\n"
        "LogisticRegression does (L2 by default; L1 and elastic net through OWL-QN;\n"
        "no penalty on the intercept), on standardised features, by L-BFGS with one\n"
        "streamed pass over the data per evaluation. The model stores the scaler,\n"
        "the coefficients in scaled and input units and the training metrics.\n"
        "Prints the coefficients sorted by size, training metrics (ROC AUC, PR AUC,\n"
        "log-loss, Brier, precision/recall/F1) and with --cv the cross-validated\n"
        "mean and spread of each; --json adds lift/gains by decile and calibration.\n"
        "A fit that stops at --max-iter, or separable data without a penalty, is\n"
        "reported as a warning (and in --json \"warnings\"). Labels must be 0/1.\n"
        "Same data, options and --seed give the same model for any --threads.\n"
        "--device cuda runs the loss and gradient pass on the GPU (same objective\n"
        "to 1e-6 relative); the solver's steps stay on the CPU.\n"
        "Built with RETAIN_MPI, `mpirun -np P retain logreg fit ...` fits on P ranks,\n"
        "each reading its own rows (same model within 1e-12; --cv runs as one process).\n\n"
        "example: retain logreg fit users.h5 --label /churned -o churn.h5 --cv 5\n"
        "         retain logreg fit users.h5 -o churn.h5 --device auto",
        opts, 1, 1};
    const char *pos[1];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    const char *input = pos[0];
    bool is_text;
    if ((rc = cli_output_kind(&cmd, &common, o.output, ".h5", "HDF5", 0, &is_text)) ||
        (rc = parse_names(&cmd, &common, &o, &p)) ||
        (rc = cli_device(&cmd, &common, o.device, &p.device)))
        return rc;
    if (o.cv && rt_dist_size() > 1)
        return cli_usage_error(&cmd, &common, "--cv does not run under MPI yet: fit with "
                               "mpirun without --cv, and cross-validate as one process");
    retain_status s = rt_output_check_not_input(o.output, &input, 1);
    if (s)
        return cli_fail(&cmd, &common, s);

    double t0 = rt_seconds();
    rt_features *f = NULL;
    retain_matrix_owned x = {0};
    double *y = NULL, *prob = NULL;
    float *weights = NULL;
    retain_logreg_model *m = NULL;
    retain_logreg_metrics train, *cv = NULL;
    int64_t *order = NULL;
    cli_progress progress;
    cli_progress_start(&progress, &common);
    p.progress = cli_progress_report;
    p.progress_user = &progress;
    int64_t first = 0;
    s = cli_logreg_read(input, &o.spec, &f, &x, &y, &first);
    if (!s && o.weights)
        s = cli_weights_read(input, &o.spec, o.weights, first, x.rows, &weights);
    retain_matrix view = retain_matrix_view(&x);
    if (!s && (s = retain_logreg_fit(&view, y, weights, &p, &m)))
        rt_error_context(s, "%s", input);
    if (!s && !(prob = malloc((size_t)x.rows * sizeof *prob)))
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld probabilities",
                     (long long)x.rows);
    if (!s)
        s = retain_logreg_predict(m, &view, prob);
    if (!s || rt_dist_size() > 1) /* under MPI every rank takes part, failed or not */
        s = train_metrics(s, y, prob, f ? rt_features_rows(f) : 0, o.threshold, &train);
    if (!s && o.cv) {
        if (!(cv = malloc((size_t)o.cv * sizeof *cv)))
            s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld folds", (long long)o.cv);
        else if ((s = retain_logreg_cv(&view, y, weights, &p, o.cv, (uint64_t)common.seed,
                                       o.threshold, cv)))
            rt_error_context(s, "%s", input);
    }
    const char *const *names = f ? rt_features_names(f) : NULL;
    if (!s)
        s = rt_logreg_model_save(o.output, m, names, o.spec.label, input, &train, &input, 1);
    if (!s && !(order = coefficient_order(m)))
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    cli_progress_finish(&progress);
    if (!s) {
        double seconds = rt_seconds() - t0;
        cli_logreg_warn(&cmd, &common, m);
        if (common.json)
            print_json(&common, m, names, order, input, &o, &train, cv, seconds);
        else if (!common.quiet)
            print_text(m, names, order, &train, cv, o.cv, o.output, seconds);
    }
    retain_matrix_release(&x);
    free(y);
    free(weights);
    free(prob);
    free(cv);
    free(order);
    retain_logreg_free(m);
    rt_features_close(f);
    return s ? cli_fail(&cmd, &common, s) : 0;
}
