/*
** src/core/keymap.c: the pair-keyed hash map (see keymap.h): linear
** probing over a power-of-two table kept at most three quarters full, a
** 64-bit mix of both keys (the finaliser of SplitMix64) as the hash; the
** look-ahead that pipelines the lookups of a fold over events. Three
** quarters, not half: the longer probes cost less than the memory (a table
** of 10 million users is 384 MiB, not 768, and fresh pages are what a large
** fold spends most on).
*/
#include "keymap.h"

#include "core/error.h"
#include "core/mem.h"

#include <stdlib.h>

static inline uint64_t mix(int64_t a, int64_t b)
{
    uint64_t z = (uint64_t)a * 0x9E3779B97F4A7C15ULL ^ (uint64_t)b;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static retain_status resize(rt_keymap *m, int64_t cap)
{
    rt_keymap_slot *slots = malloc((size_t)cap * sizeof *slots);
    if (!slots)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for a table of %lld keys",
                        (long long)cap);
    rt_mem_hugepages(slots, (size_t)cap * sizeof *slots);
    for (int64_t i = 0; i < cap; i++)
        slots[i].index = -1;
    for (int64_t i = 0; i < m->cap; i++) {
        if (m->slots[i].index < 0)
            continue;
        uint64_t h = mix(m->slots[i].a, m->slots[i].b) & (uint64_t)(cap - 1);
        while (slots[h].index >= 0)
            h = (h + 1) & (uint64_t)(cap - 1);
        slots[h] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return RETAIN_OK;
}

retain_status rt_keymap_init(rt_keymap *m)
{
    m->slots = NULL;
    m->cap = m->count = 0;
    return resize(m, 1024);
}

void rt_keymap_free(rt_keymap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}

retain_status rt_keymap_put(rt_keymap *m, int64_t a, int64_t b, int64_t *out, bool *added)
{
    if (4 * (m->count + 1) > 3 * m->cap) {
        retain_status s = resize(m, m->cap ? 2 * m->cap : 1024);
        if (s)
            return s;
    }
    uint64_t h = mix(a, b) & (uint64_t)(m->cap - 1);
    for (; m->slots[h].index >= 0; h = (h + 1) & (uint64_t)(m->cap - 1))
        if (m->slots[h].a == a && m->slots[h].b == b) {
            *out = m->slots[h].index;
            *added = false;
            return RETAIN_OK;
        }
    m->slots[h] = (rt_keymap_slot){a, b, m->count};
    *out = m->count++;
    *added = true;
    return RETAIN_OK;
}

int64_t rt_keymap_get(const rt_keymap *m, int64_t a, int64_t b)
{
    if (!m->cap)
        return -1;
    uint64_t h = mix(a, b) & (uint64_t)(m->cap - 1);
    for (; m->slots[h].index >= 0; h = (h + 1) & (uint64_t)(m->cap - 1))
        if (m->slots[h].a == a && m->slots[h].b == b)
            return m->slots[h].index;
    return -1;
}

static void prefetch_slot(const rt_keymap *m, int64_t a, int64_t b)
{
    if (m->cap)
        __builtin_prefetch(&m->slots[mix(a, b) & (uint64_t)(m->cap - 1)]);
}

static retain_status ahead_put(rt_keymap_ahead *la, int64_t i, int64_t *index)
{
    bool added;
    const void *record;
    int64_t a = la->a[i], b = la->b ? la->b[i] : 0;
    retain_status s = rt_keymap_put(la->map, a, b, index, &added);
    if (!s)
        s = la->found(la->ctx, a, b, *index, added, &record);
    if (!s)
        __builtin_prefetch(record);
    return s;
}

retain_status rt_keymap_ahead_start(rt_keymap_ahead *la, rt_keymap *map, int64_t n,
                                    const int64_t *a, const int64_t *b,
                                    rt_keymap_found_fn found, void *ctx)
{
    *la = (rt_keymap_ahead){.map = map, .a = a, .b = b, .n = n, .found = found, .ctx = ctx};
    retain_status s = RETAIN_OK;
    for (int64_t i = 0; !s && i < n && i < RT_KEYMAP_AHEAD; i++)
        s = ahead_put(la, i, &la->ring[i]);
    return s;
}

retain_status rt_keymap_ahead_next(rt_keymap_ahead *la, int64_t i, int64_t *index)
{
    int64_t *slot = &la->ring[i % RT_KEYMAP_AHEAD], ahead = i + 2 * RT_KEYMAP_AHEAD;
    *index = *slot;
    if (ahead < la->n)
        prefetch_slot(la->map, la->a[ahead], la->b ? la->b[ahead] : 0);
    return i + RT_KEYMAP_AHEAD < la->n ? ahead_put(la, i + RT_KEYMAP_AHEAD, slot) : RETAIN_OK;
}

void rt_keymap_keys(const rt_keymap *m, int64_t *a, int64_t *b)
{
    for (int64_t i = 0; i < m->cap; i++)
        if (m->slots[i].index >= 0) {
            a[m->slots[i].index] = m->slots[i].a;
            b[m->slots[i].index] = m->slots[i].b;
        }
}
