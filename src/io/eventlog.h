/*
** src/io/eventlog.h: purchase logs read as a stream of event blocks, from
** CSV (a header line naming the columns) or HDF5 (equal-length 1-D
** datasets, one per column, as `retain gen transactions` writes them).
** Columns: user_id, timestamp, amount, and optionally item and order_id;
** their names are configurable. Timestamps are ISO dates, ISO date-times
** (UTC) or epoch seconds. Memory is one block, whatever the log's length.
** Every parse error names the file, the line (CSV) or row (HDF5) and the
** column. What the events mean is left to src/logs.
*/
#ifndef RT_IO_EVENTLOG_H
#define RT_IO_EVENTLOG_H

#include "retain.h"

#include <stdbool.h>
#include <stdint.h>

/* Column names; NULL picks the default ("user_id", "timestamp", "amount",
** "item", "order_id"). item and order_id may be absent from the log unless
** named explicitly; "" means do not read that column. group (an experiment
** arm, a channel: any text, or integers in HDF5) is read only when named;
** its values are numbered 0, 1, ... in order of first appearance. */
typedef struct rt_eventlog_spec {
    const char *user, *time, *amount, *item, *order, *group;
} rt_eventlog_spec;

typedef struct rt_eventlog rt_eventlog;

/* One block of events in log order. Arrays belong to the reader and stay
** valid until the next call. item and order_id are NULL when the log has
** no such column. */
typedef struct rt_events {
    int64_t count;
    const int64_t *user_id, *timestamp, *item, *order_id;
    const double *amount;
    const int64_t *group; /* NULL unless a group column was named */
    const int64_t *line; /* CSV line (1-based) or HDF5 row (0-based) of each event */
} rt_events;

/* Opens path (".h5"/".hdf5": HDF5, anything else: CSV) and checks that the
** columns are there; a missing column's message lists the columns found. */
retain_status rt_eventlog_open(const char *path, const rt_eventlog_spec *spec,
                               rt_eventlog **out);
void rt_eventlog_close(rt_eventlog *log);

/* The next block (at most about 2^18 events); *done is set, and nothing
** returned, at the end of the log. */
retain_status rt_eventlog_next(rt_eventlog *log, rt_events *out, bool *done);

bool rt_eventlog_has_item(const rt_eventlog *log);
bool rt_eventlog_has_order(const rt_eventlog *log);
/* The group names met so far, by number. */
int64_t rt_eventlog_group_count(const rt_eventlog *log);
const char *const *rt_eventlog_group_names(const rt_eventlog *log);
/* "log.csv line 12" or "log.h5 row 11" for an event's line number. */
const char *rt_eventlog_where(const rt_eventlog *log, int64_t line, char *buf, size_t cap);
/* Bytes read so far and the file's size, for progress. */
int64_t rt_eventlog_bytes_read(const rt_eventlog *log);
int64_t rt_eventlog_bytes_total(const rt_eventlog *log);

/* Parsers for one CSV field (no NUL needed), shared with the fuzz target:
** an integer; a decimal number (finite); a timestamp as above. */
bool rt_eventlog_parse_int(const char *p, size_t len, int64_t *out);
bool rt_eventlog_parse_amount(const char *p, size_t len, double *out);
bool rt_eventlog_parse_time(const char *p, size_t len, int64_t *out);

/* A user-to-group table read from a CSV file with columns user_col and
** group_col: user ids and group numbers (0, 1, ... in order of first
** appearance) in file order, and the group names. A user listed twice with
** different groups is refused, naming both lines. */
typedef struct rt_user_groups {
    int64_t count, groups;
    int64_t *user_id, *group;
    char **names;
} rt_user_groups;
retain_status rt_user_groups_read(const char *path, const char *user_col,
                                  const char *group_col, rt_user_groups *out);
void rt_user_groups_free(rt_user_groups *g);

#endif
