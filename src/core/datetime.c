/*
** src/core/datetime.c: civil-date arithmetic after Howard Hinnant's
** days_from_civil / civil_from_days (exact for any proleptic Gregorian
** date), and ISO 8601 parsing that rejects impossible dates by converting
** back and comparing.
*/
#include "datetime.h"

#include <stdio.h>
#include <string.h>

int64_t rt_days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void rt_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* The value of the n digits at p, or -1 if any is not a digit. */
static int digits(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

bool rt_datetime_parse_span(const char *text, size_t len, int64_t *out)
{
    if (len < 10 || text[4] != '-' || text[7] != '-')
        return false;
    int y = digits(text, 4), mo = digits(text + 5, 2), d = digits(text + 8, 2);
    int h = 0, mi = 0, s = 0;
    size_t used = 10;
    if (len > used && (text[used] == 'T' || text[used] == ' ')) {
        if (len < used + 9 || text[used + 3] != ':' || text[used + 6] != ':')
            return false;
        h = digits(text + used + 1, 2);
        mi = digits(text + used + 4, 2);
        s = digits(text + used + 7, 2);
        used += 9;
        if (len > used && text[used] == 'Z')
            used++;
    }
    if (used != len || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || h < 0 ||
        h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
        return false;
    int64_t day = rt_days_from_civil(y, mo, d), y2;
    int m2, d2;
    rt_civil_from_days(day, &y2, &m2, &d2);
    if (m2 != mo || d2 != d)
        return false;
    *out = day * 86400 + h * 3600 + mi * 60 + s;
    return true;
}

bool rt_datetime_parse(const char *text, int64_t *out)
{
    return rt_datetime_parse_span(text, strlen(text), out);
}

void rt_datetime_format(int64_t t, char out[20])
{
    int64_t day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400), sec = t - day * 86400, y;
    int m, d;
    rt_civil_from_days(day, &y, &m, &d);
    snprintf(out, 20, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)y, m, d,
             (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
}
