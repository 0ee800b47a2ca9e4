/*
** tests/unit/test_cuda.c: the CUDA passes (kernels/cuda) against float64
** brute force written here, one pass at a time, so a first run on a GPU
** says which kernel is wrong before any fit can drift. k-means: labels of
** rows with a row stride above d, k and d off the tile sizes, weights, on
** >= 99.9% of rows; the cluster sums, weights, counts and inertia of those
** labels to 1e-9 relative; the same bits twice; several chunks
** (RETAIN_CUDA_CHUNK_ROWS) to 1e-12 of one; a k x d record too large for
** shared memory. k-means++ seeding with its passes on the GPU: the CPU's
** centres bit for bit, plain and weighted, whole and in chunks. The
** scorer of `score --device cuda`: segments, distances and churn
** probabilities against float64 brute force over several pieces and both
** streams, into pinned and unpinned buffers, with and without scaling. Logistic
** pass: sums to 1e-10 relative, the same bits twice, chunks. Exit 77
** (skip, with the reason) without CUDA or a GPU.
*/
#include "check.h"

#include "core/rng.h"
#include "kmeans/kmeans.h"
#include "retain.h"

#ifdef RETAIN_WITH_CUDA
#include "kernels/cuda/kmeans.cuh"
#include "kernels/cuda/logreg.cuh"
#include "kernels/cuda/score.cuh"
#endif

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef RETAIN_WITH_CUDA
static double rel(double a, double b) { return fabs(a - b) / fmax(fabs(b), 1e-300); }

/* n rows of d around k separated centres, row stride d + 2 (the extra
** columns hold junk the passes must not read). */
static float *blobs(int64_t n, int64_t d, int64_t k, uint64_t seed)
{
    rt_rng rng;
    rt_rng_init(&rng, seed, 0);
    float *centres = malloc((size_t)(k * d) * sizeof *centres);
    float *x = malloc((size_t)(n * (d + 2)) * sizeof *x);
    for (int64_t i = 0; i < k * d; i++)
        centres[i] = (float)(20.0 * rt_rng_normal(&rng));
    for (int64_t i = 0; i < n; i++) {
        int64_t c = (int64_t)rt_rng_below(&rng, (uint64_t)k);
        for (int64_t j = 0; j < d; j++)
            x[i * (d + 2) + j] = centres[c * d + j] + (float)rt_rng_normal(&rng);
        x[i * (d + 2) + d] = x[i * (d + 2) + d + 1] = NAN;
    }
    free(centres);
    return x;
}

