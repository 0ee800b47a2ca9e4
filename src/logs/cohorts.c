/*
** src/logs/cohorts.c: the cohort fold (see cohorts.h). Each user keeps its
** cohort, group, the last period it was active in and its order count (up
** to 2); since a user's events come in time order, a purchase in a period
** later than the last one is a new active cell. Cells live in a keymap
** keyed by (row, offset), rows in one keyed by (cohort, group).
*/
#include "cohorts.h"

#include "core/datetime.h"
#include "core/error.h"
#include "core/keymap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400
#define MAX_GROUPS 1000000

typedef struct user_state {
    int64_t cohort, last, group, order_key, prev_time, prev_line;
    int32_t orders; /* at most 2 */
    bool bought;
} user_state;

struct rt_logs_cohorts {
    rt_logs_cohorts_params p;
    rt_keymap users, rows, cells;
    user_state *u;
    int64_t ucap;
    int64_t *counts; /* per cell */
    int64_t ccap;
    int64_t events, purchases, last_time;
    int64_t cached_day, cached_period;
};

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

int64_t rt_logs_period_of(rt_logs_period period, int64_t t)
{
    int64_t day = floor_div(t, DAY);
    if (period == RT_PERIOD_DAY)
        return day;
    if (period == RT_PERIOD_WEEK)
        return floor_div(day + 3, 7); /* 1970-01-01 was a Thursday */
    int64_t y;
    int m, d;
    rt_civil_from_days(day, &y, &m, &d);
    return y * 12 + (m - 1);
}

int64_t rt_logs_period_start(rt_logs_period period, int64_t p)
{
    if (period == RT_PERIOD_DAY)
        return p * DAY;
    if (period == RT_PERIOD_WEEK)
        return (p * 7 - 3) * DAY;
    return rt_days_from_civil(floor_div(p, 12), p - floor_div(p, 12) * 12 + 1, 1) * DAY;
}

void rt_logs_period_label(rt_logs_period period, int64_t p, char out[16])
{
    char full[20];
    rt_datetime_format(rt_logs_period_start(period, p), full);
    snprintf(out, 16, "%.*s", period == RT_PERIOD_MONTH ? 7 : 10, full);
}

retain_status rt_logs_cohorts_create(const rt_logs_cohorts_params *p, rt_logs_cohorts **out)
{
    *out = NULL;
    rt_logs_cohorts *c = calloc(1, sizeof *c);
    if (!c)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    c->p = *p;
    c->last_time = INT64_MIN;
    c->cached_day = INT64_MIN;
    retain_status s;
    if ((s = rt_keymap_init(&c->users)) || (s = rt_keymap_init(&c->rows)) ||
        (s = rt_keymap_init(&c->cells))) {
        rt_logs_cohorts_free(c);
        return s;
    }
    *out = c;
    return RETAIN_OK;
}

void rt_logs_cohorts_free(rt_logs_cohorts *c)
{
    if (!c)
        return;
    rt_keymap_free(&c->users);
    rt_keymap_free(&c->rows);
    rt_keymap_free(&c->cells);
    free(c->u);
    free(c->counts);
    free(c);
}

static bool grow(void **buf, int64_t *cap, int64_t need, size_t size)
{
    if (need <= *cap)
        return true;
    int64_t n = *cap ? 2 * *cap : 4096;
    void *b = realloc(*buf, (size_t)n * size);
    if (!b)
        return false;
    *buf = b;
    *cap = n;
    return true;
}

/* Adds one to the cell of (cohort, group) at offset j. */
static retain_status count_cell(rt_logs_cohorts *c, const user_state *u, int64_t j)
{
    int64_t row, cell;
    bool added;
    retain_status s = rt_keymap_put(&c->rows, u->cohort, u->group, &row, &added);
    if (!s)
        s = rt_keymap_put(&c->cells, row, j, &cell, &added);
    if (s)
        return s;
    if (added) {
        if (!grow((void **)&c->counts, &c->ccap, cell + 1, sizeof *c->counts))
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory for cohort cells");
        c->counts[cell] = 0;
    }
    c->counts[cell]++;
    return RETAIN_OK;
}

