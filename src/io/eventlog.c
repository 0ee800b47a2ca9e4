/*
** src/io/eventlog.c: the purchase-log reader (see eventlog.h). CSV is read
** through one fixed buffer: a block's whole lines are found first (the
** partial last line moves to the front before the next read, so no line
** may be longer than the buffer), then parsed on all threads, each into
** the slots of its own lines. Fields are split on commas; a field in double
** quotes may hold commas ("" is a quote), not line breaks. Spaces around a
** field and a final \r are ignored. Group names are numbered on one thread.
** HDF5 columns are read in hyperslabs of one block, converted by HDF5 to
** int64 or double. User-to-group files share the CSV line handling.
*/
#include "eventlog.h"

#include "core/datetime.h"
#include "core/error.h"
#include "core/keymap.h"
#include "core/parallel.h"
#include "io/h5.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BLOCK_EVENTS (1 << 18)
#define CSV_BUFFER (4 << 20)
#define NCOLS 6
#define MAX_FIELDS 256
#define MAX_EPOCH ((int64_t)1 << 40)

enum { COL_USER, COL_TIME, COL_AMOUNT, COL_ITEM, COL_ORDER, COL_GROUP };
static const char *const default_names[NCOLS] = {"user_id", "timestamp", "amount", "item",
                                                  "order_id", ""};

struct rt_eventlog {
    char path[1024];
    char names[NCOLS][128]; /* "" for an optional column not read */
    bool hdf5;
    int64_t bytes_total, bytes_read;
    /* the block handed out */
    int64_t *user, *time, *item, *order, *group, *line;
    double *amount;
    /* group names by number, found through their hash and length */
    rt_keymap group_map;
    char **group_names;
    int64_t group_cap;
    /* CSV */
    FILE *f;
    char *buf;
    size_t start, end; /* unparsed bytes buf[start, end) */
    uint32_t *starts;  /* line starts of the block in buf, one more than lines */
    bool eof;
    int field_of[NCOLS]; /* CSV field index of each column, -1: absent */
    int nfields;
    int64_t lineno;      /* lines consumed so far */
    /* HDF5 */
    hid_t file, dset[NCOLS];
    bool time_is_float;
    int64_t rows, row;
    double *scratch;
};

bool rt_eventlog_has_item(const rt_eventlog *log) { return log->names[COL_ITEM][0] != 0; }
bool rt_eventlog_has_order(const rt_eventlog *log) { return log->names[COL_ORDER][0] != 0; }
static bool has_group(const rt_eventlog *log) { return log->names[COL_GROUP][0] != 0; }
int64_t rt_eventlog_group_count(const rt_eventlog *log) { return log->group_map.count; }
const char *const *rt_eventlog_group_names(const rt_eventlog *log)
{
    return (const char *const *)log->group_names;
}
int64_t rt_eventlog_bytes_read(const rt_eventlog *log) { return log->bytes_read; }
int64_t rt_eventlog_bytes_total(const rt_eventlog *log) { return log->bytes_total; }

const char *rt_eventlog_where(const rt_eventlog *log, int64_t line, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s %s %lld", log->path, log->hdf5 ? "row" : "line", (long long)line);
    return buf;
}

/* The number of group name p[0..len), numbering a new one; -1 when out of
** memory or on a hash collision (message set). `b` is the length, or -1
** for integer groups keyed by value. */
static int64_t intern(rt_eventlog *log, int64_t a, int64_t b, const char *p, size_t len)
{
    int64_t k;
    bool added;
    if (rt_keymap_put(&log->group_map, a, b, &k, &added))
        return -1;
    if (!added) {
        if (b >= 0 && memcmp(log->group_names[k], p, len) != 0) {
            rt_error(RETAIN_ERR_INTERNAL, "group names '%s' and '%.*s' share a hash",
                     log->group_names[k], (int)len, p);
            return -1;
        }
        return k;
    }
    if (k == log->group_cap) {
        int64_t cap = log->group_cap ? 2 * log->group_cap : 16;
        char **names = realloc(log->group_names, (size_t)cap * sizeof *names);
        if (!names) {
            rt_error(RETAIN_ERR_INTERNAL, "out of memory for group names");
            return -1;
        }
        log->group_names = names;
        log->group_cap = cap;
    }
    char text[24];
    if (b < 0) {
        snprintf(text, sizeof text, "%lld", (long long)a);
        p = text;
        len = strlen(text);
    }
    log->group_names[k] = malloc(len + 1);
    if (!log->group_names[k]) {
        rt_error(RETAIN_ERR_INTERNAL, "out of memory for group names");
        return -1;
    }
    memcpy(log->group_names[k], p, len);
    log->group_names[k][len] = 0;
    return k;
}