static void kmeans_case(int64_t n, int64_t d, int64_t k, bool weighted)
{
    int64_t stride = d + 2, width = d + 3;
    float *x = blobs(n, d, k, (uint64_t)(n + d + k));
    float *w = weighted ? malloc((size_t)n * sizeof *w) : NULL;
    float *c = malloc((size_t)(k * d) * sizeof *c);
    int32_t *lab = malloc((size_t)n * sizeof *lab);
    double *ref = calloc((size_t)(k * width + 1), sizeof *ref);
    double *got[3];
    rt_rng rng;
    rt_rng_init(&rng, 9, 1);
    for (int64_t i = 0; weighted && i < n; i++)
        w[i] = (float)(3.0 * rt_rng_uniform(&rng));
    for (int64_t l = 0; l < k; l++) /* centres: perturbed rows */
        for (int64_t j = 0; j < d; j++)
            c[l * d + j] = x[(l * 7919 % n) * stride + j] + 0.5f;
    /* brute force in float64 */
    int64_t agree = 0;
    for (int run = 0; run < 3; run++) {
        got[run] = calloc((size_t)(k * d + 3 * k + 1), sizeof(double));
        if (run == 2)
            setenv("RETAIN_CUDA_CHUNK_ROWS", "1000", 1);
        rt_cuda_kmeans *g = NULL;
        retain_status s = rt_cuda_kmeans_open(x, n, d, stride, w, k, &g);
        double *sums = got[run], *wsum = sums + k * d, *tally = wsum + k;
        if (!s)
            s = rt_cuda_kmeans_pass(g, c, sums, wsum, tally);
        if (!s && run == 0)
            s = rt_cuda_kmeans_labels(g, lab, NULL);
        CHECK(s == RETAIN_OK, "GPU k-means n %lld d %lld k %lld run %d: %s", (long long)n,
              (long long)d, (long long)k, run, retain_last_error());
        rt_cuda_kmeans_close(g);
        unsetenv("RETAIN_CUDA_CHUNK_ROWS");
    }
    for (int64_t i = 0; i < n; i++) {
        const float *xi = x + i * stride;
        double best = INFINITY;
        int64_t bl = 0;
        for (int64_t l = 0; l < k; l++) {
            double s = 0.0;
            for (int64_t j = 0; j < d; j++)
                s += ((double)xi[j] - c[l * d + j]) * ((double)xi[j] - c[l * d + j]);
            if (s < best)
                best = s, bl = l;
        }
        agree += bl == lab[i];
        /* the reference sums follow the GPU's labels, so they test the sums */
        int64_t l = lab[i] >= 0 && lab[i] < k ? lab[i] : 0;
        double wi = w ? w[i] : 1.0, s = 0.0;
        for (int64_t j = 0; j < d; j++) {
            ref[l * width + j] += wi * xi[j];
            s += ((double)xi[j] - c[l * d + j]) * ((double)xi[j] - c[l * d + j]);
        }
        ref[l * width + d] += wi;
        ref[l * width + d + 1] += 1.0;
        ref[k * width] += wi * s;
    }
    CHECK(agree >= n - n / 1000, "k-means n %lld d %lld k %lld: labels agree on %lld of %lld",
          (long long)n, (long long)d, (long long)k, (long long)agree, (long long)n);
    double worst = 0.0;
    const double *sums = got[0], *wsum = sums + k * d, *tally = wsum + k;
    for (int64_t l = 0; l < k; l++) {
        for (int64_t j = 0; j < d; j++)
            worst = fmax(worst, fabs(sums[l * d + j] - ref[l * width + j]) /
                                    fmax(fabs(ref[l * width + d]) * 20.0, 1.0));
        worst = fmax(worst, rel(wsum[l], fmax(ref[l * width + d], 1e-300)));
        CHECK(tally[1 + l] == ref[l * width + d + 1] &&
                  rel(tally[1 + k + l], fmax(ref[l * width + d], 1e-300)) <= 1e-9,
              "k-means k %lld: cluster %lld count %g vs %g, weight %.17g vs %.17g",
              (long long)k, (long long)l, tally[1 + l], ref[l * width + d + 1],
              tally[1 + k + l], ref[l * width + d]);
    }
    CHECK(worst <= 1e-9, "k-means n %lld d %lld k %lld: sums off by %.3g relative",
          (long long)n, (long long)d, (long long)k, worst);
    CHECK(rel(tally[0], ref[k * width]) <= 1e-9, "k-means k %lld: inertia %.17g vs %.17g",
          (long long)k, tally[0], ref[k * width]);
    size_t bytes = (size_t)(k * d + 3 * k + 1) * sizeof(double);
    CHECK(memcmp(got[0], got[1], bytes) == 0, "k-means k %lld: two passes differ in bits",
          (long long)k);
    double chunk_worst = 0.0;
    for (int64_t e = 0; e < k * d + 3 * k + 1; e++)
        chunk_worst = fmax(chunk_worst, fabs(got[2][e] - got[0][e]) / fmax(fabs(got[0][e]), 1.0));
    CHECK(chunk_worst <= 1e-12, "k-means k %lld: chunks of 4096 rows off by %.3g",
          (long long)k, chunk_worst);
    for (int run = 0; run < 3; run++)
        free(got[run]);
    free(x), free(w), free(c), free(lab), free(ref);
}

