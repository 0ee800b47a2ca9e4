/*
** src/core/keymap.h: an open-addressing hash map from a pair of int64 keys
** to dense indices 0, 1, 2, ... in order of first insertion. The log
** modules key users by id (second key 0), (user, item) pairs and cohort
** cells by both, the log reader group names by hash and length; memory
** grows with the distinct keys, never with events.
*/
#ifndef RT_CORE_KEYMAP_H
#define RT_CORE_KEYMAP_H

#include "retain.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct rt_keymap {
    int64_t *keys;    /* 2 per slot */
    int64_t *index;   /* per slot, -1: empty */
    int64_t cap, count;
} rt_keymap;

/* An empty map (zero-initialise, or this). */
retain_status rt_keymap_init(rt_keymap *m);
void rt_keymap_free(rt_keymap *m);

/* The index of (a, b), inserting it as index m->count if new (*added set
** then). RETAIN_ERR_INTERNAL when out of memory. */
retain_status rt_keymap_put(rt_keymap *m, int64_t a, int64_t b, int64_t *out,
                            bool *added);

/* The index of (a, b), or -1. */
int64_t rt_keymap_get(const rt_keymap *m, int64_t a, int64_t b);

#endif
