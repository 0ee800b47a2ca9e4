/*
** src/core/keymap.c: the pair-keyed hash map (see keymap.h): linear
** probing over a power-of-two table kept at most half full, a 64-bit mix of
** both keys (the finaliser of SplitMix64) as the hash.
*/
#include "keymap.h"

#include "core/error.h"

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
    if (2 * (m->count + 1) > m->cap) {
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

void rt_keymap_prefetch(const rt_keymap *m, int64_t a, int64_t b)
{
    if (m->cap)
        __builtin_prefetch(&m->slots[mix(a, b) & (uint64_t)(m->cap - 1)]);
}

void rt_keymap_keys(const rt_keymap *m, int64_t *a, int64_t *b)
{
    for (int64_t i = 0; i < m->cap; i++)
        if (m->slots[i].index >= 0) {
            a[m->slots[i].index] = m->slots[i].a;
            b[m->slots[i].index] = m->slots[i].b;
        }
}
