/*
** src/core/log.h: library messages to the caller's callback
** (retain_log_set_callback), and the progress callback type algorithms take.
*/
#ifndef RT_CORE_LOG_H
#define RT_CORE_LOG_H

#include "retain.h"

#include <stdint.h>

void rt_log(retain_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Progress reports: `done` of `total` units of the named phase. */
typedef void (*rt_progress_fn)(void *user, const char *phase, int64_t done,
                               int64_t total);

#endif
