/*
** src/gen/transactions.h: a synthetic purchase log from a known
** buy-till-you-die process: BG/NBD purchases and dropout (Fader, Hardie and
** Lee 2005), Gamma-Gamma spend (Fader, Hardie and Lee 2005, "RFM and CLV"),
** order lines from the basket model (baskets.h), optional refunds. Events
** come out in time order, one time window per call, so memory grows with
** the number of users, never with the number of events. Every draw comes
** from a stream named by (user, order), so the log is the same bits for any
** thread count and window length. Nothing here touches files;
** `retain gen transactions` writes the windows and the truth.
*/
#ifndef RT_GEN_TRANSACTIONS_H
#define RT_GEN_TRANSACTIONS_H

#include "retain.h"

#include "gen/baskets.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct rt_gen_tx_params {
    int64_t users;
    uint64_t seed;
    double r, alpha;          /* purchase rate lambda ~ Gamma(shape r, rate alpha), per day */
    double a, b;              /* dropout p ~ Beta(a, b), after each repeat purchase         */
    double p, q, gamma;       /* spend z ~ Gamma(shape p, rate nu), nu ~ Gamma(q, rate gamma) */
    int64_t start;            /* observation start, epoch seconds (UTC)                      */
    int64_t days;             /* observation length                                          */
    double acquisition_days;  /* first purchases uniform over [0, this) days from start      */
    double refund_rate;       /* chance that an order line is refunded later                 */
    rt_gen_baskets_params lines; /* items per order; its seed is set from `seed`             */
} rt_gen_tx_params;

void rt_gen_tx_params_init(rt_gen_tx_params *p);
/* Checks ranges; the message names the bad field. */
retain_status rt_gen_tx_params_check(const rt_gen_tx_params *p);

typedef struct rt_gen_tx rt_gen_tx;

/* Draws every user's parameters and first purchase (in parallel). */
retain_status rt_gen_tx_create(const rt_gen_tx_params *p, rt_gen_tx **out);
void rt_gen_tx_free(rt_gen_tx *g);

/* The basket model that draws order lines. */
const rt_gen_baskets *rt_gen_tx_lines(const rt_gen_tx *g);

/* One window of the log, in time order: (timestamp, user, order, line),
** refunds after the order they belong to. Arrays belong to the generator
** and stay valid until the next call. */
typedef struct rt_gen_tx_events {
    int64_t count;
    const int64_t *user_id;   /* 1-based                         */
    const int64_t *timestamp; /* epoch seconds                   */
    const int64_t *cents;     /* line amount, negative: refund   */
    const int32_t *item;
    const int64_t *order_id;  /* 1-based, in order of first line */
    int64_t window_end;       /* events so far are before this   */
} rt_gen_tx_events;

/* The next window (about 2^20 lines at most, or the whole period for few
** users); *done is set and nothing is returned once the period is over. */
retain_status rt_gen_tx_next(rt_gen_tx *g, rt_gen_tx_events *out, bool *done);

/* Per-user truth: lambda (per day), p (dropout), nu (spend rate), first
** purchase (epoch seconds), orders in the period so far (first and repeat
** purchases), alive (1: not dropped out); final once *done. */
typedef struct rt_gen_tx_truth {
    double *lambda, *p, *nu;
    int64_t *first_purchase, *orders;
    int8_t *alive;
} rt_gen_tx_truth;

/* Copies users [first, first + count) into out's arrays (count each). */
void rt_gen_tx_truth_block(const rt_gen_tx *g, int64_t first, int64_t count,
                           const rt_gen_tx_truth *out);

/* Totals so far. */
typedef struct rt_gen_tx_totals {
    int64_t events, orders, refunds, alive;
} rt_gen_tx_totals;

rt_gen_tx_totals rt_gen_tx_totals_get(const rt_gen_tx *g);

#endif
