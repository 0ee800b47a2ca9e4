/*
** src/logreg/metrics.c: retain_logreg_evaluate, the numbers a retention
** team reads off scored rows, computed as sklearn.metrics does (retain.h
** lists them). One sort of the rows by probability, highest first, feeds
** the ROC and precision-recall sweeps (over groups of tied scores, so ties
** count as sklearn counts them) and the deciles; the rest are single
** passes. ROC AUC is the trapezoid sum in integer counts, divided once.
*/
#include "logreg.h"

#include "core/error.h"
#include "core/mem.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct scored {
    double p;
    int64_t row;
} scored;

static int by_p_desc(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* ROC AUC and average precision over the sorted rows. */
static void ranking(const scored *r, const double *y, int64_t n, int64_t pos,
                    retain_logreg_metrics *out)
{
    int64_t neg = n - pos, tp = 0, fp = 0;
    double twice_area = 0.0, ap = 0.0;
    for (int64_t i = 0; i < n;) {
        int64_t tp0 = tp, fp0 = fp;
        double p = r[i].p;
        for (; i < n && r[i].p == p; i++) {
            if (y[r[i].row] != 0)
                tp++;
            else
                fp++;
        }
        twice_area += (double)(fp - fp0) * (double)(tp + tp0);
        if (pos > 0)
            ap += (double)(tp - tp0) / (double)pos * ((double)tp / (double)(tp + fp));
    }
    out->roc_auc = pos > 0 && neg > 0 ? twice_area / (2.0 * (double)pos * (double)neg) : NAN;
    out->pr_auc = pos > 0 ? ap : NAN;
}

static void deciles(const scored *r, const double *y, int64_t n, int64_t pos,
                    retain_logreg_metrics *out)
{
    double base = n > 0 ? (double)pos / (double)n : 0.0;
    int64_t cum = 0;
    for (int k = 0; k < 10; k++) {
        retain_logreg_decile *dk = &out->deciles[k];
        int64_t lo = n * k / 10, hi = n * (k + 1) / 10;
        dk->rows = hi - lo;
        dk->positives = 0;
        for (int64_t i = lo; i < hi; i++)
            dk->positives += y[r[i].row] != 0;
        cum += dk->positives;
        dk->rate = dk->rows ? (double)dk->positives / (double)dk->rows : NAN;
        dk->lift = dk->rows && base > 0 ? dk->rate / base : NAN;
        dk->cumulative_gain = pos > 0 ? (double)cum / (double)pos : NAN;
    }
}

static void pointwise(const double *y, const double *p, int64_t n, double threshold,
                      retain_logreg_metrics *out)
{
    double ll = 0.0, brier = 0.0, psum[10] = {0}, ysum[10] = {0};
    int64_t tp = 0, fp = 0, fn = 0, tn = 0, bins[10] = {0};
    for (int64_t i = 0; i < n; i++) {
        double q = p[i] < DBL_EPSILON ? DBL_EPSILON : p[i] > 1 - DBL_EPSILON ? 1 - DBL_EPSILON : p[i];
        bool one = y[i] != 0;
        ll -= one ? log(q) : log1p(-q);
        brier += (p[i] - y[i]) * (p[i] - y[i]);
        bool hit = p[i] >= threshold;
        tp += hit && one;
        fp += hit && !one;
        fn += !hit && one;
        tn += !hit && !one;
        /* calibration_curve's bin: how many of numpy's edges k * 0.1 (k 1..9) are < p */
        int b = 0;
        while (b < 9 && p[i] > (double)(b + 1) * 0.1)
            b++;
        bins[b]++;
        psum[b] += p[i];
        ysum[b] += y[i];
    }
    out->log_loss = ll / (double)n;
    out->brier = brier / (double)n;
    out->threshold = threshold;
    out->precision = tp + fp ? (double)tp / (double)(tp + fp) : 0.0;
    out->recall = tp + fn ? (double)tp / (double)(tp + fn) : 0.0;
    out->f1 = 2 * tp + fp + fn ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0.0;
    out->accuracy = (double)(tp + tn) / (double)n;
    for (int b = 0; b < 10; b++) {
        out->calibration[b].rows = bins[b];
        out->calibration[b].mean_predicted = bins[b] ? psum[b] / (double)bins[b] : NAN;
        out->calibration[b].observed_rate = bins[b] ? ysum[b] / (double)bins[b] : NAN;
    }
}

retain_status retain_logreg_evaluate(const double *y, const double *p, int64_t n,
                                     double threshold, retain_logreg_metrics *out)
{
    if (!y || !p || !out)
        return rt_error(RETAIN_ERR_USAGE, "retain_logreg_evaluate: %s is NULL",
                        !y ? "y" : !p ? "p" : "out");
    if (n < 1)
        return rt_error(RETAIN_ERR_USAGE, "retain_logreg_evaluate: no rows to evaluate");
    memset(out, 0, sizeof *out);
    uint8_t *y01;
    retain_status s = retain_malloc((size_t)n, (void **)&y01);
    if (s)
        return s;
    s = rt_logreg_labels(y, n, 0, y01);
    retain_free(y01);
    if (s)
        return s;
    int64_t pos = 0;
    for (int64_t i = 0; i < n; i++) {
        if (!(p[i] >= 0 && p[i] <= 1))
            return rt_error(RETAIN_ERR_DATA, "retain_logreg_evaluate: probability row %lld "
                            "is %g; it must be in [0, 1]", (long long)i, p[i]);
        pos += y[i] != 0;
    }
    scored *r;
    s = rt_mem_check_claim(n * (int64_t)sizeof *r, "the sort of scored rows",
                           "evaluate fewer rows");
    if (s || (s = retain_malloc((size_t)n * sizeof *r, (void **)&r)))
        return s;
    for (int64_t i = 0; i < n; i++)
        r[i] = (scored){p[i], i};
    qsort(r, (size_t)n, sizeof *r, by_p_desc);
    out->rows = n;
    out->positives = pos;
    ranking(r, y, n, pos, out);
    deciles(r, y, n, pos, out);
    pointwise(y, p, n, threshold, out);
    retain_free(r);
    return RETAIN_OK;
}