static int64_t intern_text(rt_eventlog *log, const char *p, size_t len)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)p[i]) * 1099511628211ULL;
    return intern(log, (int64_t)h, (int64_t)len, p, len);
}

/* ---- field parsers ---------------------------------------------------------- */

bool rt_eventlog_parse_int(const char *p, size_t len, int64_t *out)
{
    size_t i = 0;
    bool neg = len > 0 && p[0] == '-';
    if (neg || (len > 0 && p[0] == '+'))
        i = 1;
    if (i == len || len - i > 18)
        return false;
    int64_t v = 0;
    for (; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = neg ? -v : v;
    return true;
}

bool rt_eventlog_parse_amount(const char *p, size_t len, double *out)
{
    static const double pow10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    size_t i = 0, digits = 0, frac = 0;
    bool neg = len > 0 && p[0] == '-', dot = false;
    if (neg || (len > 0 && p[0] == '+'))
        i = 1;
    int64_t m = 0;
    for (; i < len; i++) {
        if (p[i] >= '0' && p[i] <= '9') {
            if (digits < 18) /* past 15 digits strtod decides; no overflow */
                m = m * 10 + (p[i] - '0');
            digits++;
            frac += dot;
        } else if (p[i] == '.' && !dot) {
            dot = true;
        } else {
            break;
        }
    }
    /* plain decimals of up to 15 digits: exact mantissa over an exact
    ** power of ten, one rounding, as strtod gives */
    if (i == len && digits > 0 && digits <= 15) {
        double v = (double)m / pow10[frac];
        *out = neg ? -v : v;
        return true;
    }
    char text[64];
    if (len == 0 || len >= sizeof text)
        return false;
    memcpy(text, p, len);
    text[len] = 0;
    for (size_t k = 0; k < len; k++)
        if (!strchr("0123456789+-.eE", text[k]))
            return false;
    char *endp;
    errno = 0;
    double v = strtod(text, &endp);
    if (endp != text + len || errno || !isfinite(v))
        return false;
    *out = v;
    return true;
}

bool rt_eventlog_parse_time(const char *p, size_t len, int64_t *out)
{
    if (len >= 10 && p[4] == '-')
        return rt_datetime_parse_span(p, len, out);
    /* epoch seconds, a fraction dropped (rounded down) */
    size_t whole = 0;
    while (whole < len && p[whole] != '.')
        whole++;
    for (size_t k = whole + (whole < len); k < len; k++)
        if (p[k] < '0' || p[k] > '9')
            return false;
    int64_t t;
    if (!rt_eventlog_parse_int(p, whole, &t) || t > MAX_EPOCH || t < -MAX_EPOCH)
        return false;
    bool fraction = false;
    for (size_t k = whole + 1; k < len; k++)
        fraction |= p[k] != '0';
    *out = t < 0 && fraction ? t - 1 : t;
    return true;
}

/* ---- CSV ------------------------------------------------------------------- */

typedef struct field {
    const char *p;
    size_t len;
} field;

/* Splits the line [p, end) into fields (trimmed, quotes removed); returns
** the count, or -1 for an unterminated quote, -2 for too many fields. */
static int split(const char *p, const char *end, field *fields)
{
    int n = 0;
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        const char *a = p, *b;
        if (p < end && *p == '"') {
            a = ++p;
            for (;;) {
                if (p >= end)
                    return -1;
                const char *q = memchr(p, '"', (size_t)(end - p));
                if (!q)
                    return -1;
                if (q + 1 < end && q[1] == '"') {
                    p = q + 2;
                    continue;
                }
                b = q;
                p = q + 1;
                break;
            }
            while (p < end && *p != ',')
                p++;
        } else {
            const char *q = p < end ? memchr(p, ',', (size_t)(end - p)) : NULL;
            p = q ? q : end;
            b = p;
            while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
                b--;
        }
        if (n == MAX_FIELDS)
            return -2;
        fields[n].p = a;
        fields[n].len = (size_t)(b - a);
        n++;
        if (p >= end)
            return n;
        p++; /* the comma */
    }
}

