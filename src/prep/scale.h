/*
** src/prep/scale.h: fitting and applying the feature scalers every model
** stores (standard, minmax, none), whole or on rows that arrive in pieces.
*/
#ifndef RT_PREP_SCALE_H
#define RT_PREP_SCALE_H

#include "retain.h"

#include <stdbool.h>
#include <stdint.h>

/* Fits the scaler on x (weights: NULL, or one >= 0 per row): offset and
** spread, d each, spread 1 for constant columns and for RETAIN_SCALE_NONE.
** Under MPI, x is this rank's rows and the fit is over every rank's. */
retain_status rt_scaler_fit(const retain_matrix *x, const float *w, retain_scale scale,
                            double *offset, double *spread);
/* dst (rows x d, contiguous) = (src - offset) / spread, rounded to float. */
void rt_scale_rows(const float *src, int64_t rows, int64_t d, int64_t stride,
                   const double *offset, const double *spread, float *dst);
/* Weighted (w NULL: unweighted) mean and population variance of the columns
** of x (n x d, row stride) into mean and var, float64, two passes in block
** order; the total weight into *weight unless NULL (0: mean and var NaN).
** Under MPI, over every rank's rows (each rank passes its own). */
retain_status rt_column_moments(const float *x, int64_t n, int64_t d, int64_t stride,
                                const float *w, double *mean, double *var, double *weight);

/* The scaler fitted on rows that arrive in pieces (row-major, d columns):
** init, add every piece in order, finish. tol_scale gets the mean column
** variance of the scaled rows, as rt_kmeans_mean_variance measures it. */
typedef struct rt_scaler_acc {
    int64_t d;
    retain_scale scale;
    bool weighted;        /* some piece came with weights        */
    double weight, count; /* weight and rows so far              */
    double *buf;          /* 8 x d: moments, extremes, one piece */
} rt_scaler_acc;

retain_status rt_scaler_acc_init(rt_scaler_acc *a, int64_t d, retain_scale scale);
retain_status rt_scaler_acc_add(rt_scaler_acc *a, const float *x, int64_t rows,
                                const float *w);
void rt_scaler_acc_finish(const rt_scaler_acc *a, double *offset, double *spread,
                          double *tol_scale);
void rt_scaler_acc_free(rt_scaler_acc *a);

#endif
