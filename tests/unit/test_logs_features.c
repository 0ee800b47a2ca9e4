/*
** tests/unit/test_logs_features.c: src/logs/features.c and rfm.c on a small
** log worked out by hand (every feature, the churn label, duplicates,
** events after asof, refunds-only users), RFM scores with ties, every tier
** and its boundaries, and the refusals (time order, empty log, asof before
** the first event).
*/
#include "check.h"

#include "core/error.h"
#include "logs/features.h"

#include <math.h>
#include <string.h>

#define DAY 86400
#define NEAR(a, b) (fabs((a) - (b)) < 1e-12)

enum { N = 13 };
/* user, day, seconds into the day, amount, item, order */
static const struct { int64_t user, day, sec; double amount; int64_t item, order; } rows[N] = {
    {10, 10, 0, 20.0, 1, 1},   /* before the window            */
    {20, 20, 0, 40.0, 4, 6},   /* user 20: before the window   */
    {10, 50, 0, 10.0, 1, 2},   /* order 2: two lines           */
    {10, 50, 0, 5.0, 2, 2},
    {40, 60, 0, -5.0, 9, 99},  /* user 40: a refund only       */
    {10, 80, 0, 30.0, 3, 3},
    {10, 85, 0, -6.0, 3, 3},   /* refund of order 3            */
    {30, 90, 43200, 100.0, 5, 7},
    {10, 95, 0, 15.0, 1, 4},
    {10, 95, 0, 15.0, 1, 4},   /* duplicate of the row before  */
    {40, 101, 0, 3.0, 9, 98},  /* after asof                   */
    {10, 105, 0, 8.0, 1, 5},   /* in the horizon: not churned  */
    {30, 112, 0, 1.0, 5, 8},   /* after the horizon            */
};

static rt_logs_features_params params(bool has_order)
{
    rt_logs_features_params p = {100 * DAY, 60 * DAY, 10 * DAY, true, has_order, NULL, NULL};
    return p;
}

static retain_status fold(const rt_logs_features_params *p, int64_t n, int split,
                          rt_logs_feature_table *t)
{
    int64_t user[N], time[N], item[N], order[N], line[N];
    double amount[N];
    for (int64_t i = 0; i < n; i++) {
        user[i] = rows[i].user;
        time[i] = rows[i].day * DAY + rows[i].sec;
        amount[i] = rows[i].amount;
        item[i] = rows[i].item;
        order[i] = rows[i].order;
        line[i] = i + 2;
    }
    rt_logs_features *f;
    retain_status s = rt_logs_features_create(p, &f);
    if (s)
        return s;
    /* two blocks: the fold must not care where they split */
    if (!(s = rt_logs_features_add(f, split, user, time, amount, item, order, line)))
        s = rt_logs_features_add(f, n - split, user + split, time + split, amount + split,
                                 item + split, order + split, line + split);
    if (!s)
        s = rt_logs_features_finish(f, t);
    rt_logs_features_free(f);
    return s;
}

static void hand_log(bool has_order, int split)
{
    rt_logs_features_params p = params(has_order);
    rt_logs_feature_table t;
    retain_status s = fold(&p, N, split, &t);
    CHECK(s == RETAIN_OK, "fold: %s", retain_last_error());
    if (s)
        return;
    CHECK(t.users == 3 && t.cols == 11, "%lld users x %lld", (long long)t.users,
          (long long)t.cols);
    CHECK(t.user_id[0] == 10 && t.user_id[1] == 20 && t.user_id[2] == 30, "ids");
    CHECK(t.events == 13 && t.used == 9 && t.after_asof == 3, "events %lld used %lld after %lld",
          (long long)t.events, (long long)t.used, (long long)t.after_asof);
    CHECK(t.duplicates == 1 && t.first_duplicate == 11 && t.duplicate_of == 10,
          "duplicates %lld at %lld of %lld", (long long)t.duplicates,
          (long long)t.first_duplicate, (long long)t.duplicate_of);
    CHECK(strcmp(t.names[8], "distinct_items") == 0, "names");
    static const double want[3][11] = {
        /* recency tenure freq total mean gap_mean gap_std trend items basket refund */
        {5, 90, 3, 54, 18, 22.5, 7.5, 1.0 / 3.0, 3, 4.0 / 3.0, 0.1},
        {80, 80, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {9.5, 9.5, 1, 100, 100, 0, 0, 1, 1, 1, 0},
    };
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 11; j++)
            CHECK(NEAR(t.x[i * 11 + j], want[i][j]), "user %lld %s: %.17g, want %.17g",
                  (long long)t.user_id[i], t.names[j], t.x[i * 11 + j], want[i][j]);
    CHECK(t.covers_horizon && t.churned, "horizon covered");
    if (t.churned)
        CHECK(t.churned[0] == 0 && t.churned[1] == 1 && t.churned[2] == 1, "churned %d %d %d",
              t.churned[0], t.churned[1], t.churned[2]);
    /* recency 5, 80, 9.5; frequency 3, 0, 1; monetary 54, 0, 100 */
    static const int8_t rfm[9] = {4, 4, 2, 1, 1, 1, 2, 2, 4};
    CHECK(memcmp(t.rfm, rfm, 9) == 0, "rfm %d%d%d %d%d%d %d%d%d", t.rfm[0], t.rfm[1], t.rfm[2],
          t.rfm[3], t.rfm[4], t.rfm[5], t.rfm[6], t.rfm[7], t.rfm[8]);
    CHECK(t.tier[0] == RT_TIER_ACTIVE && t.tier[1] == RT_TIER_ACTIVE &&
          t.tier[2] == RT_TIER_NEW, "tiers %d %d %d", t.tier[0], t.tier[1], t.tier[2]);
    rt_logs_feature_table_free(&t);
}