/* Moves unparsed bytes to the front and reads more; false at end of file
** with nothing new. */
static retain_status refill(rt_eventlog *log, bool *more)
{
    memmove(log->buf, log->buf + log->start, log->end - log->start);
    log->end -= log->start;
    log->start = 0;
    *more = false;
    if (log->eof)
        return RETAIN_OK;
    size_t n = fread(log->buf + log->end, 1, CSV_BUFFER - log->end, log->f);
    if (n == 0) {
        if (ferror(log->f))
            return rt_error(RETAIN_ERR_IO, "%s: read failed", log->path);
        log->eof = true;
        return RETAIN_OK;
    }
    log->end += n;
    log->bytes_read += (int64_t)n;
    *more = true;
    return RETAIN_OK;
}

/* The next whole line into [*a, *b) (without \r\n); false at the end. The
** last line needs no newline. */
static retain_status next_line(rt_eventlog *log, const char **a, const char **b, bool *got)
{
    for (;;) {
        char *p = log->buf + log->start;
        size_t avail = log->end - log->start;
        char *nl = memchr(p, '\n', avail);
        if (nl || (log->eof && avail > 0)) {
            char *e = nl ? nl : p + avail;
            log->start += (size_t)(e - p) + (nl != NULL);
            log->lineno++;
            if (e > p && e[-1] == '\r')
                e--;
            *a = p;
            *b = e;
            *got = true;
            return RETAIN_OK;
        }
        if (log->eof) {
            *got = false;
            return RETAIN_OK;
        }
        if (avail == CSV_BUFFER)
            return rt_error(RETAIN_ERR_DATA, "%s line %lld is longer than %d MiB; is this a "
                            "CSV file?", log->path, (long long)log->lineno + 1,
                            CSV_BUFFER >> 20);
        bool more;
        retain_status s = refill(log, &more);
        if (s)
            return s;
    }
}

/* "'a', 'b', 'c'" for a header's fields. */
static void list_fields(const field *fields, int n, char *buf, size_t cap)
{
    buf[0] = 0;
    for (int k = 0; k < n && strlen(buf) + 80 < cap; k++)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s'%.*s'", k ? ", " : "",
                 (int)(fields[k].len > 60 ? 60 : fields[k].len), fields[k].p);
}

/* The index of the header field named name, or -1. */
static int field_named(const field *fields, int n, const char *name)
{
    for (int k = 0; k < n; k++)
        if (fields[k].len == strlen(name) && memcmp(fields[k].p, name, fields[k].len) == 0)
            return k;
    return -1;
}

static retain_status open_text(rt_eventlog *log)
{
    log->f = fopen(log->path, "rb");
    if (!log->f)
        return rt_error(RETAIN_ERR_IO, "cannot open %s: %s", log->path, strerror(errno));
    struct stat st;
    if (fstat(fileno(log->f), &st) == 0)
        log->bytes_total = (int64_t)st.st_size;
    log->buf = malloc(CSV_BUFFER);
    if (!log->buf)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for a read buffer");
    return RETAIN_OK;
}

/* Reads the header line into fields (*n of them). */
static retain_status read_header(rt_eventlog *log, field *fields, int *n)
{
    const char *a, *b;
    bool got;
    retain_status s = next_line(log, &a, &b, &got);
    if (s)
        return s;
    if (!got)
        return rt_error(RETAIN_ERR_DATA, "%s is empty: expected a header line naming the "
                        "columns", log->path);
    if (b - a >= 3 && memcmp(a, "\xEF\xBB\xBF", 3) == 0)
        a += 3;
    *n = split(a, b, fields);
    if (*n < 0)
        return rt_error(RETAIN_ERR_DATA, "%s line 1: %s in the header", log->path,
                        *n == -1 ? "unterminated quote" : "more than 256 columns");
    return RETAIN_OK;
}

