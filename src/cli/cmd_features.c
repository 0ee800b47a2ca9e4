/*
** src/cli/cmd_features.c: `retain features LOG --asof DATE -o FEATURES.h5`:
** streams a purchase log (src/io/eventlog.c) through the per-user fold of
** src/logs/features.c and writes the feature layout of DESIGN.md:
** /features (float64, users x features, feature_names), /user_id, /churned
** when the log covers the horizon, /rfm_score (R, F, M) and /tier. With
** --with-clv CLV.h5 the lifetime-value summary and predictions of each user
** join /features as clv_* columns (clv_common.c, src/clv/value.c), with
** the model's time unit and occasions as file attributes, so that `retain
** score --clv` can refuse a model that counts otherwise.
*/
#include "cli.h"

#include "clv/clv.h"
#include "core/datetime.h"
#include "core/error.h"
#include "io/atomic.h"
#include "io/clv_model.h"
#include "io/eventlog.h"
#include "io/h5write.h"
#include "logs/features.h"

#include <stdlib.h>
#include <string.h>

static const char *where(void *ctx, int64_t line, char *buf, size_t cap)
{
    return rt_eventlog_where(ctx, line, buf, cap);
}

static retain_status read_log(rt_eventlog *log, rt_logs_features *f, cli_progress *progress)
{
    for (;;) {
        rt_events ev;
        bool done;
        retain_status s = rt_eventlog_next(log, &ev, &done);
        if (s || done)
            return s;
        if ((s = rt_logs_features_add(f, ev.count, ev.user_id, ev.timestamp, ev.amount,
                                      ev.item, ev.order_id, ev.line)))
            return s;
        cli_progress_report(progress, "features", rt_eventlog_bytes_read(log) >> 20,
                            rt_eventlog_bytes_total(log) >> 20);
    }
}

typedef struct settings {
    const char *log, *asof_text, *window_text, *horizon_text, *clv_path;
    int64_t asof, window, horizon;
    const rt_clv_loaded *clv; /* the --with-clv model, or NULL */
} settings;

/* The clv_* columns of --with-clv, in this order; the last two with a
** spend model only. */
#define CLV_COLUMNS 8
static const char *const CLV_NAMES[CLV_COLUMNS] = {
    "clv_x", "clv_t_x", "clv_T", "clv_m_x", "clv_p_alive", "clv_expected_purchases",
    "clv_expected_spend", "clv_value"};

/* What goes into /features: the table's columns, then any clv_* ones. */
typedef struct feature_matrix {
    int64_t cols;
    const char *names[RT_LOGS_MAX_FEATURES + CLV_COLUMNS];
    const double *x; /* users x cols */
} feature_matrix;

