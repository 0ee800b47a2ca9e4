/*
** tests/unit/test_kmeans_metrics.c: retain_kmeans_evaluate (src/kmeans/
** metrics.c) on cases checked by hand (two separated clusters; a singleton
** cluster, whose row counts 0 in the silhouette), NaN exactly where
** scikit-learn raises (k = 1, one cluster receiving every row, one row per
** cluster), against a direct O(n^2) implementation of the definitions on
** random data (exact and on the sampled rows, over several chunks of rows),
** the same bits for 1 and 3 threads, the silhouette's row count as asked,
** the sampler (sorted, distinct, uniform), and the refusals.
*/
#include "check.h"

#include "core/rng.h"
#include "kmeans/metrics.h"
#include "retain.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool close_to(double got, double want, double rel)
{
    return fabs(got - want) <= rel * fabs(want);
}

static retain_kmeans_model *fit(const float *x, int64_t n, int64_t d, const float *init,
                                int64_t k)
{
    retain_kmeans_params p;
    retain_kmeans_params_init(&p);
    p.k = k;
    p.scale = RETAIN_SCALE_NONE;
    if (init) {
        p.init = RETAIN_KMEANS_INIT_GIVEN;
        p.init_centroids = init;
    }
    retain_matrix m = {x, n, d, d};
    retain_kmeans_model *model = NULL;
    CHECK(retain_kmeans_fit(&m, NULL, &p, &model) == RETAIN_OK, "fit: %s", retain_last_error());
    return model;
}

static retain_kmeans_metrics evaluate(const retain_kmeans_model *m, const float *x, int64_t n,
                                      int64_t d, int64_t sample, uint64_t seed)
{
    retain_matrix view = {x, n, d, d};
    retain_kmeans_metrics out = {NAN, NAN, NAN, -1};
    CHECK(retain_kmeans_evaluate(m, &view, sample, seed, &out) == RETAIN_OK, "evaluate: %s",
          retain_last_error());
    return out;
}

static void two_separated_clusters(void)
{
    /* Every row: a = 1 (its partner), b = mean of 10 and sqrt(101).
    ** Means (0, .5) and (10, .5), overall (5, .5): between = 4 * 25,
    ** within = 4 * .25, so CH = 100 * (4 - 2) / (1 * (2 - 1)) = 200;
    ** each cluster's spread is .5, the means 10 apart: DB = 1 / 10. */
    const float x[] = {0, 0, 0, 1, 10, 0, 10, 1}, init[] = {0, 0.5f, 10, 0.5f};
    retain_kmeans_model *m = fit(x, 4, 2, init, 2);
    if (!m)
        return;
    retain_kmeans_metrics r = evaluate(m, x, 4, 2, 0, 0);
    double b = (10 + sqrt(101.0)) / 2;
    CHECK(close_to(r.silhouette, (b - 1) / b, 1e-15), "silhouette %.17g", r.silhouette);
    CHECK(close_to(r.calinski_harabasz, 200, 1e-15), "CH %.17g", r.calinski_harabasz);
    CHECK(close_to(r.davies_bouldin, 0.1, 1e-15), "DB %.17g", r.davies_bouldin);
    CHECK(r.silhouette_rows == 4, "silhouette rows %lld", (long long)r.silhouette_rows);
    retain_kmeans_free(m);
}

static void singleton_cluster(void)
{
    /* {0, 1} {10, 11} {30}. Silhouettes: 0 -> (10.5 - 1) / 10.5,
    ** 1 -> (9.5 - 1) / 9.5, 10 -> (9.5 - 1) / 9.5, 11 -> (10.5 - 1) / 10.5,
    ** 30 (alone) -> 0. Overall mean 10.4: between = 2 * 9.9^2 + 2 * .1^2 +
    ** 19.6^2 = 580.2, within = 4 * .25 = 1: CH = 580.2 * 2 / (1 * 2).
    ** Spreads .5, .5, 0; means 10, 29.5 and 19.5 apart: the worst ratios
    ** are 1/10, 1/10 and .5/19.5. */
    const float x[] = {0, 1, 10, 11, 30}, init[] = {0.5f, 10.5f, 30};
    retain_kmeans_model *m = fit(x, 5, 1, init, 3);
    if (!m)
        return;
    retain_kmeans_metrics r = evaluate(m, x, 5, 1, 0, 0);
    double sil = (2 * (9.5 / 10.5) + 2 * (8.5 / 9.5)) / 5;
    CHECK(close_to(r.silhouette, sil, 1e-15), "silhouette %.17g, want %.17g", r.silhouette, sil);
    CHECK(close_to(r.calinski_harabasz, 580.2, 1e-13), "CH %.17g", r.calinski_harabasz);
    CHECK(close_to(r.davies_bouldin, (0.2 + 0.5 / 19.5) / 3, 1e-15), "DB %.17g",
          r.davies_bouldin);
    retain_kmeans_free(m);
}

