/*
** src/io/baskets_text.c: the text basket formats. FIMI .dat: one basket a
** line, non-negative integer item ids separated by spaces or tabs. Names:
** one basket a line, item names separated by commas, empty fields ignored,
** fields trimmed of spaces, "quoted" fields (with "" for a quote) allowed.
** Long: a header line, then `basket_id,item` lines in any order; a basket
** is every line with its id, baskets in order of first appearance. In all
** three a blank line is an empty basket for dat and names (it counts in
** the support denominator, as in the FIMI tools) and is skipped in long.
** A leading UTF-8 byte-order mark is skipped. Errors give the file, line
** and column (1-based byte in the line).
*/
#include "baskets_impl.h"

#include "core/error.h"

#include <stdlib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct cursor {
    const char *t;
    size_t len, i, line_start;
    int64_t line;
    const char *path;
} cursor;

static retain_status at_error(const cursor *c, size_t at, const char *msg, const char *advice)
{
    return rt_error(RETAIN_ERR_DATA, "%s: line %lld, column %lld: %s%s", c->path,
                    (long long)c->line, (long long)(at - c->line_start + 1), msg, advice);
}

/* Up to 40 bytes of the token at t[s..e), printable, into buf. */
static const char *quote_token(const char *t, size_t s, size_t e, char *buf)
{
    size_t n = 0;
    for (size_t k = s; k < e && n < 40; k++)
        buf[n++] = (t[k] >= 0x20 && t[k] < 0x7f) ? t[k] : '?';
    buf[n] = '\0';
    return buf;
}

static bool blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

static retain_status parse_dat(rt_bbuild *bb, cursor *c)
{
    retain_status s;
    const char *t = c->t;
    while (c->i < c->len) {
        char ch = t[c->i];
        if (ch == '\n') {
            if ((s = rt_bbuild_close_basket(bb)))
                return s;
            c->i++;
            c->line++;
            c->line_start = c->i;
            continue;
        }
        if (blank(ch)) {
            c->i++;
            continue;
        }
        size_t start = c->i;
        uint64_t v = 0;
        bool digits = true, big = false;
        for (; c->i < c->len && !blank(t[c->i]) && t[c->i] != '\n'; c->i++) {
            unsigned d = (unsigned char)t[c->i] - '0';
            if (d > 9)
                digits = false;
            else if (v > (UINT64_MAX / 2 - 9) / 10)
                big = true;
            else
                v = v * 10 + d;
        }
        if (!digits || big) {
            char tok[48], msg[96];
            snprintf(msg, sizeof msg, "'%s' is %s", quote_token(t, start, c->i, tok),
                     digits ? "too large for an item id" : "not an item id");
            if (!digits)
                return at_error(c, start, msg,
                                "; a FIMI .dat file holds non-negative integer ids separated "
                                "by spaces (for comma-separated item names use --format names)");
            return at_error(c, start, msg, "; ids must be below 2^63");
        }
        int32_t idx;
        if ((s = rt_bbuild_id(bb, v, &idx)) || (s = rt_bbuild_push(bb, idx)))
            return s;
    }
    if (c->len > 0 && t[c->len - 1] != '\n')
        return rt_bbuild_close_basket(bb);
    return RETAIN_OK;
}

static retain_status nul_error(const cursor *c, size_t at)
{
    return at_error(c, at, "a NUL byte", "; the file is not text (or is UTF-16: save it as UTF-8)");
}

