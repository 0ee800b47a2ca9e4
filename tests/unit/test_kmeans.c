/*
** tests/unit/test_kmeans.c: the k-means library (src/kmeans) on cases small
** enough to check by hand: two clusters on a line, canonical numbering by
** size with ties to the lower index, an empty cluster reseeded from the
** farthest row, sample weights against duplicated rows, --max-iter 0, the
** scalers (constant columns included), assignment among 1100 centroids
** against brute force, the same bits for 1 and 3 threads, predict,
** and each refusal: bad params by field, NaN by row and column, k above the
** number of distinct rows.
*/
#include "check.h"

#include "core/rng.h"
#include "kernels/cpu/kernels.h"
#include "core/parallel.h"
#include "kmeans/kmeans.h"
#include "retain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static retain_kmeans_model *fit_given(const float *x, int64_t n, int64_t d, const float *w,
                                      const float *init, int64_t k, retain_scale scale,
                                      double tol)
{
    retain_kmeans_params p;
    retain_kmeans_params_init(&p);
    p.k = k;
    p.init = RETAIN_KMEANS_INIT_GIVEN;
    p.init_centroids = init;
    p.scale = scale;
    p.tol = tol;
    retain_matrix m = {x, n, d, d};
    retain_kmeans_model *model = NULL;
    retain_status s = retain_kmeans_fit(&m, w, &p, &model);
    CHECK(s == RETAIN_OK, "fit failed: %s", retain_last_error());
    return model;
}

static void two_on_a_line(void)
{
    /* Lloyd by hand: {0} {1,10,11} -> {0,1} {10,11} -> no change. */
    const float x[] = {0, 1, 10, 11}, init[] = {0, 1};
    retain_kmeans_model *m = fit_given(x, 4, 1, NULL, init, 2, RETAIN_SCALE_NONE, 1e-4);
    if (!m)
        return;
    const float *c = retain_kmeans_model_centroids(m);
    const int64_t *sizes = retain_kmeans_model_sizes(m);
    /* equal sizes: the cluster first in the initial order comes first */
    CHECK(c[0] == 0.5f && c[1] == 10.5f, "centroids %g %g", c[0], c[1]);
    CHECK(sizes[0] == 2 && sizes[1] == 2, "sizes");
    CHECK(retain_kmeans_model_inertia(m) == 1.0, "inertia %.17g", retain_kmeans_model_inertia(m));
    CHECK(retain_kmeans_model_n_iter(m) == 3 && retain_kmeans_model_converged(m),
          "n_iter %lld converged %d", (long long)retain_kmeans_model_n_iter(m),
          retain_kmeans_model_converged(m));
    int32_t labels[4];
    float dist[4];
    retain_matrix view = {x, 4, 1, 1};
    CHECK(retain_kmeans_predict(m, &view, labels, dist) == RETAIN_OK, "predict");
    CHECK(labels[0] == 0 && labels[1] == 0 && labels[2] == 1 && labels[3] == 1, "labels");
    CHECK(dist[0] == 0.5f && dist[3] == 0.5f, "distances %g %g", dist[0], dist[3]);
    retain_matrix wide = {x, 2, 2, 2};
    CHECK(retain_kmeans_predict(m, &wide, labels, dist) == RETAIN_ERR_USAGE &&
              strstr(retain_last_error(), "2 columns"),
          "predict refuses other widths: %s", retain_last_error());
    retain_kmeans_free(m);
}

static void canonical_by_size(void)
{
    /* one row near 10, three near 0, five near 20: numbered 20s, 0s, 10s */
    const float x[] = {0, 0.5f, 1, 10, 20, 20.5f, 21, 21.5f, 22}, init[] = {10, 0, 20};
    retain_kmeans_model *m = fit_given(x, 9, 1, NULL, init, 3, RETAIN_SCALE_NONE, 1e-4);
    if (!m)
        return;
    const float *c = retain_kmeans_model_centroids(m);
    const int64_t *sizes = retain_kmeans_model_sizes(m);
    CHECK(sizes[0] == 5 && sizes[1] == 3 && sizes[2] == 1, "sizes %lld %lld %lld",
          (long long)sizes[0], (long long)sizes[1], (long long)sizes[2]);
    CHECK(c[0] == 21.0f && c[1] == 0.5f && c[2] == 10.0f, "centroids %g %g %g", c[0], c[1], c[2]);
    retain_kmeans_free(m);
}