/* k-means++ with its row passes on the GPU picks the CPU's centres, bit for
** bit (the draws are the same; every sum they read must be too). */
static void seed_case(int64_t n, int64_t d, int64_t k, bool weighted, const char *chunk)
{
    int64_t stride = d + 2;
    float *x = blobs(n, d, k, (uint64_t)(3 * n + d));
    float *w = weighted ? malloc((size_t)n * sizeof *w) : NULL;
    float *cpu = malloc((size_t)(k * d) * sizeof *cpu), *gpu = malloc((size_t)(k * d) * sizeof *gpu);
    rt_rng rng;
    rt_rng_init(&rng, 4, 2);
    for (int64_t i = 0; weighted && i < n; i++) /* a few rows of weight 0 */
        w[i] = i % 11 == 0 ? 0.0f : (float)(2.0 * rt_rng_uniform(&rng));
    rt_kmeans_data data = {x, n, d, stride, w};
    rt_rng_init(&rng, 77, 0);
    retain_status s = rt_kmeans_init_plusplus(&data, k, NULL, &rng, NULL, NULL, cpu);
    CHECK(s == RETAIN_OK, "CPU k-means++: %s", retain_last_error());
    if (chunk)
        setenv("RETAIN_CUDA_CHUNK_ROWS", chunk, 1);
    rt_cuda_kmeans *g = NULL;
    s = rt_cuda_kmeans_open(x, n, d, stride, w, k, &g);
    unsetenv("RETAIN_CUDA_CHUNK_ROWS");
    rt_rng_init(&rng, 77, 0);
    if (!s)
        s = rt_kmeans_init_plusplus(&data, k, g, &rng, NULL, NULL, gpu);
    CHECK(s == RETAIN_OK, "GPU k-means++ n %lld d %lld k %lld: %s", (long long)n, (long long)d,
          (long long)k, retain_last_error());
    rt_cuda_kmeans_close(g);
    int64_t first_diff = -1;
    for (int64_t e = 0; !s && e < k * d && first_diff < 0; e++)
        if (memcmp(&cpu[e], &gpu[e], sizeof *cpu) != 0)
            first_diff = e;
    CHECK(!s && first_diff < 0, "k-means++ n %lld d %lld k %lld%s%s: centre %lld differs "
          "(%.9g vs %.9g on the CPU)", (long long)n, (long long)d, (long long)k,
          weighted ? " weighted" : "", chunk ? " chunked" : "",
          (long long)(first_diff < 0 ? 0 : first_diff / d),
          first_diff < 0 ? 0.0 : gpu[first_diff], first_diff < 0 ? 0.0 : cpu[first_diff]);
    free(x), free(w), free(cpu), free(gpu);
}

