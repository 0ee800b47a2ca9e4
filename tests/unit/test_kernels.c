/*
** tests/unit/test_kernels.c: every compiled kernel variant this CPU can run
** against the _scalar reference, on odd lengths, odd column counts, row
** strides wider than the row and pointers offset from alignment, with NaN,
** +-Inf and ordinary values mixed. colstats must match bit for bit (each
** column is summed in row order by contract); first_nonfinite exactly.
** nearest_centroid must match labels bit for bit over odd d, odd k, row
** counts off the register tiles, misaligned x and centroids; on integer
** data, where exact ties must go to the lowest index, it must give the
** exact answer, and elsewhere a centroid within round-off of the nearest by
** float64 distances. label_sums must match bit for bit. clv_alive must
** match bit for bit on every length, and the scalar reference must agree
** with the formula in long double (powl) to 1e-12 relative. seed_dist, in
** every variant, must equal bit for bit a row-at-a-time sum in the order its
** contract fixes, for d = 1 .. 41, partial tiles and strided rows.
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

static float xs_buf[64 * 41 + 1], c_buf[80 * 41], packed_buf[80 * 41 + 1], cn_buf[80],
    scratch_buf[RT_NEAREST_SCRATCH(41)];

/* Every variant against _scalar on random data (labels bit for bit), and
** against an exact nearest-with-lowest-index on small integers, where ties
** abound and every float sum is exact. k runs past two panels, with and
** without a 16-wide last panel; rows run off the register tiles. */
static void check_nearest_centroid(const rt_kernels *ref, const rt_kernels *k, rt_rng *rng)
{
    const int64_t dims[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 33, 41};
    const int64_t ks[] = {1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 48, 64, 65, 80};
    int32_t want_l[64], got_l[64];
    float want_s[64], got_s[64];
    for (size_t di = 0; di < sizeof dims / sizeof *dims; di++) {
        for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++) {
            int64_t d = dims[di], kk = ks[ki], rows = 37 + (int64_t)(ki % 4) * 7;
            int64_t stride = d + (int64_t)(di % 3);
            bool ints = (di + ki) % 2 == 0;
            float *x = xs_buf + 1, *packed = packed_buf + (ki % 2); /* misaligned */
            for (int64_t i = 0; i < rows * stride; i++)
                x[i] = ints ? (float)rt_rng_below(rng, 4) : (float)rt_rng_normal(rng);
            for (int64_t i = 0; i < kk * d; i++)
                c_buf[i] = ints ? (float)rt_rng_below(rng, 4) : (float)rt_rng_normal(rng);
            int64_t kp = rt_centroids_padded(kk);
            rt_centroids_pack(c_buf, kk, d, packed, cn_buf);
            ref->nearest_centroid(x, rows, d, stride, packed, cn_buf, kp, want_l, want_s,
                                  scratch_buf);
            k->nearest_centroid(x, rows, d, stride, packed, cn_buf, kp, got_l, got_s,
                                scratch_buf);
            int32_t only_l[64];
            k->nearest_centroid(x, rows, d, stride, packed, cn_buf, kp, only_l, NULL,
                                scratch_buf);
            for (int64_t i = 0; i < rows; i++) {
                CHECK(want_l[i] == got_l[i] && got_l[i] == only_l[i] &&
                          memcmp(&want_s[i], &got_s[i], sizeof(float)) == 0,
                      "%s nearest_centroid d %lld k %lld row %lld: %d (second %.9g) vs scalar "
                      "%d (%.9g), without second %d",
                      k->name, (long long)d, (long long)kk, (long long)i, got_l[i],
                      (double)got_s[i], want_l[i], (double)want_s[i], only_l[i]);
                /* exact squared distances in integers, or in float64 for
                ** normal data, where only a near tie may pick another */
                int64_t best_l = 0;
                double best = INFINITY, got = 0, other = INFINITY, xx = 0;
                for (int64_t j = 0; j < d; j++)
                    xx += (double)x[i * stride + j] * x[i * stride + j];
                for (int64_t l = 0; l < kk; l++) {
                    double s = 0;
                    for (int64_t j = 0; j < d; j++) {
                        double t = (double)x[i * stride + j] - c_buf[l * d + j];
                        s += t * t;
                    }
                    if (s < best)
                        best = s, best_l = l;
                    if (l == got_l[i])
                        got = s;
                    else if (s < other)
                        other = s;
                }
                if (ints)
                    CHECK(got_l[i] == best_l && (double)got_s[i] + xx == other,
                          "%s nearest_centroid exact d %lld k %lld row %lld: %d (%g, second "
                          "%g) want %lld (%g, second %g)",
                          k->name, (long long)d, (long long)kk, (long long)i, got_l[i], got,
                          (double)got_s[i] + xx, (long long)best_l, best, other);
                else
                    CHECK(got - best <= 1e-5 * (1 + best),
                          "%s nearest_centroid d %lld k %lld row %lld: %d at %g, %lld at %g",
                          k->name, (long long)d, (long long)kk, (long long)i, got_l[i], got,
                          (long long)best_l, best);
            }
        }
    }
    /* every centroid the same point: all tie, label 0 */
    for (int64_t i = 0; i < 5 * 3; i++)
        c_buf[i] = 1.0f;
    for (int64_t i = 0; i < 9 * 3; i++)
        xs_buf[i] = (float)(i % 5);
    rt_centroids_pack(c_buf, 5, 3, packed_buf, cn_buf);
    k->nearest_centroid(xs_buf, 9, 3, 3, packed_buf, cn_buf, rt_centroids_padded(5), got_l,
                        NULL, scratch_buf);
    for (int i = 0; i < 9; i++)
        CHECK(got_l[i] == 0, "%s all-tie row %d label %d", k->name, i, got_l[i]);
    /* scores that overflow to +Inf everywhere: label 0, as documented */
    for (int64_t i = 0; i < 3 * 2; i++)
        c_buf[i] = i == 5 ? 3e38f : 1e30f;
    xs_buf[0] = -3e38f;
    xs_buf[1] = -3e38f;
    rt_centroids_pack(c_buf, 3, 2, packed_buf, cn_buf);
    k->nearest_centroid(xs_buf, 1, 2, 2, packed_buf, cn_buf, rt_centroids_padded(3), got_l,
                        NULL, scratch_buf);
    CHECK(got_l[0] == 0, "%s overflowing scores: label %d, want 0", k->name, got_l[0]);
}