static void empty_cluster_reseeded(void)
{
    /* The centre at 1000 gets no row; sklearn's rule moves it to the row
    ** farthest from its centre (10, at distance 9 from 1). */
    const float x[] = {0, 1, 2, 10}, init[] = {1, 1000};
    retain_kmeans_model *m = fit_given(x, 4, 1, NULL, init, 2, RETAIN_SCALE_NONE, 1e-4);
    if (!m)
        return;
    const float *c = retain_kmeans_model_centroids(m);
    CHECK(c[0] == 1.0f && c[1] == 10.0f, "centroids %g %g", c[0], c[1]);
    CHECK(retain_kmeans_model_inertia(m) == 2.0, "inertia %g", retain_kmeans_model_inertia(m));
    CHECK(retain_kmeans_model_sizes(m)[0] == 3 && retain_kmeans_model_sizes(m)[1] == 1, "sizes");
    CHECK(retain_kmeans_model_converged(m) && retain_kmeans_model_n_iter(m) == 2,
          "n_iter %lld", (long long)retain_kmeans_model_n_iter(m));
    retain_kmeans_free(m);
}

static void fill_normal(float *x, int64_t n, rt_rng *rng, double scale)
{
    for (int64_t i = 0; i < n; i++)
        x[i] = (float)(rt_rng_normal(rng) * scale);
}

static void weights_are_duplicates(void)
{
    enum { N = 600, D = 3, K = 4 };
    static float x[N * D], w[N], dup[3 * N * D];
    rt_rng rng;
    rt_rng_init(&rng, 7, 0);
    fill_normal(x, N * D, &rng, 3.0);
    int64_t nd = 0;
    for (int64_t i = 0; i < N; i++) {
        w[i] = (float)(1 + rt_rng_below(&rng, 3));
        for (int r = 0; r < (int)w[i]; r++, nd++)
            memcpy(dup + nd * D, x + i * D, sizeof(float) * D);
    }
    float init[K * D];
    memcpy(init, x, sizeof init);
    /* tol 0: both run until labels stop changing (sklearn's tolerance uses
    ** unweighted variances, which differ between the two) */
    retain_kmeans_model *a = fit_given(x, N, D, w, init, K, RETAIN_SCALE_STANDARD, 0.0);
    retain_kmeans_model *b = fit_given(dup, nd, D, NULL, init, K, RETAIN_SCALE_STANDARD, 0.0);
    if (a && b) {
        const float *ca = retain_kmeans_model_centroids(a), *cb = retain_kmeans_model_centroids(b);
        double worst = 0;
        for (int i = 0; i < K * D; i++)
            worst = fmax(worst, fabs(ca[i] - cb[i]) / (fabs(cb[i]) + 1e-3));
        CHECK(worst < 1e-5, "weighted vs duplicated centroids differ by %g", worst);
        double ia = retain_kmeans_model_inertia(a), ib = retain_kmeans_model_inertia(b);
        CHECK(fabs(ia - ib) <= 1e-6 * ib, "inertia %.12g vs %.12g", ia, ib);
        int32_t labels[N];
        retain_matrix view = {x, N, D, D};
        retain_kmeans_predict(a, &view, labels, NULL);
        int64_t weight_in[K] = {0};
        for (int i = 0; i < N; i++)
            weight_in[labels[i]] += (int64_t)w[i];
        for (int l = 0; l < K; l++)
            CHECK(weight_in[l] == retain_kmeans_model_sizes(b)[l],
                  "segment %d: weight %lld vs duplicated rows %lld", l, (long long)weight_in[l],
                  (long long)retain_kmeans_model_sizes(b)[l]);
    }
    retain_kmeans_free(a);
    retain_kmeans_free(b);
}

static retain_kmeans_model *fit_pp(const float *x, int64_t n, int64_t d, int64_t k,
                                   int64_t max_iter, retain_scale scale, int64_t n_init)
{
    retain_kmeans_params p;
    retain_kmeans_params_init(&p);
    p.k = k;
    p.max_iter = max_iter;
    p.scale = scale;
    p.seed = 42;
    p.n_init = n_init;
    retain_matrix m = {x, n, d, d};
    retain_kmeans_model *model = NULL;
    CHECK(retain_kmeans_fit(&m, NULL, &p, &model) == RETAIN_OK, "fit: %s", retain_last_error());
    return model;
}

