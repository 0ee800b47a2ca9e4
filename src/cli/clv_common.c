/*
** src/cli/clv_common.c: what `retain clv predict` and `retain features
** --with-clv` share: the horizon and discount options, the checks of a
** request against the model's time unit and occasion, and the summary of
** a purchase log as of a date under the model's rules, by user id.
*/
#include "cli.h"

#include "clv/clv.h"
#include "core/datetime.h"
#include "core/error.h"
#include "io/clv_model.h"
#include "io/eventlog.h"

#include <stdlib.h>
#include <string.h>

bool cli_clv_parse_horizon(const char *text, int64_t *seconds)
{
    size_t n = strlen(text);
    if (n < 2 || text[n - 1] != 'm')
        return cli_parse_duration(text, seconds);
    char *end;
    double months = strtod(text, &end);
    double s = months * CLI_CLV_MONTH;
    if (end != text + n - 1 || !(s >= 1.0 && s <= 1e11))
        return false;
    *seconds = (int64_t)s;
    return true;
}

retain_status cli_clv_check(const rt_clv_loaded *m, const char *model_path,
                            const char *time_unit, const char *occasion, int64_t horizon,
                            const cli_clv_discount *d, rt_clv_horizon *out)
{
    if (time_unit && strcmp(time_unit, m->time_unit) != 0)
        return rt_error(RETAIN_ERR_DATA, "%s was fitted with time in %ss, not %ss: its "
                        "parameters hold only in that unit; leave out --time-unit (horizons "
                        "are converted) or fit a model with --time-unit %s", model_path,
                        m->time_unit, time_unit, time_unit);
    if (occasion && strcmp(occasion, m->occasion) != 0)
        return rt_error(RETAIN_ERR_DATA, "%s was fitted with %s occasions, not %s occasions; "
                        "leave out --occasion or fit a model with --occasion %s", model_path,
                        m->occasion, occasion, occasion);
    double period = strcmp(d->period, "day") == 0     ? 86400.0
                    : strcmp(d->period, "week") == 0  ? 7 * 86400.0
                    : strcmp(d->period, "month") == 0 ? CLI_CLV_MONTH
                                                      : 0;
    if (period == 0)
        return rt_error(RETAIN_ERR_USAGE, "--discount-period must be day, week or month, got "
                        "'%s'", d->period);
    if ((double)horizon / period > CLI_CLV_MAX_PERIODS)
        return rt_error(RETAIN_ERR_USAGE, "--horizon holds more than %d discount periods of a "
                        "%s; give a longer --discount-period", CLI_CLV_MAX_PERIODS, d->period);
    *out = (rt_clv_horizon){(double)horizon / m->period.unit, period / m->period.unit,
                            d->rate};
    return RETAIN_OK;
}

retain_status cli_clv_summarise(const char *log_path, const cli_log_columns *cols,
                                const rt_clv_loaded *m, int64_t asof, rt_clv_table *out)
{
    rt_clv_period period = m->period;
    period.end = asof;
    period.holdout_end = 0;
    rt_eventlog_spec spec = {.user = cols->user, .time = cols->time, .amount = cols->amount,
                             .item = "",
                             .order = period.by_order ? (cols->order ? cols->order : "order_id")
                                                      : ""};
    rt_eventlog *log;
    retain_status s = rt_eventlog_open(log_path, &spec, &log);
    if (s)
        return s;
    s = rt_clv_summarise(log, &period, true, out);
    rt_eventlog_close(log);
    if (!s && out->n == 0) {
        char first[20];
        rt_datetime_format(out->first_event, first);
        s = out->events == 0 ? rt_error(RETAIN_ERR_DATA, "%s has no events", log_path)
                             : rt_error(RETAIN_ERR_DATA, "%s: no purchase before --asof (the "
                                        "log starts %s); give a later --asof", log_path, first);
    }
    if (s)
        rt_clv_table_free(out);
    return s;
}
