/*
** tests/unit/test_core.c: src/core: error messages and context, status
** names, aligned allocation, overflow-checked sizes, the memory-claim
** refusal, injected allocation failures, matrix views and the
** block-ordered reductions (rt_reduce_rows: the documented order, the same
** bits for any thread count, every block once; rt_reduce_block_partials:
** the same order from given block partials), the special functions
** against closed forms, and the keymap look-ahead against a brute-force
** numbering by first appearance, its array mode for dense ids (entered,
** widened below and above, left for a table when ids spread or pairs
** come) against the same, and the memo of core/memo.h against the
** function it caches: every lookup of a stream of repeating arguments
** returns the function's own value, arguments are told apart by their bits
** (0 from -0, both halves of a pair), a pair just filled is found, and
** arguments with the empty slot's bits are never found.
*/
#include "check.h"

#include "core/error.h"
#include "core/keymap.h"
#include "core/mem.h"
#include "core/memo.h"
#include "core/parallel.h"
#include "core/special.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
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

/* A block's partial: [0] a sum whose bits depend on its order, [1] rows,
** [2] calls, [3 ..] zero (width makes the spans). */
typedef struct rows_ctx {
    const double *v;
    int64_t *seen; /* calls per block */
} rows_ctx;

static void rows_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const rows_ctx *c = ctx;
    for (int64_t i = first; i < first + rows; i++)
        partial[0] += c->v[i];
    partial[1] += (double)rows;
    partial[2] += 1.0;
    __atomic_fetch_add(&c->seen[first / RT_BLOCK_ROWS], 1, __ATOMIC_RELAXED);
}

/* rt_reduce_rows gives the documented sum (blocks in order into spans,
** spans in order) with the same bits for 1, 2, 3 and 7 threads, calls fn
** once per block, and folds spans of one and of several blocks. */
static void test_reduce_rows(void)
{
    enum { N = 300 * RT_BLOCK_ROWS + 123 };
    static double v[N];
    static int64_t seen[N / RT_BLOCK_ROWS + 1];
    uint64_t state = 12345;
    for (int64_t i = 0; i < N; i++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        double u = (double)(state >> 11) / 9007199254740992.0;
        v[i] = (u - 0.5) * (i % 97 == 0 ? 1e12 : 1.0);
    }
    const int64_t widths[] = {3, 40000}; /* one block a span; several */
    for (int w = 0; w < 2; w++) {
        int64_t width = widths[w], span = rt_reduce_span(N, width);
        int64_t nblocks = rt_block_count(N);
        CHECK(w == 0 ? span == 2 : span > 2, "width %lld: span %lld", (long long)width,
              (long long)span);
        double want = 0.0;
        for (int64_t s0 = 0; s0 < nblocks; s0 += span) {
            double in_span = 0.0;
            for (int64_t b = s0; b < s0 + span && b < nblocks; b++) {
                double block = 0.0;
                for (int64_t i = b * RT_BLOCK_ROWS; i < (b + 1) * RT_BLOCK_ROWS && i < N; i++)
                    block += v[i];
                in_span += block;
            }
            want += in_span;
        }
        double *out = calloc((size_t)width, sizeof *out);
        const int threads[] = {1, 2, 3, 7};
        for (int t = 0; t < 4 && out; t++) {
            memset(seen, 0, sizeof seen);
            retain_threads_set(threads[t]);
            rows_ctx c = {v, seen};
            CHECK(rt_reduce_rows(N, width, rows_block, &c, out) == RETAIN_OK, "reduce");
            CHECK(out[0] == want, "width %lld, %d threads: %.17g, want %.17g",
                  (long long)width, threads[t], out[0], want);
            CHECK(out[1] == N && out[2] == (double)nblocks, "rows %g, calls %g", out[1], out[2]);
            bool once = true;
            for (int64_t b = 0; b < nblocks; b++)
                once &= seen[b] == 1;
            CHECK(once, "width %lld, %d threads: a block ran other than once",
                  (long long)width, threads[t]);
        }
        /* the same spans from block partials made elsewhere (a GPU pass) */
        double *blocks = calloc((size_t)(nblocks * width), sizeof *blocks);
        for (int64_t b = 0; blocks && b < nblocks; b++)
            for (int64_t i = b * RT_BLOCK_ROWS; i < (b + 1) * RT_BLOCK_ROWS && i < N; i++)
                blocks[b * width] += v[i];
        CHECK(blocks && out && rt_reduce_block_partials(blocks, N, width, out) == RETAIN_OK &&
                  out[0] == want,
              "width %lld: block partials give %.17g, want %.17g", (long long)width,
              out ? out[0] : 0.0, want);
        free(blocks);
        free(out);
    }
    retain_threads_set(0);
}

