/*
** src/core/mem.h: aligned allocation with overflow-checked sizes, the
** "is this claim too large for the machine" test that runs before any big
** allocation, and an allocation-failure hook for tests of error paths.
*/
#ifndef RT_CORE_MEM_H
#define RT_CORE_MEM_H

#include "retain.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RT_ALIGN 64

/* *out = a * b; false on overflow or negative operands. */
bool rt_mul_size(int64_t a, int64_t b, int64_t *out);

/* Bytes this process can still allocate: the memory the kernel reports
** available (MemAvailable), capped by what RLIMIT_AS leaves beside the
** address space already mapped. */
int64_t rt_mem_available(void);

/* RETAIN_OK if `bytes` (for `what`, e.g. "matrix 100 x 3 float32") fits
** under rt_mem_available(); otherwise RETAIN_ERR_DATA with a message giving
** both sizes and `advice` (what would make it fit). Call before allocating
** anything an input file or option asked for. */
retain_status rt_mem_check_claim(int64_t bytes, const char *what, const char *advice);

/* Test hook: make the n-th allocation from now fail (0 disables). */
void rt_mem_fail_after(int64_t n);

/* Asks the kernel to back the 2 MiB-aligned pages inside [p, p + bytes)
** with huge pages (transparent huge pages, "madvise" mode). First touches
** of fresh memory cost ten times less so (a page fault per 2 MiB instead of
** per 4 KiB), and a large table's random accesses miss the TLB less. For
** blocks of many MiB that will be written whole: a block touched sparsely
** would be charged 2 MiB per touch. Does nothing where unsupported. */
void rt_mem_hugepages(void *p, size_t bytes);

/* Formats a byte count as "1.5 GiB" into buf (at least 32 bytes). */
const char *rt_mem_format(int64_t bytes, char *buf, size_t cap);

#endif
