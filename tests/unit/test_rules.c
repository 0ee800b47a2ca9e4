/*
** tests/unit/test_rules.c: frequent itemsets and rules (src/rules) against
** brute force. Random small basket sets (up to 12 items, so every one of
** the 4096 subsets can be counted directly) go through the .dat parser
** with repeats and blank lines thrown in; every itemset found must have
** the brute-force count, and the number found must equal the number of
** subsets at or above the minimum count (with --max-len, of that length or
** less); closed and maximal filters and every rule with its six measures
** are checked the same way, with the search on basket views only, on
** bitsets only, and mixed. Also: the same bits for 1 and 2 threads, the
** --max-itemsets guard, the text parsers' handling of names, quotes,
** the long format and bad input (file, line and column in the message),
** and recommendations against brute force over every rule.
*/
#include "check.h"

#include "core/error.h"
#include "io/baskets.h"
#include "rules/rules.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXI 12

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static int64_t uniform(int64_t lo, int64_t hi) { return lo + (int64_t)(next() % (uint64_t)(hi - lo + 1)); }

typedef struct world {
    int64_t n, n_items;
    uint32_t basket[400];      /* item masks                    */
    int64_t cnt[1 << MAXI];    /* baskets holding each subset   */
    rt_baskets b;
    rt_recoded r;
} world;

/* Random baskets written as .dat text (ids 0..n_items-1 plus an offset
** so ids are not the item indices), with repeats and blank lines. */
static void make_world(world *w, int64_t n, int64_t n_items, double density)
{
    memset(w, 0, sizeof *w);
    w->n = n;
    w->n_items = n_items;
    char *text = malloc((size_t)n * (MAXI * 2 + 2) * 4 + 16);
    size_t len = 0;
    for (int64_t i = 0; i < n; i++) {
        uint32_t m = 0;
        for (int64_t k = 0; k < n_items; k++)
            if ((double)(next() % 1000) < density * 1000) {
                m |= 1u << k;
                int reps = next() % 8 == 0 ? 2 : 1;
                for (int r = 0; r < reps; r++)
                    len += (size_t)sprintf(text + len, "%lld ", (long long)(k * 7 + 3));
            }
        w->basket[i] = m;
        text[len++] = '\n';
    }
    retain_status s = rt_baskets_parse(text, len, RT_BASKETS_DAT, "random.dat", &w->b);
    free(text);
    int64_t any = 0;
    for (int64_t i = 0; i < n; i++)
        any |= w->basket[i];
    if (!any) {
        CHECK(s == RETAIN_ERR_DATA, "no item at all is a data error");
        return;
    }
    CHECK(s == RETAIN_OK, "parse: %s", retain_last_error());
    CHECK(w->b.n == n, "baskets %lld, want %lld (blank lines are baskets)", (long long)w->b.n,
          (long long)n);
    for (uint32_t sub = 0; sub < (1u << n_items); sub++)
        for (int64_t i = 0; i < n; i++)
            w->cnt[sub] += (w->basket[i] & sub) == sub;
}

/* The item id (0..n_items-1) of code c. */
static int item_of(const world *w, int32_t c)
{
    size_t len;
    const char *s = rt_baskets_label(&w->b, w->r.code_item[c], &len);
    return (atoi(s) - 3) / 7;
}

static uint32_t mask_of(const world *w, const int32_t *codes, int64_t len)
{
    uint32_t m = 0;
    for (int64_t k = 0; k < len; k++)
        m |= 1u << item_of(w, codes[k]);
    return m;
}

static bool frequent(const world *w, uint32_t m, int64_t minc, int64_t max_len)
{
    int64_t len = __builtin_popcount(m);
    return m && w->cnt[m] >= minc && (max_len == 0 || len <= max_len);
}

/* Which search the tests force: views all the way (-1), bitsets from the
** first level down (1e30), or the default mix (0). */
static double bitset_ratio;

