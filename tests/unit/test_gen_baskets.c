/*
** tests/unit/test_gen_baskets.c: the basket model (src/gen/baskets.c):
** parameter checks name the bad field; blocks give the same bits in any
** order and split; baskets are sorted, distinct and in range; the mean
** length is T; planted patterns occur far above what independent items
** would give. Statistical bounds are about 6 standard errors (or factors
** of 20), so a correct model never fails and a broken one cannot pass.
*/
#include "check.h"

#include "core/error.h"
#include "gen/baskets.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define S RT_GEN_BASKETS_STREAM_ROWS

static void check_params(void)
{
    static const char *fields[6] = {"items", "avg_len", "patterns", "pattern_len",
                                    "corruption", "noise"};
    for (int i = 0; i < 6; i++) {
        rt_gen_baskets_params p;
        rt_gen_baskets_params_init(&p);
        CHECK(rt_gen_baskets_params_check(&p) == RETAIN_OK, "defaults are valid");
        switch (i) {
        case 0: p.items = 1; break;
        case 1: p.avg_len = 0.5; break;
        case 2: p.patterns = 0; break;
        case 3: p.pattern_len = 1.5; break;
        case 4: p.corruption = 0.95; break;
        case 5: p.noise = NAN; break;
        }
        retain_status s = rt_gen_baskets_params_check(&p);
        CHECK(s == RETAIN_ERR_USAGE, "bad %s is a usage error (%d)", fields[i], (int)s);
        CHECK(strstr(retain_last_error(), fields[i]) != NULL, "message names %s: %s",
              fields[i], retain_last_error());
    }
    rt_gen_baskets_params p;
    rt_gen_baskets_params_init(&p);
    p.items = 5;
    p.avg_len = 6;
    CHECK(rt_gen_baskets_params_check(&p) == RETAIN_ERR_USAGE, "avg_len above items refused");
    rt_gen_baskets_params_init(&p);
    p.patterns = 1000000;
    p.pattern_len = 100;
    CHECK(rt_gen_baskets_params_check(&p) == RETAIN_ERR_USAGE &&
              strstr(retain_last_error(), "patterns"),
          "a model of 1e8 planted ids refused: %s", retain_last_error());
}

/* Every basket sorted, distinct, in range, 1..max_len long. */
static int64_t check_baskets(const rt_gen_baskets *g, int64_t items, int64_t n,
                             const int64_t *len, const int32_t *ids)
{
    int64_t bad = 0, at = 0, max_len = rt_gen_baskets_max_len(g);
    for (int64_t i = 0; i < n; i++) {
        if (len[i] < 1 || len[i] > max_len)
            bad++;
        for (int64_t j = 0; j < len[i]; j++) {
            int32_t v = ids[at + j];
            if (v < 0 || v >= items || (j > 0 && v <= ids[at + j - 1]))
                bad++;
        }
        at += len[i];
    }
    return bad;
}

