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
    int64_t *keys = malloc((size_t)cap * 2 * sizeof *keys);
    int64_t *index = malloc((size_t)cap * sizeof *index);
    if (!keys || !index) {
        free(keys);
        free(index);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for a table of %lld keys",
                        (long long)cap);
    }
    for (int64_t i = 0; i < cap; i++)
        index[i] = -1;
    for (int64_t i = 0; i < m->cap; i++) {
        if (m->index[i] < 0)
            continue;
        uint64_t h = mix(m->keys[2 * i], m->keys[2 * i + 1]) & (uint64_t)(cap - 1);
        while (index[h] >= 0)
            h = (h + 1) & (uint64_t)(cap - 1);
        keys[2 * h] = m->keys[2 * i];
        keys[2 * h + 1] = m->keys[2 * i + 1];
        index[h] = m->index[i];
    }
    free(m->keys);
    free(m->index);
    m->keys = keys;
    m->index = index;
    m->cap = cap;
    return RETAIN_OK;
}

retain_status rt_keymap_init(rt_keymap *m)
{
    m->keys = m->index = NULL;
    m->cap = m->count = 0;
    return resize(m, 1024);
}

void rt_keymap_free(rt_keymap *m)
{
    free(m->keys);
    free(m->index);
    m->keys = m->index = NULL;
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
    while (m->index[h] >= 0) {
        if (m->keys[2 * h] == a && m->keys[2 * h + 1] == b) {
            *out = m->index[h];
            *added = false;
            return RETAIN_OK;
        }
        h = (h + 1) & (uint64_t)(m->cap - 1);
    }
    m->keys[2 * h] = a;
    m->keys[2 * h + 1] = b;
    m->index[h] = m->count;
    *out = m->count++;
    *added = true;
    return RETAIN_OK;
}

int64_t rt_keymap_get(const rt_keymap *m, int64_t a, int64_t b)
{
    if (!m->cap)
        return -1;
    uint64_t h = mix(a, b) & (uint64_t)(m->cap - 1);
    while (m->index[h] >= 0) {
        if (m->keys[2 * h] == a && m->keys[2 * h + 1] == b)
            return m->index[h];
        h = (h + 1) & (uint64_t)(m->cap - 1);
    }
    return -1;
}