static void init_only_and_scalers(void)
{
    enum { N = 300, D = 4 };
    static float x[N * D];
    rt_rng rng;
    rt_rng_init(&rng, 3, 0);
    fill_normal(x, N * D, &rng, 5.0);
    for (int i = 0; i < N; i++)
        x[i * D + 2] = 7.0f; /* a constant column */
    retain_kmeans_model *m = fit_pp(x, N, D, 5, 0, RETAIN_SCALE_STANDARD, 1);
    if (m) {
        const float *c = retain_kmeans_model_centroids(m);
        for (int l = 0; l < 5; l++) {
            bool found = false;
            for (int i = 0; i < N && !found; i++) {
                bool same = true;
                for (int j = 0; j < D; j++)
                    same &= fabsf(c[l * D + j] - x[i * D + j]) <= 1e-5f * (1 + fabsf(x[i * D + j]));
                found = same;
            }
            CHECK(found, "max_iter 0: centroid %d is not a data row", l);
        }
        CHECK(m->spread[2] == 1.0 && m->offset[2] == 7.0, "constant column: spread %g",
              m->spread[2]);
        CHECK(retain_kmeans_model_n_iter(m) == 0 && !retain_kmeans_model_converged(m), "n_iter");
    }
    retain_kmeans_free(m);
    m = fit_pp(x, N, D, 5, 300, RETAIN_SCALE_MINMAX, 2);
    if (m) {
        for (int i = 0; i < 5 * D; i++)
            CHECK(m->centroids_scaled[i] >= 0 && m->centroids_scaled[i] <= 1,
                  "minmax centroid %g outside [0, 1]", m->centroids_scaled[i]);
        CHECK(m->spread[2] == 1.0, "minmax constant column");
        CHECK(m->n_init == 2, "n_init");
    }
    retain_kmeans_free(m);
}

/* Many centroids (137 groups of the packed layout) against a brute-force
** float64 search: the nearest or, on a near tie, one within round-off;
** distances asked for are the direct ones. */
static void assign_matches_brute_force(void)
{
    enum { N = 3000, D = 3, K = 1100 };
    static float x[N * D], c[K * D], dist[N];
    static int32_t lab[N];
    rt_rng rng;
    rt_rng_init(&rng, 9, 0);
    fill_normal(x, N * D, &rng, 1.0);
    fill_normal(c, K * D, &rng, 1.0);
    rt_kmeans_centers cs;
    CHECK(rt_kmeans_centers_alloc(K, D, &cs) == RETAIN_OK, "centres");
    rt_kmeans_centers_set(&cs, c);
    void *scratch;
    retain_malloc((size_t)rt_kmeans_assign_scratch_bytes(&cs), &scratch);
    for (int64_t r = 0; r < N; r += RT_BLOCK_ROWS) {
        int64_t rows = N - r < RT_BLOCK_ROWS ? N - r : RT_BLOCK_ROWS;
        rt_kmeans_assign_rows(&cs, x + r * D, rows, D, lab + r, dist + r, scratch);
    }
    int64_t exact = 0;
    for (int i = 0; i < N; i++) {
        double best = INFINITY, got = 0;
        for (int l = 0; l < K; l++) {
            double s2 = 0;
            for (int j = 0; j < D; j++) {
                double t = (double)x[i * D + j] - c[l * D + j];
                s2 += t * t;
            }
            best = s2 < best ? s2 : best;
            got = l == lab[i] ? s2 : got;
        }
        exact += got == best;
        CHECK(got - best <= 1e-5 * (1 + best), "row %d: label %d at %g, nearest at %g", i,
              lab[i], got, best);
        CHECK(dist[i] == rt_kmeans_sqdist(x + i * D, c + lab[i] * D, D),
              "row %d: distance is not the direct one", i);
    }
    CHECK(exact >= N - 3, "nearest exactly on %lld of %d rows", (long long)exact, N);
    retain_free(scratch);
    rt_kmeans_centers_free(&cs);
}

