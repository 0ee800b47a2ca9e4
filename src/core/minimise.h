/*
** src/core/minimise.h: limited-memory quasi-Newton minimisation of a smooth
** function plus an optional weighted L1 term (L-BFGS, OWL-QN), shared by
** the churn model and the lifetime-value models.
*/
#ifndef RT_CORE_MINIMISE_H
#define RT_CORE_MINIMISE_H

#include "retain.h"

#include <stdbool.h>
#include <stdint.h>

/* The smooth part of the objective and its gradient at theta (dims). */
typedef retain_status (*rt_fg_fn)(void *ctx, const double *theta, double *f,
                                         double *g);

typedef struct rt_minimiser {
    int64_t dims;
    const double *l1;  /* dims weights of |theta_k| (OWL-QN), or NULL     */
    double tol;        /* on the largest pseudo-gradient entry           */
    int64_t max_iter, memory;
    retain_progress_fn progress;
    void *progress_user;
    double *trace;     /* NULL, or trace_len pairs (seconds, f + l1)     */
    int64_t trace_len; /* iterations 0 .. trace_len - 1 are recorded     */
    double started;    /* rt_seconds() the trace counts from      */
} rt_minimiser;

typedef struct rt_minimum {
    double f;          /* smooth part + L1 part at the end               */
    int64_t n_iter;
    bool converged;    /* tol met                                        */
    bool stalled;      /* the line search found no decrease first        */
} rt_minimum;

/* Minimises f + sum_k l1_k |theta_k| from theta (updated in place). */
retain_status rt_minimise(rt_fg_fn fg, void *ctx, const rt_minimiser *o,
                                 double *theta, rt_minimum *out);

#endif
