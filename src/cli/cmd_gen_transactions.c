/*
** src/cli/cmd_gen_transactions.c: `retain gen transactions`: a purchase log
** (user_id, timestamp, amount, item, order_id) from the BG/NBD + Gamma-Gamma
** process of src/gen/transactions.c, as CSV or HDF5 (growing 1-D datasets),
** with the per-user truth and the parameters in /truth (HDF5) or in a side
** file OUT.csv.truth.h5. The generator hands over one time window at a time;
** CSV lines are formatted in parallel chunks and written in order, so memory
** grows with users, not events, and the output is the same bits for any
** --threads.
*/
#include "cli.h"

#include "core/datetime.h"
#include "core/error.h"
#include "gen/transactions.h"
#include "io/h5write.h"
#include "io/textfmt.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define CSV_CHUNK 16384
#define CSV_CHUNKS 16
#define CSV_ROW_MAX 96
#define TRUTH_ROWS (1 << 18)

typedef enum out_format { OUT_H5, OUT_CSV } out_format;

/* ---- CSV ------------------------------------------------------------------- */

static inline char *put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

/* Rows [r0, r1) of a window as CSV lines into p; returns the end. */
static char *format_rows(const rt_gen_tx_events *ev, int64_t r0, int64_t r1, char *p)
{
    int64_t cached_day = INT64_MIN;
    char date[11] = {0};
    for (int64_t i = r0; i < r1; i++) {
        p = rt_put_uint(p, (uint64_t)ev->user_id[i]);
        *p++ = ',';
        int64_t t = ev->timestamp[i];
        int64_t day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400), sec = t - day * 86400;
        if (day != cached_day) {
            char full[20];
            rt_datetime_format(day * 86400, full);
            memcpy(date, full, 10);
            cached_day = day;
        }
        memcpy(p, date, 10);
        p += 10;
        *p++ = 'T';
        p = put2(p, (int)(sec / 3600));
        *p++ = ':';
        p = put2(p, (int)(sec / 60 % 60));
        *p++ = ':';
        p = put2(p, (int)(sec % 60));
        *p++ = ',';
        int64_t cents = ev->cents[i];
        if (cents < 0) {
            *p++ = '-';
            cents = -cents;
        }
        p = rt_put_uint(p, (uint64_t)(cents / 100));
        *p++ = '.';
        p = put2(p, (int)(cents % 100));
        *p++ = ',';
        p = rt_put_uint(p, (uint64_t)ev->item[i]);
        *p++ = ',';
        p = rt_put_uint(p, (uint64_t)ev->order_id[i]);
        *p++ = '\n';
    }
    return p;
}

typedef struct csv_sink {
    FILE *f;
    char *text;               /* CSV_CHUNKS regions of CSV_CHUNK rows */
    int64_t used[CSV_CHUNKS];
} csv_sink;

static retain_status write_csv(csv_sink *o, const rt_gen_tx_events *ev)
{
    const int64_t round = (int64_t)CSV_CHUNK * CSV_CHUNKS;
    for (int64_t r0 = 0; r0 < ev->count; r0 += round) {
        int64_t n = ev->count - r0 < round ? ev->count - r0 : round;
        int64_t chunks = (n + CSV_CHUNK - 1) / CSV_CHUNK;
#pragma omp parallel for schedule(static)
        for (int64_t c = 0; c < chunks; c++) {
            int64_t a = r0 + c * CSV_CHUNK, b = a + CSV_CHUNK < r0 + n ? a + CSV_CHUNK : r0 + n;
            char *start = o->text + c * CSV_CHUNK * CSV_ROW_MAX;
            o->used[c] = format_rows(ev, a, b, start) - start;
        }
        for (int64_t c = 0; c < chunks; c++)
            if (fwrite(o->text + c * CSV_CHUNK * CSV_ROW_MAX, 1, (size_t)o->used[c], o->f) !=
                (size_t)o->used[c])
                return rt_error(RETAIN_ERR_IO, "write failed (disk full?)");
    }
    return RETAIN_OK;
}

/* ---- HDF5 ------------------------------------------------------------------ */

typedef struct h5_sink {
    hid_t file, user, time, amount, item, order;
    double *amounts;
    int64_t amounts_cap;
} h5_sink;

