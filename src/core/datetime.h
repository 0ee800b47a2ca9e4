/*
** src/core/datetime.h: calendar arithmetic for purchase logs and dates on
** the command line: civil dates to day numbers and back (proleptic
** Gregorian, UTC), ISO 8601 parsing and formatting to and from epoch
** seconds. No time zones, no locale: a log's timestamps are UTC.
*/
#ifndef RT_CORE_DATETIME_H
#define RT_CORE_DATETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Days since 1970-01-01 of year y, month m (1-12), day d. */
int64_t rt_days_from_civil(int64_t y, int64_t m, int64_t d);
/* The civil date of day z (days since 1970-01-01). */
void rt_civil_from_days(int64_t z, int64_t *y, int *m, int *d);

/* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS" (a space for the T and a trailing
** Z allowed), years 1970-9999, to epoch seconds; false if malformed or not
** a real date (2023-02-29). */
bool rt_datetime_parse(const char *text, int64_t *out);
/* The same for the `len` bytes at text (no NUL needed), without sscanf:
** log readers call it once a line. */
bool rt_datetime_parse_span(const char *text, size_t len, int64_t *out);

/* Epoch seconds as "YYYY-MM-DDTHH:MM:SS" into out (20 bytes with the NUL). */
void rt_datetime_format(int64_t t, char out[20]);

#endif
