/*
** src/cli/cmd_rules.c: `retain rules BASKETS --min-support S -o OUT`:
** reads baskets (src/io/baskets.h), mines frequent itemsets (src/rules)
** and, unless --itemsets-only, association rules with every standard
** measure, and writes them to .csv, .jsonl or .h5, atomically. Every
** limit that could cut results short is an error that says what to raise;
** --max-basket-len, which leaves baskets out, is opt-in and reported.
*/
#include "cli.h"

#include "core/error.h"
#include "core/mem.h"
#include "io/atomic.h"
#include "io/baskets.h"
#include "io/rules_write.h"
#include "rules/rules.h"

#include <math.h>
#include <string.h>

typedef struct rules_args {
    double min_support, min_confidence, min_lift, min_leverage, min_conviction, min_zhang;
    int64_t min_count, max_len, max_antecedent, max_consequent, max_itemsets, max_rules;
    int64_t max_basket_len;
    bool itemsets_only;
    const char *format, *group, *target, *sort_by, *output;
} rules_args;

typedef struct rules_run {
    rt_baskets baskets;
    rt_basket_lengths lengths;
    rt_recoded recoded;
    rt_itemsets itemsets;
    rt_itemset_index index;
    rt_rules rules;
    int64_t min_count, rules_count;
    double t_read, t_mine, t_rules, t_write;
} rules_run;

static void run_free(rules_run *r)
{
    rt_rules_free(&r->rules);
    rt_itemset_index_free(&r->index);
    rt_itemsets_free(&r->itemsets);
    rt_recoded_free(&r->recoded);
    rt_baskets_free(&r->baskets);
}

static retain_status write_output(const rules_args *a, rules_run *r, const char *input)
{
    rt_rules_out o = {&r->baskets, &r->recoded, &r->itemsets,
                      a->itemsets_only ? NULL : &r->rules, r->min_count, a->max_len,
                      a->min_confidence, a->target};
    rt_output out;
    const char *inputs[1] = {input};
    retain_status s = rt_output_begin(&out, a->output, inputs, 1);
    if (s)
        return s;
    if (cli_has_suffix(a->output, ".h5") || cli_has_suffix(a->output, ".hdf5")) {
        s = rt_rules_write_h5(&o, out.tmp_path);
    } else {
        FILE *f;
        if (!(s = rt_output_stream(&out, &f)))
            s = rt_rules_write_text(&o, f, cli_has_suffix(a->output, ".jsonl"), a->output);
    }
    if (s) {
        rt_output_abort(&out);
        return s;
    }
    return rt_output_commit(&out);
}

static void summary(const rules_args *a, const rules_run *r, const char *input, double seconds)
{
    cli_json j;
    json_begin(&j, stdout);
    json_string(&j, "command", "rules");
    json_string(&j, "input", input);
    json_string(&j, "format", rt_baskets_format_name(r->baskets.format));
    json_string(&j, "output", a->output);
    json_int(&j, "baskets", r->baskets.n);
    json_int(&j, "baskets_used", r->recoded.n_baskets);
    json_int(&j, "baskets_left_out_longer_than_max_basket_len", r->recoded.n_long);
    json_int(&j, "empty_baskets", r->baskets.empty);
    json_int(&j, "items", r->baskets.n_items);
    json_int(&j, "pairs", r->baskets.indptr[r->baskets.n]);
    json_int(&j, "repeated_items_counted_once", r->baskets.repeats);
    json_object(&j, "basket_length");
    json_double(&j, "mean", r->lengths.mean);
    json_int(&j, "p50", r->lengths.p50);
    json_int(&j, "p90", r->lengths.p90);
    json_int(&j, "p99", r->lengths.p99);
    json_int(&j, "p999", r->lengths.p999);
    json_int(&j, "max", r->lengths.max);
    json_object_end(&j);
    json_int(&j, "min_count", r->min_count);
    json_double(&j, "min_support", (double)r->min_count / (double)r->recoded.n_baskets);
    json_int(&j, "frequent_items", r->recoded.n_codes);
    json_string(&j, "target", a->target);
    json_int(&j, "itemsets", r->itemsets.count);
    json_int(&j, "longest_itemset", r->itemsets.max_len);
    json_bool(&j, "truncated", false);
    if (!a->itemsets_only) {
        json_double(&j, "min_confidence", a->min_confidence);
        json_int(&j, "rules", r->rules.count);
        json_string(&j, "sorted_by", a->sort_by);
    }
    json_object(&j, "seconds");
    json_double(&j, "read", r->t_read);
    json_double(&j, "mine", r->t_mine);
    json_double(&j, "rules", r->t_rules);
    json_double(&j, "write", r->t_write);
    json_double(&j, "total", seconds);
    json_object_end(&j);
    json_end(&j);
}

