/*
** tests/unit/test_kernels.c: every compiled kernel variant this CPU can run
** against the _scalar reference, on odd lengths, odd column counts, row
** strides wider than the row and pointers offset from alignment, with NaN,
** +-Inf and ordinary values mixed. colstats must match bit for bit (each
** column is summed in row order by contract); first_nonfinite exactly.
** sqdist_argmin (nearest centroid) must match labels and distances bit for
** bit over odd d, odd k, row counts off the register blocks, misaligned x
** and centroids, and on integer data where exact ties must go to the lowest
** index, as an independent exact computation says.
** Also checks the RETAIN_ISA cap reported by the dispatcher.
*/
#include "check.h"

#include "core/rng.h"
#include "kernels/cpu/kernels.h"
#include "retain.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct stats_buf {
    int64_t nan[80], inf[80];
    double sum[80], sumsq[80];
    float min[80], max[80];
} stats_buf;

static void reset(stats_buf *s)
{
    memset(s, 0, sizeof *s);
    for (int j = 0; j < 80; j++) {
        s->min[j] = INFINITY;
        s->max[j] = -INFINITY;
    }
}

static void run_colstats(rt_colstats_fn fn, const float *x, int64_t rows, int64_t cols,
                         int64_t stride, stats_buf *s)
{
    rt_colstats acc = {s->nan, s->inf, s->sum, s->sumsq, s->min, s->max};
    /* two calls: accumulation across blocks must work too */
    fn(x, rows / 2, cols, stride, &acc);
    fn(x + (rows / 2) * stride, rows - rows / 2, cols, stride, &acc);
}

static void fill(float *x, int64_t n, rt_rng *rng)
{
    for (int64_t i = 0; i < n; i++) {
        double u = rt_rng_uniform(rng);
        x[i] = u < 0.01 ? NAN : u < 0.015 ? INFINITY : u < 0.02 ? -INFINITY
                                                                : (float)(rt_rng_normal(rng) * 100);
    }
}

/* Centroids (k x d) into the kernels' transposed, NaN-padded layout. */
static int64_t transpose(const float *c, int64_t k, int64_t d, float *ct)
{
    int64_t kp = (k + RT_SQDIST_KPAD - 1) / RT_SQDIST_KPAD * RT_SQDIST_KPAD;
    for (int64_t j = 0; j < d; j++)
        for (int64_t l = 0; l < kp; l++)
            ct[j * kp + l] = l < k ? c[l * d + j] : NAN;
    return kp;
}

static float xs_buf[64 * 41 + 1], c_buf[48 * 41], ct_buf[48 * 48 + 1];

/* Every variant against _scalar on random data (bit for bit), and against
** an exact nearest-with-lowest-index on small integers, where ties abound. */
static void check_sqdist_argmin(const rt_kernels *ref, const rt_kernels *k, rt_rng *rng)
{
    const int64_t dims[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 33};
    const int64_t ks[] = {1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 48};
    int32_t want_l[64], got_l[64];
    float want_d[64], got_d[64];
    for (size_t di = 0; di < sizeof dims / sizeof *dims; di++) {
        for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++) {
            int64_t d = dims[di], kk = ks[ki], rows = 37 + (int64_t)(ki % 4);
            int64_t stride = d + (int64_t)(di % 3);
            bool ints = (di + ki) % 2 == 0;
            float *x = xs_buf + 1, *ct = ct_buf + (ki % 2); /* misaligned */
            for (int64_t i = 0; i < rows * stride; i++)
                x[i] = ints ? (float)rt_rng_below(rng, 4) : (float)rt_rng_normal(rng);
            for (int64_t i = 0; i < kk * d; i++)
                c_buf[i] = ints ? (float)rt_rng_below(rng, 4) : (float)rt_rng_normal(rng);
            int64_t kp = transpose(c_buf, kk, d, ct);
            ref->sqdist_argmin(x, rows, d, stride, ct, kk, kp, want_l, want_d);
            k->sqdist_argmin(x, rows, d, stride, ct, kk, kp, got_l, got_d);
            for (int64_t i = 0; i < rows; i++) {
                CHECK(want_l[i] == got_l[i] && memcmp(&want_d[i], &got_d[i], 4) == 0,
                      "%s sqdist_argmin d %lld k %lld row %lld: %d %.9g vs scalar %d %.9g",
                      k->name, (long long)d, (long long)kk, (long long)i, got_l[i],
                      (double)got_d[i], want_l[i], (double)want_d[i]);
                if (!ints)
                    continue;
                /* small integers: float sums are exact, so ties are exact */
                int64_t best = -1, best_l = 0;
                for (int64_t l = 0; l < kk; l++) {
                    int64_t s = 0;
                    for (int64_t j = 0; j < d; j++) {
                        int64_t t = (int64_t)x[i * stride + j] - (int64_t)c_buf[l * d + j];
                        s += t * t;
                    }
                    if (best < 0 || s < best)
                        best = s, best_l = l;
                }
                CHECK(got_l[i] == best_l && got_d[i] == (float)best,
                      "%s sqdist_argmin exact d %lld k %lld row %lld: %d (%g) want %lld (%lld)",
                      k->name, (long long)d, (long long)kk, (long long)i, got_l[i],
                      (double)got_d[i], (long long)best_l, (long long)best);
            }
        }
    }
    /* every centroid the same point: all tie, label 0 */
    for (int64_t i = 0; i < 5 * 3; i++)
        c_buf[i] = 1.0f;
    for (int64_t i = 0; i < 9 * 3; i++)
        xs_buf[i] = (float)(i % 5);
    int64_t kp = transpose(c_buf, 5, 3, ct_buf);
    k->sqdist_argmin(xs_buf, 9, 3, 3, ct_buf, 5, kp, got_l, got_d);
    for (int i = 0; i < 9; i++)
        CHECK(got_l[i] == 0, "%s all-tie row %d label %d", k->name, i, got_l[i]);
}

