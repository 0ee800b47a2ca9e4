/*
** tests/unit/test_kmeans_minibatch.c: mini-batch k-means (src/kmeans/
** minibatch.c) on cases with a known answer: one batch of every row is one
** Lloyd step (so the update is checked against the Lloyd path), a source
** read in pieces gives the same model as the rows in memory and is never
** asked for more than a band at once, the same bits for 1 and 3 threads,
** always k segments with rows (a centroid far from every row is refilled),
** and the refusals: fewer distinct rows than k, bad params, other
** algorithms on a source.
*/
#include "check.h"

#include "core/rng.h"
#include "kmeans/kmeans.h"
#include "retain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* n rows of d columns around k centres 10 apart along each axis, unit noise. */
static void blobs(float *x, int64_t n, int64_t d, int64_t k, uint64_t seed, float *centres)
{
    rt_rng rng;
    rt_rng_init(&rng, seed, 0);
    for (int64_t l = 0; l < k; l++)
        for (int64_t j = 0; j < d; j++)
            centres[l * d + j] = (float)(10.0 * (double)((l + j) % k));
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < d; j++)
            x[i * d + j] = centres[(i % k) * d + j] + (float)rt_rng_normal(&rng);
}

static retain_kmeans_params minibatch_params(int64_t k, const float *init, int64_t batch,
                                             int64_t max_iter)
{
    retain_kmeans_params p;
    retain_kmeans_params_init(&p);
    p.k = k;
    p.algorithm = RETAIN_KMEANS_MINIBATCH;
    p.batch_size = batch;
    p.max_iter = max_iter;
    p.tol = 0;
    p.scale = RETAIN_SCALE_NONE;
    if (init) {
        p.init = RETAIN_KMEANS_INIT_GIVEN;
        p.init_centroids = init;
    }
    return p;
}

/* With every row in one batch and counts starting at 0, a step moves each
** centre to the mean of its rows: Lloyd's first iteration. */
static void one_batch_is_one_lloyd_step(void)
{
    enum { N = 3000, D = 3, K = 4 };
    static float x[N * D], centres[K * D], init[K * D];
    blobs(x, N, D, K, 1, centres);
    for (int t = 0; t < K * D; t++)
        init[t] = centres[t] + 1.5f; /* off the true centres: the step must move them */
    retain_matrix m = {x, N, D, D};
    retain_kmeans_params p = minibatch_params(K, init, N, 1);
    p.max_no_improvement = 0;
    retain_kmeans_model *mb = NULL, *lloyd = NULL;
    CHECK(retain_kmeans_fit(&m, NULL, &p, &mb) == RETAIN_OK, "minibatch: %s",
          retain_last_error());
    p.algorithm = RETAIN_KMEANS_LLOYD;
    CHECK(retain_kmeans_fit(&m, NULL, &p, &lloyd) == RETAIN_OK, "lloyd: %s",
          retain_last_error());
    if (!mb || !lloyd)
        goto done;
    CHECK(mb->n_steps == 1 && mb->n_iter == 1 && lloyd->n_iter == 1,
          "steps %lld, passes %lld, lloyd iterations %lld", (long long)mb->n_steps,
          (long long)mb->n_iter, (long long)lloyd->n_iter);
    double worst = 0.0;
    for (int t = 0; t < K * D; t++) {
        double e = fabs((double)mb->centroids[t] - lloyd->centroids[t]);
        worst = e > worst ? e : worst;
    }
    /* the sums run in another order (rows shuffled): round-off only */
    CHECK(worst <= 1e-5, "centroids differ from Lloyd's step by %g", worst);
    CHECK(memcmp(mb->sizes, lloyd->sizes, K * sizeof *mb->sizes) == 0, "sizes differ");
    CHECK(fabs(mb->inertia - lloyd->inertia) <= 1e-6 * lloyd->inertia, "inertia %.9g vs %.9g",
          mb->inertia, lloyd->inertia);
    CHECK(mb->algorithm == RETAIN_KMEANS_MINIBATCH, "algorithm %d", (int)mb->algorithm);
done:
    retain_kmeans_free(mb);
    retain_kmeans_free(lloyd);
}