static void horizon_not_covered(void)
{
    /* the log ends on day 105: asof 100 + 10 days is not covered */
    rt_logs_features_params p = params(true);
    rt_logs_feature_table t;
    CHECK(fold(&p, 12, 5, &t) == RETAIN_OK, "%s", retain_last_error());
    CHECK(!t.covers_horizon && !t.churned, "no label without the horizon");
    rt_logs_feature_table_free(&t);
}

static void refusals(void)
{
    rt_logs_features_params p = params(true);
    rt_logs_feature_table t;
    CHECK(fold(&p, 0, 0, &t) == RETAIN_ERR_DATA && strstr(retain_last_error(), "no events"),
          "empty log: %s", retain_last_error());
    p.asof = 10 * DAY;
    CHECK(fold(&p, N, 3, &t) == RETAIN_ERR_USAGE && strstr(retain_last_error(), "first event"),
          "asof at the first event: %s", retain_last_error());
    p = params(true);
    rt_logs_features *f;
    CHECK(rt_logs_features_create(&p, &f) == RETAIN_OK, "create");
    int64_t user[2] = {7, 7}, time[2] = {5 * DAY, 4 * DAY}, item[2] = {1, 1}, order[2] = {1, 2},
            line[2] = {2, 3};
    double amount[2] = {1, 1};
    CHECK(rt_logs_features_add(f, 2, user, time, amount, item, order, line) == RETAIN_ERR_DATA &&
          strstr(retain_last_error(), "line 3 is earlier than line 2"), "time order: %s",
          retain_last_error());
    rt_logs_features_free(f);
}

static void rfm_and_tiers(void)
{
    /* ties share a score; 10 users, 5 scores of two */
    double rec[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    double freq[10] = {0, 0, 0, 0, 0, 0, 1, 1, 2, 5};
    double mon[10] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    int8_t rfm[30];
    CHECK(rt_logs_rfm_scores(10, rec, freq, mon, 1, rfm) == RETAIN_OK, "rfm");
    static const int8_t r[10] = {5, 5, 4, 4, 3, 3, 2, 2, 1, 1};
    static const int8_t fs[10] = {1, 1, 1, 1, 1, 1, 4, 4, 5, 5};
    static const int8_t m[10] = {5, 5, 4, 4, 3, 3, 2, 2, 1, 1};
    for (int i = 0; i < 10; i++)
        CHECK(rfm[3 * i] == r[i] && rfm[3 * i + 1] == fs[i] && rfm[3 * i + 2] == m[i],
              "user %d: %d %d %d", i, rfm[3 * i], rfm[3 * i + 1], rfm[3 * i + 2]);
    /* rules in order, at their boundaries */
    double recency[8] = {180.5, 180, 10, 10, 90.5, 90, 90, 5};
    double tenure[8] = {400, 400, 30, 30.5, 400, 400, 400, 10};
    int8_t scores[24] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
                         5, 5, 5, 5, 4, 4, 5, 3, 5, 5, 5, 5};
    int8_t tier[8];
    rt_logs_tiers(8, recency, tenure, 1, scores, tier);
    static const int8_t want[8] = {RT_TIER_LOST,    RT_TIER_AT_RISK, RT_TIER_NEW,
                                   RT_TIER_LOYAL,   RT_TIER_AT_RISK, RT_TIER_LOYAL,
                                   RT_TIER_ACTIVE,  RT_TIER_NEW};
    for (int i = 0; i < 8; i++)
        CHECK(tier[i] == want[i], "tier case %d: %s, want %s", i, rt_logs_tier_names[tier[i]],
              rt_logs_tier_names[want[i]]);
}

int main(void)
{
    hand_log(true, 5);
    hand_log(false, 1);
    hand_log(true, 12);
    horizon_not_covered();
    refusals();
    rfm_and_tiers();
    CHECK_DONE();
}
