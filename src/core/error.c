/*
** src/core/error.c: thread-local last-error message (retain_last_error) and
** the status names. A message longer than the buffer is cut with "...".
*/
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define RT_ERROR_CAP 2048

static _Thread_local char error_message[RT_ERROR_CAP];

static void finish_truncated(int written)
{
    if (written >= RT_ERROR_CAP)
        memcpy(error_message + RT_ERROR_CAP - 4, "...", 4);
}

retain_status rt_error(retain_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(error_message, RT_ERROR_CAP, fmt, ap);
    va_end(ap);
    finish_truncated(n);
    return status;
}

retain_status rt_error_context(retain_status status, const char *fmt, ...)
{
    char previous[RT_ERROR_CAP];
    memcpy(previous, error_message, RT_ERROR_CAP);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(error_message, RT_ERROR_CAP, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if (n < RT_ERROR_CAP) {
        int m = snprintf(error_message + n, (size_t)(RT_ERROR_CAP - n), ": %s",
                         previous);
        n += m;
    }
    finish_truncated(n);
    return status;
}

void rt_error_clear(void) { error_message[0] = '\0'; }

const char *retain_last_error(void) { return error_message; }

const char *retain_status_name(retain_status status)
{
    switch (status) {
    case RETAIN_OK: return "ok";
    case RETAIN_ERR_USAGE: return "usage";
    case RETAIN_ERR_DATA: return "data";
    case RETAIN_ERR_IO: return "io";
    case RETAIN_ERR_DEVICE: return "device";
    case RETAIN_ERR_INTERNAL: return "internal";
    }
    return "unknown";
}