/* Special functions against closed forms: psi(1) = -gamma, psi(1/2) =
** -gamma - 2 ln 2, psi(x + 1) = psi(x) + 1/x (across the switch to the
** asymptotic series at 10), 2F1(1, 1; 2; z) = -ln(1 - z) / z, ln B. */
static void test_special(void)
{
    const double euler = 0.57721566490153286;
    CHECK(fabs(rt_digamma(1.0) + euler) < 1e-15, "psi(1) %.17g", rt_digamma(1.0));
    CHECK(fabs(rt_digamma(0.5) + euler + 2 * log(2.0)) < 1e-14, "psi(1/2) %.17g",
          rt_digamma(0.5));
    for (double x = 0.25; x < 30; x *= 1.7)
        CHECK(fabs(rt_digamma(x + 1) - rt_digamma(x) - 1 / x) < 1e-13 * (1 + 1 / x),
              "psi recurrence at %g", x);
    for (double z = 0.05; z < 0.96; z += 0.1)
        CHECK(fabs(rt_hyp2f1(1, 1, 2, z) + log1p(-z) / z) < 1e-13, "2F1(1,1;2;%g)", z);
    CHECK(fabs(rt_lbeta(2.0, 3.0) - log(1.0 / 12)) < 1e-15, "ln B(2, 3)");
}

/* Records of the look-ahead test: one int64 per key (its value), grown by
** one at a time so they move on every new key. With pairs, the value v is
** looked up as the keys (v / 20, v % 20), else as (v, 0). */
typedef struct ahead_records {
    int64_t *value;
    int64_t count, calls, fail_at; /* fail_at: new keys before an error; -1 none */
    bool pairs;
} ahead_records;

static retain_status ahead_found(void *ctx, int64_t a, int64_t b, int64_t index, bool added,
                                 const void **record)
{
    ahead_records *r = ctx;
    int64_t v = r->pairs ? a * 20 + b : a;
    CHECK(r->pairs || b == 0, "second key %lld without pairs", (long long)b);
    r->calls++;
    if (added) {
        if (r->count == r->fail_at)
            return rt_error(RETAIN_ERR_INTERNAL, "injected failure at key %lld", (long long)v);
        CHECK(index == r->count, "new key %lld numbered %lld, not %lld", (long long)v,
              (long long)index, (long long)r->count);
        int64_t *grown = realloc(r->value, (size_t)(r->count + 1) * sizeof *grown);
        if (!grown)
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
        r->value = grown;
        r->value[r->count++] = v;
    }
    *record = &r->value[index];
    return RETAIN_OK;
}