/* Rows from memory through a source that records the ranges asked for. */
typedef struct counting_source {
    const float *x;
    int64_t d, largest, reads;
    bool out_of_range;
} counting_source;

static retain_status read_counting(void *user, int64_t first, int64_t count, float *x,
                                   float *w)
{
    counting_source *c = user;
    c->reads++;
    c->largest = count > c->largest ? count : c->largest;
    c->out_of_range |= first < 0 || count < 1;
    memcpy(x, c->x + first * c->d, (size_t)(count * c->d) * sizeof *x);
    for (int64_t i = 0; w && i < count; i++)
        w[i] = 1.0f;
    return RETAIN_OK;
}

/* 256 columns make a segment 1024 rows and a band 16384: the source is read
** in pieces, never more than a band at once. */
static void source_in_pieces(void)
{
    enum { N = 40000, D = 256, K = 3 };
    float *x = malloc(sizeof(float) * N * D), centres[K * D];
    if (!x)
        return;
    blobs(x, N, D, K, 2, centres);
    retain_kmeans_params p = minibatch_params(K, NULL, 1024, 3);
    p.scale = RETAIN_SCALE_STANDARD;
    retain_matrix m = {x, N, D, D};
    counting_source c = {x, D, 0, 0, false};
    retain_row_source src = {N, D, false, read_counting, &c};
    retain_kmeans_model *from_memory = NULL, *from_source = NULL;
    CHECK(retain_kmeans_fit(&m, NULL, &p, &from_memory) == RETAIN_OK, "memory: %s",
          retain_last_error());
    CHECK(retain_kmeans_fit_source(&src, &p, &from_source) == RETAIN_OK, "source: %s",
          retain_last_error());
    if (from_memory && from_source) {
        CHECK(memcmp(from_memory->centroids, from_source->centroids, sizeof(float) * K * D) == 0 &&
                  from_memory->inertia == from_source->inertia,
              "memory and source give different models");
        for (int64_t l = 0; l < K; l++)
            CHECK(from_source->sizes[l] > 0, "segment %lld is empty", (long long)l);
    }
    CHECK(c.largest <= 16384 && c.reads > 3 * (N / 16384) && !c.out_of_range,
          "reads: %lld, largest %lld rows", (long long)c.reads, (long long)c.largest);
    retain_kmeans_free(from_memory);
    retain_kmeans_free(from_source);
    free(x);
}

/* Batches larger than a block run the assignment over several blocks. */
static void threads_give_same_bits(void)
{
    enum { N = 30000, D = 5, K = 6 };
    static float x[N * D], centres[K * D];
    blobs(x, N, D, K, 3, centres);
    retain_matrix m = {x, N, D, D};
    retain_kmeans_model *r[2] = {NULL, NULL};
    for (int t = 0; t < 2; t++) {
        retain_threads_set(t == 0 ? 1 : 3);
        retain_kmeans_params p = minibatch_params(K, NULL, 5000, 20);
        CHECK(retain_kmeans_fit(&m, NULL, &p, &r[t]) == RETAIN_OK, "fit: %s",
              retain_last_error());
    }
    retain_threads_set(0);
    if (r[0] && r[1])
        CHECK(memcmp(r[0]->centroids, r[1]->centroids, sizeof(float) * K * D) == 0 &&
                  r[0]->inertia == r[1]->inertia && r[0]->n_steps == r[1]->n_steps,
              "1 and 3 threads differ: inertia %.17g vs %.17g", r[0]->inertia, r[1]->inertia);
    retain_kmeans_free(r[0]);
    retain_kmeans_free(r[1]);
}

