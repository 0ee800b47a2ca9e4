/*
** src/cli/cmd_logreg_eval.c: `retain logreg eval MODEL.h5 FILE --label
** /churned`: scores held-out rows with a churn model and prints every
** metric of retain_logreg_evaluate: ROC AUC, PR AUC, log-loss, Brier,
** precision / recall / F1 at a threshold, lift and cumulative gains by
** decile and the calibration table; or all of it as JSON.
*/
#include "cli.h"

#include "core/error.h"
#include "io/features.h"
#include "io/h5.h"
#include "io/kmeans_model.h"
#include "io/logreg_model.h"

#include <stdlib.h>

int cmd_logreg_eval(int argc, char **argv)
{
    cli_common common = {0};
    rt_features_spec spec = {.label = "/churned"};
    double threshold = 0.5;
    cli_opt opts[] = {
        {"label", 0, CLI_STRING, &spec.label, "DATASET", "the 0/1 churn label: a dataset "
         "of FILE or a frame column", 1, 0},
        {"threshold", 0, CLI_DOUBLE, &threshold, "P", "probability at which a row counts as "
         "predicted churn for precision, recall, F1", 0, 1},
        {"dataset", 0, CLI_STRING, &spec.dataset, "PATH", "feature dataset or group "
         "(default: /features, else the file's one pandas frame)", 1, 0},
        {"columns", 0, CLI_STRING, &spec.columns, "a,b,c", "feature columns, in the model's "
         "order (default: every numeric column but the label and ids)", 1, 0},
        {0},
    };
    cli_command cmd = {
        "logreg eval", "MODEL.h5 FILE [--label /churned] [--threshold P]",
        "Measure a churn model on labelled (held-out) rows.",
        "Scores every row of FILE with the model and compares with the 0/1 label:\n"
        "ROC AUC (ties counted half), PR AUC (average precision), log-loss, Brier\n"
        "score, precision / recall / F1 / accuracy at --threshold, the lift and\n"
        "cumulative gains of each decile of rows ranked by probability (how many\n"
        "times the base churn rate the top 10%, 20%, ... hold) and a calibration\n"
        "table (10 probability bins: mean predicted vs observed churn rate), as\n"
        "sklearn.metrics computes them. The input must have the model's features.\n\n"
        "example: retain logreg eval churn.h5 holdout.h5 --label /churned --json",
        opts, 2, 2};
    const char *pos[2];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    const char *model_path = pos[0], *input = pos[1];
    double t0 = rt_seconds();
    retain_logreg_model *m;
    char **model_names;
    retain_status s = rt_logreg_model_load(model_path, &m, &model_names);
    if (s)
        return cli_fail(&cmd, &common, s);
    int64_t model_d = retain_logreg_model_d(m);
    rt_features *f = NULL;
    retain_matrix_owned x = {0};
    double *y = NULL, *prob = NULL;
    retain_logreg_metrics r;
    int64_t first;
    s = cli_logreg_read(input, &spec, &f, &x, &y, &first);
    if (!s)
        s = rt_features_check_names(model_path, (const char *const *)model_names, model_d,
                                     input, rt_features_names(f), rt_features_cols(f));
    if (!s && !(prob = malloc((size_t)x.rows * sizeof *prob)))
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld probabilities",
                     (long long)x.rows);
    retain_matrix view = retain_matrix_view(&x);
    if (!s && !(s = retain_logreg_predict(m, &view, prob)) &&
        (s = retain_logreg_evaluate(y, prob, x.rows, threshold, &r)))
        rt_error_context(s, "%s: label %s", input, spec.label);
    retain_matrix_release(&x);
    free(y);
    free(prob);
    rt_features_close(f);
    rt_h5_free_strings(model_names, model_d);
    retain_logreg_free(m);
    if (s)
        return cli_fail(&cmd, &common, s);
    if (common.json) {
        cli_json j;
        json_begin(&j, stdout);
        json_string(&j, "command", "logreg eval");
        json_string(&j, "model", model_path);
        json_string(&j, "input", input);
        json_string(&j, "label", spec.label);
        json_double(&j, "seconds", rt_seconds() - t0);
        cli_logreg_json_metrics(&j, "metrics", &r, true);
        json_end(&j);
    } else if (!common.quiet) {
        cli_logreg_print_metrics(input, &r, true);
    }
    return 0;
}
