/*
** src/cli/cmd_cohorts.c: `retain cohorts LOG --period day|week|month`:
** streams a purchase log through the cohort fold (src/logs/cohorts.c) and
** shows the retention matrix (shaded where the terminal has colour), cohort
** sizes and the repeat purchase rate; with --group or --groups, every
** cohort split by group and the A/B read-out against the control group
** (src/logs/abtest.c). -o writes the matrix as CSV (the read-out beside it
** as OUT.ab.csv) or HDF5.
*/
#include "cli.h"

#include "core/error.h"
#include "core/keymap.h"
#include "io/atomic.h"
#include "io/eventlog.h"
#include "io/h5write.h"
#include "logs/cohorts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct groups {
    int64_t count, control;
    const char *const *names;
    rt_user_groups file; /* --groups */
    rt_keymap of_user;   /* --groups: user id -> row in file */
    int64_t *buf[6];     /* --groups: the events of listed users, compacted */
    double *amount;
    int64_t left_out;    /* events of users not in the file */
} groups;

static const char *where(void *ctx, int64_t line, char *buf, size_t cap)
{
    return rt_eventlog_where(ctx, line, buf, cap);
}

/* Keeps the events of users listed in --groups, with their group. */
static retain_status filter_block(groups *g, const rt_events *ev, rt_events *out,
                                  int64_t **group)
{
    for (int k = 0; k < 6; k++)
        if (!g->buf[k] && !(g->buf[k] = malloc((size_t)ev->count * sizeof(int64_t) + 8)))
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    if (!g->amount && !(g->amount = malloc((size_t)ev->count * sizeof(double) + 8)))
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    int64_t m = 0;
    for (int64_t i = 0; i < ev->count; i++) {
        int64_t r = rt_keymap_get(&g->of_user, ev->user_id[i], 0);
        if (r < 0) {
            g->left_out++;
            continue;
        }
        g->buf[0][m] = ev->user_id[i];
        g->buf[1][m] = ev->timestamp[i];
        g->buf[2][m] = ev->order_id ? ev->order_id[i] : 0;
        g->buf[3][m] = ev->line[i];
        g->buf[4][m] = g->file.group[r];
        g->amount[m++] = ev->amount[i];
    }
    *out = (rt_events){m, g->buf[0], g->buf[1], NULL, ev->order_id ? g->buf[2] : NULL,
                       g->amount, g->buf[4], g->buf[3]};
    *group = g->buf[4];
    return RETAIN_OK;
}

static retain_status read_log(rt_eventlog *log, rt_logs_cohorts *c, groups *g, bool by_file,
                              cli_progress *progress)
{
    for (;;) {
        rt_events ev, kept;
        bool done;
        retain_status s = rt_eventlog_next(log, &ev, &done);
        if (s || done)
            return s;
        const int64_t *group = ev.group;
        if (by_file) {
            int64_t *fg = NULL;
            if ((s = filter_block(g, &ev, &kept, &fg)))
                return s;
            ev = kept;
            group = fg;
        }
        if ((s = rt_logs_cohorts_add(c, ev.count, ev.user_id, ev.timestamp, ev.amount,
                                     ev.order_id, group, ev.line)))
            return s;
        cli_progress_report(progress, "cohorts", rt_eventlog_bytes_read(log) >> 20,
                            rt_eventlog_bytes_total(log) >> 20);
    }
}

/* ---- the table on the terminal -------------------------------------------- */

static void shade(FILE *out, bool colour, double r)
{
    /* six steps from pale to deep blue on the 256-colour cube */
    static const int bg[6] = {231, 195, 153, 111, 69, 27};
    if (colour)
        fprintf(out, "\033[48;5;%dm\033[38;5;%dm", bg[r >= 1 ? 5 : (int)(r * 6)],
                r >= 0.5 ? 231 : 16);
}