static void threads_give_same_bits(void)
{
    enum { N = 20000, D = 5 };
    static float x[N * D];
    rt_rng rng;
    rt_rng_init(&rng, 5, 0);
    fill_normal(x, N * D, &rng, 2.0);
    retain_kmeans_model *m[2];
    for (int t = 0; t < 2; t++) {
        retain_threads_set(t == 0 ? 1 : 3);
        m[t] = fit_pp(x, N, D, 7, 300, RETAIN_SCALE_STANDARD, 2);
    }
    retain_threads_set(0);
    if (m[0] && m[1]) {
        CHECK(memcmp(m[0]->centroids, m[1]->centroids, sizeof(float) * 7 * D) == 0,
              "centroids differ between 1 and 3 threads");
        CHECK(m[0]->inertia == m[1]->inertia, "inertia %.17g vs %.17g", m[0]->inertia,
              m[1]->inertia);
    }
    retain_kmeans_free(m[0]);
    retain_kmeans_free(m[1]);
}

static retain_kmeans_model *fit_algorithm(const float *x, int64_t n, int64_t d,
                                          const float *init, int64_t k,
                                          retain_kmeans_algorithm algorithm)
{
    retain_kmeans_params p;
    retain_kmeans_params_init(&p);
    p.k = k;
    p.init = RETAIN_KMEANS_INIT_GIVEN;
    p.init_centroids = init;
    p.scale = RETAIN_SCALE_NONE;
    p.tol = 0;
    p.max_iter = 60;
    p.algorithm = algorithm;
    retain_matrix m = {x, n, d, d};
    retain_kmeans_model *model = NULL;
    CHECK(retain_kmeans_fit(&m, NULL, &p, &model) == RETAIN_OK, "fit: %s", retain_last_error());
    return model;
}

/* Hamerly's bounds only skip work: from the same start, the same iterations,
** centroids and inertia as plain Lloyd (up to round-off ties), including a
** start with a centroid far from every row (an empty cluster to relocate)
** and k = 1; and the same bits for 1 and 3 threads. */
static void hamerly_matches_lloyd(void)
{
    enum { N = 6000, DMAX = 9, KMAX = 40 };
    static float x[N * DMAX], init[KMAX * DMAX];
    const int64_t shapes[][2] = {{2, 3}, {9, 40}, {5, 1}, {3, 17}};
    rt_rng rng;
    rt_rng_init(&rng, 11, 0);
    for (size_t t = 0; t < sizeof shapes / sizeof *shapes; t++) {
        int64_t d = shapes[t][0], k = shapes[t][1];
        for (int64_t i = 0; i < N; i++) /* blobs around 12 centres, with overlap */
            for (int64_t j = 0; j < d; j++)
                x[i * d + j] = (float)((double)(i % 12) * (j % 2 ? 1.5 : -0.7) +
                                       rt_rng_normal(&rng));
        for (int64_t l = 0; l < k; l++)
            memcpy(init + l * d, x + (l * 131 % N) * d, (size_t)d * sizeof(float));
        if (t == 1)
            for (int64_t j = 0; j < d; j++)
                init[5 * d + j] = 1e3f; /* nothing near it: relocated */
        retain_kmeans_model *lloyd = fit_algorithm(x, N, d, init, k, RETAIN_KMEANS_LLOYD);
        retain_kmeans_model *ham = fit_algorithm(x, N, d, init, k, RETAIN_KMEANS_HAMERLY);
        retain_threads_set(3);
        retain_kmeans_model *ham3 = fit_algorithm(x, N, d, init, k, RETAIN_KMEANS_HAMERLY);
        retain_threads_set(1);
        retain_kmeans_model *ham1 = fit_algorithm(x, N, d, init, k, RETAIN_KMEANS_HAMERLY);
        retain_threads_set(0);
        if (!lloyd || !ham || !ham1 || !ham3)
            continue;
        CHECK(retain_kmeans_model_algorithm(ham) == RETAIN_KMEANS_HAMERLY &&
                  retain_kmeans_model_algorithm(lloyd) == RETAIN_KMEANS_LLOYD,
              "d %lld k %lld: algorithm run", (long long)d, (long long)k);
        CHECK(ham->n_iter == lloyd->n_iter &&
                  fabs(ham->inertia - lloyd->inertia) <= 1e-9 * lloyd->inertia,
              "d %lld k %lld: hamerly %lld iterations inertia %.17g, lloyd %lld %.17g",
              (long long)d, (long long)k, (long long)ham->n_iter, ham->inertia,
              (long long)lloyd->n_iter, lloyd->inertia);
        double worst = 0;
        for (int64_t i = 0; i < k * d; i++) {
            double e = fabs((double)ham->centroids[i] - lloyd->centroids[i]);
            worst = e > worst ? e : worst;
        }
        CHECK(worst <= 1e-5, "d %lld k %lld: centroids differ by %g", (long long)d,
              (long long)k, worst);
        CHECK(memcmp(ham1->centroids, ham3->centroids, sizeof(float) * (size_t)(k * d)) == 0 &&
                  ham1->inertia == ham3->inertia,
              "d %lld k %lld: hamerly differs between 1 and 3 threads", (long long)d,
              (long long)k);
        retain_kmeans_free(lloyd);
        retain_kmeans_free(ham);
        retain_kmeans_free(ham1);
        retain_kmeans_free(ham3);
    }
}

