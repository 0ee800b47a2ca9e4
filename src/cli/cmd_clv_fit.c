/*
** src/cli/cmd_clv_fit.c: `retain clv fit LOG --calibration-end DATE -o
** CLV.h5`: summarises each customer's purchases in the calibration period
** (src/clv/summary.c), fits BG/NBD, MBG/NBD or Pareto/NBD on the distinct
** summaries weighted by their counts (src/clv/collapse.c) and, unless told
** not to, the Gamma-Gamma spend model by maximum likelihood (src/clv/fit.c),
** prints the estimates with standard errors and saves the model
** (io/clv_model.c).
** With --holdout-end it also checks the fit on the holdout period that
** follows (src/clv/holdout.c, shown by clv_holdout.c).
*/
#include "cli.h"

#include "clv/clv.h"
#include "core/datetime.h"
#include "core/error.h"
#include "io/clv_model.h"
#include "io/eventlog.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIT_TOL 1e-9
#define FIT_MAX_ITER 1000

static const char *const BG_NAMES[4] = {"r", "alpha", "a", "b"};
static const char *const PARETO_NAMES[4] = {"r", "alpha", "s", "beta"};
static const char *const GG_NAMES[3] = {"p", "q", "v"};

static void print_fit(const char *title, const char *const *names, int np,
                      const rt_clv_fit *f)
{
    printf("%s\n  %-10s %14s %14s\n", title, "parameter", "estimate", "std. error");
    for (int j = 0; j < np; j++)
        printf("  %-10s %14.6g %14.6g\n", names[j], f->params[j], f->se[j]);
    printf("  log-likelihood %.4f, %lld iterations, ", f->loglik, (long long)f->n_iter);
    if (f->converged)
        printf("converged\n");
    else
        printf("NOT converged: largest gradient entry %.3g per customer (log parameters) "
               "when it stopped; the estimates are the last point reached\n", f->grad_norm);
}

static void json_fit(cli_json *j, const char *key, const char *const *names, int np,
                     const rt_clv_fit *f)
{
    json_object(j, key);
    for (int k = 0; k < np; k++)
        json_double(j, names[k], f->params[k]);
    json_object(j, "se");
    for (int k = 0; k < np; k++)
        json_double(j, names[k], f->se[k]);
    json_object_end(j);
    json_double(j, "loglik", f->loglik);
    json_int(j, "n_iter", f->n_iter);
    json_bool(j, "converged", f->converged);
    json_double(j, "gradient", f->grad_norm);
    json_object_end(j);
}

