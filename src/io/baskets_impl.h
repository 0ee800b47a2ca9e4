/*
** src/io/baskets_impl.h: the builder the basket readers share (baskets.c):
** items are looked up by name or numeric id, pushed basket by basket, and
** finished into an rt_baskets (repeats in a basket dropped).
*/
#ifndef RT_IO_BASKETS_IMPL_H
#define RT_IO_BASKETS_IMPL_H

#include "baskets.h"
#include "strmap.h"

#include <stdint.h>

typedef struct rt_bbuild {
    rt_baskets b;
    int64_t fill;      /* items pushed so far                      */
    int64_t items_cap, baskets_cap;
    rt_strmap names;   /* labels: every item, by its text             */
    int32_t *small;    /* numeric id -> index + 1, for ids < small_cap */
    int64_t small_cap;
} rt_bbuild;

/* Ids below this map through an array; larger ones through their text. */
#define RT_BBUILD_SMALL_IDS ((int64_t)1 << 22)

retain_status rt_bbuild_init(rt_bbuild *bb);
void rt_bbuild_free(rt_bbuild *bb);
retain_status rt_bbuild_name(rt_bbuild *bb, const char *s, size_t len, int32_t *idx);
retain_status rt_bbuild_id(rt_bbuild *bb, uint64_t id, int32_t *idx);
retain_status rt_bbuild_push(rt_bbuild *bb, int32_t idx);
/* Room for `items` pushes and `baskets` baskets in all, so a reader that
** can bound them (a text file: by its bytes and lines) never regrows. */
retain_status rt_bbuild_reserve(rt_bbuild *bb, int64_t items, int64_t baskets);
retain_status rt_bbuild_close_basket(rt_bbuild *bb);
/* Drops repeats within each basket (the first stays), counts empty baskets, hands the labels
** over and moves the result to *out (bb is left empty). Fails on input
** without any item (message naming path). */
retain_status rt_bbuild_finish(rt_bbuild *bb, const char *path, rt_baskets *out);

retain_status rt_baskets_read_h5(const char *path, const char *group, rt_baskets *out);

#endif
