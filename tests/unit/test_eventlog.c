/*
** tests/unit/test_eventlog.c: the purchase-log reader (src/io/eventlog.c):
** the field parsers (timestamps in three forms, amounts as strtod reads
** them, integers), CSV with reordered, quoted and extra columns, CRLF and
** blank lines, lines longer than a block apart; the messages for a bad
** field (file, line, column), a missing column (the columns found), a
** ragged line and an empty file; and the HDF5 form with its checks.
*/
#include "check.h"

#include "core/error.h"
#include "io/eventlog.h"
#include "io/h5write.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[4096];

static const char *at(const char *name)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", root, name);
    return path;
}

static void write_text(const char *name, const char *text)
{
    FILE *f = fopen(at(name), "wb");
    fputs(text, f);
    fclose(f);
}

static void parsers(void)
{
    int64_t t = 0, v = 0;
    double a = 0;
    CHECK(rt_eventlog_parse_time("2024-01-01", 10, &t) && t == 1704067200, "date %lld",
          (long long)t);
    CHECK(rt_eventlog_parse_time("2024-02-29T12:30:05", 19, &t) && t == 1709209805, "date-time");
    CHECK(rt_eventlog_parse_time("1704067200", 10, &t) && t == 1704067200, "epoch");
    CHECK(rt_eventlog_parse_time("1704067200.75", 13, &t) && t == 1704067200, "epoch fraction");
    CHECK(rt_eventlog_parse_time("-1.5", 4, &t) && t == -2, "before 1970 rounds down: %lld",
          (long long)t);
    const char *bad_times[] = {"2024-13-01", "2023-02-29", "abc", "", "12a", "1.2.3",
                               "2024-01-01T25:00:00", "99999999999999"};
    for (size_t i = 0; i < sizeof bad_times / sizeof *bad_times; i++)
        CHECK(!rt_eventlog_parse_time(bad_times[i], strlen(bad_times[i]), &t), "time '%s'",
              bad_times[i]);
    const char *amounts[] = {"10.25", "-5", "+0.1", "1e3", "123456789.123456", "0.30000000000000004"};
    for (size_t i = 0; i < sizeof amounts / sizeof *amounts; i++)
        CHECK(rt_eventlog_parse_amount(amounts[i], strlen(amounts[i]), &a) &&
                  a == strtod(amounts[i], NULL), "amount '%s': %.17g", amounts[i], a);
    const char *bad_amounts[] = {"nan", "inf", "", "1.2.3", "12,5", "1e999", "-", "."};
    for (size_t i = 0; i < sizeof bad_amounts / sizeof *bad_amounts; i++)
        CHECK(!rt_eventlog_parse_amount(bad_amounts[i], strlen(bad_amounts[i]), &a),
              "amount '%s' accepted", bad_amounts[i]);
    CHECK(rt_eventlog_parse_int("-42", 3, &v) && v == -42, "int");
    CHECK(!rt_eventlog_parse_int("1.0", 3, &v) && !rt_eventlog_parse_int("", 0, &v) &&
              !rt_eventlog_parse_int("1234567890123456789", 19, &v), "bad ints");
}