int main(void)
{
    const rt_kernels *ref = rt_kernels_for(RT_ISA_SCALAR);
    CHECK(ref != NULL, "scalar always available");
    rt_rng rng;
    rt_rng_init(&rng, 1, 0);
    static float buf[200 * 90 + 1];
    int variants = 0;
    check_sqdist_argmin(ref, ref, &rng);
    for (int isa = RT_ISA_AVX2; isa < RT_ISA_COUNT; isa++) {
        const rt_kernels *k = rt_kernels_for((rt_isa)isa);
        if (!k) {
            fprintf(stderr, "note: variant %d not supported on this CPU, skipped\n", isa);
            continue;
        }
        variants++;
        const int64_t col_cases[] = {1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 77};
        for (size_t ci = 0; ci < sizeof col_cases / sizeof *col_cases; ci++) {
            int64_t cols = col_cases[ci], rows = 197, stride = cols + (ci % 3);
            float *x = buf + 1; /* misaligned on purpose */
            fill(x, rows * stride, &rng);
            stats_buf want, got;
            reset(&want);
            reset(&got);
            run_colstats(ref->colstats, x, rows, cols, stride, &want);
            run_colstats(k->colstats, x, rows, cols, stride, &got);
            for (int64_t j = 0; j < cols; j++) {
                CHECK(want.nan[j] == got.nan[j] && want.inf[j] == got.inf[j],
                      "%s cols %lld col %lld counts %lld/%lld vs %lld/%lld", k->name,
                      (long long)cols, (long long)j, (long long)got.nan[j],
                      (long long)got.inf[j], (long long)want.nan[j], (long long)want.inf[j]);
                CHECK(want.sum[j] == got.sum[j] && want.sumsq[j] == got.sumsq[j],
                      "%s cols %lld col %lld sums %.17g vs %.17g", k->name, (long long)cols,
                      (long long)j, got.sum[j], want.sum[j]);
                CHECK(want.min[j] == got.min[j] && want.max[j] == got.max[j],
                      "%s cols %lld col %lld min/max", k->name, (long long)cols, (long long)j);
            }
        }
        for (int64_t n = 0; n < 300; n += 1 + n / 7) {
            for (int64_t bad = -1; bad < n; bad += 1 + n / 5) {
                float *x = buf + 3;
                for (int64_t i = 0; i < n; i++)
                    x[i] = (float)i;
                if (bad >= 0)
                    x[bad] = (bad % 2) ? NAN : -INFINITY;
                int64_t want = ref->first_nonfinite(x, n), got = k->first_nonfinite(x, n);
                CHECK(want == bad && got == want, "%s n %lld bad %lld: got %lld want %lld",
                      k->name, (long long)n, (long long)bad, (long long)got, (long long)want);
            }
        }
        check_sqdist_argmin(ref, k, &rng);
        float two[2] = {NAN, INFINITY};
        CHECK(k->first_nonfinite(two, 2) == 0, "%s first of two", k->name);
    }
    CHECK(variants >= 1 || rt_kernels_get()->isa == RT_ISA_SCALAR,
          "the machine runs a SIMD variant but none was tested");

    const char *cap = getenv("RETAIN_ISA");
    if (cap && strcmp(cap, "scalar") == 0)
        CHECK(rt_kernels_get()->isa == RT_ISA_SCALAR, "RETAIN_ISA=scalar honoured");
    CHECK(strcmp(retain_isa_name(), rt_kernels_get()->name) == 0, "isa name");
    CHECK_DONE();
}