static void check_itemsets(world *w, int64_t minc, int64_t max_len, rt_itemset_target target)
{
    rt_mine_params p = {.min_count = minc, .max_len = max_len, .max_itemsets = 1 << 20,
                        .bitset_ratio = bitset_ratio};
    rt_itemsets s;
    CHECK(rt_items_recode(w->b.n, w->b.indptr, w->b.items, w->b.n_items, minc, 0, &w->r) == 0,
          "recode");
    CHECK(rt_eclat_mine(&w->r, &p, &s) == RETAIN_OK, "mine: %s", retain_last_error());
    if (target != RT_ITEMSETS_ALL)
        CHECK(rt_itemsets_filter(&s, target) == RETAIN_OK, "filter");
    static uint8_t seen[1 << MAXI];
    memset(seen, 0, sizeof seen);
    for (int64_t i = 0; i < s.count; i++) {
        uint32_t m = mask_of(w, s.codes + s.off[i], s.off[i + 1] - s.off[i]);
        CHECK(__builtin_popcount(m) == s.off[i + 1] - s.off[i], "distinct items in itemset");
        CHECK(!seen[m], "itemset %#x reported twice", m);
        seen[m] = 1;
        CHECK(s.support[i] == w->cnt[m], "itemset %#x: count %lld, brute force %lld", m,
              (long long)s.support[i], (long long)w->cnt[m]);
    }
    int64_t want = 0;
    for (uint32_t m = 1; m < (1u << w->n_items); m++) {
        if (!frequent(w, m, minc, max_len))
            continue;
        bool keep = true;
        for (int k = 0; keep && k < w->n_items; k++) {
            uint32_t sup = m | 1u << k;
            if (sup == m || !frequent(w, sup, minc, max_len))
                continue;
            if (target == RT_ITEMSETS_MAXIMAL || w->cnt[sup] == w->cnt[m])
                keep = target == RT_ITEMSETS_ALL;
        }
        want += keep;
        CHECK(!keep || seen[m], "frequent itemset %#x (count %lld, min %lld) missing", m,
              (long long)w->cnt[m], (long long)minc);
    }
    CHECK(s.count == want, "%lld itemsets (target %d), brute force %lld", (long long)s.count,
          (int)target, (long long)want);
    rt_itemsets_free(&s);
    rt_recoded_free(&w->r);
}

static bool close_to(double a, double b)
{
    if (isinf(a) || isinf(b))
        return a == b;
    return fabs(a - b) <= 1e-12 * (1 + fabs(b));
}

static void check_rules(world *w, int64_t minc, double minconf, double minlift, int64_t max_cons)
{
    rt_mine_params p = {.min_count = minc, .max_itemsets = 1 << 20, .bitset_ratio = bitset_ratio};
    rt_itemsets s;
    rt_itemset_index ix;
    rt_rules rules;
    rt_rule_params rp;
    rt_rule_params_init(&rp);
    rp.min[RT_METRIC_CONFIDENCE] = minconf;
    rp.min[RT_METRIC_LIFT] = minlift;
    rp.max_consequent = max_cons;
    rp.sort_by = RT_METRIC_CONFIDENCE;
    CHECK(rt_items_recode(w->b.n, w->b.indptr, w->b.items, w->b.n_items, minc, 0, &w->r) == 0,
          "recode");
    CHECK(rt_eclat_mine(&w->r, &p, &s) == RETAIN_OK, "mine");
    CHECK(rt_itemset_index_build(&s, &ix) == RETAIN_OK, "index");
    CHECK(rt_rules_generate(&s, &ix, w->n, &rp, &rules) == RETAIN_OK, "rules: %s",
          retain_last_error());
    static uint8_t seen[1 << MAXI][1 << MAXI];
    memset(seen, 0, sizeof seen);
    double n = (double)w->n;
    for (int64_t i = 0; i < rules.count; i++) {
        const rt_rule *r = &rules.rules[i];
        const int32_t *x = s.codes + s.off[r->itemset];
        int64_t len = s.off[r->itemset + 1] - s.off[r->itemset];
        uint32_t a = 0, c = 0;
        for (int64_t k = 0; k < len; k++)
            *(r->consequent_mask >> k & 1 ? &c : &a) |= 1u << item_of(w, x[k]);
        CHECK(a && c && !(a & c), "antecedent and consequent disjoint, non-empty");
        CHECK(!seen[a][c], "rule %#x -> %#x twice", a, c);
        seen[a][c] = 1;
        double sa = w->cnt[a] / n, sc = w->cnt[c] / n, sac = w->cnt[a | c] / n;
        double conf = sac / sa, lift = conf / sc, lev = sac - sa * sc;
        double conv = conf < 1 ? (1 - sc) / (1 - conf) : INFINITY;
        double den = fmax(sac * (1 - sa), sa * (sc - sac));
        double zhang = den == 0 ? 0 : lev / den;
        rt_rule_measures m;
        rt_rule_measures_compute(s.support[r->itemset], r->n_a, r->n_c, w->n, &m);
        CHECK(close_to(m.antecedent_support, sa) && close_to(m.consequent_support, sc) &&
                  close_to(m.support, sac) && close_to(m.confidence, conf) &&
                  close_to(m.lift, lift) && close_to(m.leverage, lev) &&
                  close_to(m.conviction, conv) && close_to(m.zhang, zhang),
              "rule %#x -> %#x measures", a, c);
        if (i > 0)
            CHECK(rules.rules[i - 1].key >= r->key, "sorted by confidence, descending");
    }
    int64_t want = 0;
    for (uint32_t x = 1; x < (1u << w->n_items); x++) {
        if (__builtin_popcount(x) < 2 || w->cnt[x] < minc)
            continue;
        for (uint32_t c = (x - 1) & x; c; c = (c - 1) & x) {
            uint32_t a = x & ~c;
            /* thresholds compare float64 supports, as mlxtend does */
            double conf = (w->cnt[x] / n) / (w->cnt[a] / n);
            double lift = conf / (w->cnt[c] / n);
            if (conf >= minconf && lift >= minlift &&
                (max_cons == 0 || __builtin_popcount(c) <= max_cons)) {
                want++;
                CHECK(seen[a][c], "rule %#x -> %#x missing", a, c);
            }
        }
    }
    CHECK(rules.count == want, "%lld rules, brute force %lld", (long long)rules.count,
          (long long)want);
    rt_rules_free(&rules);
    rt_itemset_index_free(&ix);
    rt_itemsets_free(&s);
    rt_recoded_free(&w->r);
}

