/*
** src/cli/cli.h: what every `retain` command shares: a table-driven option
** parser that also writes --help, the common options (--threads, --seed,
** --quiet, --json, --log-json), error reporting with the exit codes of
** DESIGN.md, a JSON writer for --json summaries and the progress display.
** Commands are one file each (cmd_*.c); no algorithm code lives here.
*/
#ifndef RT_CLI_H
#define RT_CLI_H

#include "retain.h"

#include "core/clock.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum cli_opt_kind {
    CLI_FLAG,   /* bool                      */
    CLI_INT,    /* int64_t, accepts 10k, 2M, 1e7 */
    CLI_DOUBLE, /* double                    */
    CLI_STRING, /* const char *              */
} cli_opt_kind;

typedef struct cli_opt {
    const char *name; /* long name without dashes */
    char short_name;  /* 0 for none */
    cli_opt_kind kind;
    void *target;
    const char *metavar;
    const char *help;
    double min, max; /* inclusive range for numbers (min > max: unchecked) */
} cli_opt;

/* Options every command takes. */
typedef struct cli_common {
    int64_t threads;
    int64_t seed;
    bool quiet;
    bool json;
    bool log_json;
} cli_common;

typedef struct cli_command {
    const char *name;     /* "gen users" */
    const char *usage;    /* "[options] -o FILE" */
    const char *summary;  /* one line */
    const char *details;  /* paragraphs after the options, or NULL */
    cli_opt *opts;        /* terminated by a zero entry */
    int min_positional, max_positional;
} cli_command;

/* Parses argv (after the command words), then applies the common options
** (--threads, the RETAIN_ISA check). Positional arguments go to
** positional[0..*npositional). Returns 0 to go on, 0 with *done set after
** --help, or the exit code of a usage error (message printed). */
int cli_parse(const cli_command *cmd, cli_common *common, int argc, char **argv,
              const char **positional, int *npositional, bool *done);

/* True if s ends with suffix (and is longer than it). */
bool cli_has_suffix(const char *s, const char *suffix);

/* A size in bytes: "512M", "2G", "1.5GiB", "64K" (powers of 1024) or a
** plain number of bytes; false if malformed or not positive. */
bool cli_parse_bytes(const char *text, int64_t *bytes);

/* For commands that write HDF5 or one text format: checks -o is given and
** ends in .h5/.hdf5 or text_suffix (e.g. ".dat", described as text_name),
** and that --compress (gzip > 0) is not asked of text. Sets *is_text;
** returns 0 or the exit code of a usage error (message printed). */
int cli_output_kind(const cli_command *cmd, const cli_common *common, const char *output,
                    const char *text_suffix, const char *text_name, int64_t gzip,
                    bool *is_text);

/* Prints "retain <cmd>: <message>" (or a JSON event with --log-json) and
** returns the exit code for status. */
int cli_fail(const cli_command *cmd, const cli_common *common, retain_status status);

/* The --device option of the commands that can run on a GPU. */
#define CLI_DEVICE_OPTION(target)                                                       \
    {"device", 0, CLI_STRING, target, "cpu|cuda|auto", "where the work runs: cpu, cuda " \
     "(exit code 4 when no GPU is usable) or auto (the GPU when one is usable, else "    \
     "the CPU)", 1, 0}
/* Resolves a --device value into *out (device_option.c); 0, or the exit
** code of a usage error (1) or of no usable GPU (4), message printed. */
int cli_device(const cli_command *cmd, const cli_common *common, const char *name,
               retain_device *out);

