/*
** src/io/rules_read.c: the reader of rules_read.h.
*/
#include "rules_read.h"

#include "core/error.h"
#include "io/h5.h"

#include <stdlib.h>
#include <string.h>

/* Offsets ptr[0..n] from 0 to len, rising; items[0..len) in [0, n_items). */
static retain_status check_csr(const char *path, const char *what, const int64_t *ptr,
                               int64_t np, int64_t len, const int64_t *items, int64_t n_items)
{
    if (np < 1 || ptr[0] != 0 || ptr[np - 1] != len)
        return rt_error(RETAIN_ERR_DATA, "%s: /rules/%s_indptr must run from 0 to the length of "
                        "/rules/%s (%lld); the file is damaged", path, what, what, (long long)len);
    for (int64_t r = 0; r + 1 < np; r++)
        if (ptr[r + 1] <= ptr[r])
            return rt_error(RETAIN_ERR_DATA, "%s: rule %lld has an empty or negative %s in "
                            "/rules/%s_indptr; the file is damaged", path, (long long)r, what,
                            what);
    for (int64_t k = 0; k < len; k++)
        if (items[k] < 0 || items[k] >= n_items)
            return rt_error(RETAIN_ERR_DATA, "%s: /rules/%s[%lld] is %lld, not an index into "
                            "/items (%lld items)", path, what, (long long)k, (long long)items[k],
                            (long long)n_items);
    return RETAIN_OK;
}

static retain_status to_i32(const int64_t *v, int64_t n, int32_t **out)
{
    *out = malloc((size_t)(n ? n : 1) * sizeof **out);
    if (!*out)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory reading rules");
    for (int64_t k = 0; k < n; k++)
        (*out)[k] = (int32_t)v[k];
    return RETAIN_OK;
}

static retain_status read_labels(hid_t file, const char *path, rt_rules_file *f)
{
    if (rt_h5_kind(file, "/items") != H5I_DATASET || rt_h5_kind(file, "/rules/antecedent") !=
                                                          H5I_DATASET)
        return rt_error(RETAIN_ERR_DATA, "%s is not a rules file: it lacks /items or /rules "
                        "(write one with retain rules BASKETS ... -o RULES.h5)", path);
    hid_t d = H5Dopen2(file, "/items", H5P_DEFAULT);
    if (d < 0)
        return rt_error(RETAIN_ERR_DATA, "%s: cannot open /items", path);
    char **names = NULL;
    int64_t n = 0;
    retain_status s = rt_h5_check_stored(d, path, "/items");
    if (!s && (s = rt_h5_read_strings(d, &n, &names)))
        rt_error_context(s, "%s: /items", path);
    H5Dclose(d);
    for (int64_t k = 0; !s && k < n; k++) {
        int32_t idx;
        if (!(s = rt_strmap_get(&f->labels, names[k], strlen(names[k]), &idx)) && idx != k)
            s = rt_error(RETAIN_ERR_DATA, "%s: /items holds '%s' twice; the file is damaged",
                         path, names[k]);
    }
    if (names)
        rt_h5_free_strings(names, n);
    f->table.n_items = n;
    return s;
}

retain_status rt_rules_file_read(const char *path, rt_rule_metric score, rt_rules_file *out)
{
    memset(out, 0, sizeof *out);
    rt_strmap_init(&out->labels);
    hid_t file;
    retain_status s = rt_h5_open_read(path, &file);
    if (s)
        return s;
    rt_rule_table *t = &out->table;
    int64_t na = 0, nap = 0, nc = 0, ncp = 0, ns = 0, *a = NULL, *c = NULL;
    char spath[64];
    snprintf(spath, sizeof spath, "/rules/%s",
             score == RT_METRIC_ZHANG ? "zhangs_metric" : rt_rule_metric_name(score));
    if (!(s = read_labels(file, path, out)) &&
        !(s = rt_h5_read_vector(file, path, "/rules/antecedent_indptr", H5T_NATIVE_INT64, &nap,
                                (void **)&t->a_ptr)) &&
        !(s = rt_h5_read_vector(file, path, "/rules/antecedent", H5T_NATIVE_INT64, &na,
                                (void **)&a)) &&
        !(s = rt_h5_read_vector(file, path, "/rules/consequent_indptr", H5T_NATIVE_INT64, &ncp,
                                (void **)&t->c_ptr)) &&
        !(s = rt_h5_read_vector(file, path, "/rules/consequent", H5T_NATIVE_INT64, &nc,
                                (void **)&c)) &&
        !(s = rt_h5_read_vector(file, path, spath, H5T_NATIVE_DOUBLE, &ns, (void **)&t->score)) &&
        !(s = check_csr(path, "antecedent", t->a_ptr, nap, na, a, t->n_items)) &&
        !(s = check_csr(path, "consequent", t->c_ptr, ncp, nc, c, t->n_items))) {
        t->n_rules = nap - 1;
        if (ncp != nap || ns != t->n_rules)
            s = rt_error(RETAIN_ERR_DATA, "%s: %lld rules in /rules/antecedent_indptr but %lld in "
                         "/rules/consequent_indptr and %lld in %s; the file is damaged", path,
                         (long long)t->n_rules, (long long)(ncp - 1), (long long)ns, spath);
        else if (!(s = to_i32(a, na, &t->a)))
            s = to_i32(c, nc, &t->c);
    }
    free(a);
    free(c);
    H5Fclose(file);
    if (s)
        rt_rules_file_free(out);
    return s;
}

void rt_rules_file_free(rt_rules_file *f)
{
    free(f->table.a_ptr);
    free(f->table.a);
    free(f->table.c_ptr);
    free(f->table.c);
    free(f->table.score);
    rt_strmap_free(&f->labels);
    memset(f, 0, sizeof *f);
}