static void property_tests(void)
{
    static world w;
    static const double ratios[3] = {0, -1, 1e30};
    for (int trial = 0; trial < 300; trial++) {
        bitset_ratio = ratios[trial % 3];
        int64_t n = uniform(1, 120), items = uniform(1, MAXI);
        make_world(&w, n, items, 0.1 + 0.8 * (double)(next() % 100) / 100);
        if (!w.b.items)
            continue;
        int64_t minc = uniform(1, n / 3 + 1);
        int64_t max_len = next() % 3 == 0 ? uniform(1, 4) : 0;
        check_itemsets(&w, minc, max_len, RT_ITEMSETS_ALL);
        if (trial % 3 == 0) {
            check_itemsets(&w, minc, 0, RT_ITEMSETS_CLOSED);
            check_itemsets(&w, minc, 0, RT_ITEMSETS_MAXIMAL);
        }
        double minconf = (double)(next() % 101) / 100;
        double minlift = next() % 4 == 0 ? 1.0 + (double)(next() % 100) / 100 : -INFINITY;
        check_rules(&w, minc, minconf, minlift, next() % 4 == 0 ? 1 : 0);
        rt_baskets_free(&w.b);
    }
}

/* The same itemsets and rules, bit for bit, with 1 and 2 threads. */
static void check_threads(void)
{
    size_t cap = 1 << 20, len = 0;
    char *text = malloc(cap);
    for (int i = 0; i < 3000; i++) {
        int k = (int)uniform(1, 15);
        for (int j = 0; j < k; j++)
            len += (size_t)sprintf(text + len, "%d ", (int)(uniform(0, 40) * uniform(0, 5)));
        text[len++] = '\n';
    }
    rt_baskets b;
    CHECK(rt_baskets_parse(text, len, RT_BASKETS_DAT, "t.dat", &b) == 0, "parse");
    free(text);
    rt_itemsets s[2];
    rt_rules rl[2];
    for (int t = 0; t < 2; t++) {
        retain_threads_set(t + 1);
        rt_recoded r;
        rt_itemset_index ix;
        rt_rule_params rp;
        rt_rule_params_init(&rp);
        rp.min[RT_METRIC_CONFIDENCE] = 0.2;
        rt_mine_params p = {.min_count = 5, .max_itemsets = 1 << 22};
        CHECK(rt_items_recode(b.n, b.indptr, b.items, b.n_items, 5, 0, &r) == 0 &&
                  rt_eclat_mine(&r, &p, &s[t]) == 0 && rt_itemset_index_build(&s[t], &ix) == 0 &&
                  rt_rules_generate(&s[t], &ix, r.n_baskets, &rp, &rl[t]) == 0,
              "mine with %d threads: %s", t + 1, retain_last_error());
        rt_itemset_index_free(&ix);
        rt_recoded_free(&r);
    }
    CHECK(s[0].count == s[1].count && s[0].count > 1000, "itemsets %lld vs %lld",
          (long long)s[0].count, (long long)s[1].count);
    CHECK(memcmp(s[0].off, s[1].off, (size_t)(s[0].count + 1) * 8) == 0 &&
              memcmp(s[0].codes, s[1].codes, (size_t)s[0].off[s[0].count] * 4) == 0 &&
              memcmp(s[0].support, s[1].support, (size_t)s[0].count * 8) == 0,
          "same itemsets in the same order");
    bool same = rl[0].count == rl[1].count && rl[0].count > 0;
    for (int64_t i = 0; same && i < rl[0].count; i++) {
        const rt_rule *x = &rl[0].rules[i], *y = &rl[1].rules[i];
        same = x->itemset == y->itemset && x->consequent_mask == y->consequent_mask &&
               x->n_a == y->n_a && x->n_c == y->n_c && memcmp(&x->key, &y->key, 8) == 0;
    }
    CHECK(same, "same rules in the same order (%lld, %lld)", (long long)rl[0].count,
          (long long)rl[1].count);
    /* the guard: one itemset fewer than there are */
    rt_recoded r;
    rt_itemsets g;
    rt_mine_params p = {.min_count = 5, .max_itemsets = s[0].count - 1};
    CHECK(rt_items_recode(b.n, b.indptr, b.items, b.n_items, 5, 0, &r) == 0, "recode");
    retain_status st = rt_eclat_mine(&r, &p, &g);
    CHECK(st == RETAIN_ERR_DATA && strstr(retain_last_error(), "--max-itemsets") &&
              strstr(retain_last_error(), "found") && strstr(retain_last_error(), "--min-support"),
          "guard: %d %s", (int)st, retain_last_error());
    p.max_itemsets = s[0].count;
    CHECK(rt_eclat_mine(&r, &p, &g) == RETAIN_OK && g.count == s[0].count,
          "exactly max_itemsets is fine");
    rt_itemsets_free(&g);
    rt_recoded_free(&r);
    for (int t = 0; t < 2; t++) {
        rt_itemsets_free(&s[t]);
        rt_rules_free(&rl[t]);
    }
    rt_baskets_free(&b);
    retain_threads_set(0);
}