static retain_status write_table(hid_t file, const rt_logs_feature_table *t,
                                 const feature_matrix *fm, const settings *o, int gzip)
{
    hid_t d = H5I_INVALID_HID;
    retain_status s;
    if ((s = rt_h5_dataset_create(file, "/features", H5T_IEEE_F64LE, t->users, fm->cols, gzip,
                                  &d)) ||
        (s = rt_h5_write_rows(d, H5T_NATIVE_DOUBLE, 0, t->users, fm->cols, fm->x)) ||
        (s = rt_h5_attr_set_strings(d, "feature_names", fm->cols, fm->names))) {
        if (d >= 0)
            H5Dclose(d);
        return s;
    }
    H5Dclose(d);
    if ((s = rt_h5_write_vector(file, "/user_id", H5T_STD_I64LE, H5T_NATIVE_INT64, t->users,
                                t->user_id)) ||
        (s = rt_h5_write_vector(file, "/tier", H5T_STD_I8LE, H5T_NATIVE_INT8, t->users,
                                t->tier)) ||
        (s = rt_h5_write_strings(file, "/tier_names", RT_TIER_COUNT, rt_logs_tier_names)))
        return s;
    if ((s = rt_h5_dataset_create(file, "/rfm_score", H5T_STD_I8LE, t->users, 3, gzip, &d)) ||
        (s = rt_h5_write_rows(d, H5T_NATIVE_INT8, 0, t->users, 3, t->rfm)) ||
        (s = rt_h5_attr_set_strings(d, "names", 3,
                                    (const char *const[]){"R", "F", "M"})) ||
        (s = rt_h5_attr_set_string(d, "rule", "1 + floor(5 * c / users), c: users strictly "
                                   "worse (R: larger recency_days; F: smaller frequency; "
                                   "M: smaller monetary_total)"))) {
        if (d >= 0)
            H5Dclose(d);
        return s;
    }
    H5Dclose(d);
    if (t->churned &&
        (s = rt_h5_write_vector(file, "/churned", H5T_STD_I8LE, H5T_NATIVE_INT8, t->users,
                                t->churned)))
        return s;
    char rule[160];
    snprintf(rule, sizeof rule, "1 if no purchase in [asof, asof + %s)", o->horizon_text);
    if ((s = rt_h5_attr_set_string(file, "generator", "retain features")) ||
        (s = rt_h5_attr_set_string(file, "engine_version", retain_version())) ||
        (s = rt_h5_attr_set_string(file, "source", o->log)) ||
        (s = rt_h5_attr_set_string(file, "asof", o->asof_text)) ||
        (s = rt_h5_attr_set_int64(file, "asof_epoch", o->asof)) ||
        (s = rt_h5_attr_set_double(file, "window_days", (double)o->window / 86400.0)) ||
        (s = rt_h5_attr_set_double(file, "horizon_days", (double)o->horizon / 86400.0)) ||
        (s = rt_h5_attr_set_string(file, "churn_rule", t->churned ? rule : "not written: the "
                                   "log ends before asof + horizon")) ||
        (s = rt_h5_attr_set_string(file, "tier_rule", rt_logs_tier_rule)))
        return s;
    if (o->clv && ((s = rt_h5_attr_set_string(file, "clv_model", o->clv_path)) ||
                   (s = rt_h5_attr_set_string(file, "clv_time_unit", o->clv->time_unit)) ||
                   (s = rt_h5_attr_set_string(file, "clv_occasion", o->clv->occasion))))
        return s;
    return RETAIN_OK;
}

static retain_status write_output(const char *path, const rt_logs_feature_table *t,
                                  const feature_matrix *fm, const settings *o, int gzip)
{
    rt_output out;
    const char *inputs[2] = {o->log, o->clv_path};
    retain_status s = rt_output_begin(&out, path, inputs, o->clv_path ? 2 : 1);
    if (s)
        return s;
    hid_t file;
    if (!(s = rt_h5_create(out.tmp_path, &file)))
        s = rt_h5_close_file(file, out.tmp_path, write_table(file, t, fm, o, gzip));
    if (!s)
        s = rt_output_commit(&out);
    rt_output_abort(&out);
    return s;
}

/* The clv_* columns of every user of t appended to its columns, into *wide
** (malloc'd, users x fm->cols): the summary under the model's rules as of
** asof (every user with a purchase has one), predictions over h. */
static retain_status add_clv_columns(const settings *o, const cli_log_columns *cols,
                                     const rt_clv_loaded *m, const rt_clv_horizon *h,
                                     const rt_logs_feature_table *t, feature_matrix *fm,
                                     double **wide)
{
    rt_clv_table ct;
    retain_status s = cli_clv_summarise(o->log, cols, m, o->asof, &ct);
    if (s)
        return s;
    int64_t n = t->users, k = m->has_spend ? CLV_COLUMNS : CLV_COLUMNS - 2,
            width = t->cols + k;
    double *x = malloc((size_t)(n * width) * sizeof *x);
    double *col = malloc((size_t)(8 * (n > 0 ? n : 1)) * sizeof *col);
    if (!x || !col)
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for the clv columns of %lld users",
                     (long long)n);
    /* both are in increasing user id order */
    for (int64_t i = 0, j = 0; !s && i < n; i++) {
        while (j < ct.n && ct.user_id[j] < t->user_id[i])
            j++;
        if (j == ct.n || ct.user_id[j] != t->user_id[i]) {
            s = rt_error(RETAIN_ERR_INTERNAL, "user %lld has features but no lifetime-value "
                         "summary", (long long)t->user_id[i]);
            break;
        }
        col[i] = ct.x[j];
        col[n + i] = ct.tx[j];
        col[2 * n + i] = ct.T[j];
        col[3 * n + i] = ct.m[j];
    }
    rt_clv_summary sum = {0};
    rt_clv_predictions p = {0};
    if (!s) {
        sum = (rt_clv_summary){n, col, col + n, col + 2 * n, col + 3 * n, NULL};
        p = (rt_clv_predictions){col + 4 * n, col + 5 * n, m->has_spend ? col + 6 * n : NULL,
                                 m->has_spend ? col + 7 * n : NULL};
        s = rt_clv_predict_all(m->model, m->params, m->has_spend ? m->spend : NULL, h, &sum,
                               &p);
    }
    if (!s) {
        const double *source[CLV_COLUMNS] = {sum.x, sum.tx, sum.T, sum.m, p.p_alive,
                                             p.expected, p.spend, p.value};
        for (int64_t i = 0; i < n; i++) {
            memcpy(x + i * width, t->x + i * t->cols, (size_t)t->cols * sizeof *x);
            for (int64_t c = 0; c < k; c++)
                x[i * width + t->cols + c] = source[c][i];
        }
        for (int64_t c = 0; c < k; c++)
            fm->names[t->cols + c] = CLV_NAMES[c];
        fm->cols = width;
        fm->x = *wide = x;
    } else {
        free(x);
    }
    free(col);
    rt_clv_table_free(&ct);
    return s;
}

