/*
** src/logreg/objective.c: the data term of the logistic objective and its
** gradient in one streamed pass over x. Scaling is folded into the
** coefficients instead of copying x: w.z = v.x - v.mean with v = w / scale,
** and the gradient on scaled units is (sum_i g_i x_i - mean sum_i g_i) /
** scale. Each RT_BLOCK_ROWS block runs the logreg_pass kernel of the
** dispatch table into its own float64 partial (d + 2 doubles), added in
** order by rt_reduce_rows, so the result has the same bits for any thread
** count and no thread waits for another's block. With data->gpu the same
** pass runs on the GPU (kernels/cuda/logreg.cu) into the same d + 2 sums.
** Under MPI data holds the rank's rows and the sums are completed across
** ranks (rt_dist_reduce_rows), so every rank sees the same objective.
*/
#include "logreg.h"

#include "core/dist.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "kernels/cpu/kernels.h"

#ifdef RETAIN_WITH_CUDA
#include "kernels/cuda/logreg.cuh"
#endif


typedef struct pass_ctx {
    const rt_logreg_data *data;
    const double *v;
    double b;
    rt_logreg_pass_fn pass;
} pass_ctx;

/* partial: sum g_i x_ij (d), then the loss, then sum g_i. */
static void pass_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const pass_ctx *c = ctx;
    const rt_logreg_data *x = c->data;
    double margin[RT_BLOCK_ROWS];
    c->pass(x->x + first * x->stride, rows, x->d, x->stride, c->v, c->b, x->y + first,
            x->w ? x->w + first : NULL, margin, partial + x->d, partial);
}

/* v = theta / scale and the intercept on raw x. */
static double raw_coefficients(const double *theta, const double *mean, const double *scale,
                               int64_t d, double *v)
{
    double b = theta[d];
    for (int64_t j = 0; j < d; j++) {
        v[j] = theta[j] / scale[j];
        b -= v[j] * mean[j];
    }
    return b;
}

retain_status rt_logreg_loss_grad(const rt_logreg_data *data, const double *theta,
                                  double *loss, double *grad)
{
    int64_t d = data->d;
    double *v, *acc;
    retain_status s;
    if ((s = retain_malloc((size_t)(2 * d + 2) * sizeof *v, (void **)&v)))
        return rt_dist_reduce_rows(s, data->n, d + 2, NULL, NULL, NULL); /* ranks learn it */
    acc = v + d;
    pass_ctx c = {data, v, raw_coefficients(theta, data->mean, data->scale, d, v),
                  rt_kernels_get()->logreg_pass};
#ifdef RETAIN_WITH_CUDA
    if (data->gpu)
        s = rt_dist_reduce_rows(rt_cuda_logreg_pass(data->gpu, v, c.b, acc), data->n, d + 2,
                                NULL, NULL, acc);
    else
#endif
        s = rt_dist_reduce_rows(RETAIN_OK, data->n, d + 2, pass_block, &c, acc);
    if (!s) {
        double gsum = acc[d + 1];
        for (int64_t j = 0; j < d; j++)
            grad[j] = (acc[j] - data->mean[j] * gsum) / data->scale[j];
        grad[d] = gsum;
        *loss = acc[d];
    }
    retain_free(v);
    return s;
}

void rt_logreg_margins(const retain_logreg_model *m, const float *x, int64_t rows,
                       int64_t stride, double *margin)
{
    rt_kernels_get()->logreg_pass(x, rows, m->d, stride, m->coef_original,
                                  m->intercept_original, NULL, NULL, margin, NULL, NULL);
}