/* The state of user k (an rt_keymap_found_fn), created for a new user. */
static retain_status user_found(void *ctx, int64_t id, int64_t zero, int64_t k, bool added,
                                const void **record)
{
    (void)id;
    (void)zero;
    rt_logs_cohorts *c = ctx;
    if (added) {
        if (!grow((void **)&c->u, &c->ucap, k + 1, sizeof *c->u))
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld users",
                            (long long)k + 1);
        memset(&c->u[k], 0, sizeof c->u[k]);
        c->u[k].prev_time = INT64_MIN;
    }
    *record = &c->u[k];
    return RETAIN_OK;
}

/* The period of t, remembering the last day's (logs come in time order). */
static int64_t period_of(rt_logs_cohorts *c, int64_t t)
{
    int64_t day = floor_div(t, DAY);
    if (day != c->cached_day) {
        c->cached_day = day;
        c->cached_period = rt_logs_period_of(c->p.period, t);
    }
    return c->cached_period;
}

retain_status rt_logs_cohorts_add(rt_logs_cohorts *c, int64_t n, const int64_t *user,
                                  const int64_t *time, const double *amount,
                                  const int64_t *order, const int64_t *group,
                                  const int64_t *line)
{
    rt_keymap_ahead users;
    retain_status s = rt_keymap_ahead_start(&users, &c->users, n, user, NULL, user_found, c);
    for (int64_t i = 0; !s && i < n; i++) {
        int64_t t = time[i], k;
        if ((s = rt_keymap_ahead_next(&users, i, &k)))
            break;
        c->events++;
        if (t > c->last_time)
            c->last_time = t;
        user_state *u = &c->u[k];
        if (t < u->prev_time) {
            char a[160] = "", b[160] = "";
            if (c->p.where) {
                c->p.where(c->p.where_ctx, line[i], a, sizeof a);
                c->p.where(c->p.where_ctx, u->prev_line, b, sizeof b);
            } else {
                snprintf(a, sizeof a, "line %lld", (long long)line[i]);
                snprintf(b, sizeof b, "line %lld", (long long)u->prev_line);
            }
            return rt_error(RETAIN_ERR_DATA, "user %lld's events are not in time order: %s "
                            "is earlier than %s; sort the log by time", (long long)user[i], a,
                            b);
        }
        u->prev_time = t;
        u->prev_line = line[i];
        if (!(amount[i] > 0))
            continue;
        c->purchases++;
        int64_t p = period_of(c, t);
        int64_t key = order ? order[i] : t;
        if (!u->bought) {
            int64_t g = group ? group[i] : 0;
            if (g < 0 || g >= MAX_GROUPS)
                return rt_error(RETAIN_ERR_DATA, "user %lld: group number %lld out of range",
                                (long long)user[i], (long long)g);
            u->bought = true;
            u->cohort = u->last = p;
            u->group = g;
            u->orders = 1;
            u->order_key = key;
            if ((s = count_cell(c, u, 0)))
                return s;
            continue;
        }
        if (key != u->order_key && u->orders < 2)
            u->orders++;
        u->order_key = key;
        if (p > u->last) {
            u->last = p;
            if ((s = count_cell(c, u, p - u->cohort)))
                return s;
        }
    }
    return s;
}

void rt_logs_cohort_table_free(rt_logs_cohort_table *t)
{
    free(t->cohort);
    free(t->group);
    free(t->size);
    free(t->repeaters);
    free(t->active);
    free(t->eligible);
    free(t->retained);
    memset(t, 0, sizeof *t);
}

typedef struct row_key {
    int64_t cohort, group, index;
} row_key;

