/*
** tests/unit/test_rules_api.c: the public association-rules API
** (include/retain.h, src/rules/api.c) against brute force: random baskets
** of up to 10 items with repeated ids; every itemset the result lists has
** its brute-force count and the number listed is the number of subsets at
** or above the minimum; every rule has the brute-force measures, sides
** disjoint and covering an itemset, and the number of rules is the brute-
** force number at the confidence threshold; rules come sorted by the
** chosen measure. Also: parameter checks name the field, malformed baskets
** name the basket, the max_itemsets limit reports how many were found.
*/
#include "check.h"

#include "retain.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAXI 10

static uint64_t state = 0x853c49e6748fea9bull;
static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static uint32_t mask_of(const int32_t *items, int64_t len)
{
    uint32_t m = 0;
    for (int64_t k = 0; k < len; k++)
        m |= 1u << items[k];
    return m;
}

static bool near(double a, double b)
{
    return (isinf(a) && a == b) || fabs(a - b) <= 1e-12 * (1 + fabs(b));
}

static void random_trial(void)
{
    enum { N = 80 };
    int64_t indptr[N + 1], cnt[1 << MAXI] = {0};
    int32_t items[N * MAXI * 2];
    uint32_t basket[N];
    int n_items = 1 + (int)(next() % MAXI);
    indptr[0] = 0;
    for (int b = 0; b < N; b++) {
        int64_t w = indptr[b];
        basket[b] = 0;
        for (int i = 0; i < n_items; i++)
            if (next() % 3 == 0) {
                items[w++] = i;
                basket[b] |= 1u << i;
                if (next() % 5 == 0)
                    items[w++] = i; /* a repeat counts once */
            }
        indptr[b + 1] = w;
    }
    for (uint32_t m = 1; m < (1u << n_items); m++)
        for (int b = 0; b < N; b++)
            cnt[m] += (basket[b] & m) == m;
    retain_rules_params p;
    retain_rules_params_init(&p);
    p.min_support = (double)(1 + next() % 20) / N;
    p.min_confidence = (double)(next() % 10) / 10;
    p.sort_by = RETAIN_METRIC_CONFIDENCE;
    int64_t minc = 1;
    while ((double)minc / N < p.min_support)
        minc++;
    retain_baskets bs = {indptr, items, N, n_items};
    retain_rules_result *r;
    CHECK(retain_rules_mine(&bs, &p, &r) == RETAIN_OK, "mine: %s", retain_last_error());
    if (!r)
        return;
    CHECK(retain_rules_basket_count(r) == N, "baskets");
    int64_t want = 0;
    for (uint32_t m = 1; m < (1u << n_items); m++)
        want += cnt[m] >= minc;
    CHECK(retain_rules_itemset_count(r) == want, "%lld itemsets, brute force %lld",
          (long long)retain_rules_itemset_count(r), (long long)want);
    for (int64_t i = 0; i < retain_rules_itemset_count(r); i++) {
        const int32_t *it;
        int64_t len, c;
        CHECK(retain_rules_itemset(r, i, &it, &len, &c) == RETAIN_OK, "itemset %lld", (long long)i);
        uint32_t m = mask_of(it, len);
        CHECK(__builtin_popcount(m) == len && c == cnt[m] && c >= minc,
              "itemset %#x: count %lld, brute force %lld", m, (long long)c, (long long)cnt[m]);
    }
    int64_t want_rules = 0;
    for (uint32_t x = 1; x < (1u << n_items); x++) {
        if (__builtin_popcount(x) < 2 || cnt[x] < minc)
            continue;
        for (uint32_t c = (x - 1) & x; c; c = (c - 1) & x)
            want_rules += ((double)cnt[x] / N) / ((double)cnt[x & ~c] / N) >= p.min_confidence;
    }
    CHECK(retain_rules_rule_count(r) == want_rules, "%lld rules, brute force %lld",
          (long long)retain_rules_rule_count(r), (long long)want_rules);
    double prev = INFINITY;
    for (int64_t i = 0; i < retain_rules_rule_count(r); i++) {
        retain_rule x;
        CHECK(retain_rules_rule(r, i, &x) == RETAIN_OK, "rule %lld", (long long)i);
        uint32_t a = mask_of(x.antecedent, x.antecedent_len);
        uint32_t c = mask_of(x.consequent, x.consequent_len);
        double sa = (double)cnt[a] / N, sc = (double)cnt[c] / N, sac = (double)cnt[a | c] / N;
        double conf = sac / sa, lev = sac - sa * sc;
        double den = fmax(sac * (1 - sa), sa * (sc - sac));
        CHECK(a && c && !(a & c) && x.count == cnt[a | c], "rule %#x -> %#x", a, c);
        CHECK(near(x.antecedent_support, sa) && near(x.consequent_support, sc) &&
                  near(x.support, sac) && near(x.confidence, conf) &&
                  near(x.lift, conf / sc) && near(x.leverage, lev) &&
                  near(x.conviction, conf < 1 ? (1 - sc) / (1 - conf) : INFINITY) &&
                  near(x.zhang, den == 0 ? 0 : lev / den),
              "rule %#x -> %#x measures", a, c);
        CHECK(x.confidence <= prev, "sorted by confidence");
        prev = x.confidence;
    }
    retain_rules_free(r);
}

