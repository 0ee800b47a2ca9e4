/*
** src/logs/cohorts.h: cohort retention from purchase events. A user's
** cohort is the period (day, ISO week from Monday, or calendar month, UTC)
** of their first purchase (a line with amount > 0); they are active in
** period c + j when they buy in it. Cells count the users of cohort c
** active at offset j; a cell is observed when c + j is at most the period
** of the log's last event. The repeat purchase rate is the share of users
** with two orders or more (an order: a run of purchase lines with one
** order id, or one timestamp). Users may belong to groups (an experiment
** arm, a channel): a user's group is the one on their first purchase, and
** every cohort is split by group. Each user's events must come in time
** order. Memory grows with users and cells, never with events.
*/
#ifndef RT_LOGS_COHORTS_H
#define RT_LOGS_COHORTS_H

#include "logs/features.h"

typedef enum rt_logs_period {
    RT_PERIOD_DAY,
    RT_PERIOD_WEEK,
    RT_PERIOD_MONTH,
} rt_logs_period;

/* The period number of epoch second t, the first second of period p, and
** its label ("2024-03-05", the Monday "2024-03-04", or "2024-03"). */
int64_t rt_logs_period_of(rt_logs_period period, int64_t t);
int64_t rt_logs_period_start(rt_logs_period period, int64_t p);
void rt_logs_period_label(rt_logs_period period, int64_t p, char out[16]);

typedef struct rt_logs_cohorts_params {
    rt_logs_period period;
    bool has_order;
    rt_logs_where_fn where; /* for messages; may be NULL */
    void *where_ctx;
} rt_logs_cohorts_params;

typedef struct rt_logs_cohorts rt_logs_cohorts;

retain_status rt_logs_cohorts_create(const rt_logs_cohorts_params *p, rt_logs_cohorts **out);
void rt_logs_cohorts_free(rt_logs_cohorts *c);

/* Folds n events in; order and group may be NULL (no order ids; one group
** 0). Groups are small non-negative integers. RETAIN_ERR_DATA when a
** user's events go back in time. */
retain_status rt_logs_cohorts_add(rt_logs_cohorts *c, int64_t n, const int64_t *user,
                                  const int64_t *time, const double *amount,
                                  const int64_t *order, const int64_t *group,
                                  const int64_t *line);

/* Rows are (cohort, group) pairs in increasing order; arrays owned. */
typedef struct rt_logs_cohort_table {
    int64_t rows, width, groups;  /* width: offsets 0 .. width-1 */
    int64_t *cohort, *group;      /* per row: period number, group  */
    int64_t *size, *repeaters;    /* per row: users, users with 2+ orders */
    int64_t *active;              /* rows x width; -1 where not observed */
    int64_t last_period;          /* of the log's last event */
    int64_t users, events, purchases;
    /* per group and offset: users whose cohort is observed at that offset,
    ** and how many of them were active (groups x width) */
    int64_t *eligible, *retained;
} rt_logs_cohort_table;

/* RETAIN_ERR_DATA when the log holds no purchase. `groups` is the number of
** groups the caller knows (at least 1; larger group numbers are refused). */
retain_status rt_logs_cohorts_finish(rt_logs_cohorts *c, int64_t groups,
                                     rt_logs_cohort_table *out);
void rt_logs_cohort_table_free(rt_logs_cohort_table *t);

/* Two-proportion read-out of x1/n1 (treatment) against x0/n0 (control):
** diff = x1/n1 - x0/n0, its 95% interval by the normal approximation with
** unpooled variance (Wald), and the two-sided p-value of the pooled z test
** (the chi-squared test of the 2x2 table without continuity correction).
** NaN where a group is empty; p = 1 when both shares are 0 or both 1. */
void rt_logs_two_proportions(int64_t x1, int64_t n1, int64_t x0, int64_t n0, double *diff,
                             double *lo, double *hi, double *p_value);

#endif