/* One comma-separated field from c->i: trimmed, unquoted into *scratch
** when quoted. Leaves c->i on the ',' or '\n' that ends it (or the end). */
static retain_status next_field(cursor *c, char **scratch, size_t *scratch_cap,
                                const char **field, size_t *flen)
{
    const char *t = c->t;
    while (c->i < c->len && blank(t[c->i]))
        c->i++;
    if (c->i < c->len && t[c->i] == '"') {
        size_t open = c->i++, n = 0;
        for (;; c->i++) {
            if (c->i >= c->len || t[c->i] == '\n')
                return at_error(c, open, "a quoted field has no closing quote",
                                " on its line; close it with \"");
            if (t[c->i] == '\0')
                return nul_error(c, c->i);
            if (t[c->i] == '"') {
                if (c->i + 1 < c->len && t[c->i + 1] == '"')
                    c->i++;
                else
                    break;
            }
            if (n + 1 > *scratch_cap) {
                size_t cap = *scratch_cap ? *scratch_cap * 2 : 256;
                char *more = realloc(*scratch, cap);
                if (!more)
                    return rt_error(RETAIN_ERR_INTERNAL, "out of memory for a field");
                *scratch = more;
                *scratch_cap = cap;
            }
            (*scratch)[n++] = t[c->i];
        }
        c->i++;
        while (c->i < c->len && blank(t[c->i]))
            c->i++;
        if (c->i < c->len && t[c->i] != ',' && t[c->i] != '\n')
            return at_error(c, c->i, "text after a closing quote",
                            "; a quoted field ends at the next comma");
        *field = *scratch;
        *flen = n;
        return RETAIN_OK;
    }
    size_t start = c->i, end = c->i;
    for (; c->i < c->len && t[c->i] != ',' && t[c->i] != '\n'; c->i++) {
        if (t[c->i] == '\0')
            return nul_error(c, c->i);
        if (!blank(t[c->i]))
            end = c->i + 1;
    }
    *field = t + start;
    *flen = end - start;
    return RETAIN_OK;
}

static retain_status parse_names(rt_bbuild *bb, cursor *c)
{
    retain_status s = RETAIN_OK;
    char *scratch = NULL;
    size_t cap = 0;
    while (c->i < c->len) {
        const char *f;
        size_t n;
        if ((s = next_field(c, &scratch, &cap, &f, &n)))
            break;
        int32_t idx;
        if (n > 0 && ((s = rt_bbuild_name(bb, f, n, &idx)) || (s = rt_bbuild_push(bb, idx))))
            break;
        if (c->i < c->len && c->t[c->i] == ',') {
            c->i++;
            continue;
        }
        if ((s = rt_bbuild_close_basket(bb)))
            break;
        if (c->i < c->len) { /* on the '\n' */
            c->i++;
            c->line++;
            c->line_start = c->i;
        }
    }
    free(scratch);
    return s;
}