static void undefined_where_sklearn_raises(void)
{
    const float x[] = {0, 1, 10, 11, 30};
    retain_kmeans_model *one = fit(x, 5, 1, NULL, 1);
    if (one) {
        retain_kmeans_metrics r = evaluate(one, x, 5, 1, 0, 0);
        CHECK(isnan(r.silhouette) && isnan(r.calinski_harabasz) && isnan(r.davies_bouldin),
              "k = 1: %g %g %g", r.silhouette, r.calinski_harabasz, r.davies_bouldin);
        CHECK(r.silhouette_rows == 5, "k = 1: silhouette rows %lld",
              (long long)r.silhouette_rows);
        retain_kmeans_free(one);
    }
    /* a two-segment model, rows that all fall in one segment */
    const float init[] = {0.5f, 20.5f};
    retain_kmeans_model *two = fit(x, 5, 1, init, 2);
    if (two) {
        const float near[] = {0, 0.25f, 1};
        retain_kmeans_metrics r = evaluate(two, near, 3, 1, 0, 0);
        CHECK(isnan(r.silhouette) && isnan(r.calinski_harabasz) && isnan(r.davies_bouldin),
              "one non-empty cluster: %g %g %g", r.silhouette, r.calinski_harabasz,
              r.davies_bouldin);
        retain_kmeans_free(two);
    }
    /* as many clusters as rows */
    const float three[] = {0, 5, 9};
    retain_kmeans_model *each = fit(three, 3, 1, three, 3);
    if (each) {
        retain_kmeans_metrics r = evaluate(each, three, 3, 1, 0, 0);
        CHECK(isnan(r.silhouette) && isnan(r.calinski_harabasz) && isnan(r.davies_bouldin),
              "one row per cluster: %g %g %g", r.silhouette, r.calinski_harabasz,
              r.davies_bouldin);
        retain_kmeans_free(each);
    }
}

/* Gaussian blobs around k centres spread `apart` in d dimensions. */
static float *blobs(int64_t n, int64_t d, int64_t k, double apart, uint64_t seed)
{
    float *x = malloc((size_t)(n * d) * sizeof *x);
    double *centre = malloc((size_t)(k * d) * sizeof *centre);
    rt_rng rng;
    rt_rng_init(&rng, seed, 0);
    for (int64_t i = 0; i < k * d; i++)
        centre[i] = apart * rt_rng_normal(&rng);
    for (int64_t i = 0; i < n; i++) {
        int64_t c = (int64_t)rt_rng_below(&rng, (uint64_t)k);
        for (int64_t j = 0; j < d; j++)
            x[i * d + j] = (float)(centre[c * d + j] + rt_rng_normal(&rng));
    }
    free(centre);
    return x;
}

static double distance(const float *a, const float *b, int64_t d)
{
    double s = 0;
    for (int64_t j = 0; j < d; j++)
        s += ((double)a[j] - b[j]) * ((double)a[j] - b[j]);
    return sqrt(s);
}

/* The mean silhouette of rows[0..m) by the definition, pair by pair. */
static double direct_silhouette(const float *x, int64_t d, const int32_t *label, int64_t k,
                                const int64_t *rows, int64_t m)
{
    double *sums = malloc((size_t)k * sizeof *sums);
    int64_t *size = calloc((size_t)k, sizeof *size);
    for (int64_t i = 0; i < m; i++)
        size[label[rows[i]]]++;
    double total = 0;
    for (int64_t i = 0; i < m; i++) {
        int32_t own = label[rows[i]];
        memset(sums, 0, (size_t)k * sizeof *sums);
        for (int64_t j = 0; j < m; j++)
            sums[label[rows[j]]] += distance(x + rows[i] * d, x + rows[j] * d, d);
        if (size[own] == 1)
            continue;
        double a = sums[own] / (double)(size[own] - 1), b = INFINITY;
        for (int64_t c = 0; c < k; c++)
            if (c != own && size[c] > 0 && sums[c] / (double)size[c] < b)
                b = sums[c] / (double)size[c];
        total += (b - a) / (a > b ? a : b);
    }
    free(sums);
    free(size);
    return total / (double)m;
}

