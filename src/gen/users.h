/*
** src/gen/users.h: synthetic customer feature matrices with known ground
** truth: a mixture of k segments in a latent space, mapped column by column
** into realistic units (recency, frequency, monetary, tenure, ...; skewed
** and on different scales), and a churn label drawn from a known logistic
** model on the stored features. Rows are produced in blocks from per-block
** random streams, so any block can be made on any thread with the same bits.
** Nothing here touches files; `retain gen users` writes the blocks.
*/
#ifndef RT_GEN_USERS_H
#define RT_GEN_USERS_H

#include "retain.h"

#include <stdbool.h>
#include <stdint.h>

/* Rows per random stream; blocks passed to rt_gen_users_block start on a
** multiple of this. */
#define RT_GEN_USERS_STREAM_ROWS 4096

typedef struct rt_gen_users_params {
    int64_t n;          /* rows (users)                                   */
    int64_t d;          /* feature columns, >= 1                          */
    int64_t k;          /* segments, >= 1                                 */
    uint64_t seed;
    double separation;  /* least distance between segment centres, in
                           within-segment standard deviations (latent)     */
    double churn_rate;  /* target share of churners, in (0, 1)            */
    bool gaussian;      /* linear columns (clusters stay Gaussian) instead
                           of the realistic skewed ones                    */
} rt_gen_users_params;

void rt_gen_users_params_init(rt_gen_users_params *p);
/* NULL-free check naming the bad field. */
retain_status rt_gen_users_params_check(const rt_gen_users_params *p);

typedef struct rt_gen_users rt_gen_users;

retain_status rt_gen_users_create(const rt_gen_users_params *p, rt_gen_users **out);
void rt_gen_users_free(rt_gen_users *g);

/* Column names (d of them). */
const char *const *rt_gen_users_names(const rt_gen_users *g);
/* Segment shares (k of them, summing to 1). */
const double *rt_gen_users_weights(const rt_gen_users *g);
/* The churn model on the stored (float32) features:
** P(churn) = 1 / (1 + exp(-(intercept + sum_j coef[j] * x_j))). */
double rt_gen_users_intercept(const rt_gen_users *g);
const double *rt_gen_users_coef(const rt_gen_users *g);

/* Rows [first, first + count): first a multiple of RT_GEN_USERS_STREAM_ROWS.
** x is count x d; segment and churned get one value per row. */
void rt_gen_users_block(const rt_gen_users *g, int64_t first, int64_t count,
                        float *x, int32_t *segment, int8_t *churned);

#endif
