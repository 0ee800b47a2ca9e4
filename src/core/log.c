/*
** src/core/log.c: forwards library messages to the one callback the caller
** installed; without one, messages are dropped. Messages are formatted
** before the lock so a slow callback holds nobody else up for long.
*/
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

static retain_log_fn log_fn;
static void *log_user;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void retain_log_set_callback(retain_log_fn fn, void *user)
{
    pthread_mutex_lock(&log_lock);
    log_fn = fn;
    log_user = user;
    pthread_mutex_unlock(&log_lock);
}

void rt_log(retain_log_level level, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&log_lock);
    if (log_fn)
        log_fn(level, message, log_user);
    pthread_mutex_unlock(&log_lock);
}
