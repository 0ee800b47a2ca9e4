/*
** tests/unit/test_logs_cohorts.c: src/logs/cohorts.c and abtest.c on logs
** worked out by hand: period numbers and labels (ISO weeks from Monday,
** months across years, days before 1970), every cell of a small monthly
** matrix split by group with refunds and unobserved cells, the repeat
** counts, the per-group counts behind the A/B read-out, and the
** two-proportion numbers against values computed by hand.
*/
#include "check.h"

#include "core/datetime.h"
#include "logs/cohorts.h"

#include <math.h>
#include <string.h>

static int64_t at(const char *text)
{
    int64_t t = 0;
    rt_datetime_parse(text, &t);
    return t;
}

static void periods(void)
{
    char label[16];
    /* 2024-03-04 is a Monday; the Sunday before belongs to the week before */
    int64_t w = rt_logs_period_of(RT_PERIOD_WEEK, at("2024-03-04"));
    CHECK(rt_logs_period_of(RT_PERIOD_WEEK, at("2024-03-10T23:59:59")) == w &&
              rt_logs_period_of(RT_PERIOD_WEEK, at("2024-03-03T23:59:59")) == w - 1,
          "week bounds");
    rt_logs_period_label(RT_PERIOD_WEEK, rt_logs_period_of(RT_PERIOD_WEEK, at("2024-03-07")),
                         label);
    CHECK(strcmp(label, "2024-03-04") == 0, "week label %s", label);
    int64_t m = rt_logs_period_of(RT_PERIOD_MONTH, at("2023-12-31T23:59:59"));
    CHECK(rt_logs_period_of(RT_PERIOD_MONTH, at("2024-01-01")) == m + 1, "month across years");
    rt_logs_period_label(RT_PERIOD_MONTH, m + 2, label);
    CHECK(strcmp(label, "2024-02") == 0, "month label %s", label);
    CHECK(rt_logs_period_start(RT_PERIOD_MONTH, m + 2) == at("2024-02-01"), "month start");
    CHECK(rt_logs_period_of(RT_PERIOD_DAY, -1) == -1 &&
              rt_logs_period_of(RT_PERIOD_DAY, 86399) == 0, "days around 1970");
    rt_logs_period_label(RT_PERIOD_DAY, rt_logs_period_of(RT_PERIOD_DAY, at("2024-02-29T13:00:00")),
                         label);
    CHECK(strcmp(label, "2024-02-29") == 0, "day label %s", label);
}

