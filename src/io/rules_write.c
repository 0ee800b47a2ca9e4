/*
** src/io/rules_write.c: the writers of rules_write.h. Supports of itemsets
** are count / baskets, written with 12 decimals (exact counts are in the
** count column); rule measures with 10 significant digits (textfmt.h),
** conviction +inf as "inf" in CSV and null in JSON.
*/
#include "rules_write.h"

#include "core/error.h"
#include "io/h5write.h"
#include "io/textfmt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BUF_BYTES (1 << 20)

typedef struct wbuf {
    FILE *f;
    char *buf;
    size_t n;
    bool failed;
} wbuf;

static void flush(wbuf *w)
{
    if (w->n && fwrite(w->buf, 1, w->n, w->f) != w->n)
        w->failed = true;
    w->n = 0;
}

/* Room for `need` bytes (need < BUF_BYTES). */
static char *room(wbuf *w, size_t need)
{
    if (w->n + need > BUF_BYTES)
        flush(w);
    return w->buf + w->n;
}

static void put(wbuf *w, const char *s, size_t len)
{
    while (len) {
        size_t k = len < BUF_BYTES / 2 ? len : BUF_BYTES / 2;
        memcpy(room(w, k), s, k);
        w->n += k;
        s += k;
        len -= k;
    }
}

static void put_str(wbuf *w, const char *s) { put(w, s, strlen(s)); }

static void put_uint(wbuf *w, uint64_t v) { w->n = (size_t)(rt_put_uint(room(w, 24), v) - w->buf); }

/* A fraction in [0, 1] with 12 decimals, trailing zeros dropped. */
static void put_fraction(wbuf *w, int64_t num, int64_t den)
{
    char *p = room(w, 24), *start = p;
    if (num >= den) {
        *p++ = '1';
    } else {
        uint64_t v = (uint64_t)llround((double)num / (double)den * 1e12);
        *p++ = '0';
        if (v) {
            *p++ = '.';
            char d[12];
            for (int i = 11; i >= 0; i--, v /= 10)
                d[i] = (char)('0' + v % 10);
            int last = 11;
            while (d[last] == '0')
                last--;
            memcpy(p, d, (size_t)last + 1);
            p += last + 1;
        }
    }
    w->n += (size_t)(p - start);
}

static void put_double(wbuf *w, double v, bool json)
{
    if (isnan(v))
        put_str(w, json ? "null" : "nan");
    else if (isinf(v))
        put_str(w, json ? "null" : (v > 0 ? "inf" : "-inf"));
    else
        w->n = (size_t)(rt_put_g10(room(w, 32), v) - w->buf);
}

/* A label s[0..len), escaped for CSV (quotes doubled) or JSON. */
static void put_escaped(wbuf *w, const char *s, size_t len, bool json)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        char *p = room(w, 8);
        if (json && (ch == '"' || ch == '\\'))
            w->n += (size_t)snprintf(p, 8, "\\%c", ch);
        else if (json && ch < 0x20)
            w->n += (size_t)snprintf(p, 8, "\\u%04x", ch);
        else if (!json && ch == '"')
            w->n += (size_t)snprintf(p, 8, "\"\"");
        else
            w->buf[w->n++] = (char)ch;
    }
}

/* The label of code c, escaped. */
static void put_label(wbuf *w, const rt_rules_out *o, int32_t code, bool json)
{
    size_t len;
    const char *s = rt_baskets_label(o->baskets, o->recoded->code_item[code], &len);
    put_escaped(w, s, len, json);
}

/* Codes (stored descending) listed most frequent first: a quoted CSV field
** (bare for one label without comma, quote, or line break) or a JSON array. */
static void put_items(wbuf *w, const rt_rules_out *o, const int32_t *c, int64_t len, bool json)
{
    bool quote = json || len > 1;
    if (!quote) {
        size_t n;
        const char *s = rt_baskets_label(o->baskets, o->recoded->code_item[c[0]], &n);
        quote = n == 0 || strpbrk(s, ",\"\n\r") != NULL;
    }
    put_str(w, json ? "[\"" : quote ? "\"" : "");
    for (int64_t k = len - 1; k >= 0; k--) {
        put_label(w, o, c[k], json);
        if (k)
            put_str(w, json ? "\",\"" : ",");
    }
    put_str(w, json ? "\"]" : quote ? "\"" : "");
}

