/*
** src/logreg/logreg.h: what the files of the logistic-regression module
** share: the model's layout (also read by src/io/logreg_model.c), the data
** a fit works on, and one entry per file: objective.c (the fused pass),
** metrics.c, cv.c (the scaler is prep/scale.c, the solver core/minimise.c);
** logreg.c holds the fit and the manual. The public surface is in include/retain.h.
*/
#ifndef RT_LOGREG_H
#define RT_LOGREG_H

#include "retain.h"

#include "core/clock.h"
#include "core/minimise.h"
#include "prep/scale.h"

#include <stdbool.h>
#include <stdint.h>

struct retain_logreg_model {
    int64_t d;
    retain_logreg_params params; /* as given; callbacks cleared             */
    double *mean, *scale;        /* d each: scaled = (x - mean) / scale      */
    double *coef;                /* d, scaled units                          */
    double *coef_original;       /* d, input units                           */
    double intercept, intercept_original;
    double objective;            /* sklearn's convention (retain.h)          */
    double class_weight[2];      /* as applied (balanced: computed)          */
    int64_t n_iter;
    bool converged;
    unsigned warnings;           /* RETAIN_LOGREG_WARN_* bits                */
    int64_t train_rows, train_positives;
    /* how the fit went (not saved in model files) */
    double fit_seconds;          /* the whole retain_logreg_fit            */
    int64_t evaluations;         /* passes of loss and gradient over x     */
    double pass_seconds;         /* spent in those passes                  */
    double *trace;               /* pairs (seconds since the fit began,
                                    objective) after each iteration, for
                                    the first trace_len iterations (0 too) */
    int64_t trace_len;
};

/* ---- objective.c: one streamed pass of loss and gradient --------------- */

/* The training data as the pass reads it: raw x, scaled on the fly. */
typedef struct rt_logreg_data {
    const float *x;             /* n x d, row stride `stride`              */
    int64_t n, d, stride;
    const uint8_t *y;           /* n labels 0/1                            */
    const double *w;            /* n row weights c_i, or NULL for all 1    */
    const double *mean, *scale; /* d each                                  */
    struct rt_cuda_logreg *gpu; /* the same rows on the GPU (kernels/cuda/
                                   logreg.cuh), or NULL: the CPU pass     */
} rt_logreg_data;

/* loss = sum_i c_i logloss_i at theta = (coef on scaled features (d),
** intercept), and its gradient (d + 1) with respect to theta. One pass
** over x; same bits for any thread count. */
retain_status rt_logreg_loss_grad(const rt_logreg_data *data, const double *theta,
                                  double *loss, double *grad);

/* Margins b + w.z of rows [first, first + rows) (at most RT_BLOCK_ROWS) of
** x for the model; input units. */
void rt_logreg_margins(const retain_logreg_model *m, const float *x, int64_t rows,
                       int64_t stride, double *margin);

/* ---- logreg.c ------------------------------------------------------------ */

/* Checks a view as fit and predict need it; `who` starts the message. */
retain_status rt_logreg_check_matrix(const retain_matrix *x, const char *who);
/* Labels into y01, or RETAIN_ERR_DATA listing the values that are not 0/1;
** y[0] is row `first` of the data in messages (under MPI, the rank's first). */
retain_status rt_logreg_labels(const double *y, int64_t n, int64_t first, uint8_t *y01);
/* "l2", "l1", "elasticnet", "none"; and back (-1 for an unknown name). */
const char *rt_logreg_penalty_name(retain_logreg_penalty p);
int rt_logreg_penalty_parse(const char *name);
/* An empty model of d columns (arrays zeroed), for fit and for the loader. */
retain_status rt_logreg_model_alloc(int64_t d, retain_logreg_model **out);
/* coef_original and intercept_original from coef, intercept and the scaler. */
void rt_logreg_model_unscale(retain_logreg_model *m);

#endif
