/*
** src/io/strmap.c: the string-to-index map of strmap.h: FNV-1a hashes,
** linear probing in a power-of-two table kept at most half full.
*/
#include "strmap.h"

#include "core/error.h"

#include <stdlib.h>
#include <string.h>

void rt_strmap_init(rt_strmap *m) { memset(m, 0, sizeof *m); }

void rt_strmap_free(rt_strmap *m)
{
    free(m->text);
    free(m->off);
    free(m->slots);
    rt_strmap_init(m);
}

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static retain_status oom(void)
{
    return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the table of names");
}

static retain_status grow_slots(rt_strmap *m)
{
    int64_t n = m->nslots ? m->nslots * 2 : 1024;
    int32_t *slots = calloc((size_t)n, sizeof *slots);
    if (!slots)
        return oom();
    for (int64_t i = 0; i < m->count; i++) {
        const char *s = m->text + m->off[i];
        uint64_t k = hash(s, (size_t)(m->off[i + 1] - m->off[i] - 1)) & (uint64_t)(n - 1);
        while (slots[k])
            k = (k + 1) & (uint64_t)(n - 1);
        slots[k] = (int32_t)(i + 1);
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = n;
    return RETAIN_OK;
}

static retain_status append(rt_strmap *m, const char *s, size_t len)
{
    if (m->count >= INT32_MAX - 1)
        return rt_error(RETAIN_ERR_DATA, "more than %d distinct names", INT32_MAX - 1);
    if (m->count + 2 > m->off_cap) {
        int64_t cap = m->off_cap ? m->off_cap * 2 : 1024;
        int64_t *off = realloc(m->off, (size_t)cap * sizeof *off);
        if (!off)
            return oom();
        m->off = off;
        m->off_cap = cap;
        if (m->count == 0)
            m->off[0] = 0;
    }
    if (m->text_len + (int64_t)len + 1 > m->text_cap) {
        int64_t cap = m->text_cap ? m->text_cap * 2 : 16384;
        while (cap < m->text_len + (int64_t)len + 1)
            cap *= 2;
        char *text = realloc(m->text, (size_t)cap);
        if (!text)
            return oom();
        m->text = text;
        m->text_cap = cap;
    }
    memcpy(m->text + m->text_len, s, len);
    m->text[m->text_len + (int64_t)len] = '\0';
    m->text_len += (int64_t)len + 1;
    m->off[++m->count] = m->text_len;
    return RETAIN_OK;
}

retain_status rt_strmap_get(rt_strmap *m, const char *s, size_t len, int32_t *out)
{
    retain_status st;
    if (2 * (m->count + 1) > m->nslots && (st = grow_slots(m)))
        return st;
    uint64_t mask = (uint64_t)(m->nslots - 1), k = hash(s, len) & mask;
    for (; m->slots[k]; k = (k + 1) & mask) {
        int64_t i = m->slots[k] - 1;
        if (m->off[i + 1] - m->off[i] - 1 == (int64_t)len &&
            memcmp(m->text + m->off[i], s, len) == 0) {
            *out = (int32_t)i;
            return RETAIN_OK;
        }
    }
    if ((st = append(m, s, len)))
        return st;
    m->slots[k] = (int32_t)m->count;
    *out = (int32_t)(m->count - 1);
    return RETAIN_OK;
}

int32_t rt_strmap_find(const rt_strmap *m, const char *s, size_t len)
{
    if (m->nslots == 0)
        return -1;
    uint64_t mask = (uint64_t)(m->nslots - 1);
    for (uint64_t k = hash(s, len) & mask; m->slots[k]; k = (k + 1) & mask) {
        int64_t i = m->slots[k] - 1;
        if (m->off[i + 1] - m->off[i] - 1 == (int64_t)len &&
            memcmp(m->text + m->off[i], s, len) == 0)
            return (int32_t)i;
    }
    return -1;
}
