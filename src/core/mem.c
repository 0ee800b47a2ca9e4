/*
** src/core/mem.c: retain_malloc/retain_free (64-byte aligned), owned matrix
** allocation, and the memory-claim check that refuses a size an input file
** declares before anything is allocated.
*/
#include "mem.h"

#include "error.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static atomic_llong fail_countdown;

void rt_mem_fail_after(int64_t n) { atomic_store(&fail_countdown, (long long)n); }

static bool injected_failure(void)
{
    long long left = atomic_load(&fail_countdown);
    while (left > 0) {
        if (atomic_compare_exchange_weak(&fail_countdown, &left, left - 1))
            return left == 1;
    }
    return false;
}

bool rt_mul_size(int64_t a, int64_t b, int64_t *out)
{
    if (a < 0 || b < 0)
        return false;
    return !__builtin_mul_overflow(a, b, out);
}

/* MemAvailable from /proc/meminfo in bytes, or -1. */
static int64_t meminfo_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return -1;
    char line[256];
    long long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lld kB", &kib) == 1)
            break;
    fclose(f);
    return kib < 0 ? -1 : (int64_t)kib * 1024;
}

/* Virtual address space this process maps now, in bytes, or 0. */
static int64_t mapped_now(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long long pages = 0;
    if (f) {
        if (fscanf(f, "%lld", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return (int64_t)pages * sysconf(_SC_PAGESIZE);
}

int64_t rt_mem_available(void)
{
    int64_t limit = meminfo_available();
    if (limit < 0) {
        long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        limit = (pages > 0 && page > 0) ? (int64_t)pages * page : INT64_MAX;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        int64_t left = (int64_t)rl.rlim_cur - mapped_now();
        if (left < limit)
            limit = left > 0 ? left : 0;
    }
    return limit;
}

void rt_mem_hugepages(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t from = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t to = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (to > from)
        (void)madvise((void *)from, to - from, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

const char *rt_mem_format(int64_t bytes, char *buf, size_t cap)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024.0 && u < 6) {
        v /= 1024.0;
        u++;
    }
    snprintf(buf, cap, u ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

retain_status rt_mem_check_claim(int64_t bytes, const char *what, const char *advice)
{
    int64_t limit = rt_mem_available();
    if (bytes >= 0 && bytes <= limit)
        return RETAIN_OK;
    char need[32], have[32];
    if (bytes < 0)
        return rt_error(RETAIN_ERR_DATA,
                        "%s is too large to address (size overflows 64 bits)",
                        what);
    return rt_error(RETAIN_ERR_DATA,
                    "%s needs %s but only %s is available; %s", what,
                    rt_mem_format(bytes, need, sizeof need),
                    rt_mem_format(limit, have, sizeof have), advice);
}

retain_status retain_malloc(size_t bytes, void **out)
{
    if (!out)
        return rt_error(RETAIN_ERR_USAGE, "retain_malloc: out is NULL");
    *out = NULL;
    size_t rounded = (bytes + RT_ALIGN - 1) / RT_ALIGN * RT_ALIGN;
    if (rounded < bytes)
        return rt_error(RETAIN_ERR_INTERNAL, "allocation of %zu bytes overflows",
                        bytes);
    if (rounded == 0)
        rounded = RT_ALIGN;
    void *p = injected_failure() ? NULL : aligned_alloc(RT_ALIGN, rounded);
    if (!p) {
        char b[32];
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory allocating %s",
                        rt_mem_format((int64_t)bytes, b, sizeof b));
    }
    *out = p;
    return RETAIN_OK;
}

retain_status retain_calloc(size_t count, size_t size, void **out)
{
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        if (out)
            *out = NULL;
        return rt_error(RETAIN_ERR_INTERNAL,
                        "allocation of %zu x %zu bytes overflows", count, size);
    }
    retain_status s = retain_malloc(bytes, out);
    if (s == RETAIN_OK)
        memset(*out, 0, bytes);
    return s;
}

void retain_free(void *ptr) { free(ptr); }

retain_status retain_matrix_alloc(int64_t rows, int64_t cols,
                                  retain_matrix_owned *out)
{
    if (!out)
        return rt_error(RETAIN_ERR_USAGE, "retain_matrix_alloc: out is NULL");
    memset(out, 0, sizeof *out);
    int64_t cells, bytes;
    if (!rt_mul_size(rows, cols, &cells) ||
        !rt_mul_size(cells, (int64_t)sizeof(float), &bytes))
        return rt_error(RETAIN_ERR_DATA,
                        "matrix %lld x %lld is too large to address",
                        (long long)rows, (long long)cols);
    char what[96];
    snprintf(what, sizeof what, "a %lld x %lld float32 matrix", (long long)rows,
             (long long)cols);
    retain_status s = rt_mem_check_claim(bytes, what,
                                         "read it in row ranges or on a larger machine");
    if (s)
        return s;
    void *p;
    if ((s = retain_calloc((size_t)cells, sizeof(float), &p)))
        return s;
    out->data = p;
    out->rows = rows;
    out->cols = cols;
    return RETAIN_OK;
}

void retain_matrix_release(retain_matrix_owned *m)
{
    if (!m)
        return;
    retain_free(m->data);
    memset(m, 0, sizeof *m);
}

retain_matrix retain_matrix_view(const retain_matrix_owned *m)
{
    retain_matrix v = {m->data, m->rows, m->cols, m->cols};
    return v;
}

retain_matrix retain_matrix_rows(retain_matrix m, int64_t first, int64_t count)
{
    if (first < 0)
        first = 0;
    if (first > m.rows)
        first = m.rows;
    if (count < 0 || count > m.rows - first)
        count = m.rows - first;
    retain_matrix v = {m.data + first * m.row_stride, count, m.cols,
                       m.row_stride};
    return v;
}