static void test_keymap_ahead(void)
{
    enum { N = 3000, DISTINCT = 400 };
    static int64_t values[N], high[N], low[N], first[N];
    uint64_t state = 12345;
    for (int64_t i = 0; i < N; i++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        values[i] = (int64_t)(state >> 33) % DISTINCT - DISTINCT / 2;
        high[i] = values[i] / 20;
        low[i] = values[i] % 20;
    }
    const int64_t lengths[] = {0, 1, RT_KEYMAP_AHEAD - 1, RT_KEYMAP_AHEAD, RT_KEYMAP_AHEAD + 1,
                               2 * RT_KEYMAP_AHEAD, 2 * RT_KEYMAP_AHEAD + 1, N};
    for (int pairs = 0; pairs <= 1; pairs++)
        for (size_t l = 0; l < sizeof lengths / sizeof *lengths; l++) {
            int64_t n = lengths[l], distinct = 0;
            for (int64_t i = 0; i < n; i++) { /* brute force: index of first appearance */
                int64_t j = 0;
                while (j < distinct && first[j] != values[i])
                    j++;
                if (j == distinct)
                    first[distinct++] = values[i];
            }
            rt_keymap map = {0};
            ahead_records r = {.fail_at = -1, .pairs = pairs};
            rt_keymap_ahead la;
            retain_status s = rt_keymap_ahead_start(&la, &map, n, pairs ? high : values,
                                                    pairs ? low : NULL, ahead_found, &r);
            for (int64_t i = 0; !s && i < n; i++) {
                int64_t k;
                if ((s = rt_keymap_ahead_next(&la, i, &k)))
                    break;
                CHECK(k >= 0 && k < r.count && r.value[k] == values[i] && first[k] == values[i],
                      "pairs %d, n %lld: event %lld (value %lld) got index %lld", pairs,
                      (long long)n, (long long)i, (long long)values[i], (long long)k);
            }
            CHECK(s == RETAIN_OK, "n %lld: %s", (long long)n, retain_last_error());
            CHECK(r.count == distinct && map.count == distinct && r.calls == n,
                  "pairs %d, n %lld: %lld records, %lld keys, %lld calls; want %lld, %lld",
                  pairs, (long long)n, (long long)r.count, (long long)map.count,
                  (long long)r.calls, (long long)distinct, (long long)n);
            free(r.value);
            rt_keymap_free(&map);
        }
    /* a failure of the records stops the fold: from start or from next */
    for (int64_t fail_at = 0; fail_at < 60; fail_at += 7) {
        rt_keymap map = {0};
        ahead_records r = {.fail_at = fail_at};
        rt_keymap_ahead la;
        retain_status s = rt_keymap_ahead_start(&la, &map, N, values, NULL, ahead_found, &r);
        int64_t i = 0, k;
        for (; !s && i < N; i++)
            s = rt_keymap_ahead_next(&la, i, &k);
        CHECK(s == RETAIN_ERR_INTERNAL && strstr(retain_last_error(), "injected failure"),
              "failure at new key %lld: status %d", (long long)fail_at, (int)s);
        CHECK(r.count == fail_at, "failure at new key %lld: %lld records", (long long)fail_at,
              (long long)r.count);
        free(r.value);
        rt_keymap_free(&map);
    }
}

/* What the memo caches in test_memo: a function of both arguments' bits. */
static double memo_value(double u, double v)
{
    return u * 1000.0 + v + (signbit(u) ? 0.5 : 0.0) + (signbit(v) ? 0.25 : 0.0);
}

/* Looks (u, v) up, filling a miss; counts the misses. */
static double memo_lookup(rt_memo *m, double u, double v, int64_t *misses)
{
    bool hit;
    rt_memo_slot *slot = rt_memo_find(m, u, v, &hit);
    if (!hit) {
        ++*misses;
        slot->value[0] = memo_value(u, v);
        slot->value[1] = -memo_value(u, v);
        rt_memo_fill(slot, u, v);
    }
    CHECK(slot->value[1] == -slot->value[0], "the slot's two values stay together");
    return slot->value[0];
}

/* The keymap's two modes against a brute-force numbering: each stream's
** keys are put twice over (the second time all found) and must get the
** index of their first appearance, get must find them and nothing else,
** and keys must list them by index; the mode each stream should end in is
** checked too. */
static void keymap_stream(const char *what, const int64_t *a, const int64_t *b, int64_t n,
                          bool direct)
{
    rt_keymap m;
    rt_keymap_init(&m);
    int64_t *first_a = malloc((size_t)n * sizeof *first_a), distinct = 0, wrong = 0;
    int64_t *first_b = malloc((size_t)n * sizeof *first_b);
    int64_t *got_a = malloc((size_t)n * sizeof *got_a), *got_b = malloc((size_t)n * sizeof *got_b);
    for (int pass = 0; pass < 2; pass++)
        for (int64_t i = 0; i < n; i++) {
            int64_t k, bi = b ? b[i] : 0;
            bool added;
            CHECK(rt_keymap_put(&m, a[i], bi, &k, &added) == RETAIN_OK, "%s: put", what);
            if (added) {
                wrong += pass == 1 || k != distinct;
                first_a[distinct] = a[i];
                first_b[distinct++] = bi;
            } else {
                wrong += k < 0 || k >= distinct || first_a[k] != a[i] || first_b[k] != bi;
            }
            wrong += rt_keymap_get(&m, a[i], bi) != k;
        }
    CHECK(wrong == 0 && m.count == distinct, "%s: %lld wrong indices; %lld keys of %lld", what,
          (long long)wrong, (long long)m.count, (long long)distinct);
    rt_keymap_keys(&m, got_a, got_b);
    for (int64_t k = 0; k < distinct; k++)
        wrong += got_a[k] != first_a[k] || got_b[k] != first_b[k];
    CHECK(wrong == 0, "%s: rt_keymap_keys lists %lld keys wrong", what, (long long)wrong);
    CHECK(rt_keymap_get(&m, INT64_MIN, 0) == -1 && rt_keymap_get(&m, INT64_MAX, 1) == -1,
          "%s: keys never put are not found", what);
    CHECK((m.direct != NULL) == direct, "%s: ends %s, want %s", what,
          m.direct ? "direct" : "hashed", direct ? "direct" : "hashed");
    rt_keymap_free(&m);
    free(first_a);
    free(first_b);
    free(got_a);
    free(got_b);
}

