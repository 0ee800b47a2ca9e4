/*
** src/logs/features.h: purchase events -> one row of behaviour features per
** user as of a date, the churn label after it, RFM quintile scores and a
** lifecycle tier. Events arrive in blocks (any number, any size) and are
** folded into one record per user, so memory grows with users (and, for
** distinct_items, by 4 bytes a distinct (user, item) pair), never with
** events.
** Each user's events must come in time order (a log sorted by time is);
** users may interleave. Nothing here reads files or prints.
**
** Definitions (all times UTC seconds; a purchase is a line with amount > 0,
** a refund one with amount < 0; W is the window [asof - window, asof)):
**   an order        a run of a user's purchase lines with one order id (or,
**                   without order ids, one timestamp); its time is its
**                   first line's
**   recency_days    (asof - last purchase before asof) / 86400
**   tenure_days     (asof - first purchase before asof) / 86400
**   frequency       orders starting in W
**   monetary_total  sum of all amounts in W (refunds subtract)
**   monetary_mean   monetary_total / frequency (0 without orders)
**   interval_mean_days, interval_std_days
**                   mean and population standard deviation of the days
**                   between consecutive orders in W (0 with fewer than 2)
**   trend           (orders in the second half of W - orders in the first
**                   half) / frequency, in [-1, 1] (0 without orders)
**   distinct_items  distinct items of purchase lines in W (item column only)
**   basket_size_mean  purchase lines in W / frequency (0 without orders)
**   refund_share    refunded amount in W / purchased amount in W (0 if none)
** Users: every user with a purchase before asof, in increasing id order.
** churned: 1 if the user has no purchase in [asof, asof + horizon).
** A row equal to the same user's previous row (time, amount, item, order)
** is a duplicate: counted and left out.
*/
#ifndef RT_LOGS_FEATURES_H
#define RT_LOGS_FEATURES_H

#include "retain.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RT_LOGS_MAX_FEATURES 11

/* Lifecycle tiers; the first rule that holds (rt_logs_tier_rule text). */
typedef enum rt_logs_tier {
    RT_TIER_NEW = 0,     /* tenure_days <= 30                      */
    RT_TIER_ACTIVE = 1,  /* none of the others                     */
    RT_TIER_LOYAL = 2,   /* F score >= 4 and M score >= 4 (VIP)    */
    RT_TIER_AT_RISK = 3, /* recency_days > 90                      */
    RT_TIER_LOST = 4,    /* recency_days > 180 (dormant / lost)    */
} rt_logs_tier;
#define RT_TIER_COUNT 5
#define RT_TIER_NEW_DAYS 30.0
#define RT_TIER_AT_RISK_DAYS 90.0
#define RT_TIER_LOST_DAYS 180.0
extern const char *const rt_logs_tier_names[RT_TIER_COUNT];
extern const char rt_logs_tier_rule[];

/* Describes an event's position ("log.csv line 12") for messages. */
typedef const char *(*rt_logs_where_fn)(void *ctx, int64_t line, char *buf, size_t cap);

typedef struct rt_logs_features_params {
    int64_t asof;           /* epoch seconds                        */
    int64_t window;         /* seconds, > 0                          */
    int64_t horizon;        /* seconds, > 0                          */
    bool has_item, has_order;
    rt_logs_where_fn where; /* may be NULL: lines are printed bare   */
    void *where_ctx;
} rt_logs_features_params;

typedef struct rt_logs_features rt_logs_features;

retain_status rt_logs_features_create(const rt_logs_features_params *p,
                                      rt_logs_features **out);
void rt_logs_features_free(rt_logs_features *f);

/* Folds n events in (item, order NULL when the log has none; line: their
** positions for messages). Fails with RETAIN_ERR_DATA when a user's events
** go back in time. */
retain_status rt_logs_features_add(rt_logs_features *f, int64_t n, const int64_t *user,
                                   const int64_t *time, const double *amount,
                                   const int64_t *item, const int64_t *order,
                                   const int64_t *line);

/* The result of rt_logs_features_finish; arrays are owned by it. */
typedef struct rt_logs_feature_table {
    int64_t users, cols;
    const char *names[RT_LOGS_MAX_FEATURES];
    double *x;          /* users x cols, row-major */
    int64_t *user_id;
    int8_t *churned;    /* NULL when the log does not cover the horizon */
    int8_t *rfm;        /* users x 3: R, F, M scores 1..5 */
    int8_t *tier;       /* rt_logs_tier */
    /* about the log */
    int64_t events, used, after_asof, duplicates;
    int64_t first_duplicate, duplicate_of; /* lines; -1 if none */
    int64_t first_time, last_time;         /* over all events */
    bool covers_horizon;                   /* last_time >= asof + horizon - 1 day */
} rt_logs_feature_table;

/* Computes every user's row. RETAIN_ERR_DATA for an empty log, RETAIN_ERR_USAGE
** when asof is at or before the first event (no history); the message says
** what to change. Free with rt_logs_feature_table_free. */
retain_status rt_logs_features_finish(rt_logs_features *f, rt_logs_feature_table *out);
void rt_logs_feature_table_free(rt_logs_feature_table *t);

/* RFM quintile scores of n users into rfm (n x 3) from their recency (days;
** lower scores higher), frequency and monetary value: a score is 1 +
** floor(5 * c / n), c the number of users strictly worse, so ties share a
** score and each score holds about a fifth of the users. Then the tiers. */
retain_status rt_logs_rfm_scores(int64_t n, const double *recency, const double *frequency,
                                 const double *monetary, int64_t stride, int8_t *rfm);
void rt_logs_tiers(int64_t n, const double *recency, const double *tenure,
                   int64_t stride, const int8_t *rfm, int8_t *tier);

#endif