static void print_table(const rt_logs_cohort_table *t, rt_logs_period period,
                        const groups *g, int64_t max_offsets, bool colour)
{
    int64_t W = t->width < max_offsets ? t->width : max_offsets;
    int64_t repeaters = 0;
    for (int64_t i = 0; i < t->rows; i++)
        repeaters += t->repeaters[i];
    printf("%lld users in %lld cohorts by %s; repeat purchase rate %.1f%% (users with 2+ "
           "orders); cells: %% of the cohort active %s later\n",
           (long long)t->users, (long long)t->rows,
           period == RT_PERIOD_DAY ? "day" : period == RT_PERIOD_WEEK ? "week" : "month",
           100.0 * (double)repeaters / (double)t->users,
           period == RT_PERIOD_DAY ? "j days" : period == RT_PERIOD_WEEK ? "j weeks"
                                                                         : "j months");
    printf("%-10s %-12s %8s %7s", "cohort", g->count > 1 ? "group" : "", "users", "repeat");
    for (int64_t j = 0; j < W; j++) {
        char head[24];
        snprintf(head, sizeof head, "+%lld", (long long)j);
        printf(" %7s", head);
    }
    putchar('\n');
    for (int64_t i = 0; i < t->rows; i++) {
        char label[16];
        rt_logs_period_label(period, t->cohort[i], label);
        printf("%-10s %-12.12s %8lld %6.1f%%", label,
               g->count > 1 ? g->names[t->group[i]] : "", (long long)t->size[i],
               100.0 * (double)t->repeaters[i] / (double)t->size[i]);
        for (int64_t j = 0; j < W; j++) {
            int64_t a = t->active[i * t->width + j];
            if (a < 0) {
                printf(" %7s", "");
                continue;
            }
            double r = (double)a / (double)t->size[i];
            putchar(' ');
            shade(stdout, colour, r);
            printf("%6.1f%%", 100.0 * r);
            if (colour)
                printf("\033[0m");
        }
        putchar('\n');
    }
    if (t->width > W)
        printf("(offsets beyond +%lld not shown; --max-periods or -o for all)\n",
               (long long)W - 1);
}

static void print_ab(const rt_logs_cohort_table *t, const groups *g, int64_t max_offsets)
{
    int64_t W = t->width < max_offsets ? t->width : max_offsets, c = g->control;
    printf("\nA/B read-out against the control group '%s': retention at offset j of the "
           "users whose cohort reaches j;\ndifference with its 95%% interval (Wald) and the "
           "two-proportion z test p-value\n", g->names[c]);
    printf("%6s  %-12s %9s %9s %9s %9s %21s %9s\n", "offset", "group", "users", "active",
           "retention", "diff", "95% interval", "p-value");
    for (int64_t j = 0; j < W; j++)
        for (int64_t k = 0; k < t->groups; k++) {
            int64_t n = t->eligible[k * t->width + j], x = t->retained[k * t->width + j];
            if (n == 0)
                continue;
            printf("%+6lld  %-12.12s %9lld %9lld %8.2f%%", (long long)j, g->names[k],
                   (long long)n, (long long)x, 100.0 * (double)x / (double)n);
            if (k == c) {
                printf(" %9s %21s %9s\n", "control", "", "");
                continue;
            }
            double d, lo, hi, p;
            rt_logs_two_proportions(x, n, t->retained[c * t->width + j],
                                    t->eligible[c * t->width + j], &d, &lo, &hi, &p);
            printf(" %+8.2f%% [%+8.2f%%, %+8.2f%%] %9.3g\n", 100 * d, 100 * lo, 100 * hi, p);
        }
}

/* ---- files ----------------------------------------------------------------- */

static retain_status write_csv(FILE *f, const rt_logs_cohort_table *t, rt_logs_period period,
                               const groups *g)
{
    fprintf(f, "cohort,%susers,repeaters,repeat_rate", g->count > 1 ? "group," : "");
    for (int64_t j = 0; j < t->width; j++)
        fprintf(f, ",period_%lld", (long long)j);
    fputc('\n', f);
    for (int64_t i = 0; i < t->rows; i++) {
        char label[16];
        rt_logs_period_label(period, t->cohort[i], label);
        fprintf(f, "%s,", label);
        if (g->count > 1)
            fprintf(f, "%s,", g->names[t->group[i]]);
        fprintf(f, "%lld,%lld,%.17g", (long long)t->size[i], (long long)t->repeaters[i],
                (double)t->repeaters[i] / (double)t->size[i]);
        for (int64_t j = 0; j < t->width; j++) {
            int64_t a = t->active[i * t->width + j];
            if (a < 0)
                fputc(',', f);
            else
                fprintf(f, ",%.17g", (double)a / (double)t->size[i]);
        }
        fputc('\n', f);
    }
    return ferror(f) ? rt_error(RETAIN_ERR_IO, "write failed (disk full?)") : RETAIN_OK;
}