/* label_sums: every variant adds the same terms in the same order as
** _scalar, with and without weights, d off the vector widths, labels
** repeating (rows of one cluster in a row) and strided, misaligned rows. */
static void check_label_sums(const rt_kernels *ref, const rt_kernels *k, rt_rng *rng)
{
    enum { ROWS = 53, K = 5, DMAX = 19 };
    static float x[ROWS * (DMAX + 2) + 1], w[ROWS];
    static double want[K * DMAX], got[K * DMAX], want_w[K], got_w[K];
    int32_t label[ROWS];
    for (int64_t d = 1; d <= DMAX; d++) {
        int64_t stride = d + d % 3;
        for (int64_t i = 0; i < ROWS * stride; i++)
            x[1 + i] = (float)(rt_rng_normal(rng) * 1e3);
        for (int64_t i = 0; i < ROWS; i++) {
            label[i] = i % 7 < 3 ? 2 : (int32_t)rt_rng_below(rng, K);
            w[i] = (float)rt_rng_uniform(rng);
        }
        for (int weighted = 0; weighted < 2; weighted++) {
            for (int64_t i = 0; i < K * d; i++)
                want[i] = got[i] = 0.1 * (double)i; /* adds onto what is there */
            for (int64_t l = 0; l < K; l++)
                want_w[l] = got_w[l] = 1.0;
            const float *wp = weighted ? w : NULL;
            ref->label_sums(x + 1, ROWS, d, stride, label, wp, want, want_w);
            k->label_sums(x + 1, ROWS, d, stride, label, wp, got, got_w);
            CHECK(memcmp(want, got, sizeof(double) * (size_t)(K * d)) == 0 &&
                      memcmp(want_w, got_w, sizeof want_w) == 0,
                  "%s label_sums d %lld weighted %d differs from scalar", k->name, (long long)d,
                  weighted);
        }
    }
    /* the reference itself against a plain double loop */
    for (int64_t i = 0; i < K * 3; i++)
        want[i] = 0;
    for (int64_t l = 0; l < K; l++)
        want_w[l] = 0;
    int32_t two[2] = {4, 4};
    float rows2[6] = {1, 2, 3, 10, 20, 30}, w2[2] = {0.5f, 2};
    ref->label_sums(rows2, 2, 3, 3, two, w2, want, want_w);
    CHECK(want[12] == 20.5 && want[13] == 41 && want[14] == 61.5 && want_w[4] == 2.5 &&
              want[0] == 0,
          "scalar label_sums: %g %g %g weight %g", want[12], want[13], want[14], want_w[4]);
}

/* Customers of every kind: no repeats (x = 0), last purchase at T (tx = T),
** long silences after many purchases (P(alive) near 0, or exactly 0 below
** e^-746), fractional x and t as weeks make them, large T. */
static void clv_customers(double *x, double *tx, double *T, int64_t n, rt_rng *rng)
{
    for (int64_t i = 0; i < n; i++) {
        uint64_t kind = rt_rng_below(rng, 6);
        T[i] = kind == 5 ? 1e5 * rt_rng_uniform(rng) : (double)rt_rng_below(rng, 400) / 7;
        x[i] = kind == 0 ? 0 : kind == 4 ? (double)rt_rng_below(rng, 3000)
                                         : (double)rt_rng_below(rng, 40);
        tx[i] = x[i] == 0 ? 0 : kind == 1 ? T[i] : T[i] * rt_rng_uniform(rng);
    }
}

