/*
** src/logs/baskets.h: purchase events grouped into market baskets for the
** association rules: one basket per order (user and order id) or per user
** and UTC day. Purchase lines only (amount > 0); items are recoded to
** 0, 1, 2, ... in order of first appearance, and a basket holds each of
** its items once, in increasing code order. A user's basket closes when
** the same user's next purchase belongs to another one (each user's events
** in time order), or at the end; baskets come out in the order they close.
** Memory: one open basket per user, never the whole log.
*/
#ifndef RT_LOGS_BASKETS_H
#define RT_LOGS_BASKETS_H

#include "retain.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum rt_logs_basket_by {
    RT_BASKET_BY_ORDER,
    RT_BASKET_BY_USER_DAY,
} rt_logs_basket_by;

/* Receives each closed basket: its user, key (order id or day number) and
** items (codes); returns a status to stop. */
typedef retain_status (*rt_logs_basket_sink)(void *ctx, int64_t user, int64_t key,
                                             const int32_t *items, int64_t count);

typedef struct rt_logs_baskets rt_logs_baskets;

retain_status rt_logs_baskets_create(rt_logs_basket_by by, rt_logs_basket_sink sink,
                                     void *ctx, rt_logs_baskets **out);
void rt_logs_baskets_free(rt_logs_baskets *b);

/* Folds n events in (order NULL only with RT_BASKET_BY_USER_DAY). */
retain_status rt_logs_baskets_add(rt_logs_baskets *b, int64_t n, const int64_t *user,
                                  const int64_t *time, const double *amount,
                                  const int64_t *item, const int64_t *order);

/* Closes every open basket (in order of the users' first appearance). */
retain_status rt_logs_baskets_finish(rt_logs_baskets *b);

/* The original item id of each code (count: rt_logs_baskets_items). */
int64_t rt_logs_baskets_items(const rt_logs_baskets *b);
retain_status rt_logs_baskets_item_ids(const rt_logs_baskets *b, int64_t *ids);

#endif