static retain_status write_ab_csv(FILE *f, const rt_logs_cohort_table *t, const groups *g)
{
    fprintf(f, "offset,group,users,active,retention,control,diff,ci_low,ci_high,p_value\n");
    int64_t c = g->control;
    for (int64_t j = 0; j < t->width; j++)
        for (int64_t k = 0; k < t->groups; k++) {
            int64_t n = t->eligible[k * t->width + j], x = t->retained[k * t->width + j];
            if (n == 0)
                continue;
            fprintf(f, "%lld,%s,%lld,%lld,%.17g,%s", (long long)j, g->names[k], (long long)n,
                    (long long)x, (double)x / (double)n, g->names[c]);
            if (k == c) {
                fprintf(f, ",,,,\n");
                continue;
            }
            double d, lo, hi, p;
            rt_logs_two_proportions(x, n, t->retained[c * t->width + j],
                                    t->eligible[c * t->width + j], &d, &lo, &hi, &p);
            fprintf(f, ",%.17g,%.17g,%.17g,%.17g\n", d, lo, hi, p);
        }
    return ferror(f) ? rt_error(RETAIN_ERR_IO, "write failed (disk full?)") : RETAIN_OK;
}

static retain_status write_h5(hid_t file, const rt_logs_cohort_table *t, rt_logs_period period,
                              const groups *g)
{
    int64_t R = t->rows, W = t->width;
    int64_t *start = malloc((size_t)R * sizeof *start);
    double *ret = malloc((size_t)(R * W) * sizeof *ret);
    char (*labels)[16] = malloc((size_t)R * sizeof *labels);
    const char **lp = malloc((size_t)R * sizeof *lp);
    retain_status s = RETAIN_OK;
    hid_t d = H5I_INVALID_HID;
    if (!start || !ret || !labels || !lp) {
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory");
        goto done;
    }
    for (int64_t i = 0; i < R; i++) {
        start[i] = rt_logs_period_start(period, t->cohort[i]);
        rt_logs_period_label(period, t->cohort[i], labels[i]);
        lp[i] = labels[i];
        for (int64_t j = 0; j < W; j++) {
            int64_t a = t->active[i * W + j];
            ret[i * W + j] = a < 0 ? NAN : (double)a / (double)t->size[i];
        }
    }
    if ((s = rt_h5_write_vector(file, "/cohort_start", H5T_STD_I64LE, H5T_NATIVE_INT64, R,
                                start)) ||
        (s = rt_h5_write_strings(file, "/cohort", R, lp)) ||
        (s = rt_h5_write_vector(file, "/users", H5T_STD_I64LE, H5T_NATIVE_INT64, R,
                                t->size)) ||
        (s = rt_h5_write_vector(file, "/repeaters", H5T_STD_I64LE, H5T_NATIVE_INT64, R,
                                t->repeaters)) ||
        (s = rt_h5_dataset_create(file, "/active", H5T_STD_I64LE, R, W, 0, &d)) ||
        (s = rt_h5_write_rows(d, H5T_NATIVE_INT64, 0, R, W, t->active)) ||
        (s = rt_h5_attr_set_string(d, "note", "users of the cohort (row) active at offset "
                                   "j (column); -1: not observed yet")))
        goto done;
    H5Dclose(d);
    d = H5I_INVALID_HID;
    if ((s = rt_h5_dataset_create(file, "/retention", H5T_IEEE_F64LE, R, W, 0, &d)) ||
        (s = rt_h5_write_rows(d, H5T_NATIVE_DOUBLE, 0, R, W, ret)) ||
        (s = rt_h5_attr_set_string(file, "period", period == RT_PERIOD_DAY ? "day"
                                   : period == RT_PERIOD_WEEK ? "week" : "month")) ||
        (s = rt_h5_attr_set_string(file, "generator", "retain cohorts")) ||
        (s = rt_h5_attr_set_string(file, "engine_version", retain_version())))
        goto done;
    if (g->count > 1 &&
        ((s = rt_h5_write_vector(file, "/group", H5T_STD_I64LE, H5T_NATIVE_INT64, R,
                                 t->group)) ||
         (s = rt_h5_write_strings(file, "/group_names", g->count, g->names)) ||
         (s = rt_h5_attr_set_string(file, "control", g->names[g->control]))))
        goto done;
done:
    if (d >= 0)
        H5Dclose(d);
    free(start);
    free(ret);
    free(labels);
    free(lp);
    return s;
}

