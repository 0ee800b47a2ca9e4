/*
** tests/tools/logreg_metrics.c: a test-only window on
** retain_logreg_evaluate, so the reference tests can compare it with
** sklearn.metrics on exactly the same float64 scores. Built for tests only.
**
**   logreg_metrics THRESHOLD < input
**
** Input on stdin: n as one little-endian int64, then n float64 labels, then
** n float64 probabilities. Output: one JSON object with every metric (17
** significant digits; NaN as null). On failure: retain_last_error() on
** stderr and the status as exit code.
*/
#include "retain.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void num(const char *key, double v, const char *sep)
{
    if (isnan(v))
        printf("\"%s\":null%s", key, sep);
    else
        printf("\"%s\":%.17g%s", key, v, sep);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: logreg_metrics THRESHOLD < n, labels, probabilities\n");
        return 1;
    }
    int64_t n;
    if (fread(&n, sizeof n, 1, stdin) != 1 || n < 0) {
        fprintf(stderr, "logreg_metrics: no row count on stdin\n");
        return 1;
    }
    double *y = malloc((size_t)(n ? n : 1) * sizeof *y), *p = malloc((size_t)(n ? n : 1) * sizeof *p);
    if (!y || !p || fread(y, sizeof *y, (size_t)n, stdin) != (size_t)n ||
        fread(p, sizeof *p, (size_t)n, stdin) != (size_t)n) {
        fprintf(stderr, "logreg_metrics: short input\n");
        free(y);
        free(p);
        return 1;
    }
    retain_logreg_metrics m;
    retain_status s = retain_logreg_evaluate(y, p, n, atof(argv[1]), &m);
    free(y);
    free(p);
    if (s) {
        fprintf(stderr, "%s\n", retain_last_error());
        return (int)s;
    }
    printf("{\"rows\":%lld,\"positives\":%lld,", (long long)m.rows, (long long)m.positives);
    num("roc_auc", m.roc_auc, ",");
    num("pr_auc", m.pr_auc, ",");
    num("log_loss", m.log_loss, ",");
    num("brier", m.brier, ",");
    num("precision", m.precision, ",");
    num("recall", m.recall, ",");
    num("f1", m.f1, ",");
    num("accuracy", m.accuracy, ",");
    printf("\"deciles\":[");
    for (int k = 0; k < 10; k++) {
        printf("{\"rows\":%lld,\"positives\":%lld,", (long long)m.deciles[k].rows,
               (long long)m.deciles[k].positives);
        num("lift", m.deciles[k].lift, ",");
        num("cumulative_gain", m.deciles[k].cumulative_gain, "}");
        printf(k < 9 ? "," : "],");
    }
    printf("\"calibration\":[");
    for (int b = 0; b < 10; b++) {
        printf("{\"rows\":%lld,", (long long)m.calibration[b].rows);
        num("mean_predicted", m.calibration[b].mean_predicted, ",");
        num("observed_rate", m.calibration[b].observed_rate, "}");
        printf(b < 9 ? "," : "]}\n");
    }
    return 0;
}