static void check_determinism(void)
{
    rt_gen_baskets_params p;
    rt_gen_baskets_params_init(&p);
    p.seed = 7;
    rt_gen_baskets *g, *h;
    CHECK(rt_gen_baskets_create(&p, &g) == RETAIN_OK, "create");
    CHECK(rt_gen_baskets_create(&p, &h) == RETAIN_OK, "create again");
    int64_t n = 3 * S + 123, max_len = rt_gen_baskets_max_len(g);
    int64_t *la = malloc((size_t)n * sizeof *la), *lb = malloc((size_t)n * sizeof *lb);
    int32_t *ia = malloc((size_t)(n * max_len) * sizeof *ia);
    int32_t *ib = malloc((size_t)(n * max_len) * sizeof *ib);
    int64_t total = rt_gen_baskets_block(g, 0, n, la, ia);
    /* The same baskets made block by block, last block first, by another model. */
    int64_t offsets[4] = {0}, at = 0;
    for (int b = 0; b < 4; b++) {
        offsets[b] = at;
        for (int64_t i = b * S; i < n && i < (b + 1) * S; i++)
            at += la[i];
    }
    for (int b = 3; b >= 0; b--) {
        int64_t first = b * S, count = n - first < S ? n - first : S;
        rt_gen_baskets_block(h, first, count, lb + first, ib + offsets[b]);
    }
    CHECK(memcmp(la, lb, (size_t)n * sizeof *la) == 0, "lengths equal in any block order");
    CHECK(memcmp(ia, ib, (size_t)total * sizeof *ia) == 0, "items equal in any block order");
    CHECK(check_baskets(g, p.items, n, la, ia) == 0, "baskets sorted, distinct, in range");

    /* One basket drawn from the first block's stream is the first basket. */
    rt_rng rng;
    rt_rng_init(&rng, p.seed, 0);
    int32_t *one = malloc((size_t)max_len * sizeof *one);
    int64_t m = rt_gen_baskets_draw(g, &rng, one);
    CHECK(m == la[0] && memcmp(one, ia, (size_t)m * sizeof *one) == 0,
          "rt_gen_baskets_draw matches the block's first basket");

    rt_gen_baskets_free(h);
    p.seed = 8;
    CHECK(rt_gen_baskets_create(&p, &h) == RETAIN_OK, "create, other seed");
    rt_gen_baskets_block(h, 0, n, lb, ib);
    CHECK(memcmp(la, lb, (size_t)n * sizeof *la) != 0, "another seed, other baskets");
    free(one);
    free(la);
    free(lb);
    free(ia);
    free(ib);
    rt_gen_baskets_free(g);
    rt_gen_baskets_free(h);
}

static void check_patterns_truth(const rt_gen_baskets *g, const rt_gen_baskets_params *p)
{
    const int64_t *ip = rt_gen_baskets_pattern_indptr(g);
    const int32_t *ix = rt_gen_baskets_pattern_items(g);
    const double *w = rt_gen_baskets_pattern_weights(g), *c = rt_gen_baskets_pattern_corruption(g);
    double sum = 0, len = 0;
    int64_t bad = 0;
    for (int64_t k = 0; k < p->patterns; k++) {
        if (ip[k + 1] - ip[k] < 2 || w[k] <= 0 || c[k] < 0 || c[k] > 0.95)
            bad++;
        for (int64_t j = ip[k]; j < ip[k + 1]; j++)
            if (ix[j] < 0 || ix[j] >= p->items || (j > ip[k] && ix[j] <= ix[j - 1]))
                bad++;
        sum += w[k];
        len += (double)(ip[k + 1] - ip[k]);
    }
    CHECK(bad == 0, "patterns: %lld bad entries", (long long)bad);
    CHECK(fabs(sum - 1) < 1e-12, "weights sum to 1 (%.15g)", sum);
    /* Mean of 2 + Poisson(I - 2) over P patterns: sd sqrt((I - 2) / P). */
    double se = sqrt((p->pattern_len - 2) / (double)p->patterns);
    CHECK(fabs(len / (double)p->patterns - p->pattern_len) < 6 * se + 1e-9,
          "mean pattern length %.3f, expected %.3f", len / (double)p->patterns, p->pattern_len);
}

static bool contains_all(const int32_t *basket, int64_t n, const int32_t *pat, int64_t m)
{
    int64_t i = 0;
    for (int64_t j = 0; j < m; j++) {
        while (i < n && basket[i] < pat[j])
            i++;
        if (i == n || basket[i] != pat[j])
            return false;
    }
    return true;
}