static retain_status create_log(h5_sink *o, int gzip)
{
    retain_status s;
    if ((s = rt_h5_dataset_create_growing(o->file, "/user_id", H5T_STD_I64LE, gzip,
                                          &o->user)) ||
        (s = rt_h5_dataset_create_growing(o->file, "/timestamp", H5T_STD_I64LE, gzip,
                                          &o->time)) ||
        (s = rt_h5_dataset_create_growing(o->file, "/amount", H5T_IEEE_F64LE, gzip,
                                          &o->amount)) ||
        (s = rt_h5_dataset_create_growing(o->file, "/item", H5T_STD_I32LE, gzip,
                                          &o->item)) ||
        (s = rt_h5_dataset_create_growing(o->file, "/order_id", H5T_STD_I64LE, gzip,
                                          &o->order)) ||
        (s = rt_h5_attr_set_string(o->time, "units",
                                   "seconds since 1970-01-01T00:00:00Z")) ||
        (s = rt_h5_attr_set_string(o->amount, "units",
                                   "currency units, exact cents; negative: refund")))
        return s;
    return RETAIN_OK;
}

static retain_status write_h5(h5_sink *o, const rt_gen_tx_events *ev)
{
    if (ev->count > o->amounts_cap) {
        double *a = realloc(o->amounts, (size_t)ev->count * sizeof *a);
        if (!a)
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld amounts",
                            (long long)ev->count);
        o->amounts = a;
        o->amounts_cap = ev->count;
    }
    for (int64_t i = 0; i < ev->count; i++)
        o->amounts[i] = (double)ev->cents[i] / 100.0;
    retain_status s;
    if ((s = rt_h5_append(o->user, H5T_NATIVE_INT64, ev->count, ev->user_id)) ||
        (s = rt_h5_append(o->time, H5T_NATIVE_INT64, ev->count, ev->timestamp)) ||
        (s = rt_h5_append(o->amount, H5T_NATIVE_DOUBLE, ev->count, o->amounts)) ||
        (s = rt_h5_append(o->item, H5T_NATIVE_INT32, ev->count, ev->item)) ||
        (s = rt_h5_append(o->order, H5T_NATIVE_INT64, ev->count, ev->order_id)))
        return s;
    return RETAIN_OK;
}

static retain_status close_log(h5_sink *o)
{
    retain_status s = RETAIN_OK;
    hid_t *all[5] = {&o->user, &o->time, &o->amount, &o->item, &o->order};
    for (int i = 0; i < 5; i++)
        if (*all[i] >= 0) {
            if (H5Dclose(*all[i]) < 0 && !s)
                s = rt_error(RETAIN_ERR_IO, "cannot write the log datasets");
            *all[i] = H5I_INVALID_HID;
        }
    return s;
}

/* ---- truth ----------------------------------------------------------------- */

static retain_status truth_attrs(hid_t grp, const rt_gen_tx_params *p)
{
    char start[20];
    rt_datetime_format(p->start, start);
    retain_status s;
    if ((s = rt_h5_attr_set_double(grp, "r", p->r)) ||
        (s = rt_h5_attr_set_double(grp, "alpha", p->alpha)) ||
        (s = rt_h5_attr_set_double(grp, "a", p->a)) ||
        (s = rt_h5_attr_set_double(grp, "b", p->b)) ||
        (s = rt_h5_attr_set_double(grp, "p", p->p)) ||
        (s = rt_h5_attr_set_double(grp, "q", p->q)) ||
        (s = rt_h5_attr_set_double(grp, "gamma", p->gamma)) ||
        (s = rt_h5_attr_set_string(grp, "time_unit", "day")) ||
        (s = rt_h5_attr_set_string(grp, "start", start)) ||
        (s = rt_h5_attr_set_int64(grp, "start_epoch", p->start)) ||
        (s = rt_h5_attr_set_int64(grp, "days", p->days)) ||
        (s = rt_h5_attr_set_double(grp, "acquisition_days", p->acquisition_days)) ||
        (s = rt_h5_attr_set_double(grp, "refund_rate", p->refund_rate)) ||
        (s = rt_h5_attr_set_int64(grp, "users", p->users)) ||
        (s = rt_h5_attr_set_int64(grp, "seed", (int64_t)p->seed)) ||
        (s = rt_h5_attr_set_string(grp, "model",
                                   "BG/NBD (Fader, Hardie and Lee 2005): lambda ~ "
                                   "Gamma(shape r, rate alpha) purchases per day, "
                                   "p ~ Beta(a, b); first purchase uniform over the first "
                                   "acquisition_days, repeat purchases Poisson(lambda); "
                                   "Gamma-Gamma spend: order value ~ Gamma(shape p, rate "
                                   "nu), nu ~ Gamma(shape q, rate gamma)")) ||
        (s = rt_h5_attr_set_string(grp, "dropout_rule",
                                   "after each repeat purchase (not the first) the user "
                                   "becomes inactive with probability p, as in BG/NBD")) ||
        (s = rt_h5_attr_set_string(grp, "alive_at_end",
                                   "1 if the user had not dropped out by the end of the "
                                   "period")))
        return s;
    return RETAIN_OK;
}