static int check_args(const cli_command *cmd, const cli_common *common, rules_args *a,
                      rt_baskets_format *fmt, rt_itemset_target *target, rt_rule_metric *sort)
{
    if (!a->output)
        return cli_usage_error(cmd, common, "no output file: give -o OUT.csv, OUT.jsonl or OUT.h5");
    if (!cli_has_suffix(a->output, ".csv") && !cli_has_suffix(a->output, ".jsonl") &&
        !cli_has_suffix(a->output, ".h5") && !cli_has_suffix(a->output, ".hdf5"))
        return cli_usage_error(cmd, common,
                               "-o %s: unknown output type; name it .csv, .jsonl or .h5",
                               a->output);
    if (isnan(a->min_support) && a->min_count == 0)
        return cli_usage_error(cmd, common, "give --min-support S (a fraction of baskets in "
                               "(0, 1]) or --min-count N (a number of baskets)");
    if (!isnan(a->min_support) && a->min_count)
        return cli_usage_error(cmd, common, "give --min-support or --min-count, not both");
    if (!isnan(a->min_support) && !(a->min_support > 0 && a->min_support <= 1))
        return cli_usage_error(cmd, common,
                               "--min-support must be in (0, 1], got %g (a share of baskets; "
                               "for a number of baskets use --min-count)",
                               a->min_support);
    retain_status s;
    if ((s = rt_baskets_format_parse(a->format, fmt)))
        return cli_usage_error(cmd, common, "%s", retain_last_error());
    if ((s = rt_rule_metric_parse(a->sort_by, sort)))
        return cli_usage_error(cmd, common, "--sort-by: %s", retain_last_error());
    if (strcmp(a->target, "all") == 0)
        *target = RT_ITEMSETS_ALL;
    else if (strcmp(a->target, "closed") == 0)
        *target = RT_ITEMSETS_CLOSED;
    else if (strcmp(a->target, "maximal") == 0)
        *target = RT_ITEMSETS_MAXIMAL;
    else
        return cli_usage_error(cmd, common, "--target must be all, closed or maximal, not '%s'",
                               a->target);
    if (*target != RT_ITEMSETS_ALL && !a->itemsets_only)
        return cli_usage_error(cmd, common, "--target %s needs --itemsets-only (rules come "
                               "from all frequent itemsets)", a->target);
    return 0;
}