int cmd_clv_fit(int argc, char **argv)
{
    cli_common common = {0};
    cli_log_columns cols = {0};
    const char *output = NULL, *end_text = NULL, *model_name = "bgnbd", *spend = "gamma-gamma",
               *occasion = "day", *unit_name = "week", *holdout_text = NULL,
               *tracking_out = NULL;
    cli_opt opts[] = {
        {"calibration-end", 0, CLI_STRING, &end_text, "DATE", "last day of the calibration "
         "period (YYYY-MM-DD, included; required)", 1, 0},
        {"holdout-end", 0, CLI_STRING, &holdout_text, "DATE", "last day of a holdout period "
         "after the calibration end: predicted against actual repeat purchases", 1, 0},
        {"tracking-out", 0, CLI_STRING, &tracking_out, "FILE.csv", "with --holdout-end: the "
         "weekly tracking curve as CSV", 1, 0},
        {"model", 0, CLI_STRING, &model_name, "bgnbd|mbgnbd|pareto", "purchase and dropout "
         "model", 1, 0},
        {"spend", 0, CLI_STRING, &spend, "gamma-gamma|none", "spend model, fitted on the "
         "repeat buyers", 1, 0},
        {"occasion", 0, CLI_STRING, &occasion, "day|order", "a purchase occasion is a "
         "customer-day (lines merged) or an order", 1, 0},
        {"time-unit", 0, CLI_STRING, &unit_name, "week|day", "unit of t_x, T and the "
         "parameter alpha (stored in the model)", 1, 0},
        CLI_LOG_COLUMN_OPTS(&cols),
        {"output", 'o', CLI_STRING, &output, "CLV.h5", "model file to write (required)", 1, 0},
        {0},
    };
    cli_command cmd = {
        "clv fit", "LOG --calibration-end DATE -o CLV.h5 [options]",
        "Fit the lifetime-value models (BG/NBD, MBG/NBD or Pareto/NBD, Gamma-Gamma) to a "
        "purchase log.",
        "Per customer with a purchase up to the end of --calibration-end: x repeat\n"
        "occasions, t_x from the first occasion to the last, T from the first to\n"
        "the calibration end (in --time-unit), m_x the mean amount of the repeat\n"
        "occasions, as Fader, Hardie and Lee (2005) define them. Lines with a\n"
        "negative amount (refunds) form no occasion and add no spend; the spend\n"
        "model leaves out repeat buyers whose repeat spend is 0. Each customer's\n"
        "events must be in time order. The models are fitted by maximum likelihood\n"
        "on log parameters; standard errors come from the observed information.\n"
        "Customers with the same (x, t_x, T) are fitted as one weighted row, so\n"
        "millions of customers cost little more than thousands.\n"
        "BG/NBD: r, alpha (rate), a, b (dropout after a purchase); MBG/NBD also\n"
        "lets customers drop out before their first repeat; Pareto/NBD: r, alpha\n"
        "(rate), s, beta (a dropout time at any moment, gamma-distributed rate);\n"
        "Gamma-Gamma: p, q, v (spend).\n\n"
        "--holdout-end DATE: the calibration customers' repeat occasions from the\n"
        "day after --calibration-end to DATE (included) against the model's\n"
        "conditional expectations: in total, by calibration repeat purchases 0, 1,\n"
        "..., 7+ (customers, actual mean, predicted mean) and the correlation per\n"
        "customer; and the tracking curve: cumulative repeat occasions of these\n"
        "customers at the end of each week from the first trial day to DATE,\n"
        "actual and expected (the sum of each customer's unconditional E[X(t)] at\n"
        "their age then; Fader, Hardie and Lee 2005, Figures 2 and 3). The log must\n"
        "reach DATE.\n\n"
        "example: retain clv fit log.csv --calibration-end 1997-09-30 -o clv.h5\n"
        "         retain clv fit log.csv --calibration-end 1997-09-30 --holdout-end \\\n"
        "             1998-06-30 --tracking-out tracking.csv -o clv.h5\n"
        "         retain clv fit log.csv --calibration-end 1997-09-30 --model pareto \\\n"
        "             --spend none -o pareto.h5",
        opts, 1, 1};
    const char *pos[1];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    rt_clv_model model = RT_CLV_BGNBD;
    rt_clv_period period = {0};
    if (strcmp(model_name, "mbgnbd") == 0)
        model = RT_CLV_MBGNBD;
    else if (strcmp(model_name, "pareto") == 0)
        model = RT_CLV_PARETO;
    else if (strcmp(model_name, "bgnbd") != 0)
        return cli_usage_error(&cmd, &common, "--model must be bgnbd, mbgnbd or pareto, got "
                               "'%s'", model_name);
    if (strcmp(spend, "gamma-gamma") != 0 && strcmp(spend, "none") != 0)
        return cli_usage_error(&cmd, &common, "--spend must be gamma-gamma or none, got '%s'",
                               spend);
    if (strcmp(occasion, "day") != 0 && strcmp(occasion, "order") != 0)
        return cli_usage_error(&cmd, &common, "--occasion must be day or order, got '%s'",
                               occasion);
    period.by_order = strcmp(occasion, "order") == 0;
    if (strcmp(unit_name, "week") == 0)
        period.unit = 7.0 * 86400;
    else if (strcmp(unit_name, "day") == 0)
        period.unit = 86400;
    else
        return cli_usage_error(&cmd, &common, "--time-unit must be week or day, got '%s'",
                               unit_name);
    if (!end_text || !rt_datetime_parse(end_text, &period.end) || period.end % 86400 != 0)
        return cli_usage_error(&cmd, &common, "--calibration-end DATE (YYYY-MM-DD) is "
                               "required: the last day of the calibration period");
    period.end += 86400; /* the date is included */
    if (holdout_text && (!rt_datetime_parse(holdout_text, &period.holdout_end) ||
                         period.holdout_end % 86400 != 0 || period.holdout_end < period.end))
        return cli_usage_error(&cmd, &common, "--holdout-end expects a date (YYYY-MM-DD) after "
                               "--calibration-end, got '%s'", holdout_text);
    if (holdout_text)
        period.holdout_end += 86400;
    if (tracking_out && (!holdout_text || !cli_has_suffix(tracking_out, ".csv")))
        return cli_usage_error(&cmd, &common, "--tracking-out FILE.csv needs --holdout-end "
                               "and a .csv name");
    if (!output || (!cli_has_suffix(output, ".h5") && !cli_has_suffix(output, ".hdf5")))
        return cli_usage_error(&cmd, &common, "-o CLV.h5 is required (HDF5)");

    double t0 = rt_seconds();
    rt_eventlog_spec spec = {.user = cols.user, .time = cols.time, .amount = cols.amount,
                             .item = "",
                             .order = period.by_order ? (cols.order ? cols.order : "order_id")
                                                      : ""};
    rt_eventlog *log;
    retain_status s = rt_eventlog_open(pos[0], &spec, &log);
    if (s)
        return cli_fail(&cmd, &common, s);
    rt_clv_table t;
    s = rt_clv_summarise(log, &period, false, &t);
    rt_eventlog_close(log);
    if (s)
        return cli_fail(&cmd, &common, s);
    double t_summary = rt_seconds();
    int64_t repeat = 0;
    for (int64_t i = 0; i < t.n; i++)
        repeat += t.x[i] > 0;
    rt_clv_fit fit, gg;
    bool with_spend = strcmp(spend, "gamma-gamma") == 0;
    rt_clv_summary sum = {t.n, t.x, t.tx, t.T, t.m, NULL};
    rt_clv_groups groups = {0};
    /* the spend model: repeat buyers whose repeat spend is positive */
    double *spend_w = malloc((size_t)(t.n > 0 ? t.n : 1) * sizeof *spend_w);
    int64_t no_spend = 0;
    for (int64_t i = 0; spend_w && i < t.n; i++) {
        spend_w[i] = t.x[i] > 0 && !(t.m[i] > 0) ? 0.0 : 1.0;
        no_spend += spend_w[i] == 0;
    }
    rt_clv_summary spend_sum = {t.n, t.x, t.tx, t.T, t.m, spend_w};
    if (!spend_w)
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld customers", (long long)t.n);
    char first[20], last[20];
    rt_datetime_format(t.first_event, first);
    rt_datetime_format(t.last_event, last);
    if (!s && t.events == 0)
        s = rt_error(RETAIN_ERR_DATA, "%s has no events", pos[0]);
    else if (!s && t.n == 0)
        s = rt_error(RETAIN_ERR_DATA, "%s: no purchase up to %s (the log starts %s); give a "
                     "later --calibration-end", pos[0], end_text, first);
    else if (!s && t.last_event < period.end - 86400)
        s = rt_error(RETAIN_ERR_DATA, "%s ends %s, before --calibration-end %s: the log must "
                     "cover the calibration period; give an earlier date", pos[0], last,
                     end_text);
    else if (!s && holdout_text && t.last_event < period.holdout_end - 86400)
        s = rt_error(RETAIN_ERR_DATA, "%s ends %s, before --holdout-end %s: the log must cover "
                     "the holdout period; give an earlier date", pos[0], last, holdout_text);
    if (!s && !(s = rt_clv_collapse(&sum, &groups)) &&
        (s = rt_clv_fit_model(model, &groups.s, NULL, FIT_TOL, FIT_MAX_ITER, &fit)))
        rt_error_context(s, "%s", pos[0]);
    double t_fit = rt_seconds();
    if (!s && with_spend &&
        (s = rt_clv_fit_model(RT_CLV_GAMMA_GAMMA, &spend_sum, NULL, FIT_TOL, FIT_MAX_ITER, &gg)))
        rt_error_context(s, "%s (the spend model; --spend none leaves it out)", pos[0]);
    double t_spend = rt_seconds();
    rt_clv_holdout holdout = {0};
    if (!s && holdout_text && !(s = rt_clv_holdout_check(model, fit.params, &t, &period,
                                                         &holdout)) && tracking_out)
        s = cli_clv_tracking_write(tracking_out, &holdout, pos[0]);
    if (!s) {
        rt_clv_saved saved = {model, occasion, unit_name, end_text, t.n, repeat, &fit,
                              with_spend ? &gg : NULL};
        const char *inputs[1] = {pos[0]};
        s = rt_clv_model_save(output, &saved, pos[0], inputs, 1);
    }
    free(spend_w);
    int64_t groups_n = groups.s.n;
    rt_clv_groups_free(&groups);
    if (s) {
        rt_clv_holdout_free(&holdout);
        rt_clv_table_free(&t);
        return cli_fail(&cmd, &common, s);
    }
    double seconds = rt_seconds() - t0;
    const char *const *names = model == RT_CLV_PARETO ? PARETO_NAMES : BG_NAMES;
    static const char *const keys[] = {"bgnbd", "mbgnbd", "pareto_nbd"};
    if (common.json) {
        cli_json j;
        json_begin(&j, stdout);
        json_string(&j, "command", "clv fit");
        json_string(&j, "input", pos[0]);
        json_string(&j, "output", output);
        json_string(&j, "calibration_end", end_text);
        json_string(&j, "occasion", occasion);
        json_string(&j, "time_unit", unit_name);
        json_int(&j, "events", t.events);
        json_int(&j, "customers", t.n);
        json_int(&j, "repeat_buyers", repeat);
        json_int(&j, "repeat_buyers_without_spend", no_spend);
        json_int(&j, "distinct_summaries", groups_n);
        json_fit(&j, keys[model], names, 4, &fit);
        if (with_spend)
            json_fit(&j, "gamma_gamma", GG_NAMES, 3, &gg);
        json_double(&j, "summary_seconds", t_summary - t0);
        json_double(&j, "fit_seconds", t_fit - t_summary);
        json_double(&j, "spend_fit_seconds", t_spend - t_fit);
        if (holdout_text)
            cli_clv_holdout_json(&j, &holdout);
        json_double(&j, "seconds", seconds);
        json_end(&j);
    } else if (!common.quiet) {
        printf("%s: %lld customers (%lld repeat buyers) from %lld events; calibration to "
               "%s, time in %ss, occasions: %ss\n", pos[0], (long long)t.n, (long long)repeat,
               (long long)t.events, end_text, unit_name, occasion);
        printf("%lld distinct (x, t_x, T) fitted as weighted rows\n", (long long)groups_n);
        print_fit(rt_clv_title(model), names, 4, &fit);
        if (with_spend && no_spend)
            printf("(%lld repeat buyers whose repeat spend is 0 are left out of the spend "
                   "model)\n", (long long)no_spend);
        if (with_spend)
            print_fit("Gamma-Gamma (repeat buyers)", GG_NAMES, 3, &gg);
        if (holdout_text)
            cli_clv_holdout_print(&holdout, unit_name);
        printf("wrote %s in %.2f s\n", output, seconds);
    }
    rt_clv_holdout_free(&holdout);
    rt_clv_table_free(&t);
    return 0;
}