static retain_status truth_patterns(hid_t file, const rt_gen_tx_params *p,
                                    const rt_gen_baskets *lines)
{
    const rt_gen_baskets_params *b = &p->lines;
    const int64_t *indptr = rt_gen_baskets_pattern_indptr(lines);
    hid_t grp = H5I_INVALID_HID;
    retain_status s;
    if ((s = rt_h5_write_vector(file, "/truth/patterns/indptr", H5T_STD_I64LE,
                                H5T_NATIVE_INT64, b->patterns + 1, indptr)) ||
        (s = rt_h5_write_vector(file, "/truth/patterns/indices", H5T_STD_I32LE,
                                H5T_NATIVE_INT32, indptr[b->patterns],
                                rt_gen_baskets_pattern_items(lines))) ||
        (s = rt_h5_write_vector(file, "/truth/patterns/weight", H5T_IEEE_F64LE,
                                H5T_NATIVE_DOUBLE, b->patterns,
                                rt_gen_baskets_pattern_weights(lines))) ||
        (s = rt_h5_write_vector(file, "/truth/patterns/corruption", H5T_IEEE_F64LE,
                                H5T_NATIVE_DOUBLE, b->patterns,
                                rt_gen_baskets_pattern_corruption(lines))))
        return s;
    grp = H5Gopen2(file, "/truth/patterns", H5P_DEFAULT);
    if (grp < 0)
        return rt_error(RETAIN_ERR_IO, "cannot open group /truth/patterns");
    if (!(s = rt_h5_attr_set_int64(grp, "items", b->items)) &&
        !(s = rt_h5_attr_set_double(grp, "avg_len", b->avg_len)) &&
        !(s = rt_h5_attr_set_int64(grp, "patterns", b->patterns)) &&
        !(s = rt_h5_attr_set_double(grp, "pattern_len", b->pattern_len)) &&
        !(s = rt_h5_attr_set_double(grp, "corruption", b->corruption)))
        s = rt_h5_attr_set_double(grp, "noise", b->noise);
    H5Gclose(grp);
    return s;
}

/* /truth: per-user datasets (written in row blocks), the line patterns and
** the parameters. */
static retain_status write_truth(hid_t file, const rt_gen_tx_params *p, const rt_gen_tx *g)
{
    static const char *const names[7] = {"/truth/user_id", "/truth/lambda", "/truth/p",
                                         "/truth/nu", "/truth/first_purchase",
                                         "/truth/orders", "/truth/alive_at_end"};
    hid_t file_types[7] = {H5T_STD_I64LE, H5T_IEEE_F64LE, H5T_IEEE_F64LE, H5T_IEEE_F64LE,
                           H5T_STD_I64LE, H5T_STD_I64LE, H5T_STD_I8LE};
    hid_t mem_types[7] = {H5T_NATIVE_INT64, H5T_NATIVE_DOUBLE, H5T_NATIVE_DOUBLE,
                          H5T_NATIVE_DOUBLE, H5T_NATIVE_INT64, H5T_NATIVE_INT64,
                          H5T_NATIVE_INT8};
    int64_t n = p->users, rows = n < TRUTH_ROWS ? n : TRUTH_ROWS;
    hid_t d[7];
    for (int i = 0; i < 7; i++)
        d[i] = H5I_INVALID_HID;
    int64_t *ids = malloc((size_t)rows * sizeof *ids);
    rt_gen_tx_truth t = {malloc((size_t)rows * sizeof(double)),
                         malloc((size_t)rows * sizeof(double)),
                         malloc((size_t)rows * sizeof(double)),
                         malloc((size_t)rows * sizeof(int64_t)),
                         malloc((size_t)rows * sizeof(int64_t)), malloc((size_t)rows)};
    const void *cols[7] = {ids, t.lambda, t.p, t.nu, t.first_purchase, t.orders, t.alive};
    retain_status s = RETAIN_OK;
    if (!ids || !t.lambda || !t.p || !t.nu || !t.first_purchase || !t.orders || !t.alive)
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for the truth");
    for (int i = 0; !s && i < 7; i++)
        s = rt_h5_dataset_create(file, names[i], file_types[i], n, 0, 0, &d[i]);
    for (int64_t first = 0; !s && first < n; first += rows) {
        int64_t m = n - first < rows ? n - first : rows;
        for (int64_t i = 0; i < m; i++)
            ids[i] = first + i + 1;
        rt_gen_tx_truth_block(g, first, m, &t);
        for (int i = 0; !s && i < 7; i++)
            s = rt_h5_write_rows(d[i], mem_types[i], first, m, 0, cols[i]);
    }
    for (int i = 0; i < 7; i++)
        if (d[i] >= 0 && H5Dclose(d[i]) < 0 && !s)
            s = rt_error(RETAIN_ERR_IO, "cannot write %s", names[i]);
    free(ids);
    free(t.lambda);
    free(t.p);
    free(t.nu);
    free(t.first_purchase);
    free(t.orders);
    free(t.alive);
    if (s || (s = truth_patterns(file, p, rt_gen_tx_lines(g))))
        return s;
    hid_t grp = H5Gopen2(file, "/truth", H5P_DEFAULT);
    if (grp < 0)
        return rt_error(RETAIN_ERR_IO, "cannot open group /truth");
    s = truth_attrs(grp, p);
    H5Gclose(grp);
    return s;
}