int cmd_rules(int argc, char **argv)
{
    rules_args a = {.min_support = NAN, .min_confidence = 0.8, .min_lift = -INFINITY,
                    .min_leverage = -INFINITY, .min_conviction = -INFINITY,
                    .min_zhang = -INFINITY, .max_itemsets = 50000000, .max_rules = 100000000,
                    .format = "auto", .target = "all", .sort_by = "lift"};
    cli_common common = {0};
    cli_opt opts[] = {
        {"min-support", 's', CLI_DOUBLE, &a.min_support, "S", "least support of an itemset: "
         "a share of baskets in (0, 1]; frequent means count >= S x baskets", 1, 0},
        {"min-count", 0, CLI_INT, &a.min_count, "N", "least support as a number of baskets "
         "(instead of --min-support; 0: not used)", 1, 1e15},
        {"min-confidence", 'c', CLI_DOUBLE, &a.min_confidence, "C", "least confidence of a "
         "rule, in [0, 1]", 0, 1},
        {"min-lift", 0, CLI_DOUBLE, &a.min_lift, "L", "least lift of a rule (-inf: none)", 1, 0},
        {"min-leverage", 0, CLI_DOUBLE, &a.min_leverage, "V", "least leverage of a rule (-inf: none)", 1, 0},
        {"min-conviction", 0, CLI_DOUBLE, &a.min_conviction, "V", "least conviction of a rule (-inf: none)", 1, 0},
        {"min-zhang", 0, CLI_DOUBLE, &a.min_zhang, "Z", "least Zhang's metric, in [-1, 1] (-inf: none)", 1, 0},
        {"max-len", 0, CLI_INT, &a.max_len, "K", "longest itemset (0: no limit)", 0, 1e9},
        {"max-antecedent", 0, CLI_INT, &a.max_antecedent, "K", "most items left of a rule "
         "(0: no limit)", 0, 1e9},
        {"max-consequent", 0, CLI_INT, &a.max_consequent, "K", "most items right of a rule "
         "(0: no limit)", 0, 1e9},
        {"itemsets-only", 0, CLI_FLAG, &a.itemsets_only, NULL, "write the frequent itemsets, "
         "no rules", 1, 0},
        {"target", 0, CLI_STRING, &a.target, "all|closed|maximal", "which frequent itemsets "
         "to write (closed, maximal: with --itemsets-only)", 1, 0},
        {"sort-by", 0, CLI_STRING, &a.sort_by, "METRIC", "rules sorted by support, "
         "confidence, lift, leverage, conviction or zhang, descending", 1, 0},
        {"max-itemsets", 0, CLI_INT, &a.max_itemsets, "N", "stop with an error beyond N "
         "itemsets instead of exhausting memory", 1, 1e15},
        {"max-rules", 0, CLI_INT, &a.max_rules, "N", "stop with an error beyond N rules", 1, 1e15},
        {"max-basket-len", 0, CLI_INT, &a.max_basket_len, "N", "leave out baskets of more "
         "than N items (0: keep all); the count left out is reported", 0, 1e12},
        {"format", 0, CLI_STRING, &a.format, "auto|dat|names|long|h5", "input format "
         "(auto: by name and header)", 1, 0},
        {"group", 0, CLI_STRING, &a.group, "PATH", "HDF5 group holding indptr and indices "
         "(default /baskets, else the root)", 1, 0},
        {"output", 'o', CLI_STRING, &a.output, "OUT", "output: .csv, .jsonl or .h5 (required)",
         1, 0},
        {0},
    };
    cli_command cmd = {
        "rules", "BASKETS --min-support S [--min-confidence C] [--itemsets-only] -o OUT",
        "Frequent itemsets and association rules (support, confidence, lift, leverage, "
        "conviction, Zhang).",
        "BASKETS is one of:\n"
        "  .dat   FIMI: one basket a line, item ids separated by spaces\n"
        "  .csv   item names separated by commas, one basket a line (empty fields\n"
        "         ignored), or, when the header is basket_id,item, one (basket, item)\n"
        "         pair a line\n"
        "  .h5    a group with indptr and indices (CSR), optional item_names\n"
        "An item repeated in a basket counts once; a blank line is an empty basket\n"
        "(it counts in the support denominator).\n\n"
        "An itemset is frequent when count >= S x baskets (the comparison mlxtend\n"
        "makes). Rules A -> C come from every frequent itemset; confidence =\n"
        "supp(AC)/supp(A), lift = confidence/supp(C), leverage = supp(AC) -\n"
        "supp(A)supp(C), conviction = (1 - supp(C))/(1 - confidence) (inf at 1),\n"
        "Zhang's metric as in mlxtend. Nothing is cut silently: --max-itemsets and\n"
        "--max-rules stop with an error naming the threshold to raise.\n\n"
        "CSV columns: items,size,count,support (itemsets) or antecedent,consequent,\n"
        "antecedent_support,consequent_support,support,confidence,lift,leverage,\n"
        "conviction,zhangs_metric,count (rules); items of an itemset are one quoted,\n"
        "comma-joined field, most frequent first (for item names holding commas use\n"
        ".jsonl, whose items are JSON arrays, or .h5).\n\n"
        "examples:\n"
        "  retain rules retail.dat --min-support 0.001 --min-confidence 0.5 -o rules.csv\n"
        "  retain rules groceries.csv --min-support 0.01 --itemsets-only -o sets.jsonl",
        opts, 1, 1};
    const char *pos[1];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    rt_baskets_format fmt = RT_BASKETS_AUTO;
    rt_itemset_target target = RT_ITEMSETS_ALL;
    rt_rule_metric sort = RT_METRIC_LIFT;
    if ((rc = check_args(&cmd, &common, &a, &fmt, &target, &sort)))
        return rc;

    double t0 = rt_seconds(), t = t0;
    rules_run r;
    memset(&r, 0, sizeof r);
    cli_progress progress;
    cli_progress_start(&progress, &common);
    retain_status s = rt_baskets_read(pos[0], fmt, a.group, &r.baskets);
    if (!s)
        s = rt_baskets_lengths(&r.baskets, &r.lengths);
    r.t_read = rt_seconds() - t;
    if (!s) {
        cli_note(&common, "%s: %lld baskets, %lld items, %lld (basket, item) pairs; basket "
                 "length mean %.1f, median %lld, p99 %lld, max %lld%s",
                 pos[0], (long long)r.baskets.n, (long long)r.baskets.n_items,
                 (long long)r.baskets.indptr[r.baskets.n], r.lengths.mean,
                 (long long)r.lengths.p50, (long long)r.lengths.p99, (long long)r.lengths.max,
                 r.lengths.max > 100 * (r.lengths.p99 + 1)
                     ? " (a few very long baskets: --max-basket-len leaves them out)"
                     : "");
        int64_t kept = rt_items_baskets_kept(r.baskets.n, r.baskets.indptr, a.max_basket_len);
        if (kept == 0)
            s = rt_error(RETAIN_ERR_DATA, "--max-basket-len %lld leaves no basket; raise it",
                         (long long)a.max_basket_len);
        else
            r.min_count = a.min_count ? a.min_count : rt_items_min_count(a.min_support, kept);
    }
    t = rt_seconds();
    if (!s)
        s = rt_items_recode(r.baskets.n, r.baskets.indptr, r.baskets.items, r.baskets.n_items,
                            r.min_count, a.max_basket_len, &r.recoded);
    if (!s && r.recoded.n_long)
        cli_note(&common, "left out %lld baskets of more than %lld items (--max-basket-len)",
                 (long long)r.recoded.n_long, (long long)a.max_basket_len);
    rt_mine_params mp = {.min_count = r.min_count, .max_len = a.max_len,
                         .max_itemsets = a.max_itemsets, .progress = cli_progress_report,
                         .progress_user = &progress, .max_bytes = rt_mem_available() / 4};
    if (!s)
        s = rt_eclat_mine(&r.recoded, &mp, &r.itemsets);
    if (!s && target != RT_ITEMSETS_ALL && a.max_len > 0)
        cli_note(&common, "--target %s with --max-len %lld: %s among itemsets of at most %lld "
                 "items (a longer superset is not looked for)", a.target, (long long)a.max_len,
                 a.target, (long long)a.max_len);
    if (!s)
        s = rt_itemsets_filter(&r.itemsets, target);
    r.t_mine = rt_seconds() - t;
    t = rt_seconds();
    if (!s && !a.itemsets_only) {
        rt_rule_params rp;
        rt_rule_params_init(&rp);
        rp.min[RT_METRIC_CONFIDENCE] = a.min_confidence;
        rp.min[RT_METRIC_LIFT] = a.min_lift;
        rp.min[RT_METRIC_LEVERAGE] = a.min_leverage;
        rp.min[RT_METRIC_CONVICTION] = a.min_conviction;
        rp.min[RT_METRIC_ZHANG] = a.min_zhang;
        rp.max_antecedent = a.max_antecedent;
        rp.max_consequent = a.max_consequent;
        rp.sort_by = sort;
        rp.max_rules = a.max_rules;
        rp.max_bytes = rt_mem_available() / 4;
        if (!(s = rt_itemset_index_build(&r.itemsets, &r.index)))
            s = rt_rules_generate(&r.itemsets, &r.index, r.recoded.n_baskets, &rp, &r.rules);
    }
    r.t_rules = rt_seconds() - t;
    t = rt_seconds();
    if (!s)
        s = write_output(&a, &r, pos[0]);
    r.t_write = rt_seconds() - t;
    cli_progress_finish(&progress);
    if (s) {
        run_free(&r);
        return cli_fail(&cmd, &common, s);
    }
    double seconds = rt_seconds() - t0;
    if (a.itemsets_only)
        cli_note(&common, "%lld %s frequent itemsets (min count %lld) -> %s in %.2f s",
                 (long long)r.itemsets.count, a.target, (long long)r.min_count, a.output,
                 seconds);
    else
        cli_note(&common, "%lld frequent itemsets (min count %lld), %lld rules -> %s in %.2f s",
                 (long long)r.itemsets.count, (long long)r.min_count, (long long)r.rules.count,
                 a.output, seconds);
    if (common.json)
        summary(&a, &r, pos[0], seconds);
    run_free(&r);
    return 0;
}
