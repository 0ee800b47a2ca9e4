/*
** src/cli/cmd_baskets.c: `retain baskets LOG [--by order|user-day] -o
** BASKETS.h5`: streams a purchase log through the basket grouping of
** src/logs/baskets.c and writes the compressed-sparse-row layout of
** `retain gen baskets` (/baskets/indptr, /baskets/indices, item_names), which
** `retain rules` reads, with each basket's user and key beside it.
*/
#include "cli.h"

#include "core/error.h"
#include "io/atomic.h"
#include "io/eventlog.h"
#include "io/h5write.h"
#include "logs/baskets.h"

#include <stdlib.h>
#include <string.h>

#define FLUSH 65536

typedef struct sink {
    hid_t indptr, indices, user, key;
    int32_t *items;
    int64_t *ptr, *users, *keys;
    int64_t nitems, items_cap, nbaskets, offset, total;
} sink;

static retain_status flush(sink *o)
{
    retain_status s;
    if ((s = rt_h5_append(o->indices, H5T_NATIVE_INT32, o->nitems, o->items)) ||
        (s = rt_h5_append(o->indptr, H5T_NATIVE_INT64, o->nbaskets, o->ptr)) ||
        (s = rt_h5_append(o->user, H5T_NATIVE_INT64, o->nbaskets, o->users)) ||
        (s = rt_h5_append(o->key, H5T_NATIVE_INT64, o->nbaskets, o->keys)))
        return s;
    o->nitems = o->nbaskets = 0;
    return RETAIN_OK;
}

static retain_status take(void *ctx, int64_t user, int64_t key, const int32_t *items,
                          int64_t count)
{
    sink *o = ctx;
    if (o->nitems + count > o->items_cap) {
        int64_t cap = o->items_cap ? o->items_cap : FLUSH;
        while (cap < o->nitems + count)
            cap *= 2;
        int32_t *b = realloc(o->items, (size_t)cap * sizeof *b);
        if (!b)
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory for basket items");
        o->items = b;
        o->items_cap = cap;
    }
    memcpy(o->items + o->nitems, items, (size_t)count * sizeof *items);
    o->nitems += count;
    o->offset += count;
    o->ptr[o->nbaskets] = o->offset;
    o->users[o->nbaskets] = user;
    o->keys[o->nbaskets++] = key;
    o->total++;
    return o->nbaskets == FLUSH || o->nitems >= FLUSH * 16 ? flush(o) : RETAIN_OK;
}

typedef struct job {
    const char *log_path, *by_name;
    rt_eventlog *log;
    rt_logs_basket_by by;
    cli_progress *progress;
    int64_t baskets, items, events;
} job;

static retain_status item_names(hid_t file, const rt_logs_baskets *b)
{
    int64_t n = rt_logs_baskets_items(b);
    int64_t *ids = malloc((size_t)(n + 1) * sizeof *ids);
    char *text = malloc((size_t)(n + 1) * 24);
    const char **names = malloc((size_t)(n + 1) * sizeof *names);
    retain_status s = !ids || !text || !names
                          ? rt_error(RETAIN_ERR_INTERNAL, "out of memory for item names")
                          : rt_logs_baskets_item_ids(b, ids);
    for (int64_t c = 0; !s && c < n; c++) {
        snprintf(text + 24 * c, 24, "%lld", (long long)ids[c]);
        names[c] = text + 24 * c;
    }
    if (!s)
        s = rt_h5_write_strings(file, "/baskets/item_names", n, names);
    free(ids);
    free(text);
    free(names);
    return s;
}

static retain_status write_baskets(job *j, hid_t file)
{
    sink o = {.indptr = H5I_INVALID_HID, .indices = H5I_INVALID_HID, .user = H5I_INVALID_HID,
              .key = H5I_INVALID_HID};
    o.ptr = malloc(FLUSH * sizeof *o.ptr);
    o.users = malloc(FLUSH * sizeof *o.users);
    o.keys = malloc(FLUSH * sizeof *o.keys);
    rt_logs_baskets *b = NULL;
    int64_t zero = 0;
    retain_status s = !o.ptr || !o.users || !o.keys
                          ? rt_error(RETAIN_ERR_INTERNAL, "out of memory")
                          : RETAIN_OK;
    if (!s && !(s = rt_h5_dataset_create_growing(file, "/baskets/indptr", H5T_STD_I64LE, 0,
                                                  &o.indptr)) &&
        !(s = rt_h5_dataset_create_growing(file, "/baskets/indices", H5T_STD_I32LE, 0,
                                           &o.indices)) &&
        !(s = rt_h5_dataset_create_growing(file, "/baskets/user_id", H5T_STD_I64LE, 0,
                                           &o.user)) &&
        !(s = rt_h5_dataset_create_growing(file, "/baskets/key", H5T_STD_I64LE, 0, &o.key)) &&
        !(s = rt_h5_append(o.indptr, H5T_NATIVE_INT64, 1, &zero)))
        s = rt_logs_baskets_create(j->by, take, &o, &b);
    bool done = false;
    while (!s && !done) {
        rt_events ev;
        if ((s = rt_eventlog_next(j->log, &ev, &done)) || done)
            break;
        j->events += ev.count;
        s = rt_logs_baskets_add(b, ev.count, ev.user_id, ev.timestamp, ev.amount, ev.item,
                                ev.order_id);
        cli_progress_report(j->progress, "baskets", rt_eventlog_bytes_read(j->log) >> 20,
                            rt_eventlog_bytes_total(j->log) >> 20);
    }
    if (!s && !(s = rt_logs_baskets_finish(b)) && !(s = flush(&o)))
        s = item_names(file, b);
    if (!s)
        s = rt_h5_attr_set_string(o.key, "meaning", j->by == RT_BASKET_BY_ORDER
                                  ? "order id" : "day number (days since 1970-01-01, UTC)");
    j->baskets = o.total;
    j->items = b ? rt_logs_baskets_items(b) : 0;
    hid_t *all[4] = {&o.indptr, &o.indices, &o.user, &o.key};
    for (int i = 0; i < 4; i++)
        if (*all[i] >= 0 && H5Dclose(*all[i]) < 0 && !s)
            s = rt_error(RETAIN_ERR_IO, "cannot write the baskets");
    if (!s && !(s = rt_h5_attr_set_string(file, "generator", "retain baskets")) &&
        !(s = rt_h5_attr_set_string(file, "engine_version", retain_version())) &&
        !(s = rt_h5_attr_set_string(file, "source", j->log_path)))
        s = rt_h5_attr_set_string(file, "by", j->by_name);
    rt_logs_baskets_free(b);
    free(o.items);
    free(o.ptr);
    free(o.users);
    free(o.keys);
    return s;
}

