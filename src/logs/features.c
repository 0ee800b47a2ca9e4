/*
** src/logs/features.c: the per-user fold of purchase events into features
** (definitions in features.h). Users are found through a keymap by id; each
** has one fixed-size record. Events are folded one at a time in log order,
** so the sums are the same bits on every run. The interval spread uses
** Welford's running mean and sum of squares. RFM scores and tiers are in
** rfm.c.
*/
#include "features.h"

#include "core/error.h"
#include "core/keymap.h"
#include "core/sort.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400.0

typedef struct user_rec {
    int64_t id;
    int64_t first, last;   /* purchases before asof; first = INT64_MAX: none */
    int64_t order_key;     /* order id (or time) of the last purchase line    */
    int64_t order_time;    /* time of the last order in W; INT64_MIN: none    */
    int64_t orders, recent, lines, items;
    int32_t *item;             /* the distinct item codes in W, increasing */
    int32_t item_cap;
    double gap_mean, gap_m2;
    double net, bought, refunded;
    int64_t prev_time, prev_line;
    uint64_t prev_hash;
    bool has_purchase, churn_seen;
} user_rec;

struct rt_logs_features {
    rt_logs_features_params p;
    rt_keymap users, codes; /* user ids; item ids to dense 32-bit codes */
    user_rec *rec;
    int64_t cap;
    int64_t events, used, after_asof, duplicates, first_duplicate, duplicate_of;
    int64_t first_time, last_time;
};

retain_status rt_logs_features_create(const rt_logs_features_params *p,
                                      rt_logs_features **out)
{
    *out = NULL;
    if (p->window <= 0 || p->horizon <= 0)
        return rt_error(RETAIN_ERR_USAGE, "window and horizon must be positive");
    rt_logs_features *f = calloc(1, sizeof *f);
    if (!f)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    f->p = *p;
    f->first_duplicate = f->duplicate_of = -1;
    f->first_time = INT64_MAX;
    f->last_time = INT64_MIN;
    retain_status s = rt_keymap_init(&f->users);
    if (!s)
        s = rt_keymap_init(&f->codes);
    if (s) {
        rt_logs_features_free(f);
        return s;
    }
    *out = f;
    return RETAIN_OK;
}

void rt_logs_features_free(rt_logs_features *f)
{
    if (!f)
        return;
    for (int64_t k = 0; k < f->users.count; k++)
        free(f->rec[k].item);
    rt_keymap_free(&f->users);
    rt_keymap_free(&f->codes);
    free(f->rec);
    free(f);
}

static inline uint64_t row_hash(int64_t t, double amount, int64_t item, int64_t order)
{
    uint64_t bits;
    memcpy(&bits, &amount, sizeof bits);
    uint64_t h = (uint64_t)t * 0x9E3779B97F4A7C15ULL;
    h = (h ^ bits) * 0xBF58476D1CE4E5B9ULL;
    h = (h ^ (uint64_t)item) * 0x94D049BB133111EBULL;
    return (h ^ (uint64_t)order) * 0x9E3779B97F4A7C15ULL;
}

/* The record of user k (an rt_keymap_found_fn), created for a new user. */
static retain_status user_found(void *ctx, int64_t id, int64_t zero, int64_t k, bool added,
                                const void **record)
{
    (void)zero;
    rt_logs_features *f = ctx;
    if (added) {
        if (k == f->cap) {
            int64_t cap = f->cap ? 2 * f->cap : 4096;
            user_rec *r = realloc(f->rec, (size_t)cap * sizeof *r);
            if (!r)
                return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld users",
                                (long long)cap);
            f->rec = r;
            f->cap = cap;
        }
        user_rec *u = &f->rec[k];
        memset(u, 0, sizeof *u);
        u->id = id;
        u->first = INT64_MAX;
        u->last = INT64_MIN;
        u->order_time = INT64_MIN;
        u->prev_time = INT64_MIN;
        u->prev_line = -1;
    }
    *record = &f->rec[k];
    return RETAIN_OK;
}

static const char *where(const rt_logs_features *f, int64_t line, char *buf, size_t cap)
{
    if (f->p.where)
        return f->p.where(f->p.where_ctx, line, buf, cap);
    snprintf(buf, cap, "line %lld", (long long)line);
    return buf;
}

