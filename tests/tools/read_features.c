/*
** tests/tools/read_features.c: a test-only window on the feature reader
** (src/io/features.h), so Python and shell tests can compare what it reads
** with numpy and pandas. Built for tests only, never installed.
**
**   read_features FILE [--dataset P] [--columns a,b] [--label P]
**                 [--user-id P] [--first R] [--count N] [--block B]
**                 [--all] [--allow-nonfinite] [--header-only]
**
** Output on stdout: one JSON line (rows, cols, layout, source, names, types,
** first, count, label, ids and string ids), then count x cols float32
** values as raw little-endian bytes, then count float64 labels if a label
** was given, then count int64 ids if the ids are integers. --all reads with
** rt_features_read_all (which checks the size before allocating); otherwise
** rows [first, first + count) are read with rt_features_read in pieces of
** --block rows. On failure: retain_last_error() on stderr and the status as
** exit code (2 data, 3 I/O, ...).
*/
#include "io/features.h"

#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void json_str(const char *s)
{
    putchar('"');
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static int fail(retain_status s)
{
    fprintf(stderr, "read_features: error: %s\n", retain_last_error());
    return (int)s;
}

static int usage(const char *msg)
{
    fprintf(stderr,
            "read_features: %s\nusage: read_features FILE [--dataset P] [--columns a,b] "
            "[--label P] [--user-id P] [--first R] [--count N] [--block B] [--all] "
            "[--allow-nonfinite] [--header-only]\n",
            msg);
    return 1;
}

int main(int argc, char **argv)
{
    rt_features_spec spec = {0};
    const char *path = NULL;
    long long first = 0, count = -1, block = 0;
    int all = 0, header_only = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--all") == 0)
            all = 1;
        else if (strcmp(a, "--allow-nonfinite") == 0)
            spec.allow_nonfinite = true;
        else if (strcmp(a, "--header-only") == 0)
            header_only = 1;
        else if (a[0] == '-' && a[1] == '-') {
            if (!v)
                return usage("option needs a value");
            i++;
            if (strcmp(a, "--dataset") == 0)
                spec.dataset = v;
            else if (strcmp(a, "--columns") == 0)
                spec.columns = v;
            else if (strcmp(a, "--label") == 0)
                spec.label = v;
            else if (strcmp(a, "--user-id") == 0)
                spec.user_id = v;
            else if (strcmp(a, "--first") == 0)
                first = atoll(v);
            else if (strcmp(a, "--count") == 0)
                count = atoll(v);
            else if (strcmp(a, "--block") == 0)
                block = atoll(v);
            else
                return usage("unknown option");
        } else if (!path) {
            path = a;
        } else {
            return usage("more than one file");
        }
    }
    if (!path)
        return usage("no file");

    rt_features *f;
    retain_status s = rt_features_open(path, &spec, &f);
    if (s)
        return fail(s);
    int64_t rows = rt_features_rows(f), cols = rt_features_cols(f);
    if (all) {
        first = 0;
        count = rows;
    } else if (count < 0) {
        count = rows - first;
    }
    float *x = NULL;
    retain_matrix_owned m = {0};
    if (!header_only && all) {
        if ((s = rt_features_read_all(f, &m))) {
            rt_features_close(f);
            return fail(s);
        }
        x = m.data;
    } else if (!header_only) {
        size_t bytes = (size_t)(count > 0 ? count : 0) * (size_t)cols * sizeof *x;
        x = malloc(bytes ? bytes : 1);
        if (!x) {
            rt_features_close(f);
            fprintf(stderr, "read_features: out of memory\n");
            return 5;
        }
        int64_t step = block > 0 ? block : (count > 0 ? count : 1);
        for (int64_t r = 0; !s && (r < count || r == 0); r += step) {
            int64_t n = count - r < step ? count - r : step;
            s = rt_features_read(f, first + r, n, x + r * cols);
            if (count <= 0)
                break;
        }
    }
    double *label = NULL;
    int64_t *ids = NULL;
    char **sids = NULL;
    int64_t n = count > 0 ? count : 0;
    if (!s && !header_only && rt_features_has_label(f)) {
        label = calloc((size_t)n + 1, sizeof *label);
        s = rt_features_read_label(f, first, n, label);
    }
    if (!s && !header_only && rt_features_has_user_ids(f)) {
        if (rt_features_user_ids_are_strings(f)) {
            sids = calloc((size_t)n + 1, sizeof *sids);
            s = rt_features_read_user_id_strings(f, first, n, sids);
        } else {
            ids = calloc((size_t)n + 1, sizeof *ids);
            s = rt_features_read_user_ids(f, first, n, ids);
        }
    }
    if (s) {
        int rc = fail(s);
        for (int64_t i = 0; sids && i < n; i++)
            free(sids[i]);
        free(sids);
        free(ids);
        free(label);
        if (all)
            retain_matrix_release(&m);
        else
            free(x);
        rt_features_close(f);
        return rc;
    }

    printf("{\"rows\": %lld, \"cols\": %lld, \"layout\": ", (long long)rows,
           (long long)cols);
    json_str(rt_features_layout_name(rt_features_layout(f)));
    printf(", \"source\": ");
    json_str(rt_features_source(f));
    printf(", \"names\": [");
    for (int64_t j = 0; j < cols; j++) {
        printf(j ? ", " : "");
        json_str(rt_features_names(f)[j]);
    }
    printf("], \"types\": [");
    for (int64_t j = 0; j < cols; j++) {
        printf(j ? ", " : "");
        json_str(rt_features_column_type(f, j));
    }
    printf("], \"first\": %lld, \"count\": %lld, \"label\": ", first,
           header_only ? 0LL : (long long)n);
    if (rt_features_has_label(f))
        json_str(rt_features_label_name(f));
    else
        printf("null");
    printf(", \"ids\": %s, \"ids_source\": ",
           !rt_features_has_user_ids(f) ? "null"
           : rt_features_user_ids_are_strings(f) ? "\"string\""
                                                 : "\"int\"");
    if (rt_features_has_user_ids(f))
        json_str(rt_features_user_id_name(f));
    else
        printf("null");
    printf(", \"id_strings\": [");
    for (int64_t i = 0; sids && i < n; i++) {
        printf(i ? ", " : "");
        json_str(sids[i]);
    }
    printf("]}\n");
    if (!header_only) {
        fwrite(x, sizeof *x, (size_t)(n * cols), stdout);
        if (label)
            fwrite(label, sizeof *label, (size_t)n, stdout);
        if (ids)
            fwrite(ids, sizeof *ids, (size_t)n, stdout);
    }
    int rc = fflush(stdout) == 0 ? 0 : 3;
    for (int64_t i = 0; sids && i < n; i++)
        free(sids[i]);
    free(sids);
    free(ids);
    free(label);
    if (all)
        retain_matrix_release(&m);
    else
        free(x);
    rt_features_close(f);
    return rc;
}
