/*
** src/cli/cmd_score.c: `retain score --segments SEG.h5 --churn CHURN.h5
** [--clv CLV.h5] IN.h5 -o OUT.h5`: the options of the nightly scoring job,
** and its segment x churn-risk summary (and P(alive) bands) as a table or
** JSON. The lifetime-value model is loaded here, where its horizon and
** discount are put in its time unit (clv_common.c). The job itself
** (streaming, overlap of reading, scoring and writing, the output file) is
** src/score.
*/
#include "cli.h"

#include "core/mem.h"
#include "io/atomic.h"
#include "io/clv_model.h"
#include "score/score.h"

#include <math.h>
#include <stdio.h>

/* Users and expected purchases per P(alive) band, the totals and CLV. */
static void print_clv_summary(const rt_score_params *p, const rt_score_summary *s)
{
    int64_t scored = s->rows - s->skipped;
    printf("\n%-10s %12s %7s %20s\n", "P(alive)", "users", "share", "expected purchases");
    for (int b = 0; b < RT_CLV_BANDS; b++)
        printf("%-10s %12lld %6.1f%% %20.2f\n", rt_clv_band_names[b],
               (long long)s->band_users[b],
               scored ? 100.0 * (double)s->band_users[b] / (double)scored : 0.0,
               s->band_expected[b]);
    printf("%-10s %12lld %6.1f%% %20.2f\n", "total", (long long)scored, scored ? 100.0 : 0.0,
           s->expected_purchases);
    if (p->clv->has_spend)
        printf("total CLV over %s: %.2f\n", p->clv_horizon_text, s->clv);
}

static void print_summary(const rt_score_params *p, const rt_score_summary *s)
{
    int64_t scored = s->rows - s->skipped;
    char name[16];
    if (!p->segments_path && !p->churn_path) {
        print_clv_summary(p, s);
        return;
    }
    printf("%-9s %12s %7s", p->segments_path ? "segment" : "", "users", "share");
    if (p->churn_path) {
        for (int t = 0; t < s->tiers; t++)
            printf(" %12s", rt_risk_tier_name(p->risk.count, t, name));
        printf(" %10s %12s", "mean p", "exp.churners");
    }
    printf("\n");
    for (int64_t g = 0; g <= s->segments; g++) {
        bool total = g == s->segments;
        if (total && s->segments == 1 && !p->segments_path)
            break;
        int64_t users = 0;
        double churners = 0;
        for (int64_t t = 0; t < s->tiers; t++)
            for (int64_t h = total ? 0 : g; h < (total ? s->segments : g + 1); h++) {
                users += s->users[h * s->tiers + t];
                churners += s->churners[h * s->tiers + t];
            }
        if (total)
            printf("%-9s", "all");
        else if (p->segments_path)
            printf("%-9lld", (long long)g);
        else
            printf("%-9s", "all");
        printf(" %12lld %6.1f%%", (long long)users,
               scored ? 100.0 * (double)users / (double)scored : 0.0);
        if (p->churn_path) {
            for (int64_t t = 0; t < s->tiers; t++) {
                int64_t cell = 0;
                for (int64_t h = total ? 0 : g; h < (total ? s->segments : g + 1); h++)
                    cell += s->users[h * s->tiers + t];
                printf(" %12lld", (long long)cell);
            }
            if (users)
                printf(" %10.4f %12.1f", churners / (double)users, churners);
            else
                printf(" %10s %12.1f", "-", churners);
        }
        printf("\n");
    }
    if (p->clv)
        print_clv_summary(p, s);
}

