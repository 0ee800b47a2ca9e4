/*
** src/core/keymap.h: a hash map from a pair of int64 keys to dense indices
** 0, 1, 2, ... in order of first insertion. The log modules key users by id
** (second key 0), (user, item) pairs and cohort cells by both, the log
** reader group names by hash and length; memory grows with the distinct
** keys, never with events. Where the keys are single ids filling at least a
** quarter of their range (user ids numbered by a database), the map turns
** itself into an array indexed by id (4 bytes an id instead of some 40 a
** key, and no probing); the indices are the same either way.
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
    rt_keymap_slot *slots; /* hashed: the table (NULL while empty)          */
    int64_t cap, count;
    int64_t min, max;      /* of the first keys put                         */
    bool pairs;            /* a second key other than 0 was put: hashed     */
    uint32_t *direct;      /* direct, or NULL: index + 1 of key a at a - lo,
                              0 for none                                    */
    int64_t lo, span;
    int64_t *ids;          /* direct: the key of each index                */
    int64_t ids_cap;
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

/* Called once per event as a look-ahead (below) puts its keys (a, b):
** grows the caller's records and initialises the one of a new key when
** added (records may move), and sets *record to where the record of index
** now is. */
typedef retain_status (*rt_keymap_found_fn)(void *ctx, int64_t a, int64_t b, int64_t index,
                                            bool added, const void **record);

/* A fold over events keyed by user (or by any pair of keys) with its table
** lookups pipelined: while the caller folds event i, the slot of event
** i + 2 RT_KEYMAP_AHEAD is prefetched and event i + RT_KEYMAP_AHEAD is put
** and its record prefetched, so the cache misses of a large table overlap
** instead of stalling the fold one after another. Keys are still numbered
** in order of first appearance. */
#define RT_KEYMAP_AHEAD 8
typedef struct rt_keymap_ahead {
    rt_keymap *map;
    const int64_t *a, *b; /* b NULL: second keys 0 */
    int64_t n;
    rt_keymap_found_fn found;
    void *ctx;
    int64_t ring[RT_KEYMAP_AHEAD];
} rt_keymap_ahead;

/* Starts a look-ahead over the keys (a[i], b ? b[i] : 0), i < n (puts the
** first RT_KEYMAP_AHEAD). */
retain_status rt_keymap_ahead_start(rt_keymap_ahead *la, rt_keymap *map, int64_t n,
                                    const int64_t *a, const int64_t *b,
                                    rt_keymap_found_fn found, void *ctx);

/* The index of the keys of event i, for i = 0, 1, ..., n - 1 in turn (keys
** up to i + 2 RT_KEYMAP_AHEAD are read by then, none at or before i after);
** the records may have moved since the last call. An error from a put or
** found stops it. */
retain_status rt_keymap_ahead_next(rt_keymap_ahead *la, int64_t i, int64_t *index);

/* Every key by index: a[index] and b[index] for index < m->count. */
void rt_keymap_keys(const rt_keymap *m, int64_t *a, int64_t *b);

#endif
