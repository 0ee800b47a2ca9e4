/*
** src/cli/cmd_clv_predict.c: `retain clv predict CLV.h5 LOG --asof DATE
** --horizon 39w -o OUT.h5`: reads a lifetime-value model (io/clv_model.c),
** summarises every customer of the log as of the date under the model's
** occasion and time-unit rules (clv_common.c), predicts P(alive), expected
** purchases, expected spend and discounted CLV (src/clv/value.c), writes
** them atomically and prints P(alive) bands and value deciles.
*/
#include "cli.h"

#include "clv/clv.h"
#include "core/datetime.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/sort.h"
#include "io/atomic.h"
#include "io/clv_model.h"
#include "io/h5write.h"

#include <stdlib.h>
#include <string.h>

#define DECILES 10

typedef struct request {
    const char *model_path, *log_path, *asof_text, *horizon_text;
    int64_t asof, horizon;
    cli_clv_discount discount;
    rt_clv_horizon h;
} request;

typedef struct result {
    rt_clv_table t;
    rt_clv_predictions p;
    const rt_clv_loaded *m;
    double summary_seconds, predict_seconds; /* the log read and summarised; the models */
} result;

/* The table's rows of P(alive) bands and value deciles. */
typedef struct tables {
    int64_t band_n[RT_CLV_BANDS], decile_n[DECILES];
    double band_expected[RT_CLV_BANDS], decile_value[DECILES], decile_p_alive[DECILES];
    double total_expected, total_value;
} tables;

static const char *const COLUMN_NAMES[4] = {"/x", "/t_x", "/T", "/m_x"};


static retain_status write_file(hid_t f, const request *q, const result *r)
{
    int64_t n = r->t.n;
    const double *summary[4] = {r->t.x, r->t.tx, r->t.T, r->t.m};
    const double *predicted[4] = {r->p.p_alive, r->p.expected, r->p.spend, r->p.value};
    static const char *const predicted_names[4] = {"/p_alive", "/expected_purchases",
                                                   "/expected_spend", "/clv"};
    retain_status s =
        rt_h5_write_vector(f, "/user_id", H5T_STD_I64LE, H5T_NATIVE_INT64, n, r->t.user_id);
    for (int c = 0; !s && c < 4; c++)
        s = rt_h5_write_vector(f, COLUMN_NAMES[c], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n,
                               summary[c]);
    for (int c = 0; !s && c < 4; c++)
        if (predicted[c])
            s = rt_h5_write_vector(f, predicted_names[c], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n,
                                   predicted[c]);
    if (s || (s = rt_h5_attr_set_string(f, "generator", "retain clv predict")) ||
        (s = rt_h5_attr_set_string(f, "engine_version", retain_version())) ||
        (s = rt_h5_attr_set_string(f, "model", q->model_path)) ||
        (s = rt_h5_attr_set_string(f, "model_kind", r->m->model_name)) ||
        (s = rt_h5_attr_set_string(f, "input", q->log_path)) ||
        (s = rt_h5_attr_set_string(f, "asof", q->asof_text)) ||
        (s = rt_h5_attr_set_string(f, "horizon", q->horizon_text)) ||
        (s = rt_h5_attr_set_double(f, "horizon_units", q->h.length)) ||
        (s = rt_h5_attr_set_string(f, "time_unit", r->m->time_unit)) ||
        (s = rt_h5_attr_set_string(f, "occasion", r->m->occasion)) || !r->p.value ||
        (s = rt_h5_attr_set_double(f, "discount", q->discount.rate)))
        return s;
    return rt_h5_attr_set_string(f, "discount_period", q->discount.period);
}

static retain_status write_output(const char *path, const request *q, const result *r)
{
    rt_output out;
    const char *inputs[2] = {q->model_path, q->log_path};
    retain_status s = rt_output_begin(&out, path, inputs, 2);
    if (s)
        return s;
    hid_t f;
    if (!(s = rt_h5_create(out.tmp_path, &f)))
        s = rt_h5_close_file(f, out.tmp_path, write_file(f, q, r));
    if (!s)
        s = rt_output_commit(&out);
    rt_output_abort(&out);
    return s;
}