static retain_status open_csv(rt_eventlog *log, const rt_eventlog_spec *spec)
{
    field fields[MAX_FIELDS];
    int n;
    retain_status s = open_text(log);
    if (s || (s = read_header(log, fields, &n)))
        return s;
    log->nfields = n;
    for (int c = 0; c < NCOLS; c++) {
        log->field_of[c] = -1;
        if (!log->names[c][0])
            continue;
        if ((log->field_of[c] = field_named(fields, n, log->names[c])) >= 0)
            continue;
        const char *given = c == COL_USER ? spec->user : c == COL_TIME ? spec->time
                          : c == COL_AMOUNT ? spec->amount : c == COL_ITEM ? spec->item
                          : c == COL_ORDER ? spec->order : spec->group;
        if (c >= COL_ITEM && !given) {
            log->names[c][0] = 0; /* optional and not asked for */
            continue;
        }
        char found[512];
        list_fields(fields, n, found, sizeof found);
        return rt_error(RETAIN_ERR_DATA, "%s has no column '%s' (the header line lists: "
                        "%s); name the column with the matching option", log->path,
                        log->names[c], found);
    }
    return RETAIN_OK;
}

static retain_status bad_field(const rt_eventlog *log, int64_t lineno, int c, const field *f,
                               const char *expected)
{
    return rt_error(RETAIN_ERR_DATA, "%s line %lld, column '%s': cannot read '%.*s' as %s",
                    log->path, (long long)lineno, log->names[c],
                    (int)(f->len > 64 ? 64 : f->len), f->p, expected);
}

/* Parses the line [a, b) (line number lineno) into slot n of the block;
** *blank is set for an empty line, which fills nothing. */
static retain_status parse_line(rt_eventlog *log, const char *a, const char *b, int64_t lineno,
                                int64_t n, bool *blank)
{
    field fields[MAX_FIELDS];
    if (b > a && b[-1] == '\r')
        b--;
    *blank = a == b;
    if (*blank)
        return RETAIN_OK;
    int k = split(a, b, fields);
    if (k < 0)
        return rt_error(RETAIN_ERR_DATA, "%s line %lld: %s", log->path, (long long)lineno,
                        k == -1 ? "unterminated quote" : "more than 256 fields");
    if (k != log->nfields)
        return rt_error(RETAIN_ERR_DATA, "%s line %lld has %d fields, the header %d",
                        log->path, (long long)lineno, k, log->nfields);
    const field *f = &fields[log->field_of[COL_USER]];
    if (!rt_eventlog_parse_int(f->p, f->len, &log->user[n]))
        return bad_field(log, lineno, COL_USER, f, "a user id (an integer)");
    f = &fields[log->field_of[COL_TIME]];
    if (!rt_eventlog_parse_time(f->p, f->len, &log->time[n]))
        return bad_field(log, lineno, COL_TIME, f, "a timestamp (YYYY-MM-DD, "
                         "YYYY-MM-DDTHH:MM:SS in UTC, or epoch seconds)");
    f = &fields[log->field_of[COL_AMOUNT]];
    if (!rt_eventlog_parse_amount(f->p, f->len, &log->amount[n]))
        return bad_field(log, lineno, COL_AMOUNT, f, "an amount (a finite decimal number)");
    if (log->field_of[COL_ITEM] >= 0) {
        f = &fields[log->field_of[COL_ITEM]];
        if (!rt_eventlog_parse_int(f->p, f->len, &log->item[n]))
            return bad_field(log, lineno, COL_ITEM, f, "an item id (an integer)");
    }
    if (log->field_of[COL_ORDER] >= 0) {
        f = &fields[log->field_of[COL_ORDER]];
        if (!rt_eventlog_parse_int(f->p, f->len, &log->order[n]))
            return bad_field(log, lineno, COL_ORDER, f, "an order id (an integer)");
    }
    if (log->field_of[COL_GROUP] >= 0) {
        f = &fields[log->field_of[COL_GROUP]];
        if ((log->group[n] = intern_text(log, f->p, f->len)) < 0)
            return RETAIN_ERR_INTERNAL;
    }
    log->line[n] = lineno;
    return RETAIN_OK;
}

static retain_status parse_block(rt_eventlog *log, int64_t n, int64_t *count);