/* P(alive) in long double, as FHL 2005 eq. 13 writes it. */
static long double clv_alive_formula(const rt_clv_alive_params *par, double x, double tx,
                                     double T)
{
    if (par->bg && x == 0)
        return 1.0L;
    long double q = ((long double)par->alpha + T) / ((long double)par->alpha + tx);
    return 1.0L / (1.0L + (long double)par->a / ((long double)par->b_shifted + x) *
                              powl(q, (long double)par->r + x));
}

static void check_clv_alive(const rt_kernels *ref, const rt_kernels *k, rt_rng *rng)
{
    enum { N = 613 };
    static double x[N + 1], tx[N + 1], T[N + 1], want[N + 1], got[N + 1];
    const rt_clv_alive_params cases[] = {{0.243, 4.414, 0.793, 2.426 - 1, 1},
                                         {0.525, 6.183, 0.891, 1.614, 0},
                                         {3.0, 0.5, 20.0, 0.05, 1}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        clv_customers(x + 1, tx + 1, T + 1, N, rng); /* + 1: misaligned */
        for (int64_t n = 0; n <= N; n += 1 + n / 3) {
            for (int64_t i = 0; i < N; i++)
                want[i] = got[i] = -1;
            ref->clv_alive(x + 1, tx + 1, T + 1, n, &cases[c], want);
            k->clv_alive(x + 1, tx + 1, T + 1, n, &cases[c], got);
            for (int64_t i = 0; i < N; i++)
                CHECK(memcmp(&want[i], &got[i], sizeof want[i]) == 0 && (i < n || got[i] == -1),
                      "%s clv_alive case %zu n %lld customer %lld: %.17g vs %.17g", k->name, c,
                      (long long)n, (long long)i, got[i], want[i]);
        }
        ref->clv_alive(x + 1, tx + 1, T + 1, N, &cases[c], want);
        for (int64_t i = 0; i < N && k == ref; i++) {
            long double f = clv_alive_formula(&cases[c], x[i + 1], tx[i + 1], T[i + 1]);
            double err = (double)fabsl(want[i] - f);
            CHECK(err <= 1e-12 * (double)f || (f < 1e-300L && want[i] < 1e-300),
                  "clv_alive case %zu x %g tx %.17g T %.17g: %.17g, formula %.17Lg", c,
                  x[i + 1], tx[i + 1], T[i + 1], want[i], f);
        }
    }
}

/* The k-means++ distance one row at a time, in the order kernels.h fixes. */
static float seed_dist_row(const float *a, const float *b, int64_t d)
{
    float sums[8] = {0}, rest = 0.0f;
    int64_t j = 0;
    for (; j + 8 <= d; j += 8)
        for (int u = 0; u < 8; u++) {
            float e = a[j + u] - b[j + u];
            sums[u] += e * e;
        }
    for (; j < d; j++) {
        float e = a[j] - b[j];
        rest += e * e;
    }
    return rest + (((sums[0] + sums[1]) + (sums[2] + sums[3])) +
                   ((sums[4] + sums[5]) + (sums[6] + sums[7])));
}

static void check_seed_dist(const rt_kernels *k, rt_rng *rng)
{
    enum { ROWS = RT_SEED_TILE, D = 41, COUNT = 5 };
    static float z[ROWS * (D + 2) + 1], c[COUNT * D], tile[D * RT_SEED_TILE],
        out[COUNT * RT_SEED_TILE];
    for (int64_t d = 1; d <= D; d += 1 + d / 8)
        for (int64_t rows = 1; rows <= ROWS; rows += 21) {
            int64_t stride = d + (d % 3);
            for (int64_t i = 0; i < rows * stride; i++)
                z[1 + i] = (float)(rt_rng_normal(rng) * 10);
            for (int64_t i = 0; i < COUNT * d; i++)
                c[i] = (float)(rt_rng_normal(rng) * 10);
            int wrong = 0;
            k->seed_dist(z + 1, stride, rows, d, c, COUNT, tile, out);
            for (int64_t t = 0; t < COUNT; t++)
                for (int64_t i = 0; i < rows; i++) {
                    float want = seed_dist_row(z + 1 + i * stride, c + t * d, d);
                    wrong += memcmp(&want, &out[t * RT_SEED_TILE + i], sizeof want) != 0;
                }
            CHECK(wrong == 0, "%s seed_dist d %lld rows %lld: %d distances differ", k->name,
                  (long long)d, (long long)rows, wrong);
        }
}

int main(void)
{
    const rt_kernels *ref = rt_kernels_for(RT_ISA_SCALAR);
    CHECK(ref != NULL, "scalar always available");
    rt_rng rng;
    rt_rng_init(&rng, 1, 0);
    static float buf[200 * 90 + 1];
    int variants = 0;
    check_nearest_centroid(ref, ref, &rng);
    check_clv_alive(ref, ref, &rng);
    check_seed_dist(ref, &rng);
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
        check_nearest_centroid(ref, k, &rng);
        check_label_sums(ref, k, &rng);
        check_clv_alive(ref, k, &rng);
        check_seed_dist(k, &rng);
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