static retain_status root_attrs(hid_t file, const rt_gen_tx_params *p)
{
    retain_status s;
    if ((s = rt_h5_attr_set_string(file, "generator", "retain gen transactions")) ||
        (s = rt_h5_attr_set_string(file, "engine_version", retain_version())) ||
        (s = rt_h5_attr_set_int64(file, "seed", (int64_t)p->seed)))
        return s;
    return RETAIN_OK;
}

static retain_status write_truth_file(const char *path, const rt_gen_tx_params *p,
                                      const rt_gen_tx *g)
{
    hid_t file;
    retain_status s = rt_h5_create(path, &file);
    if (s)
        return s;
    if (!(s = write_truth(file, p, g)))
        s = root_attrs(file, p);
    return rt_h5_close_file(file, path, s);
}

/* ---- the run --------------------------------------------------------------- */

static retain_status generate(const rt_gen_tx_params *p, rt_gen_tx *g, out_format format,
                              const char *path, FILE *text, int gzip, cli_progress *progress)
{
    h5_sink h = {H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID,
                 H5I_INVALID_HID, H5I_INVALID_HID, NULL, 0};
    csv_sink c = {text, NULL, {0}};
    retain_status s = RETAIN_OK;
    if (format == OUT_H5) {
        if (!(s = rt_h5_create(path, &h.file)) && !(s = create_log(&h, gzip)))
            s = root_attrs(h.file, p);
    } else {
        c.text = malloc((size_t)CSV_CHUNK * CSV_CHUNKS * CSV_ROW_MAX);
        if (!c.text)
            s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for CSV text");
        else if (fputs("user_id,timestamp,amount,item,order_id\n", text) == EOF)
            s = rt_error(RETAIN_ERR_IO, "write failed (disk full?)");
    }
    bool done = false;
    while (!s) {
        rt_gen_tx_events ev;
        if ((s = rt_gen_tx_next(g, &ev, &done)) || done)
            break;
        s = format == OUT_H5 ? write_h5(&h, &ev) : write_csv(&c, &ev);
        cli_progress_report(progress, "gen transactions", (ev.window_end - p->start) / 86400,
                            p->days);
    }
    if (format == OUT_H5) {
        retain_status e = close_log(&h);
        s = s ? s : e;
        if (!s)
            s = write_truth(h.file, p, g);
        if (h.file >= 0)
            s = rt_h5_close_file(h.file, path, s);
    }
    free(h.amounts);
    free(c.text);
    return s;
}

/* What cli_write_outputs passes back to the writers. */
typedef struct run {
    const rt_gen_tx_params *p;
    rt_gen_tx *g;
    out_format format;
    int gzip;
    cli_progress progress;
} run;

static retain_status run_data(void *ctx, const char *tmp_path, FILE *text)
{
    run *r = ctx;
    return generate(r->p, r->g, r->format, tmp_path, text, r->gzip, &r->progress);
}