static void csv_good(void)
{
    write_text("a.csv", "\xEF\xBB\xBF" "note,amount,\"when\",customer\r\n"
                        "\"x, y\",10.5,2024-01-01,7\r\n"
                        "\r\n"
                        "z, -2 ,1704067300, 8\n"
                        "\"q\"\"\",3,2024-01-02T00:00:01,7");
    rt_eventlog_spec spec = {.user = "customer", .time = "when"};
    rt_eventlog *log;
    retain_status s = rt_eventlog_open(at("a.csv"), &spec, &log);
    CHECK(s == RETAIN_OK, "open: %s", retain_last_error());
    if (s)
        return;
    CHECK(!rt_eventlog_has_item(log) && !rt_eventlog_has_order(log), "optional columns");
    rt_events ev;
    bool done;
    CHECK(rt_eventlog_next(log, &ev, &done) == RETAIN_OK && !done && ev.count == 3, "block");
    CHECK(ev.user_id[0] == 7 && ev.user_id[1] == 8 && ev.user_id[2] == 7, "users");
    CHECK(ev.timestamp[0] == 1704067200 && ev.timestamp[1] == 1704067300 &&
              ev.timestamp[2] == 1704153601, "times");
    CHECK(ev.amount[0] == 10.5 && ev.amount[1] == -2 && ev.amount[2] == 3, "amounts");
    CHECK(ev.line[0] == 2 && ev.line[1] == 4 && ev.line[2] == 5, "lines %lld %lld %lld",
          (long long)ev.line[0], (long long)ev.line[1], (long long)ev.line[2]);
    CHECK(!ev.item && !ev.order_id, "no item arrays");
    CHECK(rt_eventlog_next(log, &ev, &done) == RETAIN_OK && done, "end");
    rt_eventlog_close(log);

    /* more rows than one block */
    FILE *f = fopen(at("big.csv"), "wb");
    fputs("user_id,timestamp,amount,item,order_id\n", f);
    for (int i = 0; i < 300000; i++)
        fprintf(f, "%d,%d,%d.%02d,%d,%d\n", i % 1000, 1700000000 + i, i % 50, i % 100, i % 7, i);
    fclose(f);
    rt_eventlog_spec plain = {0};
    CHECK(rt_eventlog_open(at("big.csv"), &plain, &log) == RETAIN_OK, "%s", retain_last_error());
    int64_t n = 0;
    bool ok = true;
    while (rt_eventlog_next(log, &ev, &done) == RETAIN_OK && !done) {
        for (int64_t i = 0; i < ev.count; i++, n++)
            ok &= ev.user_id[i] == n % 1000 && ev.timestamp[i] == 1700000000 + n &&
                  ev.amount[i] == (double)(n % 50 * 100 + n % 100) / 100.0 &&
                  ev.item[i] == n % 7 && ev.order_id[i] == n && ev.line[i] == n + 2;
    }
    CHECK(ok && n == 300000, "big file: %lld rows", (long long)n);
    rt_eventlog_close(log);
}

static void expect_error(const char *name, const char *text, retain_status want,
                         const char *const *phrases)
{
    if (text)
        write_text(name, text);
    rt_eventlog_spec spec = {0};
    rt_eventlog *log = NULL;
    retain_status s = rt_eventlog_open(at(name), &spec, &log);
    rt_events ev;
    bool done = false;
    while (!s && !done)
        s = rt_eventlog_next(log, &ev, &done);
    rt_eventlog_close(log);
    CHECK(s == want, "%s: status %d, want %d (%s)", name, s, want, retain_last_error());
    for (; *phrases; phrases++)
        CHECK(strstr(retain_last_error(), *phrases), "%s: message lacks '%s': %s", name,
              *phrases, retain_last_error());
}

static void csv_errors(void)
{
    expect_error("time.csv", "user_id,timestamp,amount\n1,2024-01-01,1\n2,2024-13-01,2\n",
                 RETAIN_ERR_DATA,
                 (const char *[]){"time.csv line 3", "column 'timestamp'", "2024-13-01", NULL});
    expect_error("amount.csv", "user_id,timestamp,amount\n1,2024-01-01,1\n\n2,2024-01-01,x2\n",
                 RETAIN_ERR_DATA,
                 (const char *[]){"amount.csv line 4", "column 'amount'", "'x2'", NULL});
    expect_error("user.csv", "user_id,timestamp,amount\nu1,2024-01-01,1\n", RETAIN_ERR_DATA,
                 (const char *[]){"line 2", "column 'user_id'", NULL});
    expect_error("missing.csv", "customer,ts,amount\n1,2024-01-01,1\n", RETAIN_ERR_DATA,
                 (const char *[]){"no column 'user_id'", "'customer', 'ts', 'amount'", NULL});
    expect_error("ragged.csv", "user_id,timestamp,amount\n1,2024-01-01\n", RETAIN_ERR_DATA,
                 (const char *[]){"line 2 has 2 fields, the header 3", NULL});
    expect_error("quote.csv", "user_id,timestamp,amount\n\"1,2024-01-01,1\n", RETAIN_ERR_DATA,
                 (const char *[]){"line 2", "unterminated quote", NULL});
    expect_error("empty.csv", "", RETAIN_ERR_DATA, (const char *[]){"empty.csv is empty", NULL});
    expect_error("nosuch/x.csv", NULL, RETAIN_ERR_IO, (const char *[]){"cannot open", NULL});
    /* an explicitly named optional column must be there */
    write_text("noitem.csv", "user_id,timestamp,amount\n1,2024-01-01,1\n");
    rt_eventlog_spec spec = {.item = "sku"};
    rt_eventlog *log;
    CHECK(rt_eventlog_open(at("noitem.csv"), &spec, &log) == RETAIN_ERR_DATA &&
              strstr(retain_last_error(), "no column 'sku'"), "named item: %s",
          retain_last_error());
}