/* One purchase line before asof. */
static retain_status add_purchase(rt_logs_features *f, user_rec *u, int64_t t, double amount,
                                  int64_t item, int64_t order, bool in_window)
{
    const rt_logs_features_params *p = &f->p;
    int64_t key = p->has_order ? order : t;
    bool new_order = !u->has_purchase || key != u->order_key;
    u->has_purchase = true;
    u->order_key = key;
    if (t < u->first)
        u->first = t;
    u->last = t;
    if (!in_window)
        return RETAIN_OK;
    u->lines++;
    u->bought += amount;
    if (new_order) {
        if (u->order_time != INT64_MIN) {
            double gap = (double)(t - u->order_time) / DAY;
            double n = (double)u->orders, d = gap - u->gap_mean;
            u->gap_mean += d / n;
            u->gap_m2 += d * (gap - u->gap_mean);
        }
        u->order_time = t;
        u->orders++;
        u->recent += t >= p->asof - p->window / 2;
    }
    if (!p->has_item)
        return RETAIN_OK;
    /* the user's sorted set of item codes: 4 bytes a distinct item */
    int64_t code;
    bool added;
    retain_status s = rt_keymap_put(&f->codes, item, 0, &code, &added);
    if (s)
        return s;
    if (code > INT32_MAX)
        return rt_error(RETAIN_ERR_DATA, "more than 2^31 distinct items");
    int64_t lo = 0, hi = u->items;
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        if (u->item[mid] < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < u->items && u->item[lo] == code)
        return RETAIN_OK;
    if (u->items == u->item_cap) {
        int32_t cap = u->item_cap ? 2 * u->item_cap : 4;
        int32_t *grown = realloc(u->item, (size_t)cap * sizeof *grown);
        if (!grown)
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the items of user %lld",
                            (long long)u->id);
        u->item = grown;
        u->item_cap = cap;
    }
    memmove(u->item + lo + 1, u->item + lo, (size_t)(u->items - lo) * sizeof *u->item);
    u->item[lo] = (int32_t)code;
    u->items++;
    return RETAIN_OK;
}

retain_status rt_logs_features_add(rt_logs_features *f, int64_t n, const int64_t *user,
                                   const int64_t *time, const double *amount,
                                   const int64_t *item, const int64_t *order,
                                   const int64_t *line)
{
    const rt_logs_features_params *p = &f->p;
    const int64_t w0 = p->asof - p->window;
    rt_keymap_ahead users;
    retain_status s = rt_keymap_ahead_start(&users, &f->users, n, user, NULL, user_found, f);
    for (int64_t i = 0; !s && i < n; i++) {
        int64_t t = time[i], it = p->has_item ? item[i] : 0, od = p->has_order ? order[i] : 0;
        double a = amount[i];
        int64_t k;
        if ((s = rt_keymap_ahead_next(&users, i, &k)))
            break;
        user_rec *u = &f->rec[k]; /* after the look-ahead, which may move the records */
        f->events++;
        if (t < f->first_time)
            f->first_time = t;
        if (t > f->last_time)
            f->last_time = t;
        if (t < u->prev_time) {
            char a_at[160], b_at[160];
            return rt_error(RETAIN_ERR_DATA, "user %lld's events are not in time order: "
                            "%s is earlier than %s; sort the log by time",
                            (long long)user[i], where(f, line[i], a_at, sizeof a_at),
                            where(f, u->prev_line, b_at, sizeof b_at));
        }
        uint64_t h = row_hash(t, a, it, od);
        if (t == u->prev_time && h == u->prev_hash) {
            if (f->duplicates++ == 0) {
                f->first_duplicate = line[i];
                f->duplicate_of = u->prev_line;
            }
            continue;
        }
        u->prev_time = t;
        u->prev_hash = h;
        u->prev_line = line[i];
        if (t >= p->asof) {
            f->after_asof++;
            if (a > 0 && t < p->asof + p->horizon)
                u->churn_seen = true;
            continue;
        }
        f->used++;
        bool in_window = t >= w0;
        if (a > 0) {
            if ((s = add_purchase(f, u, t, a, it, od, in_window)))
                return s;
        } else if (in_window) {
            u->refunded -= a;
        }
        if (in_window)
            u->net += a;
    }
    return s;
}

void rt_logs_feature_table_free(rt_logs_feature_table *t)
{
    free(t->x);
    free(t->user_id);
    free(t->churned);
    free(t->rfm);
    free(t->tier);
    memset(t, 0, sizeof *t);
}

