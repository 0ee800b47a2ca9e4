/*
** tests/unit/test_core.c: src/core: error messages and context, status
** names, aligned allocation, overflow-checked sizes, the memory-claim
** refusal, injected allocation failures, matrix views and the
** block-ordered reduction.
*/
#include "check.h"

#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"

#include <stdint.h>
#include <string.h>

static void test_errors(void)
{
    retain_status s = rt_error(RETAIN_ERR_DATA, "row %d is bad", 7);
    CHECK(s == RETAIN_ERR_DATA, "status passed through");
    CHECK(strcmp(retain_last_error(), "row 7 is bad") == 0, "got '%s'", retain_last_error());
    rt_error_context(s, "file %s", "x.h5");
    CHECK(strcmp(retain_last_error(), "file x.h5: row 7 is bad") == 0, "got '%s'",
          retain_last_error());
    char big[5000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rt_error(RETAIN_ERR_IO, "%s", big);
    size_t n = strlen(retain_last_error());
    CHECK(n < sizeof big && strcmp(retain_last_error() + n - 3, "...") == 0,
          "long message cut with ..., length %zu", n);
    rt_error_clear();
    CHECK(retain_last_error()[0] == '\0', "cleared");
    CHECK(strcmp(retain_status_name(RETAIN_ERR_USAGE), "usage") == 0, "usage name");
    CHECK(strcmp(retain_status_name(RETAIN_ERR_INTERNAL), "internal") == 0, "internal name");
    CHECK(RETAIN_ERR_IO == 3 && RETAIN_ERR_DEVICE == 4, "statuses equal exit codes");
}

static void test_memory(void)
{
    void *p = NULL;
    CHECK(retain_malloc(1000, &p) == RETAIN_OK && p, "malloc");
    CHECK(((uintptr_t)p % 64) == 0, "64-byte aligned");
    retain_free(p);
    CHECK(retain_malloc(0, &p) == RETAIN_OK && p, "zero bytes gives a pointer");
    retain_free(p);
    CHECK(retain_calloc(SIZE_MAX / 2, 4, &p) == RETAIN_ERR_INTERNAL && !p, "calloc overflow");

    int64_t out;
    CHECK(rt_mul_size(1 << 20, 1 << 20, &out) && out == (int64_t)1 << 40, "mul");
    CHECK(!rt_mul_size(INT64_MAX / 2, 3, &out), "mul overflow detected");
    CHECK(!rt_mul_size(-1, 3, &out), "negative refused");

    retain_matrix_owned m;
    retain_status s = retain_matrix_alloc((int64_t)1 << 40, 1 << 10, &m);
    CHECK(s == RETAIN_ERR_DATA && m.data == NULL, "huge matrix refused before allocating");
    CHECK(strstr(retain_last_error(), "needs") && strstr(retain_last_error(), "4.0 PiB"),
          "message gives sizes: %s", retain_last_error());
    s = retain_matrix_alloc(INT64_MAX / 2, INT64_MAX / 2, &m);
    CHECK(s == RETAIN_ERR_DATA && strstr(retain_last_error(), "too large"), "overflow: %s",
          retain_last_error());

    rt_mem_fail_after(2);
    void *a = NULL, *b = NULL;
    CHECK(retain_malloc(8, &a) == RETAIN_OK, "first allocation succeeds");
    CHECK(retain_malloc(8, &b) == RETAIN_ERR_INTERNAL && !b, "second injected to fail");
    CHECK(strstr(retain_last_error(), "out of memory"), "message: %s", retain_last_error());
    retain_free(a);
    CHECK(retain_malloc(8, &b) == RETAIN_OK, "injection is one-shot");
    retain_free(b);

    char buf[32];
    CHECK(strcmp(rt_mem_format(1536, buf, sizeof buf), "1.5 KiB") == 0, "got %s", buf);
    CHECK(strcmp(rt_mem_format(12, buf, sizeof buf), "12 B") == 0, "got %s", buf);
}

static void test_views(void)
{
    retain_matrix_owned m;
    CHECK(retain_matrix_alloc(10, 3, &m) == RETAIN_OK, "alloc");
    for (int i = 0; i < 30; i++)
        CHECK(m.data[i] == 0.0f, "zeroed");
    m.data[3 * 4 + 1] = 5.0f;
    retain_matrix v = retain_matrix_view(&m);
    retain_matrix r = retain_matrix_rows(v, 4, 100);
    CHECK(r.rows == 6 && r.cols == 3 && r.data[1] == 5.0f, "rows view clipped");
    r = retain_matrix_rows(v, 20, 5);
    CHECK(r.rows == 0, "past the end is empty");
    retain_matrix_release(&m);
    CHECK(m.data == NULL && m.rows == 0, "released");
}

static void test_reduction(void)
{
    /* Values whose float sum depends on order: the reduction must follow
    ** block order exactly. */
    double partial[4 * 2] = {1e16, 1, 1.0, 2, -1e16, 3, 1.0, 4};
    double out[2];
    rt_reduce_blocks_f64(partial, 4, 2, out);
    double expect0 = ((1e16 + 1.0) + -1e16) + 1.0;
    CHECK(out[0] == expect0 && out[1] == 10.0, "got %.17g %.17g", out[0], out[1]);
    CHECK(rt_block_count(0) == 0 && rt_block_count(1) == 1 &&
              rt_block_count(RT_BLOCK_ROWS) == 1 && rt_block_count(RT_BLOCK_ROWS + 1) == 2,
          "block counts");
    CHECK(retain_threads_set(-1) == RETAIN_ERR_USAGE, "negative threads refused");
    CHECK(retain_threads_set(1) == RETAIN_OK && retain_threads_get() == 1, "one thread");
    CHECK(retain_threads_set(0) == RETAIN_OK && retain_threads_get() >= 1, "default");
}

int main(void)
{
    test_errors();
    test_memory();
    test_views();
    test_reduction();
    CHECK(strstr(retain_build_info(), retain_version()) != NULL, "build info has version");
    CHECK_DONE();
}
