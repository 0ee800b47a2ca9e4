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

/* Both keys and the index in one slot: a probe touches one cache line. */
typedef struct rt_keymap_slot {
    int64_t a, b;
    int64_t index; /* -1: empty */
} rt_keymap_slot;

typedef struct rt_keymap {
    rt_keymap_slot *slots;
    int64_t cap, count;
} rt_keymap;

/* An empty map (or zero-initialise: the first put allocates). */
retain_status rt_keymap_init(rt_keymap *m);
void rt_keymap_free(rt_keymap *m);

/* The index of (a, b), inserting it as index m->count if new (*added set
** then). RETAIN_ERR_INTERNAL when out of memory. */
retain_status rt_keymap_put(rt_keymap *m, int64_t a, int64_t b, int64_t *out,
                            bool *added);

/* The index of (a, b), or -1. */
int64_t rt_keymap_get(const rt_keymap *m, int64_t a, int64_t b);

/* Asks the CPU to fetch the slot where (a, b) would be found, ahead of a
** put or get: folds over events hide the cache miss of a large table. */
void rt_keymap_prefetch(const rt_keymap *m, int64_t a, int64_t b);

/* Every key by index: a[index] and b[index] for index < m->count. */
void rt_keymap_keys(const rt_keymap *m, int64_t *a, int64_t *b);

#endif