/* The block scorer against float64 brute force: n rows (several 65,536-row
** pieces), k segments (0: none), scaled or not, churn or not, pinned or not. */
static void score_case(int64_t n, int64_t d, int64_t k, bool scaled, bool churn, bool pin)
{
    float *x = blobs(n, d, k ? k : 3, (uint64_t)(n + 5 * d));
    float *packed = malloc((size_t)(n * d) * sizeof *packed);
    float *c = malloc((size_t)((k ? k : 1) * d) * sizeof *c), *dist = malloc((size_t)n * sizeof *dist);
    double *offset = malloc((size_t)d * sizeof *offset), *spread = malloc((size_t)d * sizeof *spread);
    double *coef = malloc((size_t)d * sizeof *coef), *prob = malloc((size_t)n * sizeof *prob);
    int32_t *seg = malloc((size_t)n * sizeof *seg);
    for (int64_t i = 0; i < n; i++)
        memcpy(packed + i * d, x + i * (d + 2), (size_t)d * sizeof *packed);
    for (int64_t j = 0; j < d; j++) {
        offset[j] = 0.25 * (double)j - 1.0;
        spread[j] = 4.0 + 0.5 * (double)j;
        coef[j] = (j % 2 ? 0.02 : -0.03) * (double)(j + 1);
    }
    for (int64_t l = 0; l < k; l++) /* centres in scaled units: scaled rows, perturbed */
        for (int64_t j = 0; j < d; j++) {
            double v = packed[(l * 7919 % n) * d + j];
            c[l * d + j] = (float)((scaled ? (v - offset[j]) / spread[j] : v) + 0.05);
        }
    rt_cuda_score_models m = {d, k, c, scaled ? offset : NULL, scaled ? spread : NULL,
                              churn ? coef : NULL, -0.4};
    rt_cuda_score *g = NULL;
    char why[256] = "";
    retain_status s = rt_cuda_score_open(&m, n, &g);
    if (!s && pin)
        s = rt_cuda_score_pin(g, packed, (size_t)(n * d) * sizeof *packed, why, sizeof why);
    if (!s)
        s = rt_cuda_score_run(g, packed, n, k ? seg : NULL, k ? dist : NULL, churn ? prob : NULL);
    CHECK(s == RETAIN_OK, "GPU scorer n %lld d %lld k %lld: %s", (long long)n, (long long)d,
          (long long)k, retain_last_error());
    if (why[0]) /* allowed: the copies then go from pageable memory */
        printf("note: GPU scorer n %lld: %s\n", (long long)n, why);
    rt_cuda_score_close(g);
    int64_t agree = 0;
    double worst_dist = 0.0, worst_prob = 0.0;
    for (int64_t i = 0; !s && i < n; i++) {
        const float *xi = packed + i * d;
        double best = INFINITY;
        int64_t bl = 0;
        for (int64_t l = 0; l < k; l++) {
            double t = 0.0;
            for (int64_t j = 0; j < d; j++) {
                double z = scaled ? (float)((xi[j] - offset[j]) / spread[j]) : xi[j];
                t += (z - c[l * d + j]) * (z - c[l * d + j]);
            }
            if (t < best)
                best = t, bl = l;
        }
        if (k && bl == seg[i]) {
            agree++;
            worst_dist = fmax(worst_dist, fabs(dist[i] - sqrt(best)) / fmax(sqrt(best), 1e-6));
        }
        double mg = -0.4;
        for (int64_t j = 0; churn && j < d; j++)
            mg += coef[j] * xi[j];
        if (churn)
            worst_prob = fmax(worst_prob, fabs(prob[i] - 1.0 / (1.0 + exp(-mg))));
    }
    CHECK(!k || agree >= n - n / 1000, "GPU scorer k %lld: segments agree on %lld of %lld",
          (long long)k, (long long)agree, (long long)n);
    CHECK(worst_dist <= 1e-5, "GPU scorer k %lld: distances off by %.3g relative", (long long)k,
          worst_dist);
    CHECK(worst_prob <= 1e-12, "GPU scorer d %lld: churn probabilities off by %.3g",
          (long long)d, worst_prob);
    free(x), free(packed), free(c), free(dist), free(offset), free(spread), free(coef);
    free(prob), free(seg);
}