/* A centroid far from every row gets none; the model still has k segments
** with rows, with no steps at all (max_iter 0) and after some. */
static void always_k_segments(void)
{
    enum { N = 4000, D = 2, K = 4 };
    static float x[N * D], centres[K * D], init[K * D];
    blobs(x, N, D, 3, 4, centres);
    memcpy(init, centres, sizeof(float) * 3 * D);
    init[3 * D] = init[3 * D + 1] = 1e4f;
    for (int64_t iters = 0; iters <= 5; iters += 5) {
        retain_matrix m = {x, N, D, D};
        retain_kmeans_params p = minibatch_params(K, init, 256, iters);
        retain_kmeans_model *model = NULL;
        CHECK(retain_kmeans_fit(&m, NULL, &p, &model) == RETAIN_OK, "fit: %s",
              retain_last_error());
        int64_t total = 0;
        for (int64_t l = 0; model && l < K; l++) {
            CHECK(model->sizes[l] > 0, "max_iter %lld: segment %lld has no rows",
                  (long long)iters, (long long)l);
            total += model->sizes[l];
        }
        CHECK(!model || total == N, "sizes sum to %lld", (long long)total);
        retain_kmeans_free(model);
    }
}

static void refusals(void)
{
    /* three distinct rows, k = 4: seeded and given starts both refuse */
    static const float dupes[] = {1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6, 1, 2, 3, 4};
    static const float init[] = {1, 2, 3, 4, 5, 6, 9, 9};
    retain_matrix m = {dupes, 8, 2, 2};
    retain_kmeans_model *model = NULL;
    retain_kmeans_params p = minibatch_params(4, NULL, 4, 5);
    CHECK(retain_kmeans_fit(&m, NULL, &p, &model) == RETAIN_ERR_DATA && !model &&
              strstr(retain_last_error(), "distinct"),
          "k > distinct rows: %s", retain_last_error());
    p = minibatch_params(4, init, 4, 5);
    CHECK(retain_kmeans_fit(&m, NULL, &p, &model) == RETAIN_ERR_DATA && !model &&
              strstr(retain_last_error(), "fewer than k distinct rows"),
          "given start, k > distinct rows: %s", retain_last_error());
    p = minibatch_params(3, NULL, 4, 5);
    CHECK(retain_kmeans_fit(&m, NULL, &p, &model) == RETAIN_OK, "k = distinct rows: %s",
          retain_last_error());
    retain_kmeans_free(model);
    model = NULL;

    p.batch_size = 0;
    CHECK(retain_kmeans_params_check(&p) == RETAIN_ERR_USAGE &&
              strstr(retain_last_error(), "batch_size"),
          "batch_size 0: %s", retain_last_error());
    p = minibatch_params(3, NULL, 4, 5);
    p.max_no_improvement = -1;
    CHECK(retain_kmeans_params_check(&p) == RETAIN_ERR_USAGE &&
              strstr(retain_last_error(), "max_no_improvement"),
          "max_no_improvement -1: %s", retain_last_error());
    p = minibatch_params(3, NULL, 4, 5);
    p.algorithm = RETAIN_KMEANS_LLOYD;
    counting_source c = {dupes, 2, 0, 0, false};
    retain_row_source src = {8, 2, false, read_counting, &c};
    CHECK(retain_kmeans_fit_source(&src, &p, &model) == RETAIN_ERR_USAGE && !model &&
              strstr(retain_last_error(), "MINIBATCH"),
          "lloyd on a source: %s", retain_last_error());
    const float neg[] = {1, 1, 1, -2, 1, 1, 1, 1};
    p = minibatch_params(3, NULL, 4, 5);
    CHECK(retain_kmeans_fit(&m, neg, &p, &model) == RETAIN_ERR_DATA && !model &&
              strstr(retain_last_error(), "sample_weight[3]"),
          "negative weight: %s", retain_last_error());
}

int main(void)
{
    one_batch_is_one_lloyd_step();
    source_in_pieces();
    threads_give_same_bits();
    always_k_segments();
    refusals();
    CHECK_DONE();
}