static void write_itemsets(wbuf *w, const rt_rules_out *o, bool json)
{
    const rt_itemsets *s = o->itemsets;
    int64_t n = o->recoded->n_baskets;
    if (!json)
        put_str(w, "items,size,count,support\n");
    for (int64_t i = 0; i < s->count && !w->failed; i++) {
        int64_t len = s->off[i + 1] - s->off[i];
        put_str(w, json ? "{\"items\":" : "");
        put_items(w, o, s->codes + s->off[i], len, json);
        put_str(w, json ? ",\"size\":" : ",");
        put_uint(w, (uint64_t)len);
        put_str(w, json ? ",\"count\":" : ",");
        put_uint(w, (uint64_t)s->support[i]);
        put_str(w, json ? ",\"support\":" : ",");
        put_fraction(w, s->support[i], n);
        put_str(w, json ? "}\n" : "\n");
    }
}

/* Splits rule r's itemset into antecedent a and consequent c (descending). */
static void split_rule(const rt_itemsets *s, const rt_rule *r, int32_t *a, int64_t *na,
                       int32_t *c, int64_t *nc)
{
    const int32_t *x = s->codes + s->off[r->itemset];
    int64_t len = s->off[r->itemset + 1] - s->off[r->itemset];
    *na = *nc = 0;
    for (int64_t k = 0; k < len; k++) {
        if (r->consequent_mask >> k & 1)
            c[(*nc)++] = x[k];
        else
            a[(*na)++] = x[k];
    }
}

static const char *const measure_keys[] = {"antecedent_support", "consequent_support", "support",
                                           "confidence", "lift", "leverage", "conviction",
                                           "zhangs_metric"};

static void measures_array(const rt_rule_measures *m, double v[8])
{
    double all[8] = {m->antecedent_support, m->consequent_support, m->support, m->confidence,
                     m->lift, m->leverage, m->conviction, m->zhang};
    memcpy(v, all, sizeof all);
}

static void write_rules(wbuf *w, const rt_rules_out *o, bool json)
{
    const rt_itemsets *s = o->itemsets;
    int64_t n = o->recoded->n_baskets;
    int32_t a[RT_RULES_MAX_ITEMSET_LEN], c[RT_RULES_MAX_ITEMSET_LEN];
    if (!json) {
        put_str(w, "antecedent,consequent");
        for (int k = 0; k < 8; k++) {
            put_str(w, ",");
            put_str(w, measure_keys[k]);
        }
        put_str(w, ",count\n");
    }
    for (int64_t i = 0; i < o->rules->count && !w->failed; i++) {
        const rt_rule *r = &o->rules->rules[i];
        int64_t na, nc;
        split_rule(s, r, a, &na, c, &nc);
        rt_rule_measures m;
        rt_rule_measures_compute(s->support[r->itemset], r->n_a, r->n_c, n, &m);
        double v[8];
        measures_array(&m, v);
        put_str(w, json ? "{\"antecedent\":" : "");
        put_items(w, o, a, na, json);
        put_str(w, json ? ",\"consequent\":" : ",");
        put_items(w, o, c, nc, json);
        for (int k = 0; k < 8; k++) {
            put_str(w, ",");
            if (json) {
                put_str(w, "\"");
                put_str(w, measure_keys[k]);
                put_str(w, "\":");
            }
            put_double(w, v[k], json);
        }
        put_str(w, json ? ",\"count\":" : ",");
        put_uint(w, (uint64_t)s->support[r->itemset]);
        put_str(w, json ? "}\n" : "\n");
    }
}

retain_status rt_rules_write_text(const rt_rules_out *o, FILE *f, bool jsonl, const char *name)
{
    wbuf w = {f, malloc(BUF_BYTES), 0, false};
    if (!w.buf)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the output buffer");
    if (o->rules)
        write_rules(&w, o, jsonl);
    else
        write_itemsets(&w, o, jsonl);
    flush(&w);
    free(w.buf);
    if (w.failed || ferror(f))
        return rt_error(RETAIN_ERR_IO, "cannot write %s (disk full?)", name);
    return RETAIN_OK;
}

/* ---- HDF5 ------------------------------------------------------------------ */

static retain_status write_labels(hid_t file, const rt_rules_out *o)
{
    const rt_recoded *r = o->recoded;
    const char **labels = malloc((size_t)(r->n_codes ? r->n_codes : 1) * sizeof *labels);
    if (!labels)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for item labels");
    for (int64_t k = 0; k < r->n_codes; k++) {
        size_t len;
        labels[k] = rt_baskets_label(o->baskets, r->code_item[k], &len);
    }
    retain_status s = rt_h5_write_strings(file, "/items", r->n_codes, labels);
    free(labels);
    if (!s)
        s = rt_h5_write_vector(file, "/item_count", H5T_STD_I64LE, H5T_NATIVE_INT64, r->n_codes,
                               r->code_count);
    return s;
}

