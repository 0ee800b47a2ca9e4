/*
** src/core/arena.c: the block stack of arena.h. Blocks are at least
** 1 MiB; a larger request gets a block of its own size. The last block
** released is kept for the next that fits in it.
*/
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>

#define MIN_BLOCK ((size_t)1 << 20)

struct rt_arena_block {
    rt_arena_block *prev;
    size_t cap, used;
    _Alignas(16) unsigned char data[];
};

void rt_arena_init(rt_arena *a) { a->top = a->spare = NULL; }

void rt_arena_free(rt_arena *a)
{
    free(a->spare);
    a->spare = NULL;
    while (a->top) {
        rt_arena_block *prev = a->top->prev;
        free(a->top);
        a->top = prev;
    }
}

void *rt_arena_alloc(rt_arena *a, size_t bytes)
{
    bytes = (bytes + 15) & ~(size_t)15;
    if (!a->top || a->top->cap - a->top->used < bytes) {
        size_t cap = bytes > MIN_BLOCK ? bytes : MIN_BLOCK;
        if (cap > SIZE_MAX - sizeof(rt_arena_block))
            return NULL;
        rt_arena_block *b;
        if (a->spare && a->spare->cap >= cap) {
            b = a->spare;
            a->spare = NULL;
        } else if ((b = malloc(sizeof *b + cap))) {
            b->cap = cap;
        } else {
            return NULL;
        }
        b->prev = a->top;
        b->used = 0;
        a->top = b;
    }
    void *p = a->top->data + a->top->used;
    a->top->used += bytes;
    return p;
}

rt_arena_mark rt_arena_save(const rt_arena *a)
{
    rt_arena_mark m = {a->top, a->top ? a->top->used : 0};
    return m;
}

void rt_arena_release(rt_arena *a, rt_arena_mark m)
{
    while (a->top && a->top != m.block) {
        rt_arena_block *prev = a->top->prev;
        if (!a->spare)
            a->spare = a->top;
        else
            free(a->top);
        a->top = prev;
    }
    if (a->top)
        a->top->used = m.used;
}
