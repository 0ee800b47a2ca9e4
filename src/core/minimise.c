/*
** src/core/minimise.c: limited-memory quasi-Newton minimisation of
** f(theta) + sum_k l1_k |theta_k| for a smooth f. With no L1 part it is
** L-BFGS (Liu and Nocedal, Math. Programming 45, 1989): the two-loop
** recursion over the last `memory` pairs, a backtracking Armijo line search
** from the unit step. With one it is OWL-QN (Andrew and Gao, "Scalable
** training of L1-regularized log-linear models", ICML 2007): the
** pseudo-gradient stands for the gradient, the direction is kept in the
** orthant the pseudo-gradient points to, and every trial point is
** projected onto the orthant of the current one, so coefficients reach
** exact zeros. Pairs (s, y) use the smooth gradients; a pair with s.y <= 0
** is skipped. Stops when the largest pseudo-gradient entry is <= tol.
** Deterministic: plain loops in a fixed order. Under MPI (logreg fit) every
** rank runs the same steps on fg's sums across ranks.
*/
#include "minimise.h"

#include "clock.h"
#include "dist.h"
#include "error.h"
#include "mem.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define ARMIJO 1e-4
#define MAX_BACKTRACK 60
#define NOISE (8 * DBL_EPSILON)


typedef struct workspace {
    double *g, *pg, *dir, *trial, *gt, *pgt, *alpha;
    double *s, *y, *rho; /* memory pairs, ring buffer */
} workspace;

static double l1_term(const double *l1, const double *theta, int64_t n)
{
    double t = 0.0;
    if (l1)
        for (int64_t k = 0; k < n; k++)
            t += l1[k] * fabs(theta[k]);
    return t;
}

/* Pseudo-gradient of f + l1 at theta (the gradient when l1 is NULL). */
static void pseudo_gradient(const double *l1, const double *theta, const double *g, int64_t n,
                            double *pg)
{
    for (int64_t k = 0; k < n; k++) {
        double lam = l1 ? l1[k] : 0.0;
        if (lam == 0.0)
            pg[k] = g[k];
        else if (theta[k] > 0)
            pg[k] = g[k] + lam;
        else if (theta[k] < 0)
            pg[k] = g[k] - lam;
        else if (g[k] + lam < 0)
            pg[k] = g[k] + lam;
        else if (g[k] - lam > 0)
            pg[k] = g[k] - lam;
        else
            pg[k] = 0.0;
    }
}

static double max_abs(const double *v, int64_t n)
{
    double m = 0.0;
    for (int64_t k = 0; k < n; k++)
        m = fabs(v[k]) > m ? fabs(v[k]) : m;
    return m;
}

static double dot(const double *a, const double *b, int64_t n)
{
    double t = 0.0;
    for (int64_t k = 0; k < n; k++)
        t += a[k] * b[k];
    return t;
}

/* dir = -H pg by the two-loop recursion over `pairs` pairs ending at `last`. */
static void two_loop(workspace *w, int64_t n, int64_t m, int64_t pairs, int64_t last)
{
    for (int64_t k = 0; k < n; k++)
        w->dir[k] = -w->pg[k];
    for (int64_t p = 0, at = last; p < pairs; p++, at = (at + m - 1) % m) {
        w->alpha[at] = w->rho[at] * dot(w->s + at * n, w->dir, n);
        for (int64_t k = 0; k < n; k++)
            w->dir[k] -= w->alpha[at] * w->y[at * n + k];
    }
    if (pairs > 0) {
        const double *ys = w->y + last * n;
        double gamma = dot(w->s + last * n, ys, n) / dot(ys, ys, n);
        for (int64_t k = 0; k < n; k++)
            w->dir[k] *= gamma;
    }
    int64_t first = (last + m - pairs + 1) % m;
    for (int64_t p = 0, at = first; p < pairs; p++, at = (at + 1) % m) {
        double beta = w->rho[at] * dot(w->y + at * n, w->dir, n);
        for (int64_t k = 0; k < n; k++)
            w->dir[k] += (w->alpha[at] - beta) * w->s[at * n + k];
    }
}

