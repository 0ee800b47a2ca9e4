/*
** src/cli/cmd_rules_recommend.c: `retain rules recommend RULES.h5 ITEM...`
** and `--baskets FILE -o OUT`: the best next items for a basket, or for
** every basket of a file, from a rules file written by `retain rules`,
** ranked by a chosen measure (src/rules/recommend.c). Baskets are scored
** in parallel, each into its own slots, and written in input order.
*/
#include "cli.h"

#include "core/error.h"
#include "io/atomic.h"
#include "io/baskets.h"
#include "io/rules_read.h"
#include "io/rules_write.h"
#include "rules/rules.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

typedef struct batch {
    int64_t n, top;
    rt_recommendation *recs;
    int64_t *count;
} batch;

/* Every basket of b, its items mapped to the rules' items. */
static retain_status score_baskets(const rt_recommender *rec, const rt_rules_file *f,
                                   const rt_baskets *b, batch *out, cli_progress *progress)
{
    int32_t *map = malloc((size_t)(b->n_items ? b->n_items : 1) * sizeof *map);
    out->n = b->n;
    out->recs = malloc((size_t)(b->n * out->top) * sizeof *out->recs);
    out->count = calloc((size_t)b->n, sizeof *out->count);
    if (!map || !out->recs || !out->count) {
        free(map);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld baskets' recommendations",
                        (long long)b->n);
    }
    for (int64_t i = 0; i < b->n_items; i++) {
        size_t len;
        const char *s = rt_baskets_label(b, i, &len);
        map[i] = rt_strmap_find(&f->labels, s, len);
    }
    volatile int oom = 0;
    int64_t done = 0;
#pragma omp parallel if (b->n > 1024)
    {
        rt_recommend_scratch s;
        int32_t *items = malloc((size_t)(b->max_len ? b->max_len : 1) * sizeof *items);
        if (rt_recommend_scratch_init(rec, &s) || !items)
            oom = 1;
#pragma omp for schedule(dynamic, 256)
        for (int64_t k = 0; k < b->n; k++) {
            if (oom)
                continue;
            int64_t len = 0;
            for (int64_t q = b->indptr[k]; q < b->indptr[k + 1]; q++)
                if (map[b->items[q]] >= 0)
                    items[len++] = map[b->items[q]];
            out->count[k] = rt_recommend(rec, &s, items, len, out->top, out->recs + k * out->top);
            if (k % 1024 == 0) {
                int64_t d;
#pragma omp atomic capture
                d = done += 1024;
                if (omp_get_thread_num() == 0)
                    cli_progress_report(progress, "recommend", d < b->n ? d : b->n, b->n);
            }
        }
        rt_recommend_scratch_free(&s);
        free(items);
    }
    free(map);
    if (oom)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for recommendations");
    return RETAIN_OK;
}

static retain_status write_batch(const char *output, const char *const *inputs, int ninputs,
                                 const char *metric, const rt_rules_file *f, const batch *bt)
{
    rt_output out;
    FILE *text;
    retain_status s = rt_output_begin(&out, output, inputs, ninputs);
    if (s)
        return s;
    if (!(s = rt_output_stream(&out, &text)))
        s = rt_recommendations_write_text(text, cli_has_suffix(output, ".jsonl"), output, metric,
                                          &f->table, &f->labels, bt->n, bt->top, bt->recs,
                                          bt->count);
    if (s) {
        rt_output_abort(&out);
        return s;
    }
    return rt_output_commit(&out);
}

static void print_one(const rt_rules_file *f, const rt_recommendation *r, int64_t n,
                      const char *metric)
{
    const rt_strmap *l = &f->labels;
    const rt_rule_table *t = &f->table;
    printf("rank  %-12s item  (from rule)\n", metric);
    for (int64_t k = 0; k < n; k++) {
        printf("%4lld  %-12.6g %s  (", (long long)(k + 1), r[k].score,
               l->text + l->off[r[k].item]);
        for (int64_t q = t->a_ptr[r[k].rule]; q < t->a_ptr[r[k].rule + 1]; q++)
            printf("%s%s", q > t->a_ptr[r[k].rule] ? ", " : "", l->text + l->off[t->a[q]]);
        printf(" -> ");
        for (int64_t q = t->c_ptr[r[k].rule]; q < t->c_ptr[r[k].rule + 1]; q++)
            printf("%s%s", q > t->c_ptr[r[k].rule] ? ", " : "", l->text + l->off[t->c[q]]);
        printf(")\n");
    }
}