static void json_clv_summary(cli_json *j, const rt_score_params *p, const rt_score_summary *s)
{
    int64_t scored = s->rows - s->skipped;
    json_object(j, "clv");
    json_string(j, "model", p->clv_path);
    json_string(j, "horizon", p->clv_horizon_text);
    json_bool(j, "spend_model", p->clv->has_spend);
    json_double(j, "expected_purchases", s->expected_purchases);
    if (p->clv->has_spend)
        json_double(j, "clv", s->clv);
    json_array(j, "p_alive_bands");
    for (int b = 0; b < RT_CLV_BANDS; b++) {
        json_object(j, NULL);
        json_double(j, "lower", b ? rt_clv_band_upper[b - 1] : 0.0);
        json_double(j, "upper", rt_clv_band_upper[b]);
        json_int(j, "users", s->band_users[b]);
        json_double(j, "share", scored ? (double)s->band_users[b] / (double)scored : 0.0);
        json_double(j, "expected_purchases", s->band_expected[b]);
        json_object_end(j);
    }
    json_array_end(j);
    json_object_end(j);
}

static void json_summary(cli_json *j, const rt_score_params *p, const rt_score_summary *s)
{
    int64_t scored = s->rows - s->skipped;
    char name[16];
    json_array(j, "segments");
    for (int64_t g = 0; g < s->segments; g++) {
        int64_t users = 0;
        double churners = 0;
        for (int64_t t = 0; t < s->tiers; t++) {
            users += s->users[g * s->tiers + t];
            churners += s->churners[g * s->tiers + t];
        }
        json_object(j, NULL);
        if (p->segments_path)
            json_int(j, "segment", g);
        json_int(j, "users", users);
        json_double(j, "share", scored ? (double)users / (double)scored : 0.0);
        if (p->churn_path) {
            json_double(j, "mean_churn_probability", users ? churners / (double)users : NAN);
            json_double(j, "expected_churners", churners);
            json_array(j, "risk");
            for (int64_t t = 0; t < s->tiers; t++) {
                int64_t cell = s->users[g * s->tiers + t];
                double cp = s->churners[g * s->tiers + t];
                json_object(j, NULL);
                json_string(j, "tier", rt_risk_tier_name(p->risk.count, (int)t, name));
                json_int(j, "users", cell);
                json_double(j, "share", scored ? (double)cell / (double)scored : 0.0);
                json_double(j, "mean_churn_probability", cell ? cp / (double)cell : NAN);
                json_double(j, "expected_churners", cp);
                json_object_end(j);
            }
            json_array_end(j);
        }
        json_object_end(j);
    }
    json_array_end(j);
}

