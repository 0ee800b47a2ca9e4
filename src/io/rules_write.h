/*
** src/io/rules_write.h: writing frequent itemsets and association rules as
** CSV (item labels, comma-joined and quoted, in one field), JSON lines or
** HDF5. Items are labelled as the baskets named them (names or ids) and
** listed most frequent first. Text goes through one large buffer with
** hand-made number formatting, since outputs run to millions of lines.
*/
#ifndef RT_IO_RULES_WRITE_H
#define RT_IO_RULES_WRITE_H

#include "retain.h"

#include "io/baskets.h"
#include "io/strmap.h"
#include "rules/rules.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct rt_rules_out {
    const rt_baskets *baskets;
    const rt_recoded *recoded;
    const rt_itemsets *itemsets;
    const rt_rules *rules; /* NULL: itemsets only */
    /* the run, for HDF5 attributes */
    int64_t min_count, max_len;
    double min_confidence;
    const char *target; /* all, closed or maximal */
} rt_rules_out;

/* Itemsets (o->rules NULL) or rules to a text stream: CSV, or JSON lines
** when jsonl. A failed write is RETAIN_ERR_IO naming `name`. */
retain_status rt_rules_write_text(const rt_rules_out *o, FILE *f, bool jsonl, const char *name);

/* The same to an HDF5 file at path (an rt_output temporary), the run in
** root attributes (baskets, baskets_left_out, min_count, max_len, target,
** min_confidence): /items (the labels), /itemsets/{indptr,items,count,support} and, with rules,
** /rules/{antecedent_indptr,antecedent,consequent_indptr,consequent,count}
** and one float64 dataset per measure; item entries index /items. */
retain_status rt_rules_write_h5(const rt_rules_out *o, const char *path);

/* Recommendations for n baskets: basket b's are recs[b * top ..] (count[b]
** of them), items labelled from the rules file's labels. CSV columns
** basket,rank,item,score,antecedent,consequent (basket: 1-based, in input
** order; the rule that gave the item), or JSON lines, one per basket. */
retain_status rt_recommendations_write_text(FILE *f, bool jsonl, const char *name,
                                            const char *metric, const rt_rule_table *t,
                                            const rt_strmap *labels, int64_t n, int64_t top,
                                            const rt_recommendation *recs, const int64_t *count);

#endif