int cmd_rules_recommend(int argc, char **argv)
{
    cli_common common = {0};
    const char *by = "confidence", *baskets_path = NULL, *output = NULL, *format = "auto";
    int64_t top = 10;
    cli_opt opts[] = {
        {"by", 0, CLI_STRING, &by, "METRIC", "rank items by the best support, confidence, "
         "lift, leverage, conviction or zhang of the rules that recommend them", 1, 0},
        {"top", 'k', CLI_INT, &top, "N", "items per basket", 1, 1e6},
        {"baskets", 0, CLI_STRING, &baskets_path, "FILE", "recommend for every basket of FILE "
         "(any format `retain rules` reads) instead of the ITEMs given", 1, 0},
        {"format", 0, CLI_STRING, &format, "auto|dat|names|long|h5", "format of --baskets", 1, 0},
        {"output", 'o', CLI_STRING, &output, "OUT", "with --baskets: .csv or .jsonl (required)",
         1, 0},
        {0},
    };
    cli_command cmd = {
        "rules recommend", "RULES.h5 ITEM... | RULES.h5 --baskets FILE -o OUT.csv",
        "The best next items for a basket, from rules written by `retain rules -o RULES.h5`.",
        "A rule applies when its whole antecedent is in the basket; each item of its\n"
        "consequent not already in the basket is a candidate, scored by the best\n"
        "--by measure among the rules that name it (ties: the first rule in the\n"
        "file). Items the rules never mention are ignored. The rules are indexed by\n"
        "antecedent item, so work per basket follows its items' rules, not the\n"
        "number of rules.\n\n"
        "CSV columns: basket (1-based, input order), rank, item, the measure,\n"
        "antecedent, consequent (the rule behind the item).\n\n"
        "examples:\n"
        "  retain rules groceries.csv -s 0.005 -c 0.2 -o rules.h5\n"
        "  retain rules recommend rules.h5 'whole milk' yogurt --by lift\n"
        "  retain rules recommend rules.h5 --baskets groceries.csv -o recs.csv",
        opts, 1, 1 << 20};
    const char **pos = malloc((size_t)(argc + 1) * sizeof *pos);
    int npos;
    bool done;
    if (!pos)
        return cli_fail(&cmd, &common, rt_error(RETAIN_ERR_INTERNAL, "out of memory"));
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    rt_rule_metric metric = RT_METRIC_CONFIDENCE;
    rt_baskets_format fmt = RT_BASKETS_AUTO;
    if (!rc && !done) {
        if (rt_rule_metric_parse(by, &metric))
            rc = cli_usage_error(&cmd, &common, "--by: %s", retain_last_error());
        else if (rt_baskets_format_parse(format, &fmt))
            rc = cli_usage_error(&cmd, &common, "%s", retain_last_error());
        else if (baskets_path && npos > 1)
            rc = cli_usage_error(&cmd, &common, "give ITEMs or --baskets FILE, not both");
        else if (!baskets_path && npos < 2)
            rc = cli_usage_error(&cmd, &common, "no basket: give its items after RULES.h5, or "
                                 "--baskets FILE -o OUT.csv");
        else if (baskets_path && (!output || (!cli_has_suffix(output, ".csv") &&
                                              !cli_has_suffix(output, ".jsonl"))))
            rc = cli_usage_error(&cmd, &common, "--baskets needs -o OUT.csv or -o OUT.jsonl");
    }
    if (rc || done) {
        free(pos);
        return rc;
    }
    double t0 = rt_seconds();
    rt_rules_file f;
    rt_recommender rec = {0};
    rt_baskets b = {0};
    batch bt = {0, top, NULL, NULL};
    cli_progress progress;
    cli_progress_start(&progress, &common);
    retain_status s = rt_rules_file_read(pos[0], metric, &f);
    if (!s)
        s = rt_recommender_build(&f.table, &rec);
    double t_load = rt_seconds() - t0, t_score = 0;
    int64_t unknown = 0;
    if (!s && !baskets_path) {
        int32_t *items = malloc((size_t)npos * sizeof *items);
        rt_recommend_scratch sc;
        rt_recommendation *r = malloc((size_t)top * sizeof *r);
        if (!items || !r || (s = rt_recommend_scratch_init(&rec, &sc))) {
            s = s ? s : rt_error(RETAIN_ERR_INTERNAL, "out of memory");
        } else {
            int64_t len = 0;
            for (int k = 1; k < npos; k++) {
                items[len] = rt_strmap_find(&f.labels, pos[k], strlen(pos[k]));
                if (items[len] >= 0)
                    len++;
                else
                    cli_note(&common, "'%s' is in no rule of %s; ignored", pos[k], pos[0]);
            }
            unknown = npos - 1 - len;
            int64_t n = rt_recommend(&rec, &sc, items, len, top, r);
            if (!common.json)
                print_one(&f, r, n, by);
            bt.n = 1;
            bt.recs = r;
            bt.count = &n;
            if (common.json) {
                cli_json j;
                json_begin(&j, stdout);
                json_string(&j, "command", "rules recommend");
                json_string(&j, "rules", pos[0]);
                json_int(&j, "rule_count", f.table.n_rules);
                json_int(&j, "unknown_items", unknown);
                json_string(&j, "by", by);
                json_array(&j, "recommendations");
                for (int64_t k = 0; k < n; k++) {
                    json_object(&j, NULL);
                    json_string(&j, "item", f.labels.text + f.labels.off[r[k].item]);
                    json_double(&j, by, r[k].score);
                    json_int(&j, "rule", r[k].rule);
                    json_object_end(&j);
                }
                json_array_end(&j);
                json_end(&j);
            }
            rt_recommend_scratch_free(&sc);
            bt.recs = NULL;
            bt.count = NULL;
        }
        free(items);
        free(r);
    } else if (!s) {
        double t1 = rt_seconds();
        if (!(s = rt_baskets_read(baskets_path, fmt, NULL, &b)) &&
            !(s = score_baskets(&rec, &f, &b, &bt, &progress))) {
            t_score = rt_seconds() - t1;
            const char *inputs[2] = {pos[0], baskets_path};
            s = write_batch(output, inputs, 2, by, &f, &bt);
        }
    }
    cli_progress_finish(&progress);
    if (!s && baskets_path) {
        int64_t total = 0, empty = 0;
        for (int64_t k = 0; k < bt.n; k++) {
            total += bt.count[k];
            empty += bt.count[k] == 0;
        }
        double seconds = rt_seconds() - t0;
        cli_note(&common, "%lld baskets x %lld rules: %lld recommendations (%lld baskets with "
                 "none) -> %s in %.2f s", (long long)bt.n, (long long)f.table.n_rules,
                 (long long)total, (long long)empty, output, seconds);
        if (common.json) {
            cli_json j;
            json_begin(&j, stdout);
            json_string(&j, "command", "rules recommend");
            json_string(&j, "rules", pos[0]);
            json_string(&j, "baskets", baskets_path);
            json_string(&j, "output", output);
            json_int(&j, "rule_count", f.table.n_rules);
            json_int(&j, "basket_count", bt.n);
            json_int(&j, "recommendations", total);
            json_int(&j, "baskets_without_recommendation", empty);
            json_string(&j, "by", by);
            json_object(&j, "seconds");
            json_double(&j, "load_rules", t_load);
            json_double(&j, "recommend", t_score);
            json_double(&j, "total", seconds);
            json_object_end(&j);
            json_end(&j);
        }
    }
    free(bt.recs);
    free(bt.count);
    rt_baskets_free(&b);
    rt_recommender_free(&rec);
    rt_rules_file_free(&f);
    free(pos);
    return s ? cli_fail(&cmd, &common, s) : 0;
}
