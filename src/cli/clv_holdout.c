/*
** src/cli/clv_holdout.c: how `retain clv fit --holdout-end` shows the
** holdout check of src/clv/holdout.c: predicted against actual repeat
** purchases in total and by calibration repeat purchases, their
** correlation, and the tracking curve (JSON array, or a CSV file).
*/
#include "cli.h"

#include "clv/clv.h"
#include "core/datetime.h"
#include "io/atomic.h"

#include <stdio.h>

#define DAY 86400

static void group_name(int g, char *buf, size_t cap)
{
    snprintf(buf, cap, g == RT_CLV_HOLDOUT_GROUPS - 1 ? "%d+" : "%d", g);
}

void cli_clv_holdout_print(const rt_clv_holdout *h, const char *unit)
{
    printf("Holdout check: %.6g %ss after the calibration end\n", h->length, unit);
    printf("  %-8s %10s %14s %14s\n", "repeats", "customers", "actual mean", "predicted mean");
    for (int g = 0; g < RT_CLV_HOLDOUT_GROUPS; g++) {
        char name[8];
        group_name(g, name, sizeof name);
        if (h->customers[g])
            printf("  %-8s %10lld %14.4f %14.4f\n", name, (long long)h->customers[g],
                   h->actual[g], h->predicted[g]);
    }
    printf("  total repeat purchases: actual %.0f, predicted %.2f (%+.1f%%); correlation per "
           "customer %.4f\n", h->actual_total, h->predicted_total,
           h->actual_total > 0 ? 100 * (h->predicted_total / h->actual_total - 1) : 0.0,
           h->correlation);
    if (h->weeks > 0)
        printf("  tracking, cumulative repeat purchases at week %lld: actual %.0f, expected "
               "%.2f\n", (long long)h->weeks, h->week_actual[h->weeks - 1],
               h->week_expected[h->weeks - 1]);
}

void cli_clv_holdout_json(cli_json *j, const rt_clv_holdout *h)
{
    char first[20];
    rt_datetime_format(h->origin, first);
    first[10] = '\0';
    json_object(j, "holdout");
    json_double(j, "length", h->length);
    json_double(j, "actual", h->actual_total);
    json_double(j, "predicted", h->predicted_total);
    json_double(j, "correlation", h->correlation);
    json_array(j, "by_repeats");
    for (int g = 0; g < RT_CLV_HOLDOUT_GROUPS; g++) {
        char name[8];
        group_name(g, name, sizeof name);
        json_object(j, NULL);
        json_string(j, "repeats", name);
        json_int(j, "customers", h->customers[g]);
        json_double(j, "actual_mean", h->actual[g]);
        json_double(j, "predicted_mean", h->predicted[g]);
        json_object_end(j);
    }
    json_array_end(j);
    json_object(j, "tracking");
    json_string(j, "first_trial_day", first);
    json_array(j, "actual");
    for (int64_t k = 0; k < h->weeks; k++)
        json_double(j, NULL, h->week_actual[k]);
    json_array_end(j);
    json_array(j, "expected");
    for (int64_t k = 0; k < h->weeks; k++)
        json_double(j, NULL, h->week_expected[k]);
    json_array_end(j);
    json_object_end(j);
    json_object_end(j);
}

retain_status cli_clv_tracking_write(const char *path, const rt_clv_holdout *h,
                                     const char *input)
{
    rt_output out;
    const char *inputs[1] = {input};
    FILE *f;
    retain_status s = rt_output_begin(&out, path, inputs, 1);
    if (s)
        return s;
    if (!(s = rt_output_stream(&out, &f))) {
        fprintf(f, "week,end_date,actual,expected\n");
        for (int64_t k = 0; k < h->weeks; k++) {
            char day[20];
            rt_datetime_format(rt_clv_holdout_week_end(h, k) - DAY, day);
            day[10] = '\0';
            fprintf(f, "%lld,%s,%.17g,%.17g\n", (long long)(k + 1), day, h->week_actual[k],
                    h->week_expected[k]);
        }
        s = rt_output_commit(&out);
    }
    rt_output_abort(&out);
    return s;
}