static retain_status write_outputs(const char *output, const char *log_path,
                                   const rt_logs_cohort_table *t, rt_logs_period period,
                                   const groups *g, char *ab_path, size_t cap)
{
    const char *inputs[1] = {log_path};
    bool csv = cli_has_suffix(output, ".csv");
    rt_output out, ab = {0};
    ab_path[0] = 0;
    retain_status s = rt_output_begin(&out, output, inputs, 1);
    if (s)
        return s;
    if (csv && g->count > 1) {
        snprintf(ab_path, cap, "%.*s.ab.csv", (int)(strlen(output) - 4), output);
        FILE *f;
        if (!(s = rt_output_begin(&ab, ab_path, inputs, 1)) &&
            !(s = rt_output_stream(&ab, &f)) && !(s = write_ab_csv(f, t, g)))
            s = rt_output_commit(&ab);
    }
    if (!s && csv) {
        FILE *f;
        if (!(s = rt_output_stream(&out, &f)))
            s = write_csv(f, t, period, g);
    } else if (!s) {
        hid_t file;
        if (!(s = rt_h5_create(out.tmp_path, &file)))
            s = rt_h5_close_file(file, out.tmp_path, write_h5(file, t, period, g));
    }
    if (!s)
        s = rt_output_commit(&out);
    rt_output_abort(&ab);
    rt_output_abort(&out);
    return s;
}

/* ---- the command -------------------------------------------------------------- */

static void json_summary(const rt_logs_cohort_table *t, const groups *g, const char *log,
                         const char *output, double seconds)
{
    int64_t repeaters = 0;
    for (int64_t i = 0; i < t->rows; i++)
        repeaters += t->repeaters[i];
    cli_json j;
    json_begin(&j, stdout);
    json_string(&j, "command", "cohorts");
    json_string(&j, "input", log);
    if (output)
        json_string(&j, "output", output);
    json_int(&j, "events", t->events);
    json_int(&j, "users", t->users);
    json_int(&j, "cohorts", t->rows);
    json_int(&j, "offsets", t->width);
    json_double(&j, "repeat_rate", (double)repeaters / (double)t->users);
    if (g->count > 1) {
        json_string(&j, "control", g->names[g->control]);
        json_array(&j, "ab");
        for (int64_t o = 0; o < t->width; o++)
            for (int64_t k = 0; k < t->groups; k++) {
                int64_t n = t->eligible[k * t->width + o], x = t->retained[k * t->width + o];
                int64_t c = g->control;
                if (n == 0 || k == c)
                    continue;
                double d, lo, hi, p;
                rt_logs_two_proportions(x, n, t->retained[c * t->width + o],
                                        t->eligible[c * t->width + o], &d, &lo, &hi, &p);
                json_object(&j, NULL);
                json_int(&j, "offset", o);
                json_string(&j, "group", g->names[k]);
                json_int(&j, "users", n);
                json_int(&j, "active", x);
                json_double(&j, "diff", d);
                json_double(&j, "ci_low", lo);
                json_double(&j, "ci_high", hi);
                json_double(&j, "p_value", p);
                json_object_end(&j);
            }
        json_array_end(&j);
    }
    json_double(&j, "seconds", seconds);
    json_double(&j, "events_per_second", seconds > 0 ? (double)t->events / seconds : 0);
    json_end(&j);
}