static void hdf5(void)
{
    hid_t file;
    CHECK(rt_h5_create(at("log.h5"), &file) == RETAIN_OK, "create");
    int64_t user[3] = {1, 2, 1}, time[3] = {100, 200, 300};
    double amount[3] = {1.5, -2, 3}, ftime[2] = {1.5, 2.5};
    rt_h5_write_vector(file, "/user_id", H5T_STD_I64LE, H5T_NATIVE_INT64, 3, user);
    rt_h5_write_vector(file, "/timestamp", H5T_STD_I64LE, H5T_NATIVE_INT64, 3, time);
    rt_h5_write_vector(file, "/amount", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, amount);
    rt_h5_write_vector(file, "/ts_float", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, ftime);
    CHECK(rt_h5_close_file(file, at("log.h5"), RETAIN_OK) == RETAIN_OK, "close");
    rt_eventlog_spec spec = {0};
    rt_eventlog *log;
    retain_status s = rt_eventlog_open(at("log.h5"), &spec, &log);
    CHECK(s == RETAIN_OK, "open h5: %s", retain_last_error());
    if (!s) {
        rt_events ev;
        bool done;
        CHECK(rt_eventlog_next(log, &ev, &done) == RETAIN_OK && ev.count == 3, "h5 block");
        CHECK(ev.user_id[2] == 1 && ev.timestamp[1] == 200 && ev.amount[1] == -2 &&
                  ev.line[2] == 2, "h5 values");
        rt_eventlog_close(log);
    }
    rt_eventlog_spec other = {.time = "ts_float"};
    CHECK(rt_eventlog_open(at("log.h5"), &other, &log) == RETAIN_ERR_DATA &&
              strstr(retain_last_error(), "has 2 rows"), "lengths: %s", retain_last_error());
    rt_eventlog_spec absent = {.amount = "price"};
    CHECK(rt_eventlog_open(at("log.h5"), &absent, &log) == RETAIN_ERR_DATA &&
              strstr(retain_last_error(), "no dataset /price") &&
              strstr(retain_last_error(), "/user_id"), "absent: %s", retain_last_error());
}

int main(void)
{
    const char *base = getenv("RETAIN_TEST_TMP");
    if (!base || !*base)
        base = "/tmp";
    mkdir(base, 0755);
    snprintf(root, sizeof root, "%s/eventlog.XXXXXX", base);
    if (!mkdtemp(root)) {
        fprintf(stderr, "cannot make a folder under %s: %s\n", base, strerror(errno));
        return 1;
    }
    parsers();
    csv_good();
    csv_errors();
    hdf5();
    if (!check_failures) {
        const char *names[] = {"a.csv", "big.csv", "time.csv", "amount.csv", "user.csv",
                               "missing.csv", "ragged.csv", "quote.csv", "empty.csv",
                               "noitem.csv", "log.h5"};
        for (size_t i = 0; i < sizeof names / sizeof *names; i++)
            unlink(at(names[i]));
        rmdir(root);
    }
    CHECK_DONE();
}
