/*
** src/io/feature_match.c: whether an input has the features a model was
** fitted on, in the same order (rt_features_check_names in features.h);
** every model's predict and eval ask it before reading a row, and the
** refusal lists what is missing, what is extra, or both orders. A job that
** selects the model's columns by name asks rt_features_select_names.
*/
#include "features.h"

#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool has_name(const char *const *list, int64_t n, const char *name)
{
    for (int64_t i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0)
            return true;
    return false;
}

/* Appends the names of `list` not in `other` (all when other is NULL) to
** buf, separated by sep; returns how many. */
static int64_t append_names(char *buf, size_t cap, const char *sep, const char *const *list,
                            int64_t n, const char *const *other, int64_t n_other)
{
    int64_t count = 0;
    for (int64_t i = 0; i < n; i++) {
        if (other && has_name(other, n_other, list[i]))
            continue;
        size_t used = strlen(buf);
        if (used + 1 < cap)
            snprintf(buf + used, cap - used, "%s%s", count ? sep : "", list[i]);
        count++;
    }
    return count;
}

char *rt_features_select_names(const char *const *model_names, int64_t model_d,
                               const char *const *names, int64_t d)
{
    size_t bytes = 1;
    for (int64_t j = 0; j < model_d; j++) {
        if (!has_name(names, d, model_names[j]) || strchr(model_names[j], ','))
            return NULL;
        bytes += strlen(model_names[j]) + 1;
    }
    char *list = malloc(bytes);
    if (!list)
        return NULL;
    list[0] = '\0';
    for (int64_t j = 0; j < model_d; j++)
        strcat(strcat(list, j ? "," : ""), model_names[j]);
    return list;
}

retain_status rt_features_check_names(const char *model_path,
                                      const char *const *model_names, int64_t model_d,
                                      const char *input_path, const char *const *names,
                                      int64_t d)
{
    bool same = d == model_d;
    for (int64_t j = 0; same && j < d; j++)
        same = strcmp(names[j], model_names[j]) == 0;
    if (same)
        return RETAIN_OK;
    char missing[600] = "", extra[600] = "", wanted[500] = "", option[500] = "";
    int64_t n_missing = append_names(missing, sizeof missing, ", ", model_names, model_d,
                                     names, d);
    int64_t n_extra = append_names(extra, sizeof extra, ", ", names, d, model_names, model_d);
    append_names(wanted, sizeof wanted, ", ", model_names, model_d, NULL, 0);
    append_names(option, sizeof option, ",", model_names, model_d, NULL, 0);
    if (n_missing || n_extra)
        return rt_error(RETAIN_ERR_DATA,
                        "%s does not have the features the model %s was fitted on "
                        "(%lld columns vs the model's %lld): missing: %s; extra: %s. "
                        "Select the model's columns with --columns %s",
                        input_path, model_path, (long long)d, (long long)model_d,
                        n_missing ? missing : "none", n_extra ? extra : "none", option);
    char got[500] = "";
    append_names(got, sizeof got, ", ", names, d, NULL, 0);
    if (d != model_d)
        return rt_error(RETAIN_ERR_DATA,
                        "%s has %lld feature columns (%s), the model %s %lld (%s): "
                        "repeated names",
                        input_path, (long long)d, got, model_path, (long long)model_d, wanted);
    return rt_error(RETAIN_ERR_DATA,
                    "%s has the features of the model %s reordered: the input has %s; the "
                    "model expects %s. Select them in the model's order with --columns %s",
                    input_path, model_path, got, wanted, option);
}