static int by_cohort_group(const void *a, const void *b)
{
    const row_key *x = a, *y = b;
    if (x->cohort != y->cohort)
        return x->cohort < y->cohort ? -1 : 1;
    return x->group < y->group ? -1 : x->group > y->group;
}

retain_status rt_logs_cohorts_finish(rt_logs_cohorts *c, int64_t groups,
                                     rt_logs_cohort_table *out)
{
    memset(out, 0, sizeof *out);
    out->events = c->events;
    out->purchases = c->purchases;
    if (c->purchases == 0)
        return rt_error(RETAIN_ERR_DATA, c->events ? "the log holds no purchase (a line with "
                        "a positive amount)" : "the log holds no events");
    int64_t R = c->rows.count, last = rt_logs_period_of(c->p.period, c->last_time);
    int64_t first = INT64_MAX;
    row_key *keys = malloc((size_t)R * sizeof *keys);
    int64_t *rank = malloc((size_t)R * sizeof *rank);
    int64_t *ca = malloc((size_t)c->cells.count * sizeof *ca);
    int64_t *cb = malloc((size_t)c->cells.count * sizeof *cb);
    if (!keys || !rank || !ca || !cb) {
        free(keys);
        free(rank);
        free(ca);
        free(cb);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    }
    rt_keymap_keys(&c->rows, rank, ca); /* rows <= cells: each has its offset 0 */
    for (int64_t r = 0; r < R; r++) {
        keys[r] = (row_key){rank[r], ca[r], r};
        if (keys[r].cohort < first)
            first = keys[r].cohort;
        if (keys[r].group >= groups)
            groups = keys[r].group + 1;
    }
    rt_keymap_keys(&c->cells, ca, cb);
    qsort(keys, (size_t)R, sizeof *keys, by_cohort_group);
    for (int64_t i = 0; i < R; i++)
        rank[keys[i].index] = i;
    int64_t W = last - first + 1;
    out->rows = R;
    out->width = W;
    out->groups = groups;
    out->last_period = last;
    out->cohort = malloc((size_t)R * sizeof(int64_t));
    out->group = malloc((size_t)R * sizeof(int64_t));
    out->size = calloc((size_t)R, sizeof(int64_t));
    out->repeaters = calloc((size_t)R, sizeof(int64_t));
    out->active = malloc((size_t)(R * W) * sizeof(int64_t));
    out->eligible = calloc((size_t)(groups * W), sizeof(int64_t));
    out->retained = calloc((size_t)(groups * W), sizeof(int64_t));
    if (!out->cohort || !out->group || !out->size || !out->repeaters || !out->active ||
        !out->eligible || !out->retained) {
        free(keys);
        free(rank);
        free(ca);
        free(cb);
        rt_logs_cohort_table_free(out);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld x %lld cohort cells",
                        (long long)R, (long long)W);
    }
    for (int64_t i = 0; i < R; i++) {
        out->cohort[i] = keys[i].cohort;
        out->group[i] = keys[i].group;
        for (int64_t j = 0; j < W; j++)
            out->active[i * W + j] = keys[i].cohort + j <= last ? 0 : -1;
    }
    for (int64_t cell = 0; cell < c->cells.count; cell++)
        out->active[rank[ca[cell]] * W + cb[cell]] = c->counts[cell];
    for (int64_t k = 0; k < c->users.count; k++) {
        const user_state *u = &c->u[k];
        if (!u->bought)
            continue;
        out->users++;
        int64_t r = rank[rt_keymap_get(&c->rows, u->cohort, u->group)];
        out->size[r]++;
        out->repeaters[r] += u->orders >= 2;
    }
    for (int64_t i = 0; i < R; i++)
        for (int64_t j = 0; j < W && out->active[i * W + j] >= 0; j++) {
            out->eligible[out->group[i] * W + j] += out->size[i];
            out->retained[out->group[i] * W + j] += out->active[i * W + j];
        }
    free(keys);
    free(rank);
    free(ca);
    free(cb);
    return RETAIN_OK;
}