/* Bands by P(alive) and deciles by value (expected purchases without a
** spend model), highest first. */
static retain_status tabulate(const result *r, tables *tb)
{
    int64_t n = r->t.n;
    const double *rank = r->p.value ? r->p.value : r->p.expected;
    memset(tb, 0, sizeof *tb);
    for (int64_t i = 0; i < n; i++) {
        int b = rt_clv_band(r->p.p_alive[i]);
        tb->band_n[b]++;
        tb->band_expected[b] += r->p.expected[i];
        tb->total_expected += r->p.expected[i];
        tb->total_value += rank[i];
    }
    uint64_t *keys = malloc((size_t)n * sizeof *keys);
    int64_t *order = malloc((size_t)n * sizeof *order);
    retain_status s = RETAIN_OK;
    if (!keys || !order)
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory ranking %lld customers", (long long)n);
    for (int64_t i = 0; !s && i < n; i++) {
        keys[i] = rt_sort_key_f64(-rank[i]);
        order[i] = i;
    }
    if (!s && !(s = rt_sort_u64(keys, order, n)))
        for (int64_t k = 0; k < n; k++) {
            int d = (int)(k * DECILES / n);
            tb->decile_n[d]++;
            tb->decile_value[d] += rank[order[k]];
            tb->decile_p_alive[d] += r->p.p_alive[order[k]];
        }
    free(keys);
    free(order);
    return s;
}

static double ratio(double a, double b) { return b != 0 ? a / b : 0.0; }

static void print_tables(const request *q, const result *r, const tables *tb)
{
    int64_t n = r->t.n;
    const char *what = r->p.value ? "CLV" : "expected purchases";
    printf("%s: %lld customers as of %s; horizon %s (%.6g %ss)%s\n", q->log_path,
           (long long)n, q->asof_text, q->horizon_text, q->h.length, r->m->time_unit,
           r->p.value ? "" : "; no spend model, so no expected spend or CLV");
    printf("\n  %-10s %10s %7s %20s\n", "P(alive)", "customers", "share", "expected purchases");
    for (int b = 0; b < RT_CLV_BANDS; b++)
        printf("  %-10s %10lld %6.1f%% %20.2f\n", rt_clv_band_names[b], (long long)tb->band_n[b],
               100 * ratio((double)tb->band_n[b], (double)n), tb->band_expected[b]);
    printf("  %-10s %10lld %6.1f%% %20.2f\n", "total", (long long)n, 100.0, tb->total_expected);
    printf("\n  %-8s %10s %14s %12s %14s\n", "decile", "customers", r->p.value ? "mean CLV" :
           "mean purchases", "share", "mean P(alive)");
    for (int d = 0; d < DECILES; d++)
        printf("  %-8d %10lld %14.4f %11.1f%% %14.4f\n", d + 1, (long long)tb->decile_n[d],
               ratio(tb->decile_value[d], (double)tb->decile_n[d]),
               100 * ratio(tb->decile_value[d], tb->total_value),
               ratio(tb->decile_p_alive[d], (double)tb->decile_n[d]));
    printf("  (deciles by %s, highest first)\n", what);
}

static void print_json(const request *q, const result *r, const tables *tb, const char *output,
                       double seconds)
{
    cli_json j;
    json_begin(&j, stdout);
    json_string(&j, "command", "clv predict");
    json_string(&j, "model", q->model_path);
    json_string(&j, "input", q->log_path);
    json_string(&j, "output", output);
    json_string(&j, "asof", q->asof_text);
    json_string(&j, "horizon", q->horizon_text);
    json_double(&j, "horizon_units", q->h.length);
    json_string(&j, "time_unit", r->m->time_unit);
    json_bool(&j, "spend_model", r->p.value != NULL);
    if (r->p.value) {
        json_double(&j, "discount", q->discount.rate);
        json_string(&j, "discount_period", q->discount.period);
    }
    json_int(&j, "customers", r->t.n);
    json_double(&j, "expected_purchases", tb->total_expected);
    if (r->p.value)
        json_double(&j, "clv", tb->total_value);
    json_array(&j, "p_alive_bands");
    for (int b = 0; b < RT_CLV_BANDS; b++) {
        json_object(&j, NULL);
        json_double(&j, "lower", b ? rt_clv_band_upper[b - 1] : 0.0);
        json_double(&j, "upper", rt_clv_band_upper[b]);
        json_int(&j, "customers", tb->band_n[b]);
        json_double(&j, "share", ratio((double)tb->band_n[b], (double)r->t.n));
        json_double(&j, "expected_purchases", tb->band_expected[b]);
        json_object_end(&j);
    }
    json_array_end(&j);
    json_array(&j, "deciles");
    for (int d = 0; d < DECILES; d++) {
        json_object(&j, NULL);
        json_int(&j, "decile", d + 1);
        json_int(&j, "customers", tb->decile_n[d]);
        json_double(&j, r->p.value ? "clv" : "expected_purchases", tb->decile_value[d]);
        json_double(&j, "share", ratio(tb->decile_value[d], tb->total_value));
        json_double(&j, "mean_p_alive", ratio(tb->decile_p_alive[d], (double)tb->decile_n[d]));
        json_object_end(&j);
    }
    json_array_end(&j);
    json_double(&j, "summary_seconds", r->summary_seconds);
    json_double(&j, "predict_seconds", r->predict_seconds);
    json_double(&j, "seconds", seconds);
    json_end(&j);
}

