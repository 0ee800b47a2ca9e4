/*
** src/clv/holdout.c: how well a model fitted on the calibration period
** predicts the holdout period that follows it, the checks of Fader, Hardie
** and Lee (2005): each calibration customer's expected occasions in the
** holdout (rt_clv_expected over its length) against the actual ones, in
** total, by calibration repeat occasions 0 .. 6, 7+ (their conditional
** expectations, Figure 3) and as a per-customer correlation; and the
** tracking curve (Figure 2): the cohort's cumulative repeat occasions at
** the end of each week from the first trial day, against the sum over
** customers of the unconditional rt_clv_expected_new at their age then.
** Customers sharing a trial time share the curve's terms: they are grouped
** first, so the cost grows with distinct trial times times weeks.
** The summary (summary.c) brings the actual counts.
*/
#include "clv.h"

#include "core/error.h"
#include "core/parallel.h"
#include "core/sort.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400
#define WEEK (7 * DAY)

typedef struct curve_ctx {
    rt_clv_model model;
    const double *params;
    const double *age, *count; /* distinct ages at age_end, customers  */
    const double *shift;       /* weeks: time from age_end, model units */
    int64_t weeks;
} curve_ctx;

static void curve_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const curve_ctx *c = ctx;
    (void)thread;
    for (int64_t g = first; g < first + rows; g++)
        for (int64_t j = 0; j < c->weeks; j++)
            partial[j] += c->count[g] *
                          rt_clv_expected_new(c->model, c->params, c->age[g] + c->shift[j]);
}

/* The expected side of the tracking curve into h->week_expected. */
static retain_status expected_curve(rt_clv_model model, const double *params,
                                    const rt_clv_table *t, const int64_t *week_end,
                                    rt_clv_holdout *h)
{
    int64_t n = t->n, one = n > 0 ? n : 1;
    uint64_t *keys = malloc((size_t)one * sizeof *keys);
    int64_t *order = malloc((size_t)one * sizeof *order);
    double *age = malloc((size_t)(2 * one) * sizeof *age);
    double *shift = malloc((size_t)h->weeks * sizeof *shift);
    retain_status s = RETAIN_OK;
    if (!keys || !order || !age || !shift)
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for the tracking curve");
    for (int64_t i = 0; !s && i < n; i++) {
        keys[i] = rt_sort_key_f64(t->T[i]);
        order[i] = i;
    }
    if (!s)
        s = rt_sort_u64(keys, order, n);
    double *count = age + one;
    int64_t groups = 0;
    for (int64_t i = 0; !s && i < n; i++) {
        if (i == 0 || keys[i] != keys[i - 1]) {
            age[groups] = t->T[order[i]];
            count[groups++] = 0;
        }
        count[groups - 1] += 1;
    }
    if (!s) {
        for (int64_t j = 0; j < h->weeks; j++)
            shift[j] = (double)(week_end[j] - t->age_end) / h->unit;
        curve_ctx c = {model, params, age, count, shift, h->weeks};
        s = rt_reduce_rows(groups, h->weeks, curve_block, &c, h->week_expected);
    }
    free(keys);
    free(order);
    free(age);
    free(shift);
    return s;
}

/* The actual side: repeat occasions by day summed into weeks, cumulated. */
static void actual_curve(const rt_clv_table *t, rt_clv_holdout *h)
{
    memset(h->week_actual, 0, (size_t)h->weeks * sizeof *h->week_actual);
    for (int64_t k = 0; k < t->repeat_days; k++) {
        int64_t j = (t->repeat_day[k] - h->origin) / WEEK;
        if (j >= 0 && j < h->weeks)
            h->week_actual[j] += (double)t->repeats[k];
    }
    for (int64_t j = 1; j < h->weeks; j++)
        h->week_actual[j] += h->week_actual[j - 1];
}

