/*
** src/io/strmap.h: strings to dense indices 0, 1, 2, ... in order of first
** sight, for text readers that name things (item names, basket ids). The map
** keeps each string once, NUL-terminated, in one growing text buffer, so the
** caller can take the labels over when it is done.
*/
#ifndef RT_IO_STRMAP_H
#define RT_IO_STRMAP_H

#include "retain.h"

#include <stddef.h>
#include <stdint.h>

typedef struct rt_strmap {
    char *text;       /* the strings, each NUL-terminated, one after another */
    int64_t *off;     /* count + 1 offsets into text                          */
    int64_t count;
    int64_t text_len, text_cap, off_cap;
    int32_t *slots;   /* open addressing: index + 1, 0 for empty              */
    int64_t nslots;
} rt_strmap;

/* Zeroes the map; nothing is allocated until the first rt_strmap_get. */
void rt_strmap_init(rt_strmap *m);
void rt_strmap_free(rt_strmap *m);

/* *out = the index of s[0..len), added when new. Fails only when memory or
** the int32 index range runs out. */
retain_status rt_strmap_get(rt_strmap *m, const char *s, size_t len, int32_t *out);

/* The index of s[0..len), or -1 when the map does not hold it. */
int32_t rt_strmap_find(const rt_strmap *m, const char *s, size_t len);

#endif