/* Long format: pairs first, then baskets by a counting sort on basket index. */
static retain_status parse_long(rt_bbuild *bb, cursor *c)
{
    rt_strmap baskets;
    rt_strmap_init(&baskets);
    int32_t *bid = NULL;
    int64_t pairs = 0, bid_cap = 0;
    char *scratch = NULL;
    size_t cap = 0;
    retain_status s = RETAIN_OK;
    /* the header line */
    while (c->i < c->len && c->t[c->i] != '\n')
        c->i++;
    while (!s && c->i < c->len) {
        c->i++;
        c->line++;
        c->line_start = c->i;
        size_t p = c->i;
        while (p < c->len && blank(c->t[p]))
            p++;
        if (p >= c->len || c->t[p] == '\n') {
            c->i = p;
            continue;
        }
        const char *f;
        size_t n;
        int32_t b, item;
        size_t at = c->i;
        if ((s = next_field(c, &scratch, &cap, &f, &n)))
            break;
        if (n == 0) {
            s = at_error(c, at, "empty basket id", "; each line is basket_id,item");
            break;
        }
        if ((s = rt_strmap_get(&baskets, f, n, &b)))
            break;
        if (c->i >= c->len || c->t[c->i] != ',') {
            s = at_error(c, c->i, "one field where two are needed",
                         "; each line is basket_id,item");
            break;
        }
        c->i++;
        at = c->i;
        if ((s = next_field(c, &scratch, &cap, &f, &n)))
            break;
        if (n == 0) {
            s = at_error(c, at, "empty item", "; each line is basket_id,item");
            break;
        }
        if (c->i < c->len && c->t[c->i] == ',') {
            s = at_error(c, c->i, "more than two fields",
                         "; each line is basket_id,item (quote an item name holding a comma)");
            break;
        }
        if ((s = rt_bbuild_name(bb, f, n, &item)) || (s = rt_bbuild_push(bb, item)))
            break;
        if (pairs == bid_cap) {
            bid_cap = bid_cap ? bid_cap * 2 : 65536;
            int32_t *more = realloc(bid, (size_t)bid_cap * sizeof *bid);
            if (!more) {
                s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for the (basket, item) pairs");
                break;
            }
            bid = more;
        }
        bid[pairs++] = b;
    }
    free(scratch);
    int64_t nb = baskets.count;
    rt_strmap_free(&baskets);
    int64_t *indptr = NULL;
    int32_t *items = NULL;
    if (!s) {
        indptr = calloc((size_t)nb + 2, sizeof *indptr);
        items = malloc((size_t)(pairs ? pairs : 1) * sizeof *items);
        if (!indptr || !items)
            s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for the baskets");
    }
    if (!s) {
        for (int64_t k = 0; k < pairs; k++)
            indptr[bid[k] + 2]++;
        for (int64_t b = 0; b < nb; b++)
            indptr[b + 2] += indptr[b + 1];
        for (int64_t k = 0; k < pairs; k++)
            items[indptr[bid[k] + 1]++] = bb->b.items[k];
        free(bb->b.indptr);
        free(bb->b.items);
        bb->b.indptr = indptr;
        bb->b.items = items;
        bb->b.n = nb;
        bb->fill = pairs;
        indptr = NULL;
        items = NULL;
    }
    free(indptr);
    free(items);
    free(bid);
    return s;
}

/* A .csv whose first field names a basket (e.g. "basket_id,item"), with
** exactly two fields, is long; any other is names. */
static rt_baskets_format sniff_csv(const char *t, size_t len)
{
    size_t e = 0, commas = 0;
    while (e < len && t[e] != '\n')
        commas += t[e++] == ',';
    if (commas != 1)
        return RT_BASKETS_NAMES;
    for (size_t k = 0; k + 6 <= e; k++)
        if (strncasecmp(t + k, "basket", 6) == 0 && memchr(t, ',', k) == NULL)
            return RT_BASKETS_LONG;
    return RT_BASKETS_NAMES;
}

retain_status rt_baskets_parse(const char *text, size_t len, rt_baskets_format fmt,
                               const char *path, rt_baskets *out)
{
    memset(out, 0, sizeof *out);
    if (fmt == RT_BASKETS_AUTO)
        fmt = sniff_csv(text, len);
    if (fmt == RT_BASKETS_H5 || fmt < RT_BASKETS_AUTO || fmt > RT_BASKETS_H5)
        return rt_error(RETAIN_ERR_USAGE, "rt_baskets_parse: not a text format");
    rt_bbuild bb;
    retain_status s = rt_bbuild_init(&bb);
    cursor c = {text, len, 0, 0, 1, path};
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) /* a UTF-8 byte-order mark */
        c.i = c.line_start = 3;
    if (!s && fmt == RT_BASKETS_DAT) {
        /* a .dat file holds at most one id per two bytes, one basket a line */
        int64_t lines = 1;
        for (const char *p = text, *end = text + len; (p = memchr(p, '\n', (size_t)(end - p)));
             p++)
            lines++;
        s = rt_bbuild_reserve(&bb, (int64_t)(len / 2 + 1), lines);
    }
    if (!s)
        s = fmt == RT_BASKETS_DAT     ? parse_dat(&bb, &c)
            : fmt == RT_BASKETS_NAMES ? parse_names(&bb, &c)
                                      : parse_long(&bb, &c);
    if (!s)
        s = rt_bbuild_finish(&bb, path, out);
    if (s) {
        rt_bbuild_free(&bb);
        return s;
    }
    out->format = fmt;
    return RETAIN_OK;
}
