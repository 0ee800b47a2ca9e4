/*
** src/cli/cmd_logreg_predict.c: `retain logreg predict MODEL.h5 FILE -o
** OUT.h5`: loads a churn model, checks the input has the model's features
** in the model's order, scores every row (read in batches) and writes
** /user_id (when the input has ids), /churn_probability (float32) and
** /churn_risk (int8 tiers from probability cut points or top-percent
** bands), with attributes naming the model, the input and the tier rule.
*/
#include "cli.h"

#include "core/error.h"
#include "core/mem.h"
#include "io/atomic.h"
#include "io/features.h"
#include "io/h5.h"
#include "io/h5write.h"
#include "io/kmeans_model.h"
#include "io/logreg_model.h"
#include "score/risk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_BYTES (16 << 20)
typedef struct ranked {
    double p;
    int64_t row;
} ranked;

static int by_p_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* Tier of every row: cuts: how many cut points p reaches; bands: the top
** at[0]% of rows (highest p, ties by row) get tier count, up to at[1]%
** count - 1, ..., the rest 0. */
static retain_status tiers(const rt_risk_rule *rule, const double *p, int64_t n, int8_t *tier)
{
    if (!rule->top_percent) {
        for (int64_t i = 0; i < n; i++)
            tier[i] = rt_risk_tier(rule, p[i]);
        return RETAIN_OK;
    }
    ranked *r = malloc((size_t)n * sizeof *r);
    if (!r)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory ranking %lld rows", (long long)n);
    for (int64_t i = 0; i < n; i++)
        r[i] = (ranked){p[i], i};
    qsort(r, (size_t)n, sizeof *r, by_p_desc);
    int64_t k = 0;
    for (int b = 0; b <= rule->count; b++) {
        int64_t end = b < rule->count ? (int64_t)floor(rule->at[b] / 100.0 * (double)n) : n;
        for (; k < end; k++)
            tier[r[k].row] = (int8_t)(rule->count - b);
    }
    free(r);
    return RETAIN_OK;
}

static retain_status score_all(rt_features *f, const retain_logreg_model *m, double *prob,
                               cli_progress *progress)
{
    int64_t n = rt_features_rows(f), d = rt_features_cols(f);
    int64_t batch = BATCH_BYTES / (d * 4);
    batch = batch < 1 ? 1 : batch > n ? n : batch;
    float *x;
    retain_status s = retain_malloc((size_t)(batch * d) * sizeof *x, (void **)&x);
    for (int64_t first = 0; !s && first < n; first += batch) {
        int64_t cnt = n - first < batch ? n - first : batch;
        retain_matrix view = {x, cnt, d, d};
        if ((s = rt_features_read(f, first, cnt, x)) ||
            (s = retain_logreg_predict(m, &view, prob + first)))
            break;
        cli_progress_report(progress, "predict", first + cnt, n);
    }
    retain_free(x);
    return s;
}

static retain_status write_ids(hid_t file, rt_features *f, int64_t n)
{
    hid_t ds;
    bool strings = rt_features_user_ids_are_strings(f);
    retain_status s = strings ? rt_h5_strings_create(file, "/user_id", n, &ds)
                              : rt_h5_dataset_create(file, "/user_id", H5T_STD_I64LE, n, 0, 0,
                                                     &ds);
    if (s)
        return s;
    int64_t batch = n < 65536 ? n : 65536;
    int64_t *ids = malloc((size_t)batch * sizeof *ids);
    char **text = calloc((size_t)batch, sizeof *text);
    if (!ids || !text)
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for user ids");
    for (int64_t first = 0; !s && first < n; first += batch) {
        int64_t cnt = n - first < batch ? n - first : batch;
        if (strings) {
            if (!(s = rt_features_read_user_id_strings(f, first, cnt, text))) {
                s = rt_h5_write_string_rows(ds, first, cnt, (const char *const *)text);
                for (int64_t i = 0; i < cnt; i++)
                    free(text[i]);
            }
        } else if (!(s = rt_features_read_user_ids(f, first, cnt, ids))) {
            s = rt_h5_write_rows(ds, H5T_NATIVE_INT64, first, cnt, 0, ids);
        }
    }
    free(ids);
    free(text);
    H5Dclose(ds);
    return s;
}