int cmd_cohorts(int argc, char **argv)
{
    cli_common common = {0};
    cli_log_columns cols = {0};
    const char *output = NULL, *period_name = "month", *group_col = NULL, *groups_file = NULL;
    const char *groups_user = "user_id", *groups_col = "group", *control = NULL;
    int64_t max_offsets = 12;
    bool no_colour = false;
    cli_opt opts[] = {
        {"period", 0, CLI_STRING, &period_name, "day|week|month", "cohort and activity "
         "period (UTC; weeks start on Monday)", 1, 0},
        {"group", 0, CLI_STRING, &group_col, "COLUMN", "split cohorts by this column of the "
         "log (an experiment arm, a channel); a user's group is the one on their first "
         "purchase", 1, 0},
        {"groups", 0, CLI_STRING, &groups_file, "FILE.csv", "split cohorts by a user-to-group "
         "CSV file instead; users not listed are left out", 1, 0},
        {"groups-user-col", 0, CLI_STRING, &groups_user, "NAME", "user id column of --groups",
         1, 0},
        {"groups-col", 0, CLI_STRING, &groups_col, "NAME", "group column of --groups", 1, 0},
        {"control", 0, CLI_STRING, &control, "NAME", "the control group of the A/B read-out "
         "(default: the first group met)", 1, 0},
        CLI_LOG_COLUMN_OPTS(&cols),
        {"max-periods", 0, CLI_INT, &max_offsets, "N", "offsets shown on the terminal", 1,
         1000},
        {"no-color", 0, CLI_FLAG, &no_colour, NULL, "no heat shading (also: NO_COLOR set, "
         "or not a terminal)", 0, 0},
        {"output", 'o', CLI_STRING, &output, "OUT.csv|OUT.h5", "also write the matrix (CSV: "
         "the A/B read-out beside it as OUT.ab.csv)", 1, 0},
        {0},
    };
    cli_command cmd = {
        "cohorts", "LOG [--period month] [--group COLUMN | --groups FILE] [-o OUT.csv|.h5]",
        "Cohort retention matrix, cohort sizes, repeat purchase rate, and an A/B read-out "
        "by group.",
        "A user's cohort is the period of their first purchase (amount > 0). Cell (c, j):\n"
        "the share of cohort c that bought in period c + j (+0 is 100%). Cells after the\n"
        "period of the log's last event are not observed (blank). Repeat purchase rate:\n"
        "the share of users with 2+ orders (an order: a run of a user's purchase lines\n"
        "with one order_id, or one timestamp without order ids). Each user's events must\n"
        "be in time order; memory grows with users and cells, not events.\n\n"
        "With --group or --groups every cohort is split by group, and the A/B read-out\n"
        "gives, per offset j, each group's retention over the users whose cohort reaches\n"
        "j, the difference against the control group with a 95% Wald interval\n"
        "(diff +- 1.96 sqrt(p1 q1/n1 + p0 q0/n0)) and the p-value of the pooled\n"
        "two-proportion z test (= chi-squared test of the 2x2 table, no correction).\n\n"
        "-o OUT.csv: cohort,[group,]users,repeaters,repeat_rate,period_0,... (shares);\n"
        "A/B rows in OUT.ab.csv. -o OUT.h5: /cohort, /cohort_start, /users, /repeaters,\n"
        "/active (counts, -1 not observed), /retention, and /group, /group_names.\n\n"
        "example: retain cohorts log.csv --period month\n"
        "         retain cohorts log.csv --period week --groups arms.csv -o weekly.csv",
        opts, 1, 1};
    const char *pos[1];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    const char *log_path = pos[0];
    rt_logs_period period;
    if (strcmp(period_name, "day") == 0)
        period = RT_PERIOD_DAY;
    else if (strcmp(period_name, "week") == 0)
        period = RT_PERIOD_WEEK;
    else if (strcmp(period_name, "month") == 0)
        period = RT_PERIOD_MONTH;
    else
        return cli_usage_error(&cmd, &common, "--period must be day, week or month, got '%s'",
                               period_name);
    if (group_col && groups_file)
        return cli_usage_error(&cmd, &common, "--group and --groups both given; choose one");
    if (output && !cli_has_suffix(output, ".csv") && !cli_has_suffix(output, ".h5") &&
        !cli_has_suffix(output, ".hdf5"))
        return cli_usage_error(&cmd, &common, "-o %s: name the output .csv or .h5", output);
    const char *inputs[1] = {log_path};
    retain_status s = output ? rt_output_check_not_input(output, inputs, 1) : RETAIN_OK;
    if (s)
        return cli_fail(&cmd, &common, s);

    double t0 = rt_seconds();
    groups g = {1, 0, NULL, {0}, {0}, {NULL}, NULL, 0};
    static const char *const one[1] = {"all"};
    g.names = one;
    if (groups_file) {
        if ((s = rt_user_groups_read(groups_file, groups_user, groups_col, &g.file)) ||
            (s = rt_keymap_init(&g.of_user)))
            return cli_fail(&cmd, &common, s);
        for (int64_t i = 0; !s && i < g.file.count; i++) {
            int64_t k;
            bool added;
            s = rt_keymap_put(&g.of_user, g.file.user_id[i], 0, &k, &added);
        }
    }
    rt_eventlog_spec spec = {.user = cols.user, .time = cols.time, .amount = cols.amount,
                             .item = "", .order = cols.order, .group = group_col};
    rt_eventlog *log = NULL;
    rt_logs_cohorts *c = NULL;
    rt_logs_cohort_table t = {0};
    cli_progress progress;
    cli_progress_start(&progress, &common);
    if (!s && !(s = rt_eventlog_open(log_path, &spec, &log))) {
        rt_logs_cohorts_params cp = {period, rt_eventlog_has_order(log), where, log};
        if (!(s = rt_logs_cohorts_create(&cp, &c)) &&
            !(s = read_log(log, c, &g, groups_file != NULL, &progress)))
            s = rt_logs_cohorts_finish(c, 1, &t);
    }
    cli_progress_finish(&progress);
    rt_logs_cohorts_free(c);
    if (s && log && !strstr(retain_last_error(), log_path))
        rt_error_context(s, "%s", log_path);
    if (!s && (group_col || groups_file)) {
        g.count = groups_file ? g.file.groups : rt_eventlog_group_count(log);
        g.names = groups_file ? (const char *const *)g.file.names : rt_eventlog_group_names(log);
        if (t.groups > g.count)
            s = rt_error(RETAIN_ERR_INTERNAL, "group numbers beyond the names");
        t.groups = g.count;
        if (control) {
            g.control = -1;
            for (int64_t k = 0; k < g.count; k++)
                if (strcmp(g.names[k], control) == 0)
                    g.control = k;
            if (g.control < 0)
                s = rt_error(RETAIN_ERR_USAGE, "--control %s is not one of the %lld groups "
                             "(the first is '%s')", control, (long long)g.count, g.names[0]);
        }
    }
    if (!s && t.groups < g.count) {
        /* groups met only on lines that were not first purchases: widen */
        int64_t *e = calloc((size_t)(g.count * t.width), sizeof *e);
        int64_t *r = calloc((size_t)(g.count * t.width), sizeof *r);
        if (!e || !r) {
            free(e);
            free(r);
            s = rt_error(RETAIN_ERR_INTERNAL, "out of memory");
        } else {
            memcpy(e, t.eligible, (size_t)(t.groups * t.width) * sizeof *e);
            memcpy(r, t.retained, (size_t)(t.groups * t.width) * sizeof *r);
            free(t.eligible);
            free(t.retained);
            t.eligible = e;
            t.retained = r;
            t.groups = g.count;
        }
    }
    char ab_path[4096] = "";
    if (!s && output)
        s = write_outputs(output, log_path, &t, period, &g, ab_path, sizeof ab_path);
    if (!s && g.left_out)
        cli_note(&common, "%lld events of users not listed in %s were left out",
                 (long long)g.left_out, groups_file);
    if (!s) {
        double seconds = rt_seconds() - t0;
        if (common.json) {
            json_summary(&t, &g, log_path, output, seconds);
        } else if (!common.quiet) {
            const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
            bool colour = !no_colour && isatty(STDOUT_FILENO) && !(nc && *nc) && term &&
                          strcmp(term, "dumb") != 0;
            print_table(&t, period, &g, max_offsets, colour);
            if (g.count > 1)
                print_ab(&t, &g, max_offsets);
            if (output)
                printf("\nwrote %s%s%s\n", output, ab_path[0] ? " and " : "", ab_path);
        }
    }
    rt_logs_cohort_table_free(&t);
    rt_eventlog_close(log);
    for (int k = 0; k < 6; k++)
        free(g.buf[k]);
    free(g.amount);
    rt_keymap_free(&g.of_user);
    rt_user_groups_free(&g.file);
    return s ? cli_fail(&cmd, &common, s) : 0;
}