int cmd_features(int argc, char **argv)
{
    cli_common common = {0};
    cli_log_columns cols = {0};
    settings o = {NULL, NULL, "365d", "90d", NULL, 0, 0, 0, NULL};
    cli_clv_discount discount = {CLI_CLV_DISCOUNT, "month"};
    const char *output = NULL;
    int64_t gzip = 0;
    cli_opt opts[] = {
        {"asof", 0, CLI_STRING, &o.asof_text, "DATE", "features from events before DATE "
         "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, UTC; required)", 1, 0},
        {"window", 0, CLI_STRING, &o.window_text, "DUR", "window for frequency, monetary, "
         "intervals, trend, items, baskets, refunds: 365d, 52w, 36h or days", 1, 0},
        {"horizon", 0, CLI_STRING, &o.horizon_text, "DUR", "churned = no purchase in "
         "[asof, asof + DUR)", 1, 0},
        {"with-clv", 0, CLI_STRING, &o.clv_path, "CLV.h5", "add the clv_* columns of this "
         "lifetime-value model (from `retain clv fit`)", 1, 0},
        CLI_CLV_DISCOUNT_OPTS(&discount),
        CLI_LOG_COLUMN_OPTS(&cols),
        {"compress", 0, CLI_INT, &gzip, "LEVEL", "gzip level 1-9 with shuffle (0: none)", 0, 9},
        {"output", 'o', CLI_STRING, &output, "FEATURES.h5", "output file (required)", 1, 0},
        {0},
    };
    cli_command cmd = {
        "features", "LOG --asof DATE [--window 365d] [--horizon 90d] -o FEATURES.h5",
        "Per-user RFM and behaviour features, churn label, RFM scores and lifecycle tier "
        "from a purchase log.",
        "LOG: CSV with a header line, or HDF5 with one 1-D dataset per column (as\n"
        "`retain gen transactions` writes): user_id, timestamp, amount[, item][, order_id].\n"
        "It is read as a stream; memory grows with users (and distinct user-item pairs),\n"
        "not events. Each user's events must be in time order (a log sorted by time is).\n"
        "A purchase is a line with amount > 0, a refund one with amount < 0; an order is\n"
        "a run of a user's purchase lines with one order_id (without order_id: one\n"
        "timestamp). W = [asof - window, asof). Events at or after --asof are ignored for\n"
        "features. A row equal to the same user's previous row is a duplicate: reported\n"
        "and left out.\n\n"
        "Features (one row per user with a purchase before asof, by increasing user id):\n"
        "  recency_days        days from the last purchase to asof\n"
        "  tenure_days         days from the first purchase to asof\n"
        "  frequency           orders starting in W\n"
        "  monetary_total      sum of amounts in W (refunds subtract)\n"
        "  monetary_mean       monetary_total / frequency\n"
        "  interval_mean_days  mean days between consecutive orders in W\n"
        "  interval_std_days   their population standard deviation\n"
        "  trend               (orders in the 2nd half of W - in the 1st) / frequency\n"
        "  distinct_items      distinct items bought in W (with an item column)\n"
        "  basket_size_mean    purchase lines in W / frequency\n"
        "  refund_share        refunded / purchased amount in W\n"
        "(ratios are 0 where the denominator is 0).\n\n"
        "/churned: 1 if no purchase in [asof, asof + horizon); written only when the log\n"
        "reaches the last day of the horizon, otherwise a note says so.\n"
        "/rfm_score (R, F, M, 1-5): 1 + floor(5 c / users), c the users strictly worse\n"
        "(R: larger recency; F: fewer orders; M: smaller monetary_total); ties share.\n"
        "/tier (names in /tier_names), the first rule that holds:\n"
        "  lost     recency_days > 180 (dormant)\n"
        "  new      tenure_days <= 30\n"
        "  at_risk  recency_days > 90\n"
        "  loyal    F >= 4 and M >= 4 (VIP)\n"
        "  active   the rest\n\n"
        "--with-clv CLV.h5 adds these columns to /features (names stable: jobs such as\n"
        "`retain score` read them), as of --asof over --horizon, each user summarised\n"
        "under the model's occasion and time-unit rules as `retain clv predict` does:\n"
        "  clv_x                   repeat purchase occasions\n"
        "  clv_t_x, clv_T          first to last occasion, first occasion to asof, in\n"
        "                          the model's time unit (file attributes: clv_model,\n"
        "                          clv_time_unit, clv_occasion)\n"
        "  clv_m_x                 mean spend of the repeat occasions (0 without any)\n"
        "  clv_p_alive             probability the user is still active\n"
        "  clv_expected_purchases  expected repeat occasions over the horizon\n"
        "  clv_expected_spend      expected mean spend of an occasion  } with a spend\n"
        "  clv_value               discounted CLV over the horizon    } model only\n\n"
        "example: retain features log.csv --asof 2024-10-01 --horizon 90d -o feat.h5\n"
        "         retain kmeans fit feat.h5 -k 5 -o seg.h5\n"
        "         retain features log.csv --asof 2024-10-01 --with-clv clv.h5 -o feat.h5",
        opts, 1, 1};
    const char *pos[1];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    o.log = pos[0];
    if (!output)
        return cli_usage_error(&cmd, &common, "-o FEATURES.h5 is required");
    if (!cli_has_suffix(output, ".h5") && !cli_has_suffix(output, ".hdf5"))
        return cli_usage_error(&cmd, &common, "-o %s: the output is HDF5; name it .h5",
                               output);
    if (!o.asof_text)
        return cli_usage_error(&cmd, &common, "--asof DATE is required: features come from "
                               "events before it");
    if (!rt_datetime_parse(o.asof_text, &o.asof))
        return cli_usage_error(&cmd, &common, "--asof expects YYYY-MM-DD or "
                               "YYYY-MM-DDTHH:MM:SS (UTC, 1970-9999), got '%s'", o.asof_text);
    if (!cli_parse_duration(o.window_text, &o.window))
        return cli_usage_error(&cmd, &common, "--window expects a duration such as 365d, "
                               "52w, 36h or a number of days, got '%s'", o.window_text);
    if (!cli_parse_duration(o.horizon_text, &o.horizon))
        return cli_usage_error(&cmd, &common, "--horizon expects a duration such as 90d, "
                               "12w, 36h or a number of days, got '%s'", o.horizon_text);
    const char *inputs[2] = {o.log, o.clv_path};
    retain_status s = rt_output_check_not_input(output, inputs, o.clv_path ? 2 : 1);
    if (s)
        return cli_fail(&cmd, &common, s);
    rt_clv_loaded clv;
    rt_clv_horizon clv_horizon;
    if (o.clv_path && ((s = rt_clv_model_load(o.clv_path, &clv)) ||
                       (s = cli_clv_check(&clv, o.clv_path, NULL, NULL, o.horizon, &discount,
                                          &clv_horizon))))
        return cli_fail(&cmd, &common, s);
    if (o.clv_path)
        o.clv = &clv;

    double t0 = rt_seconds();
    rt_eventlog_spec spec = {.user = cols.user, .time = cols.time, .amount = cols.amount,
                             .item = cols.item, .order = cols.order};
    rt_eventlog *log = NULL;
    if ((s = rt_eventlog_open(o.log, &spec, &log)))
        return cli_fail(&cmd, &common, s);
    rt_logs_features_params fp = {o.asof, o.window, o.horizon, rt_eventlog_has_item(log),
                                  rt_eventlog_has_order(log), where, log};
    rt_logs_features *f = NULL;
    rt_logs_feature_table t = {0};
    cli_progress progress;
    cli_progress_start(&progress, &common);
    if (!(s = rt_logs_features_create(&fp, &f)) && !(s = read_log(log, f, &progress)))
        s = rt_logs_features_finish(f, &t);
    cli_progress_finish(&progress);
    rt_logs_features_free(f);
    if (s && s == RETAIN_ERR_USAGE && t.events > 0) {
        char first[20];
        rt_datetime_format(t.first_time, first);
        rt_error_context(s, "--asof %s (the log's first event is at %s)", o.asof_text, first);
    } else if (s && !strstr(retain_last_error(), o.log)) {
        rt_error_context(s, "%s", o.log);
    }
    feature_matrix fm = {t.cols, {0}, t.x};
    for (int64_t c = 0; c < t.cols; c++)
        fm.names[c] = t.names[c];
    double *wide = NULL;
    if (!s && o.clv_path)
        s = add_clv_columns(&o, &cols, &clv, &clv_horizon, &t, &fm, &wide);
    if (!s)
        s = write_output(output, &t, &fm, &o, (int)gzip);
    free(wide);
    if (s) {
        rt_eventlog_close(log);
        rt_logs_feature_table_free(&t);
        return cli_fail(&cmd, &common, s);
    }
    double seconds = rt_seconds() - t0;
    char last[20];
    rt_datetime_format(t.last_time, last);
    if (t.duplicates > 0) {
        char a[160], b[160];
        cli_note(&common, "%lld duplicate rows left out (the first: %s, equal to %s)",
                 (long long)t.duplicates, rt_eventlog_where(log, t.first_duplicate, a, sizeof a),
                 rt_eventlog_where(log, t.duplicate_of, b, sizeof b));
    }
    rt_eventlog_close(log);
    if (!t.churned)
        cli_note(&common, "no /churned written: the log ends at %s, before the last day of "
                 "the horizon (asof %s + %s)", last, o.asof_text, o.horizon_text);
    if (common.json) {
        cli_json j;
        json_begin(&j, stdout);
        json_string(&j, "command", "features");
        json_string(&j, "input", o.log);
        json_string(&j, "output", output);
        json_string(&j, "asof", o.asof_text);
        json_int(&j, "users", t.users);
        json_int(&j, "features", fm.cols);
        json_int(&j, "events", t.events);
        json_int(&j, "events_used", t.used);
        json_int(&j, "events_after_asof", t.after_asof);
        json_int(&j, "duplicates", t.duplicates);
        json_bool(&j, "churned_written", t.churned != NULL);
        int64_t counts[RT_TIER_COUNT] = {0}, churners = 0;
        for (int64_t i = 0; i < t.users; i++) {
            counts[t.tier[i]]++;
            churners += t.churned ? t.churned[i] : 0;
        }
        if (t.churned)
            json_int(&j, "churners", churners);
        json_object(&j, "tiers");
        for (int k = 0; k < RT_TIER_COUNT; k++)
            json_int(&j, rt_logs_tier_names[k], counts[k]);
        json_object_end(&j);
        json_double(&j, "seconds", seconds);
        json_double(&j, "events_per_second", seconds > 0 ? (double)t.events / seconds : 0);
        json_end(&j);
    } else if (!common.quiet) {
        printf("wrote %s: %lld users x %lld features from %lld events (%lld before --asof, "
               "%lld after)%s; %.2f s (%.0f events/s)\n",
               output, (long long)t.users, (long long)fm.cols, (long long)t.events,
               (long long)t.used, (long long)t.after_asof,
               t.churned ? ", with /churned" : "", seconds,
               seconds > 0 ? (double)t.events / seconds : 0.0);
    }
    rt_logs_feature_table_free(&t);
    return 0;
}