static void logreg_case(int64_t n, int64_t d)
{
    int64_t stride = d + 1;
    rt_rng rng;
    rt_rng_init(&rng, 5, (uint64_t)d);
    float *x = malloc((size_t)(n * stride) * sizeof *x);
    uint8_t *y = malloc((size_t)n);
    double *w = malloc((size_t)n * sizeof *w), *v = malloc((size_t)d * sizeof *v);
    double *ref = calloc((size_t)(d + 2), sizeof *ref), got[3][1024];
    for (int64_t j = 0; j < d; j++)
        v[j] = rt_rng_normal(&rng) / sqrt((double)d);
    for (int64_t i = 0; i < n; i++) {
        for (int64_t j = 0; j < d; j++)
            x[i * stride + j] = (float)(2.0 * rt_rng_normal(&rng));
        x[i * stride + d] = NAN;
        y[i] = rt_rng_uniform(&rng) < 0.3;
        w[i] = 0.5 + rt_rng_uniform(&rng);
    }
    double b = -0.7;
    for (int64_t i = 0; i < n; i++) {
        double m = b;
        for (int64_t j = 0; j < d; j++)
            m += v[j] * x[i * stride + j];
        double p = 1.0 / (1.0 + exp(-m)), g = w[i] * (p - y[i]);
        ref[d] += w[i] * (y[i] ? log1p(exp(-m)) : log1p(exp(m)));
        ref[d + 1] += g;
        for (int64_t j = 0; j < d; j++)
            ref[j] += g * x[i * stride + j];
    }
    for (int run = 0; run < 3; run++) {
        if (run == 2)
            setenv("RETAIN_CUDA_CHUNK_ROWS", "777", 1);
        rt_cuda_logreg *g = NULL;
        retain_status s = rt_cuda_logreg_open(x, n, d, stride, y, w, &g);
        if (!s)
            s = rt_cuda_logreg_pass(g, v, b, got[run]);
        CHECK(s == RETAIN_OK, "GPU logistic pass n %lld d %lld run %d: %s", (long long)n,
              (long long)d, run, retain_last_error());
        rt_cuda_logreg_close(g);
        unsetenv("RETAIN_CUDA_CHUNK_ROWS");
    }
    double worst = 0.0, chunk_worst = 0.0, scale = fabs(ref[d]);
    for (int64_t e = 0; e < d + 2; e++) {
        worst = fmax(worst, fabs(got[0][e] - ref[e]) / scale);
        chunk_worst = fmax(chunk_worst, fabs(got[2][e] - got[0][e]) / scale);
    }
    CHECK(worst <= 1e-10, "logistic pass d %lld: off by %.3g (of the loss)", (long long)d, worst);
    CHECK(memcmp(got[0], got[1], (size_t)(d + 2) * sizeof(double)) == 0,
          "logistic pass d %lld: two passes differ in bits", (long long)d);
    CHECK(chunk_worst <= 1e-12, "logistic pass d %lld: chunks off by %.3g", (long long)d,
          chunk_worst);
    free(x), free(y), free(w), free(v), free(ref);
}
#endif

int main(void)
{
    retain_device dev;
    char why[512];
    if (retain_device_resolve(RETAIN_DEVICE_AUTO, &dev, why, sizeof why) || dev != RETAIN_DEVICE_CUDA) {
        printf("skip: %s\n", why);
        return 77;
    }
#ifdef RETAIN_WITH_CUDA
    kmeans_case(50003, 13, 37, false);
    kmeans_case(50003, 13, 37, true);
    kmeans_case(20011, 32, 256, true); /* record 71 KiB: opt-in shared memory */
    kmeans_case(9001, 80, 700, false); /* record 454 KiB: global memory      */
    kmeans_case(300, 3, 1, false);
    seed_case(30011, 13, 40, false, NULL);
    seed_case(30011, 13, 40, true, NULL);
    seed_case(30011, 13, 40, true, "5000"); /* chunks of 8192 rows */
    seed_case(9001, 80, 300, false, NULL);  /* 7 candidates a draw, d past 8 */
    seed_case(5, 3, 2, false, NULL);
    score_case(150001, 13, 9, true, true, true); /* three pieces, both streams */
    score_case(150001, 13, 9, false, false, false);
    score_case(70000, 40, 0, false, true, true);  /* churn alone */
    score_case(100, 3, 2, true, true, false);
    logreg_case(30001, 17);
    logreg_case(5000, 300);            /* more columns than threads           */
    logreg_case(100, 1);
#endif
    CHECK_DONE();
}