static void test_keymap_modes(void)
{
    enum { N = 200000 };
    int64_t *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    uint64_t state = 99;
    for (int64_t i = 0; i < N; i++) { /* ids 1000 .. 1000 + N / 2 in random order */
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        a[i] = 1000 + (int64_t)((state >> 33) % (N / 2));
        b[i] = (int64_t)(state >> 60);
    }
    keymap_stream("dense ids", a, NULL, N, true);
    for (int64_t i = N / 2; i < N; i++) /* later ids below and above the range: it widens */
        a[i] = i % 2 ? 1000 - (i - N / 2) / 4 : 1000 + N / 2 + (i - N / 2) / 4;
    keymap_stream("dense ids, then lower and higher ones", a, NULL, N, true);
    for (int64_t i = N - 100; i < N; i++) /* a few ids far away: back to a table */
        a[i] = INT64_MAX - i;
    keymap_stream("dense ids, then far ones", a, NULL, N, false);
    for (int64_t i = 0; i < N; i++) /* negative dense ids */
        a[i] = -(a[i] % 50000) - 5;
    keymap_stream("negative dense ids", a, NULL, N, true);
    keymap_stream("pairs", a, b, N, false);
    for (int64_t i = 0; i < N; i++) /* ids spread over 2^40 */
        a[i] = (int64_t)(((uint64_t)i * 0x9E3779B97F4A7C15ULL) >> 24);
    keymap_stream("sparse ids", a, NULL, N, false);
    free(a);
    free(b);
}

static void test_memo(void)
{
    rt_memo m;
    CHECK(rt_memo_init(&m, 6) == RETAIN_OK, "a memo of 64 slots");
    int64_t misses = 0, wrong = 0;
    uint64_t state = 7;
    for (int i = 0; i < 20000; i++) { /* 400 pairs in 64 slots: many evictions */
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)((state >> 33) % 20) / 7.0, v = (double)((state >> 45) % 20);
        wrong += memo_lookup(&m, u, v, &misses) != memo_value(u, v);
    }
    CHECK(wrong == 0, "%lld lookups returned another pair's value", (long long)wrong);
    CHECK(misses > 400 && misses < 20000, "%lld misses: evictions happened and hits too",
          (long long)misses);
    misses = 0;
    /* pairs the stream above never drew (its v are whole, its u sevenths) */
    double zero = memo_lookup(&m, 0.0, 0.5, &misses), neg = memo_lookup(&m, -0.0, 0.5, &misses);
    double zero_v = memo_lookup(&m, 0.5, 0.0, &misses), neg_v = memo_lookup(&m, 0.5, -0.0,
                                                                             &misses);
    CHECK(zero != neg && zero_v != neg_v && misses == 4, "0 and -0 are different arguments");
    /* a pair just filled is found */
    misses = 0;
    for (int round = 0; round < 3; round++)
        for (double u = 0; u < 3000; u++) {
            memo_lookup(&m, u, 5.5, &misses);
            memo_lookup(&m, u, 5.5, &misses);
        }
    CHECK(misses == 3 * 3000, "%lld misses for a repeated lookup (want one per new pair)",
          (long long)misses);
    uint64_t empty_bits = RT_MEMO_EMPTY;
    double empty;
    memcpy(&empty, &empty_bits, sizeof empty);
    bool hit;
    rt_memo fresh;
    CHECK(rt_memo_init(&fresh, 4) == RETAIN_OK, "a memo of 16 slots");
    rt_memo_find(&fresh, empty, 0.0, &hit);
    CHECK(!hit, "the empty slot's bits are never found");
    rt_memo_free(&fresh);
    rt_memo_free(&m);
}

int main(void)
{
    test_errors();
    test_memory();
    test_views();
    test_reduction();
    test_reduce_rows();
    test_special();
    test_keymap_ahead();
    test_keymap_modes();
    test_memo();
    CHECK(strstr(retain_build_info(), retain_version()) != NULL, "build info has version");
    CHECK_DONE();
}
