/*
** src/io/baskets.h: market baskets (transactions) read into one compressed
** sparse row layout, whatever the file held: FIMI .dat (item ids separated
** by spaces), comma-separated item names per line (empty fields ignored, as
** in groceries.csv), a long `basket_id,item` CSV, or HDF5 CSR (`indptr`,
** `indices`, optional `item_names`, as `retain gen baskets` and scipy
** write). Memory grows with the number of (basket, item) pairs, never
** baskets x items. An item repeated in one basket counts once. Errors name
** the file, line and column (text) or dataset and row (HDF5).
*/
#ifndef RT_IO_BASKETS_H
#define RT_IO_BASKETS_H

#include "retain.h"

#include <stddef.h>
#include <stdint.h>

typedef enum rt_baskets_format {
    RT_BASKETS_AUTO = 0, /* .h5/.hdf5: HDF5; .csv: long when its header is
                            basket_id,item (first field naming a basket),
                            else names; anything else: dat                */
    RT_BASKETS_DAT,
    RT_BASKETS_NAMES,
    RT_BASKETS_LONG,
    RT_BASKETS_H5,
} rt_baskets_format;

typedef struct rt_baskets {
    int64_t n;           /* baskets (blank lines count: empty baskets)      */
    int64_t *indptr;     /* n + 1 offsets into items                        */
    int32_t *items;      /* item indices, distinct per basket, in file order */
    int64_t n_items;     /* item indices run over 0 .. n_items - 1          */
    char *label_text;    /* item labels (names or ids), NUL-terminated      */
    int64_t *label_off;  /* n_items + 1 offsets into label_text             */
    int64_t repeats;     /* repeated items dropped (counted once)           */
    int64_t empty;       /* baskets without items                           */
    int64_t max_len;     /* longest basket, in distinct items               */
    rt_baskets_format format; /* the format read                            */
} rt_baskets;

/* Reads path in format fmt (RT_BASKETS_AUTO: by name and header). group:
** the HDF5 group holding indptr/indices (NULL: /baskets, else the root). */
retain_status rt_baskets_read(const char *path, rt_baskets_format fmt, const char *group,
                              rt_baskets *out);

/* Parses text[0..len) in one text format (dat, names or long; AUTO picks
** names or long by the header). path only names the input in messages. */
retain_status rt_baskets_parse(const char *text, size_t len, rt_baskets_format fmt,
                               const char *path, rt_baskets *out);

void rt_baskets_free(rt_baskets *b);

/* The distribution of basket lengths (distinct items per basket). */
typedef struct rt_basket_lengths {
    double mean;
    int64_t p50, p90, p99, p999, max;
} rt_basket_lengths;
retain_status rt_baskets_lengths(const rt_baskets *b, rt_basket_lengths *out);

/* Label of item i and its length. */
static inline const char *rt_baskets_label(const rt_baskets *b, int64_t i, size_t *len)
{
    *len = (size_t)(b->label_off[i + 1] - b->label_off[i] - 1);
    return b->label_text + b->label_off[i];
}

/* "dat", "names", "long", "h5", "auto" and back; parse fails on others. */
const char *rt_baskets_format_name(rt_baskets_format fmt);
retain_status rt_baskets_format_parse(const char *name, rt_baskets_format *out);

#endif
