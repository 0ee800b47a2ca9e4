/*
** tests/unit/test_datetime.c: src/core/datetime.c against fixed calendar
** facts (epoch seconds that `date -u +%s` gives, leap years, the 400-year
** rule) and a round trip over every day from 1970 to 2200.
*/
#include "check.h"

#include "core/datetime.h"

#include <string.h>

static void parses(const char *text, int64_t want)
{
    int64_t got = -1;
    CHECK(rt_datetime_parse(text, &got) && got == want, "%s: got %lld, want %lld", text,
          (long long)got, (long long)want);
}

static void refuses(const char *text)
{
    int64_t got;
    CHECK(!rt_datetime_parse(text, &got), "%s accepted as %lld", text, (long long)got);
}

int main(void)
{
    parses("1970-01-01", 0);
    parses("2024-01-01", 1704067200);
    parses("2024-02-29T12:30:05", 1709209805);
    parses("2024-02-29 12:30:05", 1709209805);
    parses("2024-02-29T12:30:05Z", 1709209805);
    parses("2000-02-29", 951782400);
    parses("9999-12-31T23:59:59", 253402300799);
    refuses("2023-02-29");
    refuses("1900-02-29");
    refuses("2024-13-01");
    refuses("2024-04-31");
    refuses("2024-01-01T24:00:00");
    refuses("2024-01-01T10:00");
    refuses("2024-1-01");
    refuses("1969-12-31");
    refuses("2024-01-01x");
    refuses("");

    char out[20];
    rt_datetime_format(1709209805, out);
    CHECK(strcmp(out, "2024-02-29T12:30:05") == 0, "format: %s", out);
    for (int64_t day = 0; day < rt_days_from_civil(2200, 1, 1); day++) {
        int64_t y, t;
        int m, d;
        rt_civil_from_days(day, &y, &m, &d);
        if (rt_days_from_civil(y, m, d) != day) {
            CHECK(0, "day %lld -> %lld-%d-%d does not come back", (long long)day,
                  (long long)y, m, d);
            break;
        }
        rt_datetime_format(day * 86400 + 3661, out);
        if (!rt_datetime_parse(out, &t) || t != day * 86400 + 3661) {
            CHECK(0, "round trip of %s failed", out);
            break;
        }
    }
    CHECK_DONE();
}
