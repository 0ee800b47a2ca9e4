/*
** src/logs/rfm.c: RFM quintile scores and lifecycle tiers (rules in
** features.h). A score counts the users strictly worse than this one
** (found by radix-sorting the values once and binary search), so equal values
** always share a score, whatever order the users come in.
*/
#include "features.h"

#include "core/error.h"
#include "core/sort.h"

#include <stdlib.h>

const char *const rt_logs_tier_names[RT_TIER_COUNT] = {"new", "active", "loyal", "at_risk",
                                                       "lost"};
const char rt_logs_tier_rule[] =
    "the first that holds: lost (dormant): recency_days > 180; new: tenure_days <= 30; "
    "at_risk: recency_days > 90; loyal (VIP): RFM F score >= 4 and M score >= 4; "
    "active: the rest";

/* Number of keys in sorted[0..n) strictly below k (or, with `above`,
** strictly above it). */
static int64_t count_beyond(const uint64_t *sorted, int64_t n, uint64_t k, bool above)
{
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (above ? sorted[mid] <= k : sorted[mid] < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return above ? n - lo : lo;
}

retain_status rt_logs_rfm_scores(int64_t n, const double *recency, const double *frequency,
                                 const double *monetary, int64_t stride, int8_t *rfm)
{
    uint64_t *sorted = malloc((size_t)n * sizeof *sorted);
    if (!sorted)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for RFM scores of %lld users",
                        (long long)n);
    const double *cols[3] = {recency, frequency, monetary};
    retain_status s = RETAIN_OK;
    for (int c = 0; c < 3 && !s; c++) {
        for (int64_t i = 0; i < n; i++)
            sorted[i] = rt_sort_key_f64(cols[c][i * stride]);
        if ((s = rt_sort_u64(sorted, NULL, n)))
            break;
        for (int64_t i = 0; i < n; i++) {
            /* recency: a larger value is worse */
            int64_t worse = count_beyond(sorted, n, rt_sort_key_f64(cols[c][i * stride]), c == 0);
            rfm[i * 3 + c] = (int8_t)(1 + (5 * worse) / n);
        }
    }
    free(sorted);
    return s;
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
