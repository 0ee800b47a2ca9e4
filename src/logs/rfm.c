/*
** src/logs/rfm.c: RFM quintile scores and lifecycle tiers (rules in
** features.h). A score counts the users strictly worse than this one
** (found by sorting the values once and binary search), so equal values
** always share a score, whatever order the users come in.
*/
#include "features.h"

#include "core/error.h"

#include <stdlib.h>

const char *const rt_logs_tier_names[RT_TIER_COUNT] = {"new", "active", "loyal", "at_risk",
                                                       "lost"};
const char rt_logs_tier_rule[] =
    "the first that holds: lost (dormant): recency_days > 180; new: tenure_days <= 30; "
    "at_risk: recency_days > 90; loyal (VIP): RFM F score >= 4 and M score >= 4; "
    "active: the rest";

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Number of values in sorted[0..n) strictly below v. */
static int64_t below(const double *sorted, int64_t n, double v)
{
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Number of values strictly above v. */
static int64_t above(const double *sorted, int64_t n, double v)
{
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return n - lo;
}

retain_status rt_logs_rfm_scores(int64_t n, const double *recency, const double *frequency,
                                 const double *monetary, int64_t stride, int8_t *rfm)
{
    double *sorted = malloc((size_t)n * sizeof *sorted);
    if (!sorted)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for RFM scores of %lld users",
                        (long long)n);
    const double *cols[3] = {recency, frequency, monetary};
    for (int c = 0; c < 3; c++) {
        for (int64_t i = 0; i < n; i++)
            sorted[i] = cols[c][i * stride];
        qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
        for (int64_t i = 0; i < n; i++) {
            double v = cols[c][i * stride];
            /* recency: a larger value is worse */
            int64_t worse = c == 0 ? above(sorted, n, v) : below(sorted, n, v);
            rfm[i * 3 + c] = (int8_t)(1 + (5 * worse) / n);
        }
    }
    free(sorted);
    return RETAIN_OK;
}

void rt_logs_tiers(int64_t n, const double *recency, const double *tenure, int64_t stride,
                   const int8_t *rfm, int8_t *tier)
{
    for (int64_t i = 0; i < n; i++) {
        double r = recency[i * stride], t = tenure[i * stride];
        const int8_t *s = rfm + 3 * i;
        tier[i] = r > RT_TIER_LOST_DAYS        ? RT_TIER_LOST
                  : t <= RT_TIER_NEW_DAYS      ? RT_TIER_NEW
                  : r > RT_TIER_AT_RISK_DAYS   ? RT_TIER_AT_RISK
                  : s[1] >= 4 && s[2] >= 4     ? RT_TIER_LOYAL
                                               : RT_TIER_ACTIVE;
    }
}
