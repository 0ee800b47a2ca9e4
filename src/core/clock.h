/*
** src/core/clock.h: wall-clock seconds on a monotonic clock, for the
** timings models and summaries report.
*/
#ifndef RT_CORE_CLOCK_H
#define RT_CORE_CLOCK_H

/* Seconds since an arbitrary fixed point; only differences mean anything. */
double rt_seconds(void);

#endif
