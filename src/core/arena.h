/*
** src/core/arena.h: a stack of memory blocks for recursive searches:
** allocate as the search descends, release everything since a mark as it
** returns. Blocks never move, so pointers into them stay valid until the
** release that covers them. One arena per thread; nothing is shared.
*/
#ifndef RT_CORE_ARENA_H
#define RT_CORE_ARENA_H

#include <stddef.h>

typedef struct rt_arena_block rt_arena_block;

typedef struct rt_arena {
    rt_arena_block *top;
    rt_arena_block *spare; /* one released block kept, so a search that keeps
                              crossing a block boundary does not thrash */
} rt_arena;

typedef struct rt_arena_mark {
    rt_arena_block *block;
    size_t used;
} rt_arena_mark;

/* An empty arena (no allocation until the first rt_arena_alloc). */
void rt_arena_init(rt_arena *a);
void rt_arena_free(rt_arena *a);

/* bytes (rounded up to 16) from the arena, 16-byte aligned; NULL when
** memory runs out. */
void *rt_arena_alloc(rt_arena *a, size_t bytes);

rt_arena_mark rt_arena_save(const rt_arena *a);
/* Frees everything allocated since mark m was saved. */
void rt_arena_release(rt_arena *a, rt_arena_mark m);

#endif
