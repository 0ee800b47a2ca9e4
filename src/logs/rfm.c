/*
** src/logs/rfm.c: RFM quintile scores and lifecycle tiers (rules in
** features.h). A score counts the users strictly worse than this one
** (found by radix-sorting the values and walking runs of equal ones), so
** equal values always share a score, whatever order the users come in.
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

retain_status rt_logs_rfm_scores(int64_t n, const double *recency, const double *frequency,
                                 const double *monetary, int64_t stride, int8_t *rfm)
{
    uint64_t *key = malloc((size_t)n * sizeof *key);
    int64_t *who = malloc((size_t)n * sizeof *who);
    retain_status s = RETAIN_OK;
    if (!key || !who)
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for RFM scores of %lld users",
                     (long long)n);
    const double *cols[3] = {recency, frequency, monetary};
    for (int c = 0; c < 3 && !s; c++) {
        for (int64_t i = 0; i < n; i++) {
            key[i] = rt_sort_key_f64(cols[c][i * stride]);
            who[i] = i;
        }
        if ((s = rt_sort_u64(key, who, n)))
            break;
        /* a run of equal values [a, b): a users below it, n - b above */
        for (int64_t a = 0, b; a < n; a = b) {
            for (b = a + 1; b < n && key[b] == key[a]; b++)
                ;
            /* recency: a larger value is worse */
            int64_t worse = c == 0 ? n - b : a;
            for (int64_t i = a; i < b; i++)
                rfm[who[i] * 3 + c] = (int8_t)(1 + (5 * worse) / n);
        }
    }
    free(key);
    free(who);
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