int cmd_clv_predict(int argc, char **argv)
{
    cli_common common = {0};
    cli_log_columns cols = {0};
    request q = {.horizon_text = "12m", .discount = {CLI_CLV_DISCOUNT, "month"}};
    const char *output = NULL, *time_unit = NULL, *occasion = NULL;
    cli_opt opts[] = {
        {"asof", 0, CLI_STRING, &q.asof_text, "DATE", "predict from the events before DATE "
         "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, UTC; required)", 1, 0},
        {"horizon", 0, CLI_STRING, &q.horizon_text, "DUR", "predict over [asof, asof + DUR): "
         "39w, 90d, 12m (months of 30.4375 days) or days", 1, 0},
        CLI_CLV_DISCOUNT_OPTS(&q.discount),
        {"time-unit", 0, CLI_STRING, &time_unit, "week|day", "check: refuse unless the model "
         "was fitted in this unit", 1, 0},
        {"occasion", 0, CLI_STRING, &occasion, "day|order", "check: refuse unless the model "
         "counts these occasions", 1, 0},
        CLI_LOG_COLUMN_OPTS(&cols),
        {"output", 'o', CLI_STRING, &output, "OUT.h5", "output file (required)", 1, 0},
        {0},
    };
    cli_command cmd = {
        "clv predict", "CLV.h5 LOG --asof DATE [--horizon 39w] -o OUT.h5 [options]",
        "P(alive), expected purchases, expected spend and lifetime value of every customer.",
        "CLV.h5 comes from `retain clv fit`. Each customer with a purchase before --asof\n"
        "is summarised as the model's were (its occasions, time unit and refund rule):\n"
        "x repeat occasions, t_x and T from the first occasion, m_x the mean repeat\n"
        "spend. Customers whose first purchase came after the model's calibration end\n"
        "are predicted too, from their own first purchase. With day occasions T runs\n"
        "to the day before --asof: a model fitted with --calibration-end 1997-09-30\n"
        "gives back its own customers with --asof 1997-10-01.\n\n"
        "The horizon is converted into the model's time unit; --time-unit and\n"
        "--occasion only check the model (exit 2 when it was fitted otherwise).\n\n"
        "OUT.h5, one row per customer by increasing user id:\n"
        "  /user_id             int64\n"
        "  /x /t_x /T /m_x      the summary (t_x and T in the model's unit)\n"
        "  /p_alive             probability the customer is still active\n"
        "  /expected_purchases  expected repeat occasions over the horizon\n"
        "  /expected_spend      Gamma-Gamma expected mean spend of an occasion\n"
        "  /clv                 sum over discount periods k = 1 .. ceil(H / P) of the\n"
        "                       expected occasions in period k times expected_spend,\n"
        "                       divided by (1 + RATE)^k (the last period may be\n"
        "                       partial: its exponent is the fraction reached), as\n"
        "                       the lifetimes package's customer_lifetime_value\n"
        "                       (which takes 30 days or 4.345 weeks a month)\n"
        "A model fitted with --spend none has no spend model: /expected_spend and /clv\n"
        "are not written, and the deciles rank expected purchases.\n"
        "Printed: customers by P(alive) band (< 0.1, 0.1-0.5, 0.5-0.9, >= 0.9) with\n"
        "their share and expected purchases, and value deciles, highest first.\n\n"
        "example: retain clv fit log.csv --calibration-end 1997-09-30 -o clv.h5\n"
        "         retain clv predict clv.h5 log.csv --asof 1997-10-01 --horizon 39w -o p.h5",
        opts, 2, 2};
    const char *pos[2];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    q.model_path = pos[0];
    q.log_path = pos[1];
    if (!output || (!cli_has_suffix(output, ".h5") && !cli_has_suffix(output, ".hdf5")))
        return cli_usage_error(&cmd, &common, "-o OUT.h5 is required (HDF5)");
    if (!q.asof_text)
        return cli_usage_error(&cmd, &common, "--asof DATE is required: predictions use the "
                               "events before it");
    if (!rt_datetime_parse(q.asof_text, &q.asof))
        return cli_usage_error(&cmd, &common, "--asof expects YYYY-MM-DD or "
                               "YYYY-MM-DDTHH:MM:SS (UTC, 1970-9999), got '%s'", q.asof_text);
    if (!cli_clv_parse_horizon(q.horizon_text, &q.horizon))
        return cli_usage_error(&cmd, &common, "--horizon expects a duration such as 39w, 90d, "
                               "12m (months) or a number of days, got '%s'", q.horizon_text);
    if (time_unit && strcmp(time_unit, "week") != 0 && strcmp(time_unit, "day") != 0)
        return cli_usage_error(&cmd, &common, "--time-unit must be week or day, got '%s'",
                               time_unit);
    if (occasion && strcmp(occasion, "day") != 0 && strcmp(occasion, "order") != 0)
        return cli_usage_error(&cmd, &common, "--occasion must be day or order, got '%s'",
                               occasion);
    const char *inputs[2] = {q.model_path, q.log_path};
    retain_status s = rt_output_check_not_input(output, inputs, 2);
    if (s)
        return cli_fail(&cmd, &common, s);

    double t0 = rt_seconds();
    rt_clv_loaded m;
    result r = {.m = &m};
    if ((s = rt_clv_model_load(q.model_path, &m)) ||
        (s = cli_clv_check(&m, q.model_path, time_unit, occasion, q.horizon, &q.discount,
                           &q.h)) ||
        (s = cli_clv_summarise(q.log_path, &cols, &m, q.asof, &r.t)))
        return cli_fail(&cmd, &common, s);
    double t_summary = rt_seconds();
    r.summary_seconds = t_summary - t0;
    int64_t n = r.t.n;
    int ncols = m.has_spend ? 4 : 2;
    double *buf = malloc((size_t)(ncols * n) * sizeof *buf);
    if (!buf) {
        rt_clv_table_free(&r.t);
        return cli_fail(&cmd, &common, rt_error(RETAIN_ERR_INTERNAL, "out of memory for the "
                                                "predictions of %lld customers", (long long)n));
    }
    rt_mem_hugepages(buf, (size_t)(ncols * n) * sizeof *buf);
    r.p = (rt_clv_predictions){buf, buf + n, m.has_spend ? buf + 2 * n : NULL,
                               m.has_spend ? buf + 3 * n : NULL};
    rt_clv_summary sum = {n, r.t.x, r.t.tx, r.t.T, r.t.m, NULL};
    s = rt_clv_predict_all(m.model, m.params, m.has_spend ? m.spend : NULL, &q.h, &sum, &r.p);
    r.predict_seconds = rt_seconds() - t_summary;
    if (r.t.last_event < q.asof - 86400) {
        char last[20];
        rt_datetime_format(r.t.last_event, last);
        cli_warn(&cmd, &common, "%s ends %s, more than a day before --asof %s: customers are "
                 "aged to --asof as if nobody had bought since", q.log_path, last, q.asof_text);
    }
    tables tb;
    if (!s && !(s = tabulate(&r, &tb)))
        s = write_output(output, &q, &r);
    if (!s && common.json)
        print_json(&q, &r, &tb, output, rt_seconds() - t0);
    else if (!s && !common.quiet) {
        print_tables(&q, &r, &tb);
        printf("wrote %s in %.2f s\n", output, rt_seconds() - t0);
    }
    free(buf);
    rt_clv_table_free(&r.t);
    return s ? cli_fail(&cmd, &common, s) : 0;
}