/* Finds up to BLOCK_EVENTS whole lines in the buffer, reading more while
** there is room: their starts into log->starts[0..*lines], the last entry
** one past the end of the last line. The final line of the file needs no
** newline. */
static retain_status find_lines(rt_eventlog *log, int64_t *lines)
{
    for (;;) {
        const char *base = log->buf, *p = base + log->start, *end = base + log->end;
        int64_t n = 0;
        while (n < BLOCK_EVENTS && p < end) {
            const char *q = memchr(p, '\n', (size_t)(end - p));
            if (!q && !log->eof)
                break;
            log->starts[n++] = (uint32_t)(p - base);
            p = q ? q + 1 : end;
        }
        log->starts[n] = (uint32_t)(p - base);
        if (n == BLOCK_EVENTS || log->eof || (n > 0 && log->start == 0 &&
                                              log->end == CSV_BUFFER)) {
            *lines = n;
            return RETAIN_OK;
        }
        if (n == 0 && log->start == 0 && log->end == CSV_BUFFER)
            return rt_error(RETAIN_ERR_DATA, "%s line %lld is longer than %d MiB; is this a "
                            "CSV file?", log->path, (long long)log->lineno + 1,
                            CSV_BUFFER >> 20);
        bool more;
        retain_status s = refill(log, &more);
        if (s)
            return s;
    }
}

/* One block: the lines are found first, then parsed in parallel (each
** thread a contiguous range, into the slots of its lines); blank lines are
** squeezed out after. The first failing line in file order is reported.
** *count is 0 only at the end of the file. */
static retain_status next_csv(rt_eventlog *log, int64_t *count)
{
    *count = 0;
    int64_t n = 0;
    retain_status s;
    do {
        if ((s = find_lines(log, &n)) || n == 0)
            return s;
    } while ((s = parse_block(log, n, count)) == RETAIN_OK && *count == 0);
    return s;
}

static retain_status parse_block(rt_eventlog *log, int64_t n, int64_t *count)
{
    int threads = log->field_of[COL_GROUP] >= 0 || n < 8192 ? 1 : rt_threads();
    int64_t fail_at = INT64_MAX, blanks = 0;
    retain_status fail = RETAIN_OK;
    char message[1024] = "";
#pragma omp parallel num_threads(threads) reduction(+ : blanks)
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        int64_t a = n * t / nt, b = n * (t + 1) / nt;
        for (int64_t i = a; i < b; i++) {
            bool blank;
            const char *p = log->buf + log->starts[i], *e = log->buf + log->starts[i + 1];
            if (e > p && e[-1] == '\n')
                e--;
            retain_status ls = parse_line(log, p, e, log->lineno + 1 + i, i, &blank);
            if (ls) {
#pragma omp critical(rt_eventlog_fail)
                if (i < fail_at) {
                    fail_at = i;
                    fail = ls;
                    snprintf(message, sizeof message, "%s", retain_last_error());
                }
                break;
            }
            if (blank) {
                log->line[i] = -1;
                blanks++;
            }
        }
    }
    if (fail)
        return rt_error(fail, "%s", message);
    log->lineno += n;
    log->start = log->starts[n];
    int64_t m = n;
    if (blanks) {
        m = 0;
        for (int64_t i = 0; i < n; i++) {
            if (log->line[i] < 0)
                continue;
            log->user[m] = log->user[i];
            log->time[m] = log->time[i];
            log->amount[m] = log->amount[i];
            if (log->item)
                log->item[m] = log->item[i];
            if (log->order)
                log->order[m] = log->order[i];
            if (log->group)
                log->group[m] = log->group[i];
            log->line[m++] = log->line[i];
        }
    }
    *count = m;
    return RETAIN_OK;
}