static retain_status run_truth(void *ctx, const char *tmp_path)
{
    run *r = ctx;
    return write_truth_file(tmp_path, r->p, r->g);
}

int cmd_gen_transactions(int argc, char **argv)
{
    rt_gen_tx_params p;
    rt_gen_tx_params_init(&p);
    cli_common common = {.seed = (int64_t)p.seed};
    const char *output = NULL, *start = "2024-01-01";
    int64_t gzip = 0;
    cli_opt opts[] = {
        {"users", 'n', CLI_INT, &p.users, "N", "customers; each makes a first purchase in the "
         "acquisition period", 1, 1e9},
        {"r", 0, CLI_DOUBLE, &p.r, "R", "shape of the purchase-rate gamma distribution", 1e-9,
         1e6},
        {"alpha", 0, CLI_DOUBLE, &p.alpha, "A", "rate of the purchase-rate gamma distribution, "
         "per day (mean rate r/alpha purchases a day)", 1e-9, 1e6},
        {"a", 0, CLI_DOUBLE, &p.a, "A", "dropout p ~ Beta(a, b): first shape", 1e-9, 1e6},
        {"b", 0, CLI_DOUBLE, &p.b, "B", "dropout p ~ Beta(a, b): second shape", 1e-9, 1e6},
        {"spend-p", 0, CLI_DOUBLE, &p.p, "P", "Gamma-Gamma: shape of each order's value "
         "(rate nu per user)", 1e-9, 1e6},
        {"spend-q", 0, CLI_DOUBLE, &p.q, "Q", "Gamma-Gamma: shape of nu across users", 1e-9,
         1e6},
        {"spend-gamma", 0, CLI_DOUBLE, &p.gamma, "G", "Gamma-Gamma: rate of nu across users",
         1e-9, 1e6},
        {"start", 0, CLI_STRING, &start, "DATE", "start of the period, YYYY-MM-DD or "
         "YYYY-MM-DDTHH:MM:SS (UTC)", 1, 0},
        {"days", 0, CLI_INT, &p.days, "D", "length of the period in days", 1, 36500},
        {"acquisition-days", 0, CLI_DOUBLE, &p.acquisition_days, "D", "first purchases are "
         "uniform over the first D days", 0, 36500},
        {"refund-rate", 0, CLI_DOUBLE, &p.refund_rate, "R", "chance that an order line is "
         "refunded later", 0, 1},
        {"items", 0, CLI_INT, &p.lines.items, "N", "item catalogue size (ids 0..N-1)", 2, 1e7},
        {"avg-len", 0, CLI_DOUBLE, &p.lines.avg_len, "T", "mean lines per order; 1 + "
         "Poisson(T - 1)", 1, 1000},
        {"patterns", 0, CLI_INT, &p.lines.patterns, "P", "planted item patterns the lines "
         "come from", 1, 1e6},
        {"pattern-len", 0, CLI_DOUBLE, &p.lines.pattern_len, "I", "mean pattern length", 2,
         1000},
        {"compress", 0, CLI_INT, &gzip, "LEVEL", "gzip level 1-9 with shuffle for HDF5 "
         "output (0: none)", 0, 9},
        {"output", 'o', CLI_STRING, &output, "OUT.csv|OUT.h5", "output file (required); the "
         "suffix picks the format", 1, 0},
        {0},
    };
    cli_command cmd = {
        "gen transactions", "-n USERS -o OUT.csv|OUT.h5",
        "Generate a purchase log from a known buy-till-you-die (BG/NBD + Gamma-Gamma) "
        "process.",
        "Per user: purchase rate lambda ~ Gamma(shape r, rate alpha) per day, dropout\n"
        "chance p ~ Beta(a, b), spend rate nu ~ Gamma(shape spend-q, rate spend-gamma).\n"
        "The first purchase falls uniformly in the acquisition period, repeat purchases\n"
        "follow a Poisson process with rate lambda, and after each REPEAT purchase (not\n"
        "the first, as in BG/NBD) the user becomes inactive with probability p. An\n"
        "order is worth Gamma(shape spend-p, rate nu), in cents, split over 1+ lines\n"
        "whose items come from planted patterns (the basket model of `gen baskets`).\n"
        "A refund is a later line with the same order_id and item and the negative\n"
        "amount. Defaults: the CDNOW fits of Fader, Hardie and Lee (2005), alpha in days.\n\n"
        "OUT.csv: user_id,timestamp,amount,item,order_id with ISO 8601 UTC timestamps\n"
        "and 2-decimal amounts, in time order (ties by user); truth in OUT.csv.truth.h5.\n"
        "OUT.h5: 1-D /user_id, /timestamp (epoch seconds), /amount, /item, /order_id.\n"
        "Truth (group /truth): user_id, lambda, p, nu, first_purchase, orders,\n"
        "alive_at_end, /truth/patterns, and the parameters as attributes (r, alpha, a,\n"
        "b, p, q, gamma, time_unit, start, days, seed). Memory grows with users (about\n"
        "50 bytes each), not with events.\n\n"
        "example: retain gen transactions -n 1M --days 365 -o log.h5",
        opts, 0, 0};
    const char *pos[1];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    bool is_text;
    if ((rc = cli_output_kind(&cmd, &common, output, ".csv", "CSV text", gzip, &is_text)))
        return rc;
    out_format format = is_text ? OUT_CSV : OUT_H5;
    if (!rt_datetime_parse(start, &p.start))
        return cli_usage_error(&cmd, &common, "--start expects a date YYYY-MM-DD or "
                               "YYYY-MM-DDTHH:MM:SS between 1970 and 9999, got '%s'", start);
    if (p.start + p.days * 86400 > rt_days_from_civil(10000, 1, 1) * 86400)
        return cli_usage_error(&cmd, &common, "--start %s plus --days %lld ends after the "
                               "year 9999", start, (long long)p.days);
    if (p.acquisition_days > (double)p.days)
        return cli_usage_error(&cmd, &common, "--acquisition-days %g is longer than --days "
                               "%lld", p.acquisition_days, (long long)p.days);
    if (p.lines.avg_len > (double)p.lines.items)
        return cli_usage_error(&cmd, &common, "--avg-len %g is more than --items %lld; an "
                               "order holds distinct items", p.lines.avg_len,
                               (long long)p.lines.items);
    if (p.lines.pattern_len > (double)p.lines.items)
        return cli_usage_error(&cmd, &common, "--pattern-len %g is more than --items %lld",
                               p.lines.pattern_len, (long long)p.lines.items);
    p.seed = (uint64_t)common.seed;

    double t0 = rt_seconds();
    run r = {&p, NULL, format, (int)gzip, {0}};
    retain_status s = rt_gen_tx_create(&p, &r.g);
    if (s)
        return cli_fail(&cmd, &common, s);
    char truth_path[PATH_MAX];
    cli_progress_start(&r.progress, &common);
    s = cli_write_outputs(output, is_text, run_data, run_truth, &r, truth_path,
                          sizeof truth_path);
    cli_progress_finish(&r.progress);
    rt_gen_tx_totals tot = rt_gen_tx_totals_get(r.g);
    rt_gen_tx_free(r.g);
    if (s)
        return cli_fail(&cmd, &common, s);
    double seconds = rt_seconds() - t0, alive = (double)tot.alive / (double)p.users;
    double rate = seconds > 0 ? (double)tot.events / seconds : 0.0;
    if (common.json) {
        cli_json j;
        json_begin(&j, stdout);
        json_string(&j, "command", "gen transactions");
        json_string(&j, "output", output);
        json_string(&j, "format", format == OUT_H5 ? "hdf5" : "csv");
        json_string(&j, "truth", format == OUT_H5 ? output : truth_path);
        json_int(&j, "users", p.users);
        json_int(&j, "events", tot.events);
        json_int(&j, "orders", tot.orders);
        json_int(&j, "refunds", tot.refunds);
        json_int(&j, "alive", tot.alive);
        json_double(&j, "alive_share", alive);
        json_string(&j, "start", start);
        json_int(&j, "days", p.days);
        json_int(&j, "seed", (int64_t)p.seed);
        json_double(&j, "seconds", seconds);
        json_double(&j, "events_per_second", rate);
        json_end(&j);
    } else if (!common.quiet) {
        printf("wrote %s: %lld events (%lld orders, %lld refunds) from %lld users over %lld "
               "days; %.1f%% still active at the end; truth in %s; %.2f s (%.0f events/s)\n",
               output, (long long)tot.events, (long long)tot.orders, (long long)tot.refunds,
               (long long)p.users, (long long)p.days, 100.0 * alive,
               format == OUT_H5 ? "/truth" : truth_path, seconds, rate);
    }
    return 0;
}