static void refusals(void)
{
    retain_kmeans_params p;
    retain_kmeans_params_init(&p);
    p.k = 0;
    CHECK(retain_kmeans_params_check(&p) == RETAIN_ERR_USAGE &&
              strstr(retain_last_error(), "k is 0"),
          "k = 0: %s", retain_last_error());
    retain_kmeans_params_init(&p);
    p.tol = NAN;
    CHECK(retain_kmeans_params_check(&p) == RETAIN_ERR_USAGE && strstr(retain_last_error(), "tol"),
          "tol NaN: %s", retain_last_error());
    retain_kmeans_params_init(&p);
    p.algorithm = (retain_kmeans_algorithm)7;
    CHECK(retain_kmeans_params_check(&p) == RETAIN_ERR_USAGE &&
              strstr(retain_last_error(), "algorithm"),
          "algorithm 7: %s", retain_last_error());
    retain_kmeans_params_init(&p);
    p.n_init = -1;
    CHECK(retain_kmeans_params_check(&p) == RETAIN_ERR_USAGE &&
              strstr(retain_last_error(), "n_init"),
          "n_init: %s", retain_last_error());
    retain_kmeans_params_init(&p);
    p.init = RETAIN_KMEANS_INIT_GIVEN;
    CHECK(retain_kmeans_params_check(&p) == RETAIN_ERR_USAGE &&
              strstr(retain_last_error(), "init_centroids"),
          "given without centroids: %s", retain_last_error());

    const float dupes[] = {1, 2, 1, 2, 3, 4, 3, 4, 5, 6}, bad[] = {1, 2, 3, NAN, 5, 6};
    retain_kmeans_params_init(&p);
    p.k = 4;
    retain_matrix m = {dupes, 5, 2, 2};
    retain_kmeans_model *model = NULL;
    CHECK(retain_kmeans_fit(&m, NULL, &p, &model) == RETAIN_ERR_DATA && !model &&
              strstr(retain_last_error(), "only 3 distinct rows"),
          "k > distinct rows: %s", retain_last_error());
    p.k = 3;
    CHECK(retain_kmeans_fit(&m, NULL, &p, &model) == RETAIN_OK, "k = distinct rows: %s",
          retain_last_error());
    retain_kmeans_free(model);
    model = NULL;
    retain_matrix nan = {bad, 3, 2, 2};
    p.k = 2;
    CHECK(retain_kmeans_fit(&nan, NULL, &p, &model) == RETAIN_ERR_DATA &&
              strstr(retain_last_error(), "row 1 column 1"),
          "NaN: %s", retain_last_error());
    const float neg[] = {1, -1, 1, 1, 1};
    CHECK(retain_kmeans_fit(&m, neg, &p, &model) == RETAIN_ERR_DATA &&
              strstr(retain_last_error(), "sample_weight[1]"),
          "negative weight: %s", retain_last_error());
    CHECK(retain_kmeans_fit(NULL, NULL, &p, &model) == RETAIN_ERR_USAGE &&
              strstr(retain_last_error(), "x is NULL"),
          "NULL x: %s", retain_last_error());
}

int main(void)
{
    two_on_a_line();
    canonical_by_size();
    empty_cluster_reseeded();
    weights_are_duplicates();
    init_only_and_scalers();
    assign_matches_brute_force();
    hamerly_matches_lloyd();
    threads_give_same_bits();
    refusals();
    CHECK_DONE();
}
