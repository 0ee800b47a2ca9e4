/*
** tests/fuzz/fuzz_eventlog.c: fuzz target for the CSV purchase-log parser
** (src/io/eventlog.c) and the folds behind it (src/logs). Each input is
** written to a temporary .csv file, opened with the default columns and
** with item, order_id and a group column named, read to the end in blocks,
** and the events folded into features and cohorts; it is also read as a
** user-to-group file. Errors are expected; what fails the
** target is a crash, a sanitizer report, a hang, or a failure without a
** status in range or without a message.
**
** Built like fuzz_features.c (tests/CMakeLists.txt): a libFuzzer binary
** fuzz_eventlog with RETAIN_FUZZ=ON, and always the replayer
** fuzz_eventlog_replay that ctest runs over tests/fuzz/corpus_eventlog.
*/
#include "core/error.h"
#include "io/eventlog.h"
#include "logs/cohorts.h"
#include "logs/features.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REQUIRE(cond)                                                                \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "fuzz_eventlog: %s:%d: check failed: %s (last error: %s)\n", \
                    __FILE__, __LINE__, #cond, retain_last_error());                 \
            abort();                                                                 \
        }                                                                            \
    } while (0)

static void check_status(retain_status s)
{
    REQUIRE(s >= RETAIN_OK && s <= RETAIN_ERR_INTERNAL);
    REQUIRE(s == RETAIN_OK || retain_last_error()[0] != 0);
}

static void exercise(const char *path, const rt_eventlog_spec *spec)
{
    rt_eventlog *log = NULL;
    retain_status s = rt_eventlog_open(path, spec, &log);
    check_status(s);
    if (s) {
        REQUIRE(log == NULL);
        return;
    }
    rt_logs_features_params p = {1704067200, 365 * 86400, 90 * 86400,
                                 rt_eventlog_has_item(log), rt_eventlog_has_order(log),
                                 NULL, NULL};
    rt_logs_features *f = NULL;
    rt_logs_cohorts *c = NULL;
    rt_logs_cohorts_params cp = {RT_PERIOD_WEEK, rt_eventlog_has_order(log), NULL, NULL};
    s = rt_logs_features_create(&p, &f);
    check_status(s);
    if (!s)
        s = rt_logs_cohorts_create(&cp, &c);
    check_status(s);
    bool done = false, cohorts_ok = true;
    while (!s && !done) {
        rt_events ev;
        s = rt_eventlog_next(log, &ev, &done);
        check_status(s);
        if (!s && !done && cohorts_ok) {
            retain_status cs = rt_logs_cohorts_add(c, ev.count, ev.user_id, ev.timestamp,
                                                   ev.amount, ev.order_id, ev.group, ev.line);
            check_status(cs);
            cohorts_ok = cs == RETAIN_OK;
        }
        if (!s && !done)
            s = rt_logs_features_add(f, ev.count, ev.user_id, ev.timestamp, ev.amount,
                                     ev.item, ev.order_id, ev.line);
        check_status(s);
    }
    if (!s && cohorts_ok) {
        rt_logs_cohort_table t;
        retain_status cs = rt_logs_cohorts_finish(c, 1, &t);
        check_status(cs);
        if (!cs)
            rt_logs_cohort_table_free(&t);
    }
    rt_logs_cohorts_free(c);
    if (!s) {
        rt_logs_feature_table t;
        s = rt_logs_features_finish(f, &t);
        check_status(s);
        if (!s)
            rt_logs_feature_table_free(&t);
    }
    rt_logs_features_free(f);
    rt_eventlog_close(log);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/retain-fuzz-XXXXXX.csv", dir && *dir ? dir : "/tmp");
    int fd = mkstemps(path, 4);
    REQUIRE(fd >= 0);
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fd, data + done, size - done);
        REQUIRE(n > 0);
        done += (size_t)n;
    }
    REQUIRE(close(fd) == 0);
    rt_eventlog_spec plain = {0};
    rt_eventlog_spec named = {.item = "item", .order = "order_id", .group = "group"};
    exercise(path, &plain);
    exercise(path, &named);
    rt_user_groups g;
    retain_status s = rt_user_groups_read(path, "user_id", "group", &g);
    check_status(s);
    if (!s) {
        REQUIRE(g.count > 0 && g.groups > 0);
        for (int64_t i = 0; i < g.count; i++)
            REQUIRE(g.group[i] >= 0 && g.group[i] < g.groups);
        rt_user_groups_free(&g);
    }
    unlink(path);
    return 0;
}

#ifdef RETAIN_FUZZ_STANDALONE
#include <dirent.h>
#include <sys/stat.h>

static void run_file(const char *path)
{
    FILE *in = fopen(path, "rb");
    REQUIRE(in);
    uint8_t *data = NULL;
    size_t size = 0, cap = 0;
    for (;;) {
        if (size == cap) {
            cap = cap ? 2 * cap : 65536;
            data = realloc(data, cap);
            REQUIRE(data);
        }
        size_t n = fread(data + size, 1, cap - size, in);
        if (n == 0)
            break;
        size += n;
    }
    fclose(in);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
}

/* Runs every file given, and every regular file in a folder given. */
int main(int argc, char **argv)
{
    int count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        DIR *d = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? opendir(argv[i]) : NULL;
        if (!d) {
            run_file(argv[i]);
            count++;
            continue;
        }
        for (struct dirent *e; (e = readdir(d));) {
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
            if (e->d_name[0] != '.' && stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
                run_file(p);
                count++;
            }
        }
        closedir(d);
    }
    printf("fuzz_eventlog: %d inputs replayed\n", count);
    return 0;
}
#endif
