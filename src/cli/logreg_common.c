/*
** src/cli/logreg_common.c: what `logreg fit`, `predict` and `eval` share:
** reading features with their label, metrics as text tables and as JSON,
** the cross-validation summary (mean and spread of every metric) and the
** warnings of a fit.
** Under MPI each rank reads its own rows of features and labels.
*/
#include "cli.h"

#include "core/dist.h"
#include "core/error.h"
#include "io/features.h"

#include <math.h>
#include <stdlib.h>

retain_status cli_logreg_read(const char *input, const rt_features_spec *spec, rt_features **f,
                              retain_matrix_owned *x, double **y, int64_t *first)
{
    *y = NULL;
    retain_status s = rt_features_open(input, spec, f);
    if (!s)
        s = rt_features_read_rank(*f, x, first);
    if (!s && rt_features_rows(*f) == 0)
        s = rt_error(RETAIN_ERR_DATA, "%s: %s has no rows", input, rt_features_source(*f));
    if (!s && !(*y = malloc((size_t)(x->rows ? x->rows : 1) * sizeof **y)))
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld labels", (long long)x->rows);
    if (!s && (s = rt_features_read_label(*f, *first, x->rows, *y)))
        rt_error_context(s, "%s: label %s", input, spec->label);
    return rt_dist_agree(s);
}

void cli_logreg_print_metrics(const char *title, const retain_logreg_metrics *m, bool tables)
{
    printf("%s: %lld rows, %lld churners (%.2f%%)\n", title, (long long)m->rows,
           (long long)m->positives, 100.0 * (double)m->positives / (double)m->rows);
    printf("  ROC AUC %.6f  PR AUC %.6f  log-loss %.6f  Brier %.6f\n", m->roc_auc, m->pr_auc,
           m->log_loss, m->brier);
    printf("  at threshold %g: precision %.4f  recall %.4f  F1 %.4f  accuracy %.4f\n",
           m->threshold, m->precision, m->recall, m->f1, m->accuracy);
    if (!tables)
        return;
    printf("\n  %-7s %10s %10s %8s %7s %15s\n", "decile", "rows", "churners", "rate", "lift",
           "cumulative gain");
    for (int k = 0; k < 10; k++) {
        const retain_logreg_decile *dk = &m->deciles[k];
        printf("  %-7d %10lld %10lld %8.4f %7.3f %15.4f\n", k + 1, (long long)dk->rows,
               (long long)dk->positives, dk->rate, dk->lift, dk->cumulative_gain);
    }
    printf("\n  %-11s %10s %14s %13s\n", "calibration", "rows", "mean predicted", "observed rate");
    for (int b = 0; b < 10; b++) {
        const retain_logreg_calibration_bin *cb = &m->calibration[b];
        printf("  %3.1f - %3.1f %10lld %14.4f %13.4f\n", b / 10.0, (b + 1) / 10.0,
               (long long)cb->rows, cb->mean_predicted, cb->observed_rate);
    }
}

void cli_logreg_json_metrics(cli_json *j, const char *key, const retain_logreg_metrics *m,
                             bool tables)
{
    json_object(j, key);
    json_int(j, "rows", m->rows);
    json_int(j, "positives", m->positives);
    json_double(j, "roc_auc", m->roc_auc);
    json_double(j, "pr_auc", m->pr_auc);
    json_double(j, "log_loss", m->log_loss);
    json_double(j, "brier", m->brier);
    json_double(j, "threshold", m->threshold);
    json_double(j, "precision", m->precision);
    json_double(j, "recall", m->recall);
    json_double(j, "f1", m->f1);
    json_double(j, "accuracy", m->accuracy);
    if (tables) {
        json_array(j, "deciles");
        for (int k = 0; k < 10; k++) {
            const retain_logreg_decile *dk = &m->deciles[k];
            json_object(j, NULL);
            json_int(j, "decile", k + 1);
            json_int(j, "rows", dk->rows);
            json_int(j, "positives", dk->positives);
            json_double(j, "rate", dk->rate);
            json_double(j, "lift", dk->lift);
            json_double(j, "cumulative_gain", dk->cumulative_gain);
            json_object_end(j);
        }
        json_array_end(j);
        json_array(j, "calibration");
        for (int b = 0; b < 10; b++) {
            const retain_logreg_calibration_bin *cb = &m->calibration[b];
            json_object(j, NULL);
            json_double(j, "low", b / 10.0);
            json_double(j, "high", (b + 1) / 10.0);
            json_int(j, "rows", cb->rows);
            json_double(j, "mean_predicted", cb->mean_predicted);
            json_double(j, "observed_rate", cb->observed_rate);
            json_object_end(j);
        }
        json_array_end(j);
    }
    json_object_end(j);
}

