/*
** src/core/keymap.c: the pair-keyed hash map (see keymap.h): linear
** probing over a power-of-two table kept at most three quarters full, a
** 64-bit mix of both keys (the finaliser of SplitMix64) as the hash; the
** look-ahead that pipelines the lookups of a fold over events. Three
** quarters, not half: the longer probes cost less than the memory (fresh
** pages are what a large fold spends most on).
** Direct mode: when the table grows while every second key is 0 and the
** first keys span at most DENSE times their number, the table becomes an
** array over their range (a 4-byte index + 1 per id, the keys by index
** beside it); an id outside the range widens it, or, if the range would
** get too sparse, turns the map back into a table. Either way a key keeps
** its index.
*/
#include "keymap.h"

#include "core/error.h"
#include "core/mem.h"

#include <stdlib.h>
#include <string.h>

/* A range this many times the keys, plus SLACK ids, stays direct. */
#define DENSE 4
#define SLACK ((int64_t)1 << 16)

static inline uint64_t mix(int64_t a, int64_t b)
{
    uint64_t z = (uint64_t)a * 0x9E3779B97F4A7C15ULL ^ (uint64_t)b;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static retain_status out_of_memory(int64_t keys)
{
    return rt_error(RETAIN_ERR_INTERNAL, "out of memory for a table of %lld keys",
                    (long long)keys);
}

/* Puts (a, b) as index into a table with room, known absent. */
static void place(rt_keymap_slot *slots, int64_t cap, int64_t a, int64_t b, int64_t index)
{
    uint64_t h = mix(a, b) & (uint64_t)(cap - 1);
    while (slots[h].index >= 0)
        h = (h + 1) & (uint64_t)(cap - 1);
    slots[h] = (rt_keymap_slot){a, b, index};
}

/* A table of cap slots holding the keys the map has (either mode). */
static retain_status rehash(rt_keymap *m, int64_t cap)
{
    rt_keymap_slot *slots = malloc((size_t)cap * sizeof *slots);
    if (!slots)
        return out_of_memory(cap);
    rt_mem_hugepages(slots, (size_t)cap * sizeof *slots);
    for (int64_t i = 0; i < cap; i++)
        slots[i].index = -1;
    if (m->direct)
        for (int64_t k = 0; k < m->count; k++)
            place(slots, cap, m->ids[k], 0, k);
    for (int64_t i = 0; i < m->cap; i++)
        if (m->slots[i].index >= 0)
            place(slots, cap, m->slots[i].a, m->slots[i].b, m->slots[i].index);
    free(m->slots);
    free(m->direct);
    free(m->ids);
    m->direct = NULL;
    m->ids = NULL;
    m->slots = slots;
    m->cap = cap;
    return RETAIN_OK;
}

/* The smallest table that holds count keys (and one more) at most three
** quarters full. */
static int64_t table_for(int64_t count)
{
    int64_t cap = 1024;
    while (4 * (count + 1) > 3 * cap)
        cap *= 2;
    return cap;
}

/* The array over [lo, lo + span) holding the keys the map has (either
** mode); *done false, and nothing changed, when there are too many keys
** for 4-byte indices. */
static retain_status redirect(rt_keymap *m, int64_t lo, int64_t span, bool *done)
{
    *done = false;
    if (m->count >= (int64_t)UINT32_MAX - 1)
        return RETAIN_OK;
    uint32_t *direct = calloc((size_t)span, sizeof *direct);
    int64_t ids_cap = m->direct ? m->ids_cap : 2 * m->count + 1024;
    int64_t *ids = m->direct ? m->ids : malloc((size_t)ids_cap * sizeof *ids);
    if (!direct || !ids) {
        free(direct);
        if (ids != m->ids)
            free(ids);
        return out_of_memory(m->count);
    }
    rt_mem_hugepages(direct, (size_t)span * sizeof *direct);
    if (m->direct)
        memcpy(direct + (m->lo - lo), m->direct, (size_t)m->span * sizeof *direct);
    for (int64_t i = 0; i < m->cap; i++)
        if (m->slots[i].index >= 0) {
            direct[m->slots[i].a - lo] = (uint32_t)(m->slots[i].index + 1);
            ids[m->slots[i].index] = m->slots[i].a;
        }
    free(m->slots);
    free(m->direct);
    m->slots = NULL;
    m->cap = 0;
    m->direct = direct;
    m->lo = lo;
    m->span = span;
    m->ids = ids;
    m->ids_cap = ids_cap;
    *done = true;
    return RETAIN_OK;
}

/* Makes room for key (a, b), not in the map: the array widened to a (by an
** eighth more on the side it grew), a table grown, or the one turned into
** the other as the keys' density says. */
static retain_status make_room(rt_keymap *m, int64_t a, int64_t b)
{
    int64_t lo = a < m->min || !m->count ? a : m->min;
    int64_t hi = a > m->max || !m->count ? a : m->max;
    int64_t range = 0; /* of the keys with a: hi - lo */
    bool dense = !m->pairs && b == 0 && !__builtin_sub_overflow(hi, lo, &range) &&
                 range < INT64_MAX / 4 && range + 1 <= DENSE * (m->count + 1) + SLACK;
    bool done = false;
    retain_status s = RETAIN_OK;
    if (m->direct && dense) {
        int64_t first = m->lo, last = m->lo + (m->span - 1); /* the array's ids */
        if (a >= first && a <= last && m->count < (int64_t)UINT32_MAX - 1)
            return RETAIN_OK; /* else redirect refuses: a table takes over */
        first = a < first ? a : first;
        last = a > last ? a : last;
        int64_t extra = (last - first + 1) / 8, widened;
        if (a == first && !__builtin_sub_overflow(first, extra, &widened))
            first = widened;
        else if (a == last && !__builtin_add_overflow(last, extra, &widened))
            last = widened;
        s = redirect(m, first, last - first + 1, &done);
    } else if (!m->direct && 4 * (m->count + 1) <= 3 * m->cap) {
        return RETAIN_OK;
    } else if (!m->direct && dense && m->count >= 1024 && range + 1 <= DENSE * m->count) {
        s = redirect(m, lo, range + 1 + (range + 1) / 8, &done);
    }
    if (s || done)
        return s;
    return rehash(m, m->direct ? table_for(m->count) : m->cap ? 2 * m->cap : 1024);
}

retain_status rt_keymap_init(rt_keymap *m)
{
    memset(m, 0, sizeof *m);
    return RETAIN_OK;
}

void rt_keymap_free(rt_keymap *m)
{
    free(m->slots);
    free(m->direct);
    free(m->ids);
    memset(m, 0, sizeof *m);
}

/* A new key's bookkeeping. */
static void note_key(rt_keymap *m, int64_t a, int64_t b)
{
    m->min = a < m->min || !m->count ? a : m->min;
    m->max = a > m->max || !m->count ? a : m->max;
    m->pairs |= b != 0;
}

retain_status rt_keymap_put(rt_keymap *m, int64_t a, int64_t b, int64_t *out, bool *added)
{
    if (m->direct && b == 0) {
        uint64_t off = (uint64_t)a - (uint64_t)m->lo;
        if (off < (uint64_t)m->span && m->direct[off]) {
            *out = m->direct[off] - 1;
            *added = false;
            return RETAIN_OK;
        }
    } else if (m->cap) {
        uint64_t h = mix(a, b) & (uint64_t)(m->cap - 1);
        for (; m->slots[h].index >= 0; h = (h + 1) & (uint64_t)(m->cap - 1))
            if (m->slots[h].a == a && m->slots[h].b == b) {
                *out = m->slots[h].index;
                *added = false;
                return RETAIN_OK;
            }
    }
    retain_status s = make_room(m, a, b);
    if (s)
        return s;
    if (m->direct) {
        if (m->count == m->ids_cap) {
            int64_t cap = 2 * m->ids_cap;
            int64_t *ids = realloc(m->ids, (size_t)cap * sizeof *ids);
            if (!ids)
                return out_of_memory(cap);
            rt_mem_hugepages(ids, (size_t)cap * sizeof *ids);
            m->ids = ids;
            m->ids_cap = cap;
        }
        m->direct[(uint64_t)a - (uint64_t)m->lo] = (uint32_t)(m->count + 1);
        m->ids[m->count] = a;
    } else {
        place(m->slots, m->cap, a, b, m->count);
    }
    note_key(m, a, b);
    *out = m->count++;
    *added = true;
    return RETAIN_OK;
}

int64_t rt_keymap_get(const rt_keymap *m, int64_t a, int64_t b)
{
    if (m->direct) {
        uint64_t off = (uint64_t)a - (uint64_t)m->lo;
        return b == 0 && off < (uint64_t)m->span ? (int64_t)m->direct[off] - 1 : -1;
    }
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
    if (m->direct) {
        uint64_t off = (uint64_t)a - (uint64_t)m->lo;
        if (off < (uint64_t)m->span)
            __builtin_prefetch(&m->direct[off]);
    } else if (m->cap) {
        __builtin_prefetch(&m->slots[mix(a, b) & (uint64_t)(m->cap - 1)]);
    }
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
    if (m->direct) {
        memcpy(a, m->ids, (size_t)m->count * sizeof *a);
        memset(b, 0, (size_t)m->count * sizeof *b);
        return;
    }
    for (int64_t i = 0; i < m->cap; i++)
        if (m->slots[i].index >= 0) {
            a[m->slots[i].index] = m->slots[i].a;
            b[m->slots[i].index] = m->slots[i].b;
        }
}