static void feature_row(const rt_logs_features *f, const user_rec *u, double *row)
{
    const rt_logs_features_params *p = &f->p;
    double orders = (double)u->orders;
    int64_t gaps = u->orders - 1;
    int j = 0;
    row[j++] = (double)(p->asof - u->last) / DAY;
    row[j++] = (double)(p->asof - u->first) / DAY;
    row[j++] = orders;
    row[j++] = u->net;
    row[j++] = u->orders ? u->net / orders : 0.0;
    row[j++] = gaps > 0 ? u->gap_mean : 0.0;
    row[j++] = gaps > 0 ? sqrt(u->gap_m2 / (double)gaps) : 0.0;
    row[j++] = u->orders ? (double)(2 * u->recent - u->orders) / orders : 0.0;
    if (p->has_item)
        row[j++] = (double)u->items;
    row[j++] = u->orders ? (double)u->lines / orders : 0.0;
    row[j++] = u->bought > 0 ? u->refunded / u->bought : 0.0;
}

retain_status rt_logs_features_finish(rt_logs_features *f, rt_logs_feature_table *out)
{
    const rt_logs_features_params *p = &f->p;
    memset(out, 0, sizeof *out);
    out->events = f->events;
    out->used = f->used;
    out->after_asof = f->after_asof;
    out->duplicates = f->duplicates;
    out->first_duplicate = f->first_duplicate;
    out->duplicate_of = f->duplicate_of;
    out->first_time = f->first_time;
    out->last_time = f->last_time;
    if (f->events == 0)
        return rt_error(RETAIN_ERR_DATA, "the log holds no events");
    if (p->asof <= f->first_time)
        return rt_error(RETAIN_ERR_USAGE, "--asof is at or before the first event, so no "
                        "user has any history; choose a date after the log's first event");
    static const char *const all[RT_LOGS_MAX_FEATURES] = {
        "recency_days", "tenure_days", "frequency", "monetary_total", "monetary_mean",
        "interval_mean_days", "interval_std_days", "trend", "distinct_items",
        "basket_size_mean", "refund_share"};
    for (int j = 0; j < RT_LOGS_MAX_FEATURES; j++)
        if (p->has_item || strcmp(all[j], "distinct_items") != 0)
            out->names[out->cols++] = all[j];
    int64_t n = 0;
    for (int64_t k = 0; k < f->users.count; k++)
        n += f->rec[k].has_purchase;
    if (n == 0)
        return rt_error(RETAIN_ERR_DATA, "no purchase (a line with a positive amount) comes "
                        "before --asof; choose a later date");
    out->users = n;
    out->covers_horizon = f->last_time >= p->asof + p->horizon - (int64_t)DAY;
    uint64_t *key = malloc((size_t)n * sizeof *key);
    int64_t *order = malloc((size_t)n * sizeof *order);
    out->x = malloc((size_t)(n * out->cols) * sizeof *out->x);
    out->user_id = malloc((size_t)n * sizeof *out->user_id);
    out->rfm = malloc((size_t)n * 3);
    out->tier = malloc((size_t)n);
    out->churned = out->covers_horizon ? malloc((size_t)n) : NULL;
    if (!key || !order || !out->x || !out->user_id || !out->rfm || !out->tier ||
        (out->covers_horizon && !out->churned)) {
        free(key);
        free(order);
        rt_logs_feature_table_free(out);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the features of %lld users",
                        (long long)n);
    }
    int64_t m = 0;
    for (int64_t k = 0; k < f->users.count; k++)
        if (f->rec[k].has_purchase) {
            key[m] = rt_sort_key_i64(f->rec[k].id);
            order[m++] = k;
        }
    retain_status s = rt_sort_u64(key, order, n);
    for (int64_t i = 0; !s && i < n; i++) {
        const user_rec *u = &f->rec[order[i]];
        feature_row(f, u, out->x + i * out->cols);
        out->user_id[i] = u->id;
        if (out->churned)
            out->churned[i] = !u->churn_seen;
    }
    free(key);
    free(order);
    /* columns 0, 1, 2, 3: recency, tenure, frequency, monetary_total */
    if (!s)
        s = rt_logs_rfm_scores(n, out->x, out->x + 2, out->x + 3, out->cols, out->rfm);
    if (s) {
        rt_logs_feature_table_free(out);
        return s;
    }
    rt_logs_tiers(n, out->x, out->x + 1, out->cols, out->rfm, out->tier);
    return RETAIN_OK;
}