retain_status rt_minimise(rt_fg_fn fg, void *ctx, const rt_minimiser *o,
                                 double *theta, rt_minimum *out)
{
    int64_t n = o->dims, m = o->memory;
    const double *l1 = o->l1;
    workspace w = {0};
    double *block;
    size_t doubles = (size_t)(7 * n + m + 2 * m * n + m);
    retain_status s = retain_calloc(doubles, sizeof(double), (void **)&block);
    if (s)
        rt_error_context(s, "solver workspace");
    /* under MPI every rank runs the same steps (fg sums across ranks): one
    ** without its workspace must stop the others before the first fg */
    if ((s = rt_dist_agree(s))) {
        retain_free(block);
        return s;
    }
    w.g = block;
    w.pg = w.g + n;
    w.dir = w.pg + n;
    w.trial = w.dir + n;
    w.gt = w.trial + n;
    w.pgt = w.gt + n;
    w.alpha = w.pgt + n;
    w.s = w.alpha + m;
    w.y = w.s + m * n;
    w.rho = w.y + m * n;
    /* spare n doubles after rho hold the orthant signs */
    double *orthant = w.rho + m;

    memset(out, 0, sizeof *out);
    double f;
    if ((s = fg(ctx, theta, &f, w.g)))
        goto done;
    double F = f + l1_term(l1, theta, n);
    int64_t pairs = 0, last = m - 1;
    for (int64_t it = 0;; it++) {
        if (it < o->trace_len) {
            o->trace[2 * it] = rt_seconds() - o->started;
            o->trace[2 * it + 1] = F;
        }
        pseudo_gradient(l1, theta, w.g, n, w.pg);
        if (max_abs(w.pg, n) <= o->tol) {
            out->converged = true;
            break;
        }
        if (it == o->max_iter)
            break;
        two_loop(&w, n, m, pairs, last);
        if (l1)
            for (int64_t k = 0; k < n; k++) {
                if (w.dir[k] * w.pg[k] >= 0)
                    w.dir[k] = 0.0;
                orthant[k] = theta[k] != 0 ? (theta[k] > 0 ? 1.0 : -1.0)
                                           : (w.pg[k] < 0 ? 1.0 : w.pg[k] > 0 ? -1.0 : 0.0);
            }
        double slope = dot(w.dir, w.pg, n);
        if (!(slope < 0)) { /* not a descent direction: restart from steepest descent */
            pairs = 0;
            for (int64_t k = 0; k < n; k++)
                w.dir[k] = -w.pg[k];
            slope = dot(w.dir, w.pg, n);
        }
        double step = pairs == 0 ? 1.0 / sqrt(dot(w.dir, w.dir, n)) : 1.0;
        if (step > 1.0)
            step = 1.0;
        double ft = 0.0, Ft = 0.0;
        bool accepted = false;
        for (int bt = 0; bt < MAX_BACKTRACK; bt++) {
            for (int64_t k = 0; k < n; k++) {
                double t = theta[k] + step * w.dir[k];
                if (l1 && l1[k] != 0 && t * orthant[k] <= 0)
                    t = 0.0;
                w.trial[k] = t;
            }
            if ((s = fg(ctx, w.trial, &ft, w.gt)))
                goto done;
            Ft = ft + l1_term(l1, w.trial, n);
            double decrease = 0.0;
            for (int64_t k = 0; k < n; k++)
                decrease += w.pg[k] * (w.trial[k] - theta[k]);
            if (isfinite(Ft) && Ft <= F + ARMIJO * decrease) {
                accepted = true;
                break;
            }
            /* Near the optimum the decrease falls below the round-off of F:
            ** a step that leaves F equal within that noise and shrinks the
            ** pseudo-gradient is progress Armijo cannot see. */
            if (isfinite(Ft) && Ft <= F + NOISE * fabs(F)) {
                pseudo_gradient(l1, w.trial, w.gt, n, w.pgt);
                if (max_abs(w.pgt, n) < max_abs(w.pg, n)) {
                    accepted = true;
                    break;
                }
            }
            step *= 0.5;
        }
        out->n_iter = it + 1;
        if (!accepted) {
            out->stalled = true;
            break;
        }
        int64_t next = (last + 1) % m;
        double sy = 0.0, yy = 0.0;
        for (int64_t k = 0; k < n; k++) {
            w.s[next * n + k] = w.trial[k] - theta[k];
            w.y[next * n + k] = w.gt[k] - w.g[k];
            sy += w.s[next * n + k] * w.y[next * n + k];
            yy += w.y[next * n + k] * w.y[next * n + k];
        }
        if (sy > 1e-12 * yy && yy > 0) {
            w.rho[next] = 1.0 / sy;
            last = next;
            pairs = pairs < m ? pairs + 1 : m;
        } else if (pairs == m) {
            pairs--; /* the skipped pair overwrote the oldest one */
        }
        memcpy(theta, w.trial, (size_t)n * sizeof *theta);
        memcpy(w.g, w.gt, (size_t)n * sizeof *w.g);
        F = Ft;
        if (o->progress)
            o->progress(o->progress_user, "solver", it + 1, o->max_iter);
    }
    out->f = F;
done:
    retain_free(block);
    return s;
}