static void check_statistics(void)
{
    rt_gen_baskets_params p;
    rt_gen_baskets_params_init(&p);
    p.seed = 11;
    rt_gen_baskets *g;
    CHECK(rt_gen_baskets_create(&p, &g) == RETAIN_OK, "create");
    check_patterns_truth(g, &p);
    int64_t n = 50000, max_len = rt_gen_baskets_max_len(g);
    int64_t *len = malloc((size_t)n * sizeof *len);
    int32_t *ids = malloc((size_t)(n * max_len) * sizeof *ids);
    int64_t *start = malloc((size_t)(n + 1) * sizeof *start);
    int64_t total = rt_gen_baskets_block(g, 0, n, len, ids);
    CHECK(check_baskets(g, p.items, n, len, ids) == 0, "baskets sorted, distinct, in range");
    double mean = (double)total / (double)n, se = sqrt((p.avg_len - 1) / (double)n);
    CHECK(fabs(mean - p.avg_len) < 6 * se, "mean length %.4f, expected %.1f (se %.4f)", mean,
          p.avg_len, se);
    start[0] = 0;
    for (int64_t i = 0; i < n; i++)
        start[i + 1] = start[i] + len[i];

    int64_t *freq = calloc((size_t)p.items, sizeof *freq);
    for (int64_t i = 0; i < total; i++)
        freq[ids[i]]++;
    /* The three heaviest patterns: support against independent items. */
    const int64_t *ip = rt_gen_baskets_pattern_indptr(g);
    const int32_t *ix = rt_gen_baskets_pattern_items(g);
    const double *w = rt_gen_baskets_pattern_weights(g);
    int64_t top[3] = {-1, -1, -1};
    for (int t = 0; t < 3; t++)
        for (int64_t k = 0; k < p.patterns; k++)
            if ((t < 1 || k != top[0]) && (t < 2 || k != top[1]) &&
                (top[t] < 0 || w[k] > w[top[t]]))
                top[t] = k;
    for (int t = 0; t < 3; t++) {
        int64_t k = top[t], m = ip[k + 1] - ip[k], support = 0;
        double chance = (double)n;
        for (int64_t j = 0; j < m; j++)
            chance *= (double)freq[ix[ip[k] + j]] / (double)n;
        for (int64_t i = 0; i < n; i++)
            support += contains_all(ids + start[i], len[i], ix + ip[k], m);
        CHECK(support >= 100 && (double)support > 20 * chance,
              "pattern %lld (weight %.3f, %lld items) in %lld baskets; independent items "
              "would give %.1f", (long long)k, w[k], (long long)m, (long long)support, chance);
    }
    /* Popularity is Zipf-like: the most frequent item far above the median. */
    int64_t most = 0;
    for (int64_t i = 0; i < p.items; i++)
        most = freq[i] > most ? freq[i] : most;
    CHECK((double)most > 5.0 * (double)total / (double)p.items,
          "most frequent item %lld vs mean %.1f", (long long)most,
          (double)total / (double)p.items);
    free(freq);
    free(len);
    free(ids);
    free(start);
    rt_gen_baskets_free(g);
}

/* Baskets as long as the catalogue still finish and stay distinct. */
static void check_small_catalogue(void)
{
    rt_gen_baskets_params p;
    rt_gen_baskets_params_init(&p);
    p.items = 5;
    p.avg_len = 5;
    p.pattern_len = 3;
    p.patterns = 3;
    p.corruption = 0.9;
    rt_gen_baskets *g;
    CHECK(rt_gen_baskets_create(&p, &g) == RETAIN_OK, "create small");
    int64_t n = 2000, max_len = rt_gen_baskets_max_len(g);
    CHECK(max_len == 5, "max_len capped at the catalogue (%lld)", (long long)max_len);
    int64_t *len = malloc((size_t)n * sizeof *len);
    int32_t *ids = malloc((size_t)(n * max_len) * sizeof *ids);
    rt_gen_baskets_block(g, 0, n, len, ids);
    CHECK(check_baskets(g, p.items, n, len, ids) == 0, "small catalogue baskets valid");
    free(len);
    free(ids);
    rt_gen_baskets_free(g);
}

int main(void)
{
    check_params();
    check_determinism();
    check_statistics();
    check_small_catalogue();
    CHECK_DONE();
}