/* Prints a usage problem (exit code 1) in the same form. */
int cli_usage_error(const cli_command *cmd, const cli_common *common,
                    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Informational line on stderr unless --quiet (or a JSON event). */
void cli_note(const cli_common *common, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "retain <cmd>: warning: <message>" on stderr, even with --quiet (a JSON
** event with --log-json). */
void cli_warn(const cli_command *cmd, const cli_common *common, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));


/* Writes a command's output atomically (src/io/atomic.h). data() gets the
** output's temporary path and, for text, an open stream to it. For text, the
** truth goes to the side file OUTPUT.truth.h5 (name in truth_path), written
** by truth() after data() succeeded and committed before the output, so no
** partial file ever stands under either name. */
typedef retain_status (*cli_data_fn)(void *ctx, const char *tmp_path, FILE *text);
typedef retain_status (*cli_truth_fn)(void *ctx, const char *tmp_path);
retain_status cli_write_outputs(const char *output, bool is_text, cli_data_fn data,
                                cli_truth_fn truth, void *ctx, char *truth_path,
                                size_t cap);

/* ---- progress ----------------------------------------------------------- */

typedef struct cli_progress {
    const cli_common *common;
    double started, last_draw;
    bool tty;
    bool drawn;
} cli_progress;

void cli_progress_start(cli_progress *p, const cli_common *common);
/* Matches rt_progress_fn; `user` is a cli_progress. */
void cli_progress_report(void *user, const char *phase, int64_t done, int64_t total);
void cli_progress_finish(cli_progress *p);

/* ---- JSON ---------------------------------------------------------------- */

typedef struct cli_json {
    FILE *out;
    int depth;
    bool first[32];
} cli_json;

void json_begin(cli_json *j, FILE *out);      /* opens the top object */
void json_end(cli_json *j);                   /* closes it, newline   */
void json_object(cli_json *j, const char *key); /* key NULL in arrays */
void json_object_end(cli_json *j);
void json_array(cli_json *j, const char *key);
void json_array_end(cli_json *j);
void json_string(cli_json *j, const char *key, const char *value);
void json_int(cli_json *j, const char *key, int64_t value);
void json_double(cli_json *j, const char *key, double value); /* NaN: null */
void json_bool(cli_json *j, const char *key, bool value);

/* ---- commands -------------------------------------------------------------- */

int cmd_info(int argc, char **argv);
int cmd_gen_users(int argc, char **argv);
int cmd_gen_baskets(int argc, char **argv);
int cmd_gen_transactions(int argc, char **argv);
/* --init, --scale and --algorithm of the kmeans commands into p, and
** p->max_iter and p->tol where the command left them negative (not given):
** the defaults of the algorithm chosen. 0, or the usage exit code after the
** message (kmeans_options.c). */
#define CLI_LLOYD_MAX_ITER 300
#define CLI_LLOYD_TOL 1e-4
#define CLI_MINIBATCH_MAX_ITER 100
int cli_kmeans_names(const cli_command *cmd, const cli_common *common, const char *init,
                     const char *scale, const char *algorithm, retain_kmeans_params *p);

int cmd_kmeans_fit(int argc, char **argv);
int cmd_kmeans_predict(int argc, char **argv);
int cmd_kmeans_sweep(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_rules_recommend(int argc, char **argv);

/* Shared by `kmeans predict` and `kmeans fit --labels-out`: writes out_path
** (atomically; never over the input or the model) with /user_id when f has
** ids, /segment and /segment_distance for every row of f, read in batches,
** and attributes naming model_path and input_path. */
typedef struct rt_features rt_features;
retain_status cli_kmeans_write_segments(const char *out_path, rt_features *f,
                                        const retain_kmeans_model *m, const char *model_path,
                                        const char *input_path, cli_progress *progress);

/* ---- logistic regression (logreg_common.c) -------------------------------- */

struct rt_features_spec;

int cmd_logreg_fit(int argc, char **argv);
int cmd_logreg_predict(int argc, char **argv);
int cmd_logreg_eval(int argc, char **argv);

/* Opens `input` with spec (spec->label set), reads this rank's rows (all
** of them in one process) into x and their labels into *y (malloc'd, rows
** values), the first row's number into *first. */
retain_status cli_logreg_read(const char *input, const struct rt_features_spec *spec,
                              rt_features **f, retain_matrix_owned *x, double **y,
                              int64_t *first);
/* Metrics as text: the summary line, and with tables the decile (lift,
** gains) and calibration tables. */
void cli_logreg_print_metrics(const char *title, const retain_logreg_metrics *m, bool tables);
/* The same as a JSON object under key. */
void cli_logreg_json_metrics(cli_json *j, const char *key, const retain_logreg_metrics *m,
                             bool tables);
/* Mean and standard deviation (n - 1) over folds of each metric: text, JSON. */
void cli_logreg_print_cv(const retain_logreg_metrics *folds, int64_t k);
void cli_logreg_json_cv(cli_json *j, const retain_logreg_metrics *folds, int64_t k);
/* One line per warning bit of a fit on stderr (a JSON event with --log-json). */
void cli_logreg_warn(const cli_command *cmd, const cli_common *common,
                     const retain_logreg_model *m);

/* ---- weights.c: --sample-weight DATASET ------------------------------------ */

/* Weights of rows [first, first + count) from f, opened with the weights
** dataset as its label, into w (finite, >= 0, else a DATA error naming
** input, dataset and row); scratch holds count doubles. */
retain_status cli_weights_range(rt_features *f, const char *input, const char *dataset,
                                int64_t first, int64_t count, double *scratch, float *w);
/* The weights of rows [first, first + rows) from `dataset` of input (a
** dataset path or frame column) into *out (malloc'd, rows floats). Under
** MPI every rank calls it for its rows; a bad weight on one stops all. */
retain_status cli_weights_read(const char *input, const struct rt_features_spec *spec,
                               const char *dataset, int64_t first, int64_t rows,
                               float **out);

/* ---- purchase logs (log_options.c) ----------------------------------------- */

/* The column-name options every log command takes, with their targets. */
typedef struct cli_log_columns {
    const char *user, *time, *amount, *item, *order;
} cli_log_columns;
#define CLI_LOG_COLUMN_OPTS(c)                                                            \
    {"user-col", 0, CLI_STRING, &(c)->user, "NAME", "user id column (integers)", 1, 0},     \
    {"time-col", 0, CLI_STRING, &(c)->time, "NAME", "timestamp column: YYYY-MM-DD, "       \
     "YYYY-MM-DDTHH:MM:SS (UTC) or epoch seconds", 1, 0},                                 \
    {"amount-col", 0, CLI_STRING, &(c)->amount, "NAME", "amount column (negative: refund)", \
     1, 0},                                                                               \
    {"item-col", 0, CLI_STRING, &(c)->item, "NAME", "item id column (optional in the "      \
     "log; \"\" to ignore it)", 1, 0},                                                     \
    {"order-col", 0, CLI_STRING, &(c)->order, "NAME", "order id column (optional in the "   \
     "log; \"\" to ignore it)", 1, 0}

/* A duration "90d", "12w", "36h" or a bare number of days, into seconds;
** false if malformed or not positive. */
bool cli_parse_duration(const char *text, int64_t *seconds);

int cmd_features(int argc, char **argv);
int cmd_cohorts(int argc, char **argv);
int cmd_baskets(int argc, char **argv);
int cmd_clv_fit(int argc, char **argv);
int cmd_clv_predict(int argc, char **argv);
int cmd_score(int argc, char **argv);

/* ranks.c: running under mpirun (MPI build). start: before anything else;
** finish: with the exit code, last; allow: false (and says why) for a
** command that does not run distributed yet. json: under mpirun, the
** "mpi" object of a --json summary (ranks, seconds in collectives: rank
** 0's and the most of any rank); nothing otherwise. Every rank calls it. */
int cli_ranks_start(int *argc, char ***argv);
int cli_ranks_finish(int rc);
bool cli_ranks_allow(const char *group, const char *name);
void cli_ranks_json(cli_json *j);

/* ---- lifetime value (clv_common.c): clv predict, features, score ---------- */

struct rt_clv_loaded;
struct rt_clv_table;
struct rt_clv_horizon;

/* The discount options and what they mean. */
typedef struct cli_clv_discount {
    double rate;        /* a period; default CLI_CLV_DISCOUNT */
    const char *period; /* day | week | month (30.4375 days)   */
} cli_clv_discount;
#define CLI_CLV_DISCOUNT 0.01
#define CLI_CLV_MONTH (30.4375 * 86400) /* 365.25 / 12 days, in seconds */
#define CLI_CLV_MAX_PERIODS 10000        /* each costs one expectation a customer */
#define CLI_CLV_DISCOUNT_OPTS(d)                                                          \
    {"discount", 0, CLI_DOUBLE, &(d)->rate, "RATE", "discount rate a --discount-period "   \
     "for the CLV (0.01 a month: 12.7% a year)", 0, 10},                                  \
    {"discount-period", 0, CLI_STRING, &(d)->period, "day|week|month", "the discount "     \
     "period (month: 30.4375 days)", 1, 0}

/* `clv fit --holdout-end`: the holdout check as a table on stdout, as
** JSON under the key "holdout", and the tracking curve as CSV (week,
** end_date: its last day, actual and expected cumulative repeat
** occasions), written atomically. */
struct rt_clv_holdout;
void cli_clv_holdout_print(const struct rt_clv_holdout *h, const char *unit);
void cli_clv_holdout_json(cli_json *j, const struct rt_clv_holdout *h);
retain_status cli_clv_tracking_write(const char *path, const struct rt_clv_holdout *h,
                                     const char *input);

/* A --horizon: a duration as cli_parse_duration reads it, or months
** ("12m", CLI_CLV_MONTH each), into seconds; false if malformed. */
bool cli_clv_parse_horizon(const char *text, int64_t *seconds);

/* The model's rules applied to a request: a --time-unit or --occasion given
** (NULL: not given) that differs from the model's is refused with
** RETAIN_ERR_DATA saying what the model was fitted with; the horizon
** (seconds) and the discount become a horizon in the model's unit
** (RETAIN_ERR_USAGE for a discount period not day, week or month, or more
** than CLI_CLV_MAX_PERIODS of them in the horizon). */
retain_status cli_clv_check(const struct rt_clv_loaded *m, const char *model_path,
                            const char *time_unit, const char *occasion, int64_t horizon,
                            const cli_clv_discount *d, struct rt_clv_horizon *out);

/* Every customer's summary as of asof (events before it) with the model's
** occasion and time-unit rules, by increasing user id; RETAIN_ERR_DATA for
** a log without a purchase before asof. */
retain_status cli_clv_summarise(const char *log_path, const cli_log_columns *cols,
                                const struct rt_clv_loaded *m, int64_t asof,
                                struct rt_clv_table *out);

#endif
