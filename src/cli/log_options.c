/*
** src/cli/log_options.c: what the purchase-log commands (features, cohorts,
** baskets) share on the command line: durations such as --window 365d.
** The column-name options are the CLI_LOG_COLUMN_OPTS table rows in cli.h.
*/
#include "cli.h"

#include <stdlib.h>

bool cli_parse_duration(const char *text, int64_t *seconds)
{
    char *end;
    double v = strtod(text, &end);
    double unit = 86400.0;
    if (end == text)
        return false;
    if (*end == 'd')
        end++;
    else if (*end == 'w')
        unit = 7 * 86400.0, end++;
    else if (*end == 'h')
        unit = 3600.0, end++;
    double s = v * unit;
    if (*end || !(s >= 1.0 && s <= 1e11))
        return false;
    *seconds = (int64_t)s;
    return true;
}