/* Totals, group means and the correlation from each customer's prediction. */
static void compare(const rt_clv_table *t, const double *pred, rt_clv_holdout *h)
{
    int64_t n = t->n;
    double mean_p = 0, mean_a = 0;
    for (int64_t i = 0; i < n; i++) {
        int g = t->x[i] < RT_CLV_HOLDOUT_GROUPS - 1 ? (int)t->x[i] : RT_CLV_HOLDOUT_GROUPS - 1;
        h->customers[g]++;
        h->actual[g] += t->holdout[i];
        h->predicted[g] += pred[i];
        mean_a += t->holdout[i];
        mean_p += pred[i];
    }
    h->actual_total = mean_a;
    h->predicted_total = mean_p;
    for (int g = 0; g < RT_CLV_HOLDOUT_GROUPS; g++) {
        h->actual[g] = h->customers[g] ? h->actual[g] / (double)h->customers[g] : NAN;
        h->predicted[g] = h->customers[g] ? h->predicted[g] / (double)h->customers[g] : NAN;
    }
    mean_a /= (double)n;
    mean_p /= (double)n;
    double spp = 0, saa = 0, spa = 0;
    for (int64_t i = 0; i < n; i++) {
        double dp = pred[i] - mean_p, da = t->holdout[i] - mean_a;
        spp += dp * dp;
        saa += da * da;
        spa += dp * da;
    }
    h->correlation = spp > 0 && saa > 0 ? spa / sqrt(spp * saa) : NAN;
}

retain_status rt_clv_holdout_check(rt_clv_model model, const double *params,
                                   const rt_clv_table *t, const rt_clv_period *p,
                                   rt_clv_holdout *out)
{
    memset(out, 0, sizeof *out);
    if (!t->holdout || t->n == 0 || p->holdout_end <= p->end)
        return rt_error(RETAIN_ERR_USAGE, "the holdout check needs a summary with a holdout "
                        "period and customers");
    out->unit = p->unit;
    out->length = (double)(p->holdout_end - p->end) / p->unit;
    /* the first trial day: T is the age at age_end */
    double oldest = 0;
    for (int64_t i = 0; i < t->n; i++)
        oldest = t->T[i] > oldest ? t->T[i] : oldest;
    int64_t first = t->age_end - (int64_t)llround(oldest * p->unit);
    out->origin = (first >= 0 ? first / DAY : -((-first + DAY - 1) / DAY)) * DAY;
    out->end = p->holdout_end;
    out->weeks = (p->holdout_end - out->origin + WEEK - 1) / WEEK;
    int64_t *week_end = malloc((size_t)out->weeks * sizeof *week_end);
    double *pred = malloc((size_t)t->n * sizeof *pred);
    out->week_actual = malloc((size_t)(2 * out->weeks) * sizeof *out->week_actual);
    if (!week_end || !pred || !out->week_actual) {
        free(week_end);
        free(pred);
        rt_clv_holdout_free(out);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the holdout check");
    }
    out->week_expected = out->week_actual + out->weeks;
    for (int64_t j = 0; j < out->weeks; j++)
        week_end[j] = rt_clv_holdout_week_end(out, j);
#pragma omp parallel for schedule(dynamic, 256) num_threads(rt_threads())
    for (int64_t i = 0; i < t->n; i++)
        pred[i] = rt_clv_expected(model, params, out->length, t->x[i], t->tx[i], t->T[i]);
    compare(t, pred, out);
    actual_curve(t, out);
    retain_status s = expected_curve(model, params, t, week_end, out);
    free(week_end);
    free(pred);
    if (s)
        rt_clv_holdout_free(out);
    return s;
}

void rt_clv_holdout_free(rt_clv_holdout *h)
{
    free(h->week_actual);
    h->week_actual = h->week_expected = NULL;
}

int64_t rt_clv_holdout_week_end(const rt_clv_holdout *h, int64_t j)
{
    int64_t end = h->origin + (j + 1) * WEEK;
    return end < h->end ? end : h->end;
}