retain_status rt_user_groups_read(const char *path, const char *user_col,
                                  const char *group_col, rt_user_groups *out)
{
    memset(out, 0, sizeof *out);
    rt_eventlog *log = calloc(1, sizeof *log);
    rt_keymap seen = {0};
    int64_t cap = 0;
    if (!log)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    log->file = H5I_INVALID_HID;
    for (int c = 0; c < NCOLS; c++)
        log->dset[c] = H5I_INVALID_HID;
    snprintf(log->path, sizeof log->path, "%s", path);
    field fields[MAX_FIELDS];
    int n = 0, fu = -1, fg = -1;
    retain_status s;
    if ((s = rt_keymap_init(&log->group_map)) || (s = rt_keymap_init(&seen)) ||
        (s = open_text(log)) || (s = read_header(log, fields, &n)))
        goto done;
    fu = field_named(fields, n, user_col);
    fg = field_named(fields, n, group_col);
    if (fu < 0 || fg < 0) {
        char found[512];
        list_fields(fields, n, found, sizeof found);
        s = rt_error(RETAIN_ERR_DATA, "%s has no column '%s' (the header line lists: %s)",
                     path, fu < 0 ? user_col : group_col, found);
        goto done;
    }
    for (;;) {
        const char *a, *b;
        bool got;
        if ((s = next_line(log, &a, &b, &got)) || !got)
            break;
        if (a == b)
            continue;
        int k = split(a, b, fields);
        if (k != n) {
            s = rt_error(RETAIN_ERR_DATA, "%s line %lld has %d fields, the header %d", path,
                         (long long)log->lineno, k < 0 ? 0 : k, n);
            break;
        }
        int64_t user, group, at;
        bool added;
        if (!rt_eventlog_parse_int(fields[fu].p, fields[fu].len, &user)) {
            s = rt_error(RETAIN_ERR_DATA, "%s line %lld, column '%s': cannot read '%.*s' as a "
                         "user id (an integer)", path, (long long)log->lineno, user_col,
                         (int)(fields[fu].len > 64 ? 64 : fields[fu].len), fields[fu].p);
            break;
        }
        if ((group = intern_text(log, fields[fg].p, fields[fg].len)) < 0 ||
            (s = rt_keymap_put(&seen, user, 0, &at, &added))) {
            s = s ? s : RETAIN_ERR_INTERNAL;
            break;
        }
        if (!added) {
            if (out->group[at] != group) {
                s = rt_error(RETAIN_ERR_DATA, "%s line %lld puts user %lld in group '%s', an "
                             "earlier line in '%s'; a user belongs to one group", path,
                             (long long)log->lineno, (long long)user,
                             log->group_names[group], log->group_names[out->group[at]]);
                break;
            }
            continue;
        }
        if (at == cap) {
            cap = cap ? 2 * cap : 4096;
            int64_t *u = realloc(out->user_id, (size_t)cap * sizeof *u);
            if (u)
                out->user_id = u;
            int64_t *g = realloc(out->group, (size_t)cap * sizeof *g);
            if (g)
                out->group = g;
            if (!u || !g) {
                s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld users",
                             (long long)cap);
                break;
            }
        }
        out->user_id[at] = user;
        out->group[at] = group;
        out->count = at + 1;
    }
done:
    if (!s && out->count == 0)
        s = rt_error(RETAIN_ERR_DATA, "%s lists no users", path);
    if (!s) {
        out->groups = log->group_map.count;
        out->names = log->group_names;
        log->group_names = NULL;
        log->group_map.count = 0;
    } else {
        rt_user_groups_free(out);
    }
    rt_keymap_free(&seen);
    rt_eventlog_close(log);
    return s;
}

void rt_user_groups_free(rt_user_groups *g)
{
    for (int64_t k = 0; g->names && k < g->groups; k++)
        free(g->names[k]);
    free(g->names);
    free(g->user_id);
    free(g->group);
    memset(g, 0, sizeof *g);
}

/* ---- HDF5 ------------------------------------------------------------------ */

static retain_status open_h5(rt_eventlog *log, const rt_eventlog_spec *spec)
{
    retain_status s = rt_h5_open_read(log->path, &log->file);
    if (s)
        return s;
    struct stat st;
    if (stat(log->path, &st) == 0)
        log->bytes_total = (int64_t)st.st_size;
    log->rows = -1;
    for (int c = 0; c < NCOLS; c++) {
        if (!log->names[c][0])
            continue;
        char path[160];
        snprintf(path, sizeof path, "%s%s", log->names[c][0] == '/' ? "" : "/",
                 log->names[c]);
        if (rt_h5_kind(log->file, path) != H5I_DATASET) {
            const char *given = c == COL_ITEM ? spec->item : c == COL_ORDER ? spec->order
                                                                            : "";
            if (c == COL_GROUP)
                given = spec->group;
            if (c >= COL_ITEM && !given) {
                log->names[c][0] = 0;
                continue;
            }
            char found[2048];
            rt_h5_list(log->file, found, sizeof found);
            return rt_error(RETAIN_ERR_DATA, "%s has no dataset %s for column '%s'; it "
                            "holds:\n%s", log->path, path, log->names[c], found);
        }
        log->dset[c] = H5Dopen2(log->file, path, H5P_DEFAULT);
        if (log->dset[c] < 0)
            return rt_error(RETAIN_ERR_DATA, "%s: cannot open %s", log->path, path);
        hsize_t dims[8];
        hid_t type = H5Dget_type(log->dset[c]);
        bool numeric = type >= 0 && rt_h5_type_is_numeric(type);
        log->time_is_float |= c == COL_TIME && numeric && H5Tget_class(type) == H5T_FLOAT;
        if (type >= 0)
            H5Tclose(type);
        if (rt_h5_shape(log->dset[c], dims) != 1 || !numeric)
            return rt_error(RETAIN_ERR_DATA, "%s: %s must be a 1-D numeric dataset%s",
                            log->path, path, c == COL_TIME ? " of epoch seconds" : "");
        if ((s = rt_h5_check_stored(log->dset[c], log->path, path)))
            return s;
        if (log->rows >= 0 && (int64_t)dims[0] != log->rows)
            return rt_error(RETAIN_ERR_DATA, "%s: %s has %lld rows, /%s %lld; the columns of "
                            "a log have one length", log->path, path, (long long)dims[0],
                            log->names[COL_USER], (long long)log->rows);
        log->rows = (int64_t)dims[0];
    }
    return RETAIN_OK;
}

