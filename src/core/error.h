/*
** src/core/error.h: the per-thread error message behind retain_last_error().
** Every failing internal call sets it through rt_error() and returns the
** status; callers higher up may prepend context (file, dataset) with
** rt_error_context(). Nothing here prints.
*/
#ifndef RT_CORE_ERROR_H
#define RT_CORE_ERROR_H

#include "retain.h"

/* Sets the calling thread's message (printf-style) and returns status. */
retain_status rt_error(retain_status status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prepends "<context>: " to the current message and returns status. */
retain_status rt_error_context(retain_status status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Clears the calling thread's message. */
void rt_error_clear(void);

#endif