static const char *label(const rt_baskets *b, int64_t basket, int64_t k)
{
    size_t len;
    return rt_baskets_label(b, b->items[b->indptr[basket] + k], &len);
}

static void expect_error(const char *text, rt_baskets_format fmt, retain_status want,
                         const char *part1, const char *part2)
{
    rt_baskets b;
    retain_status s = rt_baskets_parse(text, strlen(text), fmt, "in.txt", &b);
    CHECK(s == want, "'%s': status %d, want %d (%s)", text, (int)s, (int)want,
          retain_last_error());
    CHECK(strstr(retain_last_error(), "in.txt") && strstr(retain_last_error(), part1) &&
              (!part2 || strstr(retain_last_error(), part2)),
          "'%s': message names file, '%s' and '%s': %s", text, part1, part2 ? part2 : "",
          retain_last_error());
    if (s == RETAIN_OK)
        rt_baskets_free(&b);
}

static void check_parsers(void)
{
    rt_baskets b;
    const char *names = "whole milk,, yogurt ,\"rolls, buns\",whole milk,,\n\n"
                        "\"say \"\"cheese\"\"\"\r\nyogurt";
    CHECK(rt_baskets_parse(names, strlen(names), RT_BASKETS_NAMES, "g.csv", &b) == 0,
          "names: %s", retain_last_error());
    CHECK(b.n == 4 && b.empty == 1 && b.repeats == 1 && b.n_items == 4,
          "names: %lld baskets, %lld empty, %lld repeats, %lld items", (long long)b.n,
          (long long)b.empty, (long long)b.repeats, (long long)b.n_items);
    CHECK(b.indptr[1] == 3 && strcmp(label(&b, 0, 0), "whole milk") == 0 &&
              strcmp(label(&b, 0, 1), "yogurt") == 0 && strcmp(label(&b, 0, 2), "rolls, buns") == 0,
          "names: fields trimmed and unquoted");
    CHECK(strcmp(label(&b, 2, 0), "say \"cheese\"") == 0, "names: doubled quotes");
    rt_baskets_free(&b);

    const char *lng = "basket_id,item\nb2,x\nb1,y\n\nb2,z\nb2,x\nb1,\"w,v\"\n";
    CHECK(rt_baskets_parse(lng, strlen(lng), RT_BASKETS_AUTO, "l.csv", &b) == 0,
          "long: %s", retain_last_error());
    CHECK(b.format == RT_BASKETS_LONG && b.n == 2 && b.indptr[1] == 2 && b.indptr[2] == 4 &&
              b.repeats == 1,
          "long: baskets in order of first sight, repeat dropped");
    CHECK(strcmp(label(&b, 0, 0), "x") == 0 && strcmp(label(&b, 0, 1), "z") == 0 &&
              strcmp(label(&b, 1, 1), "w,v") == 0,
          "long: items of each basket");
    rt_baskets_free(&b);

    const char *bom = "\xef\xbb\xbfmilk,bread\n";
    CHECK(rt_baskets_parse(bom, strlen(bom), RT_BASKETS_NAMES, "b.csv", &b) == 0 &&
              strcmp(label(&b, 0, 0), "milk") == 0, "a UTF-8 byte-order mark is skipped");
    rt_baskets_free(&b);

    const char *dat = "1 2 3 \n\n  3\t1 1\r\n007";
    CHECK(rt_baskets_parse(dat, strlen(dat), RT_BASKETS_DAT, "d.dat", &b) == 0, "dat");
    CHECK(b.n == 4 && b.empty == 1 && b.repeats == 1 && b.indptr[4] == 6 && b.n_items == 4,
          "dat: blank line is an empty basket, last line without newline counts, repeat once");
    CHECK(strcmp(label(&b, 3, 0), "7") == 0, "dat: 007 is item 7");
    rt_baskets_free(&b);

    expect_error("1 2 3\n4 x5 6\n", RT_BASKETS_DAT, RETAIN_ERR_DATA, "line 2, column 3", "x5");
    expect_error("1,2\n", RT_BASKETS_DAT, RETAIN_ERR_DATA, "line 1, column 1", "--format names");
    expect_error("99999999999999999999\n", RT_BASKETS_DAT, RETAIN_ERR_DATA, "too large", NULL);
    expect_error("", RT_BASKETS_DAT, RETAIN_ERR_DATA, "empty", NULL);
    expect_error("\n\n\n", RT_BASKETS_DAT, RETAIN_ERR_DATA, "3 baskets but no item", NULL);
    expect_error("a,\"b\n", RT_BASKETS_NAMES, RETAIN_ERR_DATA, "line 1, column 3", "quote");
    expect_error("basket_id,item\nb1\n", RT_BASKETS_LONG, RETAIN_ERR_DATA, "line 2", "two");
    expect_error("basket_id,item\nb1,x,y\n", RT_BASKETS_LONG, RETAIN_ERR_DATA, "line 2, column 5",
                 "more than two");
    expect_error("basket_id,item\n", RT_BASKETS_LONG, RETAIN_ERR_DATA, "no baskets", NULL);
}