static retain_status read_column(rt_eventlog *log, int c, hid_t mem_type, int64_t n,
                                 void *buf)
{
    hsize_t start = (hsize_t)log->row, count = (hsize_t)n;
    hid_t fs = H5Dget_space(log->dset[c]);
    hid_t ms = H5Screate_simple(1, &count, NULL);
    herr_t e = fs < 0 || ms < 0 ? -1
               : H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL);
    if (e >= 0)
        e = H5Dread(log->dset[c], mem_type, ms, fs, H5P_DEFAULT, buf);
    if (fs >= 0)
        H5Sclose(fs);
    if (ms >= 0)
        H5Sclose(ms);
    if (e < 0)
        return rt_error(RETAIN_ERR_DATA, "%s: cannot read rows %lld..%lld of /%s (damaged "
                        "file?)", log->path, (long long)log->row,
                        (long long)(log->row + n - 1), log->names[c]);
    return RETAIN_OK;
}

static retain_status next_h5(rt_eventlog *log, int64_t *count)
{
    int64_t n = log->rows - log->row < BLOCK_EVENTS ? log->rows - log->row : BLOCK_EVENTS;
    *count = 0;
    if (n <= 0)
        return RETAIN_OK;
    retain_status s;
    if ((s = read_column(log, COL_USER, H5T_NATIVE_INT64, n, log->user)) ||
        (s = read_column(log, COL_AMOUNT, H5T_NATIVE_DOUBLE, n, log->amount)) ||
        (log->item && (s = read_column(log, COL_ITEM, H5T_NATIVE_INT64, n, log->item))) ||
        (log->order && (s = read_column(log, COL_ORDER, H5T_NATIVE_INT64, n, log->order))) ||
        (log->group && (s = read_column(log, COL_GROUP, H5T_NATIVE_INT64, n, log->group))))
        return s;
    for (int64_t i = 0; log->group && i < n; i++)
        if ((log->group[i] = intern(log, log->group[i], -1, NULL, 0)) < 0)
            return RETAIN_ERR_INTERNAL;
    if (log->time_is_float) {
        if ((s = read_column(log, COL_TIME, H5T_NATIVE_DOUBLE, n, log->scratch)))
            return s;
        for (int64_t i = 0; i < n; i++) {
            double t = floor(log->scratch[i]);
            if (!(t >= (double)-MAX_EPOCH && t <= (double)MAX_EPOCH))
                return rt_error(RETAIN_ERR_DATA, "%s row %lld, column '%s': %g is not a "
                                "timestamp in epoch seconds", log->path,
                                (long long)(log->row + i), log->names[COL_TIME],
                                log->scratch[i]);
            log->time[i] = (int64_t)t;
        }
    } else if ((s = read_column(log, COL_TIME, H5T_NATIVE_INT64, n, log->time))) {
        return s;
    }
    for (int64_t i = 0; i < n; i++) {
        if (!isfinite(log->amount[i]))
            return rt_error(RETAIN_ERR_DATA, "%s row %lld, column '%s': the amount is %g",
                            log->path, (long long)(log->row + i), log->names[COL_AMOUNT],
                            log->amount[i]);
        if (log->time[i] > MAX_EPOCH || log->time[i] < -MAX_EPOCH)
            return rt_error(RETAIN_ERR_DATA, "%s row %lld, column '%s': %lld is not a "
                            "timestamp in epoch seconds", log->path,
                            (long long)(log->row + i), log->names[COL_TIME],
                            (long long)log->time[i]);
        log->line[i] = log->row + i;
    }
    log->row += n;
    log->bytes_read = log->rows ? log->bytes_total * log->row / log->rows : 0;
    *count = n;
    return RETAIN_OK;
}