/* Calinski-Harabasz and Davies-Bouldin by the definitions; every cluster
** non-empty. */
static void direct_ch_db(const float *x, int64_t n, int64_t d, const int32_t *label,
                         int64_t k, double *ch, double *db)
{
    double *mean = calloc((size_t)(k * d), sizeof *mean), *all = calloc((size_t)d, sizeof *all);
    double *spread = calloc((size_t)k, sizeof *spread), within = 0, between = 0;
    int64_t *size = calloc((size_t)k, sizeof *size);
    for (int64_t i = 0; i < n; i++) {
        size[label[i]]++;
        for (int64_t j = 0; j < d; j++) {
            mean[label[i] * d + j] += x[i * d + j];
            all[j] += x[i * d + j];
        }
    }
    for (int64_t c = 0; c < k; c++)
        for (int64_t j = 0; j < d; j++)
            mean[c * d + j] /= (double)size[c];
    for (int64_t j = 0; j < d; j++)
        all[j] /= (double)n;
    for (int64_t i = 0; i < n; i++) {
        double s = 0;
        for (int64_t j = 0; j < d; j++)
            s += (x[i * d + j] - mean[label[i] * d + j]) * (x[i * d + j] - mean[label[i] * d + j]);
        within += s;
        spread[label[i]] += sqrt(s) / (double)size[label[i]];
    }
    double worst_sum = 0;
    for (int64_t c = 0; c < k; c++) {
        double g = 0, worst = 0;
        for (int64_t j = 0; j < d; j++)
            g += (mean[c * d + j] - all[j]) * (mean[c * d + j] - all[j]);
        between += (double)size[c] * g;
        for (int64_t o = 0; o < k; o++) {
            double apart = 0;
            for (int64_t j = 0; j < d; j++)
                apart += (mean[c * d + j] - mean[o * d + j]) * (mean[c * d + j] - mean[o * d + j]);
            if (o != c && (spread[c] + spread[o]) / sqrt(apart) > worst)
                worst = (spread[c] + spread[o]) / sqrt(apart);
        }
        worst_sum += worst;
    }
    *ch = between * (double)(n - k) / (within * (double)(k - 1));
    *db = worst_sum / (double)k;
    free(mean);
    free(all);
    free(spread);
    free(size);
}

static void against_definitions(void)
{
    /* 300000 rows: more than one chunk of rows labelled at a time */
    enum { N = 300000, D = 3, K = 5, EXACT_N = 700, SAMPLE = 400 };
    float *x = blobs(N, D, K, 3.0, 11);
    retain_kmeans_model *m = fit(x, N, D, NULL, K);
    int32_t *label = malloc(N * sizeof *label);
    int64_t rows[EXACT_N];
    retain_matrix view = {x, N, D, D};
    if (!m || retain_kmeans_predict(m, &view, label, NULL) != RETAIN_OK) {
        CHECK(0, "setup: %s", retain_last_error());
        goto done;
    }
    double ch, db;
    direct_ch_db(x, N, D, label, K, &ch, &db);
    retain_kmeans_metrics r = evaluate(m, x, N, D, SAMPLE, 9);
    CHECK(close_to(r.calinski_harabasz, ch, 1e-11), "CH %.17g, by definition %.17g",
          r.calinski_harabasz, ch);
    CHECK(close_to(r.davies_bouldin, db, 1e-11), "DB %.17g, by definition %.17g",
          r.davies_bouldin, db);
    rt_kmeans_sample_rows(N, SAMPLE, 9, rows);
    double sampled = direct_silhouette(x, D, label, K, rows, SAMPLE);
    CHECK(r.silhouette_rows == SAMPLE && close_to(r.silhouette, sampled, 1e-12),
          "sampled silhouette %.17g on %lld rows, by definition on the sampled rows %.17g",
          r.silhouette, (long long)r.silhouette_rows, sampled);
    /* exact: the first EXACT_N rows as a data set of their own */
    retain_kmeans_metrics e = evaluate(m, x, EXACT_N, D, 0, 0);
    for (int64_t i = 0; i < EXACT_N; i++)
        rows[i] = i;
    double exact = direct_silhouette(x, D, label, K, rows, EXACT_N);
    CHECK(e.silhouette_rows == EXACT_N && close_to(e.silhouette, exact, 1e-12),
          "exact silhouette %.17g, by definition %.17g", e.silhouette, exact);
done:
    retain_kmeans_free(m);
    free(label);
    free(x);
}