#define CV_METRICS 8
static const char *const cv_names[CV_METRICS] = {"roc_auc", "pr_auc", "log_loss", "brier",
                                                 "precision", "recall", "f1", "accuracy"};

static double cv_value(const retain_logreg_metrics *m, int which)
{
    const double v[CV_METRICS] = {m->roc_auc,   m->pr_auc, m->log_loss, m->brier,
                                  m->precision, m->recall, m->f1,       m->accuracy};
    return v[which];
}

/* Mean and sample standard deviation of metric `which` over k folds. */
static void cv_stats(const retain_logreg_metrics *folds, int64_t k, int which, double *mean,
                     double *sd)
{
    double sum = 0.0, dev = 0.0;
    for (int64_t f = 0; f < k; f++)
        sum += cv_value(&folds[f], which);
    *mean = sum / (double)k;
    for (int64_t f = 0; f < k; f++) {
        double t = cv_value(&folds[f], which) - *mean;
        dev += t * t;
    }
    *sd = k > 1 ? sqrt(dev / (double)(k - 1)) : 0.0;
}

void cli_logreg_print_cv(const retain_logreg_metrics *folds, int64_t k)
{
    printf("cross-validation, %lld stratified folds (held-out rows; threshold %g):\n",
           (long long)k, folds[0].threshold);
    printf("  %-10s %10s %10s %10s %10s\n", "metric", "mean", "sd", "min", "max");
    for (int w = 0; w < CV_METRICS; w++) {
        double mean, sd, lo = INFINITY, hi = -INFINITY;
        cv_stats(folds, k, w, &mean, &sd);
        for (int64_t f = 0; f < k; f++) {
            lo = fmin(lo, cv_value(&folds[f], w));
            hi = fmax(hi, cv_value(&folds[f], w));
        }
        printf("  %-10s %10.6f %10.6f %10.6f %10.6f\n", cv_names[w], mean, sd, lo, hi);
    }
}

void cli_logreg_json_cv(cli_json *j, const retain_logreg_metrics *folds, int64_t k)
{
    json_object(j, "cv");
    json_int(j, "folds", k);
    for (int w = 0; w < CV_METRICS; w++) {
        double mean, sd;
        cv_stats(folds, k, w, &mean, &sd);
        json_object(j, cv_names[w]);
        json_double(j, "mean", mean);
        json_double(j, "sd", sd);
        json_array(j, "per_fold");
        for (int64_t f = 0; f < k; f++)
            json_double(j, NULL, cv_value(&folds[f], w));
        json_array_end(j);
        json_object_end(j);
    }
    json_object_end(j);
}

void cli_logreg_warn(const cli_command *cmd, const cli_common *common,
                     const retain_logreg_model *m)
{
    unsigned w = retain_logreg_model_warnings(m);
    if (w & RETAIN_LOGREG_WARN_SEPARABLE)
        cli_warn(cmd, common, "the classes are perfectly separable and --penalty none leaves "
                 "the coefficients unbounded: the fit stopped after %lld iterations with "
                 "finite but arbitrary coefficients (their size depends on --tol and "
                 "--max-iter); use --penalty l2 (or l1) for a meaningful model",
                 (long long)retain_logreg_model_n_iter(m));
    if (w & RETAIN_LOGREG_WARN_MAX_ITER)
        cli_warn(cmd, common, "the solver stopped at --max-iter %lld before reaching --tol; "
                 "raise --max-iter (or --tol) for a converged model",
                 (long long)retain_logreg_model_n_iter(m));
    if (w & RETAIN_LOGREG_WARN_STALLED)
        cli_warn(cmd, common, "the line search found no further decrease after %lld "
                 "iterations, before --tol was met (round-off floor); the model is as close "
                 "as float64 allows, consider a larger --tol",
                 (long long)retain_logreg_model_n_iter(m));
}