/* Codes are written as indices into /items, which lists items by code:
** most frequent first, so each itemset's list is reversed to ascend. */
static retain_status write_h5_itemsets(hid_t file, const rt_itemsets *s, int64_t n)
{
    int64_t total = s->off[s->count];
    int32_t *items = malloc((size_t)(total ? total : 1) * sizeof *items);
    double *support = malloc((size_t)(s->count ? s->count : 1) * sizeof *support);
    retain_status st = RETAIN_OK;
    if (!items || !support)
        st = rt_error(RETAIN_ERR_INTERNAL, "out of memory writing itemsets");
    for (int64_t i = 0; !st && i < s->count; i++) {
        int64_t lo = s->off[i], hi = s->off[i + 1];
        for (int64_t k = lo; k < hi; k++)
            items[k] = s->codes[lo + hi - 1 - k];
        support[i] = (double)s->support[i] / (double)n;
    }
    if (!st &&
        !(st = rt_h5_write_vector(file, "/itemsets/indptr", H5T_STD_I64LE, H5T_NATIVE_INT64,
                                  s->count + 1, s->off)) &&
        !(st = rt_h5_write_vector(file, "/itemsets/items", H5T_STD_I32LE, H5T_NATIVE_INT32,
                                  total, items)) &&
        !(st = rt_h5_write_vector(file, "/itemsets/count", H5T_STD_I64LE, H5T_NATIVE_INT64,
                                  s->count, s->support)))
        st = rt_h5_write_vector(file, "/itemsets/support", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                s->count, support);
    free(items);
    free(support);
    return st;
}

static retain_status write_h5_rules(hid_t file, const rt_rules_out *o)
{
    const rt_itemsets *s = o->itemsets;
    const rt_rules *rl = o->rules;
    int64_t n = o->recoded->n_baskets, nr = rl->count, total = 0;
    for (int64_t i = 0; i < nr; i++)
        total += s->off[rl->rules[i].itemset + 1] - s->off[rl->rules[i].itemset];
    int64_t *aptr = malloc((size_t)(nr + 1) * sizeof *aptr);
    int64_t *cptr = malloc((size_t)(nr + 1) * sizeof *cptr);
    int64_t *count = malloc((size_t)(nr ? nr : 1) * sizeof *count);
    int32_t *ai = malloc((size_t)(total ? total : 1) * sizeof *ai);
    int32_t *ci = malloc((size_t)(total ? total : 1) * sizeof *ci);
    double *v = malloc((size_t)(nr ? nr : 1) * 8 * sizeof *v);
    retain_status st = RETAIN_OK;
    if (!aptr || !cptr || !count || !ai || !ci || !v)
        st = rt_error(RETAIN_ERR_INTERNAL, "out of memory writing rules");
    int32_t a[RT_RULES_MAX_ITEMSET_LEN], c[RT_RULES_MAX_ITEMSET_LEN];
    if (!st) {
        aptr[0] = cptr[0] = 0;
        for (int64_t i = 0; i < nr; i++) {
            const rt_rule *r = &rl->rules[i];
            int64_t na, nc;
            split_rule(s, r, a, &na, c, &nc);
            for (int64_t k = 0; k < na; k++)
                ai[aptr[i] + k] = a[na - 1 - k];
            for (int64_t k = 0; k < nc; k++)
                ci[cptr[i] + k] = c[nc - 1 - k];
            aptr[i + 1] = aptr[i] + na;
            cptr[i + 1] = cptr[i] + nc;
            count[i] = s->support[r->itemset];
            rt_rule_measures m;
            rt_rule_measures_compute(count[i], r->n_a, r->n_c, n, &m);
            double row[8];
            measures_array(&m, row);
            for (int k = 0; k < 8; k++)
                v[(int64_t)k * nr + i] = row[k];
        }
    }
    if (!st &&
        !(st = rt_h5_write_vector(file, "/rules/antecedent_indptr", H5T_STD_I64LE,
                                  H5T_NATIVE_INT64, nr + 1, aptr)) &&
        !(st = rt_h5_write_vector(file, "/rules/antecedent", H5T_STD_I32LE, H5T_NATIVE_INT32,
                                  aptr[nr], ai)) &&
        !(st = rt_h5_write_vector(file, "/rules/consequent_indptr", H5T_STD_I64LE,
                                  H5T_NATIVE_INT64, nr + 1, cptr)) &&
        !(st = rt_h5_write_vector(file, "/rules/consequent", H5T_STD_I32LE, H5T_NATIVE_INT32,
                                  cptr[nr], ci)))
        st = rt_h5_write_vector(file, "/rules/count", H5T_STD_I64LE, H5T_NATIVE_INT64, nr,
                                count);
    for (int k = 0; !st && k < 8; k++) {
        char path[64];
        snprintf(path, sizeof path, "/rules/%s", measure_keys[k]);
        st = rt_h5_write_vector(file, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, nr,
                                v + (int64_t)k * nr);
    }
    free(aptr);
    free(cptr);
    free(count);
    free(ai);
    free(ci);
    free(v);
    return st;
}