static void same_bits_any_threads(void)
{
    enum { N = 40000, D = 7, K = 9 };
    float *x = blobs(N, D, K, 2.0, 5);
    retain_kmeans_model *m = fit(x, N, D, NULL, K);
    if (m) {
        retain_kmeans_metrics r[2][2];
        int threads[2] = {1, 3};
        for (int t = 0; t < 2; t++) {
            retain_threads_set(threads[t]);
            r[t][0] = evaluate(m, x, N, D, 3000, 4);
            r[t][1] = evaluate(m, x, 2500, D, 0, 0);
        }
        retain_threads_set(0);
        for (int c = 0; c < 2; c++)
            CHECK(memcmp(&r[0][c], &r[1][c], sizeof r[0][c]) == 0,
                  "%s: 1 thread %.17g %.17g %.17g, 3 threads %.17g %.17g %.17g",
                  c ? "exact" : "sampled", r[0][c].silhouette, r[0][c].calinski_harabasz,
                  r[0][c].davies_bouldin, r[1][c].silhouette, r[1][c].calinski_harabasz,
                  r[1][c].davies_bouldin);
        retain_kmeans_metrics other = evaluate(m, x, N, D, 3000, 5);
        CHECK(other.silhouette != r[0][0].silhouette, "another seed draws another sample");
        retain_kmeans_free(m);
    }
    free(x);
}

static void sample_size_reported(void)
{
    enum { N = 2000, D = 2 };
    float *x = blobs(N, D, 3, 4.0, 8);
    retain_kmeans_model *m = fit(x, N, D, NULL, 3);
    if (m) {
        int64_t asked[] = {500, 5000, 0, N};
        int64_t want[] = {500, N, N, N};
        for (int i = 0; i < 4; i++) {
            retain_kmeans_metrics r = evaluate(m, x, N, D, asked[i], 1);
            CHECK(r.silhouette_rows == want[i], "sample %lld: %lld rows used, want %lld",
                  (long long)asked[i], (long long)r.silhouette_rows, (long long)want[i]);
        }
        retain_kmeans_free(m);
    }
    free(x);
}

static void sampler(void)
{
    enum { N = 10, M = 3, DRAWS = 20000 };
    int64_t seen[N] = {0}, rows[N];
    bool sorted = true;
    for (uint64_t seed = 0; seed < DRAWS; seed++) {
        rt_kmeans_sample_rows(N, M, seed, rows);
        for (int i = 0; i < M; i++) {
            seen[rows[i]]++;
            sorted &= i == 0 || rows[i] > rows[i - 1];
        }
    }
    CHECK(sorted, "rows ascending and distinct");
    /* each row is in a sample with probability 3/10: sd sqrt(20000 .3 .7) */
    double sd = sqrt(DRAWS * 0.3 * 0.7);
    for (int i = 0; i < N; i++)
        CHECK(fabs((double)seen[i] - DRAWS * 0.3) <= 5 * sd, "row %d drawn %lld times of %d",
              i, (long long)seen[i], DRAWS);
    rt_kmeans_sample_rows(N, N, 3, rows);
    for (int i = 0; i < N; i++)
        CHECK(rows[i] == i, "a sample of every row is every row in order");
}

static void refusals(void)
{
    const float x[] = {0, 1, 10, 11}, init[] = {0.5f, 10.5f};
    retain_kmeans_model *m = fit(x, 4, 1, init, 2);
    if (!m)
        return;
    retain_kmeans_metrics r;
    retain_matrix wide = {x, 2, 2, 2};
    CHECK(retain_kmeans_evaluate(m, &wide, 0, 0, &r) == RETAIN_ERR_USAGE &&
              strstr(retain_last_error(), "2 columns"),
          "other widths: %s", retain_last_error());
    retain_matrix view = {x, 4, 1, 1};
    CHECK(retain_kmeans_evaluate(m, &view, -1, 0, &r) == RETAIN_ERR_USAGE &&
              strstr(retain_last_error(), "silhouette_sample"),
          "negative sample: %s", retain_last_error());
    CHECK(retain_kmeans_evaluate(m, &view, 0, 0, NULL) == RETAIN_ERR_USAGE &&
              strstr(retain_last_error(), "out is NULL"),
          "NULL out: %s", retain_last_error());
    const float bad[] = {0, 1, NAN, 11};
    retain_matrix nan_view = {bad, 4, 1, 1};
    CHECK(retain_kmeans_evaluate(m, &nan_view, 0, 0, &r) == RETAIN_ERR_DATA &&
              strstr(retain_last_error(), "row 2 column 0"),
          "NaN: %s", retain_last_error());
    retain_kmeans_free(m);
}

int main(void)
{
    two_separated_clusters();
    singleton_cluster();
    undefined_where_sklearn_raises();
    against_definitions();
    same_bits_any_threads();
    sample_size_reported();
    sampler();
    refusals();
    CHECK_DONE();
}