int cmd_baskets(int argc, char **argv)
{
    cli_common common = {0};
    cli_log_columns cols = {0};
    const char *output = NULL, *by_name = "order";
    cli_opt opts[] = {
        {"by", 0, CLI_STRING, &by_name, "order|user-day", "one basket per order (user and "
         "order id), or per user and UTC day", 1, 0},
        CLI_LOG_COLUMN_OPTS(&cols),
        {"output", 'o', CLI_STRING, &output, "BASKETS.h5", "output file (required)", 1, 0},
        {0},
    };
    cli_command cmd = {
        "baskets", "LOG [--by order|user-day] -o BASKETS.h5",
        "Group a purchase log into market baskets for `retain rules`.",
        "Purchase lines (amount > 0) only; a basket holds each item once. Items are\n"
        "numbered 0, 1, ... in order of first appearance; /baskets/item_names gives\n"
        "each number's item id from the log. A user's basket closes when the same\n"
        "user's next purchase is in another order (or day); baskets come out in the\n"
        "order they close. Each user's events must be in time order. Memory: one open\n"
        "basket per user.\n\n"
        "Output (the layout of `retain gen baskets`): /baskets/indptr (int64, n+1),\n"
        "/baskets/indices (int32 item numbers, increasing within a basket),\n"
        "/baskets/item_names, /baskets/user_id and /baskets/key (order id or day\n"
        "number) per basket.\n\n"
        "example: retain baskets log.csv --by order -o baskets.h5",
        opts, 1, 1};
    const char *pos[1];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    job j = {pos[0], by_name, NULL, RT_BASKET_BY_ORDER, NULL, 0, 0, 0};
    if (strcmp(by_name, "user-day") == 0)
        j.by = RT_BASKET_BY_USER_DAY;
    else if (strcmp(by_name, "order") != 0)
        return cli_usage_error(&cmd, &common, "--by must be order or user-day, got '%s'",
                               by_name);
    if (!output || (!cli_has_suffix(output, ".h5") && !cli_has_suffix(output, ".hdf5")))
        return cli_usage_error(&cmd, &common, "-o BASKETS.h5 is required (HDF5)");
    double t0 = rt_seconds();
    rt_eventlog_spec spec = {.user = cols.user, .time = cols.time, .amount = cols.amount,
                             .item = cols.item ? cols.item : "item",
                             .order = j.by == RT_BASKET_BY_ORDER
                                          ? (cols.order ? cols.order : "order_id")
                                          : ""};
    retain_status s = rt_eventlog_open(j.log_path, &spec, &j.log);
    if (s)
        return cli_fail(&cmd, &common, s);
    cli_progress progress;
    cli_progress_start(&progress, &common);
    j.progress = &progress;
    rt_output out;
    const char *inputs[1] = {j.log_path};
    hid_t file;
    if (!(s = rt_output_begin(&out, output, inputs, 1))) {
        if (!(s = rt_h5_create(out.tmp_path, &file)))
            s = rt_h5_close_file(file, out.tmp_path, write_baskets(&j, file));
        if (!s)
            s = rt_output_commit(&out);
        rt_output_abort(&out);
    }
    cli_progress_finish(&progress);
    rt_eventlog_close(j.log);
    if (s)
        return cli_fail(&cmd, &common, s);
    double seconds = rt_seconds() - t0;
    if (common.json) {
        cli_json js;
        json_begin(&js, stdout);
        json_string(&js, "command", "baskets");
        json_string(&js, "input", j.log_path);
        json_string(&js, "output", output);
        json_string(&js, "by", by_name);
        json_int(&js, "events", j.events);
        json_int(&js, "baskets", j.baskets);
        json_int(&js, "items", j.items);
        json_double(&js, "seconds", seconds);
        json_end(&js);
    } else if (!common.quiet) {
        printf("wrote %s: %lld baskets over %lld items from %lld events; %.2f s\n", output,
               (long long)j.baskets, (long long)j.items, (long long)j.events, seconds);
    }
    return 0;
}
