/*
** src/rules/rules.h: frequent itemsets and association rules over baskets
** in compressed sparse rows (src/io/baskets.h gives them that shape).
**
**   items.c     count items, keep the frequent ones, recode them by
**               descending frequency (code 0 = most frequent)
**   eclat.c     frequent itemsets by Eclat over occurrence lists, sharded
**               by first item over threads, merged in item order
**   index.c     itemset -> support lookup (hash of code sequences), closed
**               and maximal filters
**   measures.c  support, confidence, lift, leverage, conviction, Zhang
**   rulegen.c   rules A -> C from every frequent itemset, thresholds,
**               size limits, sorting
**   recommend.c the best consequents for a basket, over an index of the
**               rules by antecedent item
**
** Nothing here reads or writes files or prints; progress goes through a
** callback. Results are the same bits for any thread count.
*/
#ifndef RT_RULES_H
#define RT_RULES_H

#include "retain.h"

#include "core/log.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- items: frequency recoding ------------------------------------------- */

typedef struct rt_recoded {
    int64_t n_baskets;   /* baskets kept (the support denominator)          */
    int64_t n_long;      /* baskets left out for exceeding max_basket_len   */
    int64_t n_codes;     /* frequent items                                    */
    int32_t *code_item;  /* code -> item index of the baskets                 */
    int64_t *code_count; /* code -> baskets holding it (descending)           */
    int64_t n_trans;     /* baskets with two or more frequent items           */
    int64_t *toff;       /* n_trans + 1 offsets into tcode                    */
    int32_t *tcode;      /* their frequent items as codes, ascending          */
} rt_recoded;

/* Recodes baskets (indptr/items over n_items item indices, distinct per
** basket) keeping items in at least min_count baskets. Baskets of more
** than max_basket_len items (when > 0) are left out, denominator included. */
retain_status rt_items_recode(int64_t n, const int64_t *indptr, const int32_t *items,
                              int64_t n_items, int64_t min_count, int64_t max_basket_len,
                              rt_recoded *out);

/* Baskets among n of at most max_basket_len items (all when it is 0). */
int64_t rt_items_baskets_kept(int64_t n, const int64_t *indptr, int64_t max_basket_len);

/* The least count c with c / n >= support in float64, the comparison
** mlxtend and Spark make on supports (support in (0, 1], n >= 1). */
int64_t rt_items_min_count(double support, int64_t n);
void rt_recoded_free(rt_recoded *r);

/* ---- frequent itemsets ------------------------------------------------------ */

typedef enum rt_itemset_target {
    RT_ITEMSETS_ALL = 0,
    RT_ITEMSETS_CLOSED,  /* no superset with the same support */
    RT_ITEMSETS_MAXIMAL, /* no frequent superset              */
} rt_itemset_target;

typedef struct rt_mine_params {
    int64_t min_count;    /* >= 1                                              */
    int64_t max_len;      /* longest itemset reported; 0: no limit             */
    int64_t max_itemsets; /* stop with an error beyond this many               */
    rt_progress_fn progress;
    void *progress_user;
    double bitset_ratio;  /* bitsets at a node when nf^2 x words <= this x its
                             reduced cells; 0: the default, < 0: never      */
    int64_t max_bytes;    /* stop with an error when the itemsets found take
                             more memory than this; 0: no limit             */
} rt_mine_params;

/* Itemsets as code sequences in descending code order (the order of the
** search: each item added is more frequent than those before it). */
typedef struct rt_itemsets {
    int64_t count;
    int64_t *off;      /* count + 1 offsets into codes    */
    int32_t *codes;
    int64_t *support;  /* baskets holding the itemset      */
    int64_t max_len;   /* longest itemset found            */
} rt_itemsets;

/* Every itemset (size >= 1) in at least p->min_count baskets of r: first
** the single items by code, then per first item (by code) its itemsets in
** depth-first order. Fails (RETAIN_ERR_DATA) when more than
** p->max_itemsets would be found or they would take more than
** p->max_bytes, saying how many were found and what to raise. */
retain_status rt_eclat_mine(const rt_recoded *r, const rt_mine_params *p, rt_itemsets *out);
void rt_itemsets_free(rt_itemsets *s);

/* ---- lookup, closed and maximal -------------------------------------------- */

typedef struct rt_itemset_index {
    const rt_itemsets *sets;
    int64_t *slots; /* itemset number + 1, 0 for empty */
    int64_t nslots;
} rt_itemset_index;

retain_status rt_itemset_index_build(const rt_itemsets *s, rt_itemset_index *out);
void rt_itemset_index_free(rt_itemset_index *ix);
/* The itemset number of codes[0..len) (descending codes), or -1. */
int64_t rt_itemset_index_find(const rt_itemset_index *ix, const int32_t *codes, int64_t len);

/* Keeps only the closed or maximal itemsets of s (in place, order kept).
** An itemset of length max_len (when > 0) counts as maximal and closed
** only when no longer one was looked for; the caller says so in output. */
retain_status rt_itemsets_filter(rt_itemsets *s, rt_itemset_target target);

/* ---- measures --------------------------------------------------------------- */

typedef struct rt_rule_measures {
    double antecedent_support, consequent_support, support;
    double confidence, lift, leverage, conviction, zhang;
} rt_rule_measures;