/* ---- open / next / close ------------------------------------------------------ */

retain_status rt_eventlog_open(const char *path, const rt_eventlog_spec *spec,
                               rt_eventlog **out)
{
    *out = NULL;
    rt_eventlog *log = calloc(1, sizeof *log);
    if (!log)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    log->file = H5I_INVALID_HID;
    retain_status s0 = rt_keymap_init(&log->group_map);
    if (s0) {
        free(log);
        return s0;
    }
    for (int c = 0; c < NCOLS; c++)
        log->dset[c] = H5I_INVALID_HID;
    snprintf(log->path, sizeof log->path, "%s", path);
    const char *given[NCOLS] = {spec->user, spec->time, spec->amount, spec->item,
                                spec->order, spec->group};
    retain_status s = RETAIN_OK;
    for (int c = 0; c < NCOLS && !s; c++) {
        const char *name = given[c] ? given[c] : default_names[c];
        if (strlen(name) >= sizeof log->names[c] || (c < COL_ITEM && !name[0]))
            s = rt_error(RETAIN_ERR_USAGE, "the %s column needs a name of 1 to 127 "
                         "characters", default_names[c]);
        else
            snprintf(log->names[c], sizeof log->names[c], "%s", name);
    }
    size_t len = strlen(path);
    log->hdf5 = (len > 3 && strcmp(path + len - 3, ".h5") == 0) ||
                (len > 5 && strcmp(path + len - 5, ".hdf5") == 0);
    if (!s)
        s = log->hdf5 ? open_h5(log, spec) : open_csv(log, spec);
    size_t n = BLOCK_EVENTS;
    if (!s) {
        log->user = malloc(n * sizeof(int64_t));
        log->time = malloc(n * sizeof(int64_t));
        log->line = malloc(n * sizeof(int64_t));
        log->amount = malloc(n * sizeof(double));
        log->item = rt_eventlog_has_item(log) ? malloc(n * sizeof(int64_t)) : NULL;
        log->order = rt_eventlog_has_order(log) ? malloc(n * sizeof(int64_t)) : NULL;
        log->group = has_group(log) ? malloc(n * sizeof(int64_t)) : NULL;
        log->scratch = log->hdf5 ? malloc(n * sizeof(double)) : NULL;
        log->starts = log->hdf5 ? NULL : malloc((n + 1) * sizeof(uint32_t));
        if (!log->user || !log->time || !log->line || !log->amount ||
            (rt_eventlog_has_item(log) && !log->item) ||
            (rt_eventlog_has_order(log) && !log->order) || (has_group(log) && !log->group) ||
            (log->hdf5 && !log->scratch) || (!log->hdf5 && !log->starts))
            s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for a block of events");
    }
    if (s) {
        rt_eventlog_close(log);
        return s;
    }
    *out = log;
    return RETAIN_OK;
}

retain_status rt_eventlog_next(rt_eventlog *log, rt_events *out, bool *done)
{
    memset(out, 0, sizeof *out);
    int64_t n = 0;
    retain_status s = log->hdf5 ? next_h5(log, &n) : next_csv(log, &n);
    if (s)
        return s;
    *done = n == 0;
    out->count = n;
    out->user_id = log->user;
    out->timestamp = log->time;
    out->amount = log->amount;
    out->item = log->item;
    out->order_id = log->order;
    out->group = log->group;
    out->line = log->line;
    return RETAIN_OK;
}

void rt_eventlog_close(rt_eventlog *log)
{
    if (!log)
        return;
    if (log->f)
        fclose(log->f);
    for (int c = 0; c < NCOLS; c++)
        if (log->dset[c] >= 0)
            H5Dclose(log->dset[c]);
    if (log->file >= 0)
        H5Fclose(log->file);
    free(log->buf);
    free(log->user);
    free(log->time);
    free(log->line);
    free(log->amount);
    free(log->item);
    free(log->order);
    free(log->scratch);
    free(log->starts);
    free(log->group);
    for (int64_t k = 0; k < log->group_map.count; k++)
        free(log->group_names[k]);
    free(log->group_names);
    rt_keymap_free(&log->group_map);
    free(log);
}