static retain_status write_scores(hid_t file, rt_features *f, const double *prob,
                                  const int8_t *tier, int64_t n, const char *model_path,
                                  const char *input, const char *rule_text)
{
    retain_status s = RETAIN_OK;
    if (rt_features_has_user_ids(f) && (s = write_ids(file, f, n)))
        return s;
    float *pf = malloc((size_t)(n ? n : 1) * sizeof *pf);
    if (!pf)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld probabilities",
                        (long long)n);
    for (int64_t i = 0; i < n; i++)
        pf[i] = (float)prob[i];
    hid_t dp, dr;
    if (!(s = rt_h5_dataset_create(file, "/churn_probability", H5T_IEEE_F32LE, n, 0, 0, &dp))) {
        s = rt_h5_write_rows(dp, H5T_NATIVE_FLOAT, 0, n, 0, pf);
        H5Dclose(dp);
    }
    free(pf);
    if (!s && !(s = rt_h5_dataset_create(file, "/churn_risk", H5T_STD_I8LE, n, 0, 0, &dr))) {
        if (!(s = rt_h5_write_rows(dr, H5T_NATIVE_INT8, 0, n, 0, tier)))
            s = rt_h5_attr_set_string(dr, "tiers", rule_text);
        H5Dclose(dr);
    }
    if (!s && ((s = rt_h5_attr_set_string(file, "model", model_path)) ||
               (s = rt_h5_attr_set_string(file, "model_kind", "logreg")) ||
               (s = rt_h5_attr_set_string(file, "input", input)) ||
               (s = rt_h5_attr_set_string(file, "input_dataset", rt_features_source(f))) ||
               (s = rt_h5_attr_set_string(file, "engine_version", retain_version()))))
        return s;
    return s;
}