static void matrix(void)
{
    /* user, date, amount, order, group */
    static const struct { int64_t user; const char *when; double amount; int64_t order, group; }
        ev[] = {
            {1, "2024-01-05", 10, 1, 0}, {2, "2024-01-20", 5, 2, 1},
            {1, "2024-01-25", 3, 8, 0},  /* a second order in the cohort month */
            {1, "2024-02-03", 7, 3, 0},  {3, "2024-02-10", 4, 4, 1},
            {4, "2024-02-11", -2, 9, 0}, /* refund only: no cohort */
            {2, "2024-03-01", 9, 5, 1},  {1, "2024-03-02", 1, 6, 0},
            {3, "2024-03-03", -4, 7, 1}, /* a refund is not activity */
            {5, "2024-03-20", 6, 10, 0},
        };
    enum { N = sizeof ev / sizeof *ev };
    int64_t user[N], time[N], order[N], group[N], line[N];
    double amount[N];
    for (int i = 0; i < N; i++) {
        user[i] = ev[i].user;
        time[i] = at(ev[i].when);
        amount[i] = ev[i].amount;
        order[i] = ev[i].order;
        group[i] = ev[i].group;
        line[i] = i + 2;
    }
    rt_logs_cohorts_params p = {RT_PERIOD_MONTH, true, NULL, NULL};
    rt_logs_cohorts *c;
    CHECK(rt_logs_cohorts_create(&p, &c) == RETAIN_OK, "create");
    CHECK(rt_logs_cohorts_add(c, 4, user, time, amount, order, group, line) == RETAIN_OK &&
              rt_logs_cohorts_add(c, N - 4, user + 4, time + 4, amount + 4, order + 4,
                                  group + 4, line + 4) == RETAIN_OK, "add");
    rt_logs_cohort_table t;
    retain_status s = rt_logs_cohorts_finish(c, 2, &t);
    rt_logs_cohorts_free(c);
    CHECK(s == RETAIN_OK, "finish");
    if (s)
        return;
    /* rows: (Jan, 0) user 1; (Jan, 1) user 2; (Feb, 1) user 3; (Mar, 0) user 5 */
    CHECK(t.rows == 4 && t.width == 3 && t.users == 4 && t.groups == 2, "%lld x %lld, %lld users",
          (long long)t.rows, (long long)t.width, (long long)t.users);
    static const int64_t group_of[4] = {0, 1, 1, 0}, size[4] = {1, 1, 1, 1},
                         rep[4] = {1, 1, 0, 0};
    static const int64_t active[4][3] = {{1, 1, 1}, {1, 0, 1}, {1, 0, -1}, {1, -1, -1}};
    for (int i = 0; i < 4; i++) {
        CHECK(t.group[i] == group_of[i] && t.size[i] == size[i] && t.repeaters[i] == rep[i],
              "row %d: group %lld size %lld repeaters %lld", i, (long long)t.group[i],
              (long long)t.size[i], (long long)t.repeaters[i]);
        for (int j = 0; j < 3; j++)
            CHECK(t.active[i * 3 + j] == active[i][j], "cell (%d, %d): %lld, want %lld", i, j,
                  (long long)t.active[i * 3 + j], (long long)active[i][j]);
    }
    CHECK(t.cohort[1] == t.cohort[0] && t.cohort[2] == t.cohort[0] + 1 &&
              t.cohort[3] == t.cohort[0] + 2, "cohort order");
    /* per group and offset: users whose cohort reaches the offset, active ones */
    static const int64_t eligible[2][3] = {{2, 1, 1}, {2, 2, 1}},
                         retained[2][3] = {{2, 1, 1}, {2, 0, 1}};
    for (int g = 0; g < 2; g++)
        for (int j = 0; j < 3; j++)
            CHECK(t.eligible[g * 3 + j] == eligible[g][j] &&
                      t.retained[g * 3 + j] == retained[g][j],
                  "group %d offset %d: %lld of %lld", g, j, (long long)t.retained[g * 3 + j],
                  (long long)t.eligible[g * 3 + j]);
    rt_logs_cohort_table_free(&t);
}

static void two_proportions(void)
{
    /* 30/100 against 20/100: diff 0.1; se = sqrt(.21/100 + .16/100);
    ** pooled 0.25: z = 0.1 / sqrt(.1875 * .02) = 1.6329932 */
    double d, lo, hi, p;
    rt_logs_two_proportions(30, 100, 20, 100, &d, &lo, &hi, &p);
    double se = sqrt(0.0037);
    CHECK(fabs(d - 0.1) < 1e-15 && fabs(lo - (0.1 - 1.959963984540054 * se)) < 1e-15 &&
              fabs(hi - (0.1 + 1.959963984540054 * se)) < 1e-15, "interval %g [%g, %g]", d, lo,
          hi);
    CHECK(fabs(p - 0.10247043485974937) < 1e-12, "p %.17g", p);
    rt_logs_two_proportions(0, 10, 0, 20, &d, &lo, &hi, &p);
    CHECK(d == 0 && p == 1.0, "all zero: p %g", p);
    rt_logs_two_proportions(1, 0, 1, 2, &d, &lo, &hi, &p);
    CHECK(isnan(d) && isnan(p), "empty group");
}

static void refusals(void)
{
    rt_logs_cohorts_params p = {RT_PERIOD_DAY, false, NULL, NULL};
    rt_logs_cohorts *c;
    rt_logs_cohort_table t;
    CHECK(rt_logs_cohorts_create(&p, &c) == RETAIN_OK, "create");
    CHECK(rt_logs_cohorts_finish(c, 1, &t) == RETAIN_ERR_DATA, "empty log");
    int64_t user[2] = {1, 1}, time[2] = {200000, 100000}, line[2] = {2, 3};
    double amount[2] = {1, 1};
    CHECK(rt_logs_cohorts_add(c, 2, user, time, amount, NULL, NULL, line) == RETAIN_ERR_DATA,
          "time order");
    rt_logs_cohorts_free(c);
}

int main(void)
{
    periods();
    matrix();
    two_proportions();
    refusals();
    CHECK_DONE();
}