/* Measures of A -> C from the basket counts of A u C, A and C among n
** baskets, as mlxtend.frequent_patterns.association_rules computes them:
** conviction is +inf at confidence 1; Zhang's metric is 0 when its
** denominator is. */
void rt_rule_measures_compute(int64_t n_ac, int64_t n_a, int64_t n_c, int64_t n,
                              rt_rule_measures *m);

typedef enum rt_rule_metric {
    RT_METRIC_SUPPORT = 0,
    RT_METRIC_CONFIDENCE,
    RT_METRIC_LIFT,
    RT_METRIC_LEVERAGE,
    RT_METRIC_CONVICTION,
    RT_METRIC_ZHANG,
    RT_METRIC_COUNT
} rt_rule_metric;

/* "support", "confidence", "lift", "leverage", "conviction", "zhang". */
const char *rt_rule_metric_name(rt_rule_metric m);
retain_status rt_rule_metric_parse(const char *name, rt_rule_metric *out);
double rt_rule_measure(const rt_rule_measures *m, rt_rule_metric which);

/* ---- rules ------------------------------------------------------------------ */

typedef struct rt_rule_params {
    double min[RT_METRIC_COUNT]; /* thresholds, -inf: none (support is set on mining) */
    int64_t max_antecedent;      /* 0: no limit */
    int64_t max_consequent;      /* 0: no limit */
    rt_rule_metric sort_by;      /* descending                                 */
    int64_t max_rules;           /* stop with an error beyond this many        */
    int64_t max_bytes;           /* or when they would take more memory (at
                                    most RT_RULE_BYTES each); 0: no limit      */
} rt_rule_params;

void rt_rule_params_init(rt_rule_params *p);

/* A rule: the itemset it comes from and which of its items (bit k for the
** k-th code of the itemset) form the consequent; the rest is the antecedent. */
typedef struct rt_rule {
    int64_t itemset;
    int64_t n_a, n_c; /* baskets holding the antecedent, the consequent */
    double key;       /* the measure the rules are sorted by            */
    uint32_t consequent_mask;
} rt_rule;

typedef struct rt_rules {
    int64_t count;
    rt_rule *rules;
} rt_rules;

/* Memory per rule at the peak of generation: the per-block buffers, the
** joined array, the sort pairs and the sorted copy. */
#define RT_RULE_BYTES 100

/* Longest itemset rules are made from: one of n items makes 2^n - 2. */
#define RT_RULES_MAX_ITEMSET_LEN 24

/* Every rule from an itemset of s of length 2 .. RT_RULES_MAX_ITEMSET_LEN
** meeting p (a longer one is an error naming --max-len), sorted by
** p->sort_by descending (ties: itemset order, then consequent mask). All
** subsets of an itemset are in s (s holds every frequent itemset). */
retain_status rt_rules_generate(const rt_itemsets *s, const rt_itemset_index *ix,
                                int64_t n_baskets, const rt_rule_params *p, rt_rules *out);
void rt_rules_free(rt_rules *r);

/* ---- recommendations ---------------------------------------------------------- */

/* Rules as a recommender uses them (read back from a rules file): items are
** indices 0 .. n_items - 1; score is the measure that ranks. */
typedef struct rt_rule_table {
    int64_t n_items, n_rules;
    int64_t *a_ptr; /* n_rules + 1 offsets into a  */
    int32_t *a;     /* antecedent items            */
    int64_t *c_ptr; /* n_rules + 1 offsets into c  */
    int32_t *c;     /* consequent items            */
    double *score;
} rt_rule_table;

/* Rules grouped by antecedent (group g's rules are rules[gptr[g] ..
** gptr[g+1]), each group filed under one of its antecedent items: item
** i's groups are groups[ptr[i] .. ptr[i+1]). */
typedef struct rt_recommender {
    const rt_rule_table *t;
    int64_t *ptr, *groups;
    int64_t n_groups;
    int64_t *gptr, *rules;
} rt_recommender;

retain_status rt_recommender_build(const rt_rule_table *t, rt_recommender *out);
void rt_recommender_free(rt_recommender *r);

typedef struct rt_recommendation {
    int32_t item;
    double score; /* the best score among the rules that recommend it */
    int64_t rule; /* that rule (the first in table order on ties)     */
} rt_recommendation;

/* Per-thread working memory for rt_recommend. */
typedef struct rt_recommend_scratch {
    int64_t *stamp;     /* per item: +-(basket number + 1) when in the basket */
    int64_t *best;      /* per item: best rule + 1 for it, 0: none         */
    int32_t *cand;      /* items with a best rule                          */
    rt_recommendation *sorted; /* the candidates, to sort                 */
    int64_t basket;     /* baskets seen, for stamp                         */
} rt_recommend_scratch;

retain_status rt_recommend_scratch_init(const rt_recommender *r, rt_recommend_scratch *s);
void rt_recommend_scratch_free(rt_recommend_scratch *s);

/* Up to `top` items not in basket[0..len) (item indices; repeats and
** indices outside the table are ignored) recommended by the rules whose
** antecedent lies wholly in the basket, best score first (ties: lower item
** index). Returns how many were written to out. */
int64_t rt_recommend(const rt_recommender *r, rt_recommend_scratch *s, const int32_t *basket,
                     int64_t len, int64_t top, rt_recommendation *out);

#endif