int cmd_logreg_predict(int argc, char **argv)
{
    cli_common common = {0};
    rt_features_spec spec = {0};
    const char *output = NULL, *cuts = NULL, *top = NULL;
    cli_opt opts[] = {
        {"output", 'o', CLI_STRING, &output, "OUT.h5", "output file (required)", 1, 0},
        {"cuts", 0, CLI_STRING, &cuts, "P1,P2,..", "risk tiers by probability: tier = how "
         "many cut points the probability reaches (without --top-percent: 0.3,0.6, so "
         "0 low, 1 medium, 2 high)", 1, 0},
        {"top-percent", 0, CLI_STRING, &top, "Q1,Q2,..", "risk tiers by rank instead: the top "
         "Q1% of rows get the highest tier, up to Q2% the next, ...; the rest 0", 1, 0},
        {"dataset", 0, CLI_STRING, &spec.dataset, "PATH", "feature dataset or group "
         "(default: /features, else the file's one pandas frame)", 1, 0},
        {"columns", 0, CLI_STRING, &spec.columns, "a,b,c", "feature columns, in the model's "
         "order (default: every numeric column)", 1, 0},
        {0},
    };
    cli_command cmd = {
        "logreg predict", "MODEL.h5 FILE -o OUT.h5 [--cuts P,..|--top-percent Q,..]",
        "Score every row of FILE with a churn model: probability and risk tier.",
        "Writes /user_id (copied from the input when it has one), /churn_probability\n"
        "(float32) and /churn_risk (int8: 0 lowest; the rule is in its attribute\n"
        "\"tiers\"), with attributes naming the model and input. The input must have\n"
        "the model's feature names in the model's order; otherwise the difference is\n"
        "listed. Rows are read in batches of 16 MiB; 9 bytes per row are kept.\n\n"
        "examples: retain logreg predict churn.h5 users.h5 -o scored.h5\n"
        "          retain logreg predict churn.h5 users.h5 -o top.h5 --top-percent 5,20",
        opts, 2, 2};
    const char *pos[2];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    const char *model_path = pos[0], *input = pos[1];
    bool is_text;
    if ((rc = cli_output_kind(&cmd, &common, output, ".h5", "HDF5", 0, &is_text)))
        return rc;
    if (cuts && top)
        return cli_usage_error(&cmd, &common, "--cuts and --top-percent exclude each other");
    rt_risk_rule rule;
    const char *rule_given = top ? top : cuts ? cuts : RT_RISK_DEFAULT_CUTS;
    const char *problem = rt_risk_parse(rule_given, top != NULL, &rule);
    if (problem)
        return cli_usage_error(&cmd, &common, "--%s %s", top ? "top-percent" : "cuts", problem);
    char rule_text[400];
    snprintf(rule_text, sizeof rule_text, "%s %s: tier 0 lowest risk",
             top ? "top-percent bands" : "probability cut points", rule_given);
    const char *inputs[2] = {model_path, input};
    retain_status s = rt_output_check_not_input(output, inputs, 2);
    if (s)
        return cli_fail(&cmd, &common, s);

    double t0 = rt_seconds();
    retain_logreg_model *m;
    char **model_names;
    if ((s = rt_logreg_model_load(model_path, &m, &model_names)))
        return cli_fail(&cmd, &common, s);
    int64_t model_d = retain_logreg_model_d(m), n = 0;
    rt_features *f = NULL;
    double *prob = NULL;
    int8_t *tier = NULL;
    cli_progress progress;
    cli_progress_start(&progress, &common);
    s = rt_features_open(input, &spec, &f);
    if (!s)
        s = rt_features_check_names(model_path, (const char *const *)model_names, model_d,
                                     input, rt_features_names(f), rt_features_cols(f));
    if (!s) {
        n = rt_features_rows(f);
        s = rt_mem_check_claim(n * 9, "probabilities and tiers", "score fewer rows at a time");
    }
    if (!s && (!(prob = malloc((size_t)(n ? n : 1) * sizeof *prob)) ||
               !(tier = malloc((size_t)(n ? n : 1)))))
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld rows", (long long)n);
    if (!s && !(s = score_all(f, m, prob, &progress)))
        s = tiers(&rule, prob, n, tier);
    if (!s) {
        rt_output out;
        if (!(s = rt_output_begin(&out, output, inputs, 2))) {
            hid_t file;
            if (!(s = rt_h5_create(out.tmp_path, &file))) {
                s = write_scores(file, f, prob, tier, n, model_path, input, rule_text);
                s = rt_h5_close_file(file, out.tmp_path, s);
            }
            if (s)
                rt_output_abort(&out);
            else
                s = rt_output_commit(&out);
        }
    }
    cli_progress_finish(&progress);
    int64_t counts[RT_RISK_MAX_TIERS] = {0};
    for (int64_t i = 0; !s && i < n; i++)
        counts[tier[i]]++;
    rt_features_close(f);
    rt_h5_free_strings(model_names, model_d);
    retain_logreg_free(m);
    free(prob);
    free(tier);
    if (s)
        return cli_fail(&cmd, &common, s);
    double seconds = rt_seconds() - t0;
    if (common.json) {
        cli_json j;
        json_begin(&j, stdout);
        json_string(&j, "command", "logreg predict");
        json_string(&j, "model", model_path);
        json_string(&j, "input", input);
        json_string(&j, "output", output);
        json_int(&j, "rows", n);
        json_string(&j, "tiers", rule_text);
        json_array(&j, "tier_rows");
        for (int t = 0; t <= rule.count; t++)
            json_int(&j, NULL, counts[t]);
        json_array_end(&j);
        json_string(&j, "isa", retain_isa_name());
        json_double(&j, "seconds", seconds);
        json_end(&j);
    } else if (!common.quiet) {
        printf("wrote %s: %lld rows scored, %.2f s\n  %s\n", output, (long long)n, seconds,
               rule_text);
        for (int t = 0; t <= rule.count; t++)
            printf("  tier %d: %lld rows\n", t, (long long)counts[t]);
    }
    return 0;
}