retain_status rt_rules_write_h5(const rt_rules_out *o, const char *path)
{
    hid_t file;
    retain_status s = rt_h5_create(path, &file);
    if (s)
        return s;
    if (!(s = write_labels(file, o)) &&
        !(s = rt_h5_attr_set_int64(file, "baskets", o->recoded->n_baskets)) &&
        !(s = rt_h5_attr_set_int64(file, "baskets_left_out", o->recoded->n_long)) &&
        !(s = rt_h5_attr_set_int64(file, "min_count", o->min_count)) &&
        !(s = rt_h5_attr_set_int64(file, "max_len", o->max_len)) &&
        !(s = rt_h5_attr_set_string(file, "target", o->target ? o->target : "all")) &&
        (!o->rules || !(s = rt_h5_attr_set_double(file, "min_confidence", o->min_confidence))) &&
        !(s = rt_h5_attr_set_string(file, "engine_version", retain_version())) &&
        !(s = write_h5_itemsets(file, o->itemsets, o->recoded->n_baskets)) && o->rules)
        s = write_h5_rules(file, o);
    return rt_h5_close_file(file, path, s);
}

/* ---- recommendations -------------------------------------------------------- */

static void put_rule_side(wbuf *w, const rt_strmap *labels, const int32_t *items, int64_t n,
                          bool json)
{
    put_str(w, json ? "[\"" : "\"");
    for (int64_t k = 0; k < n; k++) {
        int32_t i = items[k];
        put_escaped(w, labels->text + labels->off[i],
                    (size_t)(labels->off[i + 1] - labels->off[i] - 1), json);
        if (k + 1 < n)
            put_str(w, json ? "\",\"" : ",");
    }
    put_str(w, json ? "\"]" : "\"");
}

retain_status rt_recommendations_write_text(FILE *f, bool jsonl, const char *name,
                                            const char *metric, const rt_rule_table *t,
                                            const rt_strmap *labels, int64_t n, int64_t top,
                                            const rt_recommendation *recs, const int64_t *count)
{
    wbuf w = {f, malloc(BUF_BYTES), 0, false};
    if (!w.buf)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the output buffer");
    if (!jsonl) {
        put_str(&w, "basket,rank,item,");
        put_str(&w, metric);
        put_str(&w, ",antecedent,consequent\n");
    }
    for (int64_t b = 0; b < n && !w.failed; b++) {
        const rt_recommendation *r = recs + b * top;
        if (jsonl) {
            put_str(&w, "{\"basket\":");
            put_uint(&w, (uint64_t)(b + 1));
            put_str(&w, ",\"recommendations\":[");
        }
        for (int64_t k = 0; k < count[b]; k++) {
            int32_t i = r[k].item;
            const int32_t *a = t->a + t->a_ptr[r[k].rule], *c = t->c + t->c_ptr[r[k].rule];
            int64_t na = t->a_ptr[r[k].rule + 1] - t->a_ptr[r[k].rule];
            int64_t nc = t->c_ptr[r[k].rule + 1] - t->c_ptr[r[k].rule];
            if (jsonl) {
                put_str(&w, k ? ",{\"item\":\"" : "{\"item\":\"");
            } else {
                put_uint(&w, (uint64_t)(b + 1));
                put_str(&w, ",");
                put_uint(&w, (uint64_t)(k + 1));
                put_str(&w, ",\"");
            }
            put_escaped(&w, labels->text + labels->off[i],
                        (size_t)(labels->off[i + 1] - labels->off[i] - 1), jsonl);
            put_str(&w, jsonl ? "\",\"score\":" : "\",");
            put_double(&w, r[k].score, jsonl);
            put_str(&w, jsonl ? ",\"antecedent\":" : ",");
            put_rule_side(&w, labels, a, na, jsonl);
            put_str(&w, jsonl ? ",\"consequent\":" : ",");
            put_rule_side(&w, labels, c, nc, jsonl);
            put_str(&w, jsonl ? "}" : "\n");
        }
        if (jsonl)
            put_str(&w, "]}\n");
    }
    flush(&w);
    free(w.buf);
    if (w.failed || ferror(f))
        return rt_error(RETAIN_ERR_IO, "cannot write %s (disk full?)", name);
    return RETAIN_OK;
}
