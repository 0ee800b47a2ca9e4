/*
** src/core/memo.c: allocation of the two-way caches of memo.h.
*/
#include "memo.h"

#include "error.h"

#include <stdlib.h>

retain_status rt_memo_init(rt_memo *m, int bits)
{
    size_t n = (size_t)1 << bits;
    m->shift = 64 - (bits - 1);
    if (!(m->slots = aligned_alloc(64, n * sizeof *m->slots)))
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for a cache of %zu values", n);
    for (size_t i = 0; i < n; i++)
        m->slots[i] = (rt_memo_slot){.u = RT_MEMO_EMPTY};
    return RETAIN_OK;
}

void rt_memo_free(rt_memo *m)
{
    free(m->slots);
    m->slots = NULL;
}