int main(void)
{
    for (int t = 0; t < 200; t++)
        random_trial();

    retain_rules_params p;
    retain_rules_params_init(&p);
    CHECK(retain_rules_params_check(&p) == RETAIN_OK, "defaults are valid");
    p.min_support = 0;
    CHECK(retain_rules_params_check(&p) == RETAIN_ERR_USAGE &&
              strstr(retain_last_error(), "min_support"), "min_support 0: %s", retain_last_error());
    p.min_count = 3;
    CHECK(retain_rules_params_check(&p) == RETAIN_OK, "min_count replaces min_support");
    retain_rules_params_init(&p);
    p.min_confidence = 1.5;
    CHECK(retain_rules_params_check(&p) == RETAIN_ERR_USAGE &&
              strstr(retain_last_error(), "min_confidence"), "confidence 1.5: %s",
          retain_last_error());

    retain_rules_params_init(&p);
    int64_t indptr[3] = {0, 2, 1};
    int32_t items[2] = {0, 1};
    retain_baskets bad = {indptr, items, 2, 2};
    retain_rules_result *r = (retain_rules_result *)&p;
    CHECK(retain_rules_mine(&bad, &p, &r) == RETAIN_ERR_DATA && r == NULL &&
              strstr(retain_last_error(), "basket 1"), "decreasing indptr: %s", retain_last_error());
    int64_t ok_ptr[3] = {0, 2, 2};
    int32_t out_of_range[2] = {0, 7};
    retain_baskets bad2 = {ok_ptr, out_of_range, 2, 2};
    CHECK(retain_rules_mine(&bad2, &p, &r) == RETAIN_ERR_DATA &&
              strstr(retain_last_error(), "basket 0") && strstr(retain_last_error(), "item 7"),
          "item out of range: %s", retain_last_error());
    /* 4 items in every basket: 15 itemsets; a limit of 10 stops */
    int64_t ip4[3] = {0, 4, 8};
    int32_t it4[8] = {0, 1, 2, 3, 3, 2, 1, 0};
    retain_baskets four = {ip4, it4, 2, 4};
    p.min_count = 2;
    p.max_itemsets = 10;
    CHECK(retain_rules_mine(&four, &p, &r) == RETAIN_ERR_DATA &&
              strstr(retain_last_error(), "--max-itemsets 10"), "limit: %s", retain_last_error());
    p.max_itemsets = 15;
    p.itemsets_only = 1;
    CHECK(retain_rules_mine(&four, &p, &r) == RETAIN_OK && retain_rules_itemset_count(r) == 15 &&
              retain_rules_rule_count(r) == 0, "15 itemsets, no rules");
    retain_rules_free(r);
    CHECK_DONE();
}