static void check_min_count(void)
{
    CHECK(rt_items_min_count(0.0001, 88162) == 9, "ceil(8.8162)");
    CHECK(rt_items_min_count(0.01, 100000) == 1000, "exact product");
    CHECK(rt_items_min_count(1, 7) == 7, "support 1");
    CHECK(rt_items_min_count(0.3, 10) == 3, "0.3 x 10: 3/10 >= 0.3 in float64");
    CHECK(rt_items_min_count(1e-9, 10) == 1, "at least 1");
}

/* Recommendations against brute force over every rule: random tables of
** rules (repeated antecedents included) and random baskets. */
static void check_recommend(void)
{
    enum { ITEMS = 30, RULES = 400, TOP = 5 };
    for (int trial = 0; trial < 40; trial++) {
        int64_t a_ptr[RULES + 1], c_ptr[RULES + 1];
        int32_t a[RULES * 3], c[RULES * 3];
        double score[RULES];
        a_ptr[0] = c_ptr[0] = 0;
        for (int r = 0; r < RULES; r++) {
            int na = (int)uniform(1, 3), nc = (int)uniform(1, 2);
            if (r > 0 && next() % 4 == 0) { /* the previous rule's antecedent again */
                na = (int)(a_ptr[r] - a_ptr[r - 1]);
                for (int k = 0; k < na; k++)
                    a[a_ptr[r] + k] = a[a_ptr[r - 1] + k];
            } else {
                for (int k = 0; k < na; k++)
                    a[a_ptr[r] + k] = (int32_t)uniform(0, ITEMS - 1);
            }
            for (int k = 0; k < nc; k++)
                c[c_ptr[r] + k] = (int32_t)uniform(0, ITEMS - 1);
            a_ptr[r + 1] = a_ptr[r] + na;
            c_ptr[r + 1] = c_ptr[r] + nc;
            score[r] = (double)(next() % 20) / 4; /* ties on purpose */
        }
        rt_rule_table t = {ITEMS, RULES, a_ptr, a, c_ptr, c, score};
        rt_recommender rec;
        rt_recommend_scratch sc;
        CHECK(rt_recommender_build(&t, &rec) == 0 && rt_recommend_scratch_init(&rec, &sc) == 0,
              "recommender");
        for (int b = 0; b < 50; b++) {
            int32_t basket[12];
            int len = (int)uniform(0, 12);
            bool in[ITEMS] = {false};
            for (int k = 0; k < len; k++) {
                basket[k] = (int32_t)uniform(-1, ITEMS); /* out of range ids are ignored */
                if (basket[k] >= 0 && basket[k] < ITEMS)
                    in[basket[k]] = true;
            }
            double best[ITEMS];
            int64_t from[ITEMS];
            for (int i = 0; i < ITEMS; i++)
                from[i] = -1;
            for (int r = 0; r < RULES; r++) {
                bool applies = true;
                for (int64_t k = a_ptr[r]; k < a_ptr[r + 1]; k++)
                    applies = applies && in[a[k]];
                for (int64_t k = c_ptr[r]; applies && k < c_ptr[r + 1]; k++)
                    if (!in[c[k]] && (from[c[k]] < 0 || score[r] > best[c[k]])) {
                        best[c[k]] = score[r];
                        from[c[k]] = r;
                    }
            }
            rt_recommendation got[TOP];
            int64_t n = rt_recommend(&rec, &sc, basket, len, TOP, got);
            int64_t want = 0;
            for (int i = 0; i < ITEMS; i++)
                want += from[i] >= 0;
            CHECK(n == (want < TOP ? want : TOP), "%lld recommendations, brute force %lld",
                  (long long)n, (long long)want);
            for (int64_t k = 0; k < n; k++) {
                int32_t i = got[k].item;
                CHECK(from[i] >= 0 && got[k].score == best[i] && got[k].rule == from[i],
                      "item %d: score %g rule %lld, brute force %g rule %lld", i, got[k].score,
                      (long long)got[k].rule, from[i] >= 0 ? best[i] : -1, (long long)from[i]);
                /* nothing left out ranks above the last one given */
                for (int j = 0; j < ITEMS && k == n - 1; j++) {
                    bool given = false;
                    for (int64_t q = 0; q < n; q++)
                        given = given || got[q].item == j;
                    CHECK(given || from[j] < 0 || best[j] < got[k].score ||
                              (best[j] == got[k].score && j > got[k].item),
                          "item %d (score %g) belongs in the top %d", j, best[j], TOP);
                }
            }
        }
        rt_recommend_scratch_free(&sc);
        rt_recommender_free(&rec);
    }
}

int main(void)
{
    check_parsers();
    check_min_count();
    property_tests();
    check_threads();
    check_recommend();
    CHECK_DONE();
}