int cmd_score(int argc, char **argv)
{
    cli_common common = {0};
    rt_score_params p = {.clv_horizon_text = "12m"};
    cli_clv_discount discount = {CLI_CLV_DISCOUNT, "month"};
    const char *memory = NULL, *cuts = NULL, *device = "cpu";
    cli_opt opts[] = {
        {"output", 'o', CLI_STRING, &p.output, "OUT.h5", "output file (required)", 1, 0},
        {"segments", 0, CLI_STRING, &p.segments_path, "SEG.h5", "k-means segment model "
         "(retain kmeans fit)", 1, 0},
        {"churn", 0, CLI_STRING, &p.churn_path, "CHURN.h5", "churn model (retain logreg "
         "fit)", 1, 0},
        {"clv", 0, CLI_STRING, &p.clv_path, "CLV.h5", "lifetime-value model (retain clv "
         "fit): P(alive), expected purchases and CLV from IN's clv_* columns", 1, 0},
        {"horizon", 0, CLI_STRING, &p.clv_horizon_text, "DUR", "--clv: predict over the next "
         "DUR: 39w, 90d, 12m (months of 30.4375 days) or days", 1, 0},
        CLI_CLV_DISCOUNT_OPTS(&discount),
        {"memory", 0, CLI_STRING, &memory, "SIZE", "memory budget, e.g. 512M, 2G (default "
         "512M; at least about 56M)", 1, 0},
        {"cuts", 0, CLI_STRING, &cuts, "P1,P2,..", "churn-risk tiers by probability: tier = "
         "how many cut points it reaches (default 0.3,0.6: low, medium, high)", 1, 0},
        {"skip-invalid", 0, CLI_FLAG, &p.skip_invalid, NULL, "score around rows with NaN/Inf "
         "features, or clv_* columns that are no customer summary (they get segment -1, "
         "risk -1, NaN distance, probabilities and CLV) instead of stopping at the first",
         1, 0},
        {"dataset", 0, CLI_STRING, &p.spec.dataset, "PATH", "feature dataset or group "
         "(default: /features, else the file's one pandas frame)", 1, 0},
        {"columns", 0, CLI_STRING, &p.spec.columns, "a,b,c", "feature columns, in the "
         "models' order (default: the models' own, by name)", 1, 0},
        CLI_DEVICE_OPTION(&device),
        {0},
    };
    cli_command cmd = {
        "score", "--segments SEG.h5 --churn CHURN.h5 [--clv CLV.h5] IN.h5 -o OUT.h5 "
        "[--memory 512M]",
        "Score every user of IN with a segment model, a churn model, a lifetime-value "
        "model or several.",
        "The nightly job. Before reading a row it checks that the models were fitted on\n"
        "the same features, in the same order, and that IN has them (otherwise the\n"
        "difference is listed); they are read by name, so IN may hold other columns\n"
        "too. IN is then streamed in row blocks sized from --memory (at most 262,144\n"
        "rows each; peak memory stays under the budget whatever the number of users)\n"
        "while one thread reads the next block and writes the last.\n"
        "The answers are those of `kmeans predict` and `logreg predict`.\n\n"
        "OUT (written atomically: an earlier OUT survives any failure) holds\n"
        "  /user_id            copied from IN (row numbers when IN has none)\n"
        "  /segment            int32, numbered as in the model (largest first)\n"
        "  /segment_distance   float32, distance to the centroid in scaled units\n"
        "  /churn_probability  float32\n"
        "  /churn_risk         int8 tier, 0 lowest; names in its attribute band_names\n"
        "With --clv CLV.h5 (from `retain clv fit`), from IN's per-user columns clv_x,\n"
        "clv_t_x, clv_T and clv_m_x (`retain features --with-clv CLV.h5` writes them\n"
        "and records their time unit, which must be the model's) also, as float64 and\n"
        "equal to `retain clv predict`'s for the same users and date:\n"
        "  /p_alive            probability the user is still active\n"
        "  /expected_purchases expected repeat occasions over --horizon\n"
        "  /clv                discounted lifetime value over --horizon (only when the\n"
        "                      model has a spend model)\n"
        "and attributes: each model's path, id (hash of the file) and training time\n"
        "(the file's time), the input's path and size, engine version, rows, skipped\n"
        "rows and seconds. Rows with NaN/Inf (or clv_* columns that are no summary:\n"
        "x >= 0, 0 <= t_x <= T) stop the job naming the first, unless --skip-invalid.\n"
        "Prints users, share, mean churn probability and expected churners per segment\n"
        "and risk tier, and with --clv users and expected purchases per P(alive) band\n"
        "and the total CLV (--json: the same as JSON).\n"
        "--device cuda scores the segments and churn on the GPU, block by block, its\n"
        "copies overlapping its kernels (segments as `kmeans predict --device cuda`,\n"
        "churn probabilities within 1e-6 of the CPU's); lifetime value runs on the CPU.\n"
        "Built with RETAIN_MPI, `mpirun -np P retain score ...` scores on P ranks, each\n"
        "reading and writing its own rows of one OUT (not with string user ids).\n\n"
        "example: retain score --segments segments.h5 --churn churn.h5 users.h5 -o scored.h5\n"
        "         retain features log.csv --asof 2025-07-01 --with-clv clv.h5 -o feat.h5\n"
        "         retain score --churn churn.h5 --clv clv.h5 --horizon 39w feat.h5 -o s.h5",
        opts, 1, 1};
    const char *pos[1];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    p.input = pos[0];
    bool is_text;
    if ((rc = cli_output_kind(&cmd, &common, p.output, ".h5", "HDF5", 0, &is_text)) ||
        (rc = cli_device(&cmd, &common, device, &p.device)))
        return rc;
    if (!p.segments_path && !p.churn_path && !p.clv_path)
        return cli_usage_error(&cmd, &common, "give --segments SEG.h5, --churn CHURN.h5, "
                                              "--clv CLV.h5 or several");
    if (!p.segments_path && !p.churn_path && p.spec.columns)
        return cli_usage_error(&cmd, &common, "--columns selects the features of --segments "
                                              "and --churn; --clv reads the clv_* columns");
    int64_t horizon = 0;
    if (p.clv_path && !cli_clv_parse_horizon(p.clv_horizon_text, &horizon))
        return cli_usage_error(&cmd, &common, "--horizon expects a duration such as 39w, 90d, "
                               "12m (months) or a number of days, got '%s'",
                               p.clv_horizon_text);
    p.memory = RT_SCORE_DEFAULT_MEMORY;
    if (memory && !cli_parse_bytes(memory, &p.memory))
        return cli_usage_error(&cmd, &common, "--memory %s: give a size such as 512M or 2G",
                               memory);
    const char *problem = rt_risk_parse(cuts ? cuts : RT_RISK_DEFAULT_CUTS, false, &p.risk);
    if (problem)
        return cli_usage_error(&cmd, &common, "--cuts %s", problem);
    const char *inputs[4] = {p.input, p.segments_path ? p.segments_path : p.input,
                             p.churn_path ? p.churn_path : p.input,
                             p.clv_path ? p.clv_path : p.input};
    retain_status s = rt_output_check_not_input(p.output, inputs, 4);
    if (s)
        return cli_fail(&cmd, &common, s);
    rt_clv_loaded clv;
    if (p.clv_path) {
        if ((s = rt_clv_model_load(p.clv_path, &clv)) ||
            (s = cli_clv_check(&clv, p.clv_path, NULL, NULL, horizon, &discount,
                               &p.clv_horizon)))
            return cli_fail(&cmd, &common, s);
        p.clv = &clv;
        p.clv_discount_period = discount.period;
    }

    cli_progress progress;
    cli_progress_start(&progress, &common);
    p.progress = cli_progress_report;
    p.progress_user = &progress;
    rt_score_summary sum;
    s = rt_score_run(&p, &sum);
    cli_progress_finish(&progress);
    if (s)
        return cli_fail(&cmd, &common, s);
    if (common.json) {
        cli_json j;
        json_begin(&j, stdout);
        json_string(&j, "command", "score");
        json_string(&j, "input", p.input);
        json_string(&j, "output", p.output);
        if (p.segments_path)
            json_string(&j, "segments_model", p.segments_path);
        if (p.churn_path)
            json_string(&j, "churn_model", p.churn_path);
        json_int(&j, "rows", sum.rows);
        json_int(&j, "skipped_rows", sum.skipped);
        if (sum.skipped)
            json_int(&j, "first_skipped_row", sum.first_skipped);
        json_int(&j, "block_rows", sum.block_rows);
        if (p.segments_path || p.churn_path)
            json_summary(&j, &p, &sum);
        if (p.clv)
            json_clv_summary(&j, &p, &sum);
        json_string(&j, "isa", retain_isa_name());
        json_string(&j, "device", retain_device_name(p.device));
        json_double(&j, "seconds", sum.seconds);
        json_end(&j);
    } else if (!common.quiet) {
        printf("wrote %s: %lld users scored in %.2f s (%lld block%s of up to %lld rows)\n",
               p.output, (long long)(sum.rows - sum.skipped), sum.seconds,
               (long long)sum.blocks, sum.blocks == 1 ? "" : "s", (long long)sum.block_rows);
        print_summary(&p, &sum);
    }
    if (p.clv && !p.clv->has_spend)
        cli_note(&common, "%s has no spend model (fitted with --spend none): no /clv written",
                 p.clv_path);
    if (sum.skipped)
        cli_warn(&cmd, &common, "%lld rows with NaN/Inf features%s were not scored (first: "
                 "row %lld, counting from 0); they have segment -1, risk -1 and NaN "
                 "distance, probabilities and CLV", (long long)sum.skipped,
                 p.clv ? " or clv_* columns that are no summary" : "",
                 (long long)sum.first_skipped);
    rt_score_summary_free(&sum);
    return 0;
}
