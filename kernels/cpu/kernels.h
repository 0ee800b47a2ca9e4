/*
** kernels/cpu/kernels.h: the table of hot loops, one entry per kernel family,
** filled once at startup by dispatch.c with the best variant the CPU (and
** the RETAIN_ISA cap) allows. Each family lives in <name>.c (the _scalar
** reference) with <name>_avx2.c and <name>_avx512.c beside it, same
** signature, ISA suffix. No loop anywhere branches on the ISA.
*/
#ifndef RT_KERNELS_H
#define RT_KERNELS_H

#include <stdint.h>

typedef enum rt_isa {
    RT_ISA_SCALAR = 0,
    RT_ISA_AVX2 = 1,   /* AVX2 + FMA                  */
    RT_ISA_AVX512 = 2, /* AVX-512 F, DQ, BW, VL        */
    RT_ISA_COUNT
} rt_isa;

/* Per-column accumulators for rt_colstats_*: the caller sets nan/inf/sum/
** sumsq to 0, min to +INFINITY and max to -INFINITY, then feeds row blocks.
** sum, sumsq, min and max cover finite values only. Within one call each
** column is summed in row order, so every variant gives the same bits. */
typedef struct rt_colstats {
    int64_t *nan;
    int64_t *inf;
    double *sum;
    double *sumsq;
    float *min;
    float *max;
} rt_colstats;

typedef void (*rt_colstats_fn)(const float *x, int64_t rows, int64_t cols,
                               int64_t stride, const rt_colstats *acc);
/* Index of the first NaN or +-Inf among x[0..n), or -1. */
typedef int64_t (*rt_first_nonfinite_fn)(const float *x, int64_t n);

void rt_colstats_scalar(const float *x, int64_t rows, int64_t cols,
                        int64_t stride, const rt_colstats *acc);
void rt_colstats_avx2(const float *x, int64_t rows, int64_t cols,
                      int64_t stride, const rt_colstats *acc);
void rt_colstats_avx512(const float *x, int64_t rows, int64_t cols,
                        int64_t stride, const rt_colstats *acc);

/* Nearest centroid of each of `rows` rows of x (row stride xs, d columns)
** by squared Euclidean distance; the rows-by-k distances are never stored.
** The k centroids come transposed: ct is d x kp, centroid l's coordinate j
** at ct[j * kp + l], kp a multiple of RT_SQDIST_KPAD, and entries k..kp-1
** of every row NaN so the padding never wins. Writes label[i] (the lowest
** index among equal distances) and dist[i] = sum over j in order of
** (x_ij - c_lj)^2 in float32, multiply and add separate (no FMA): every
** variant gives the same bits. Rows whose distances all overflow get 0. */
#define RT_SQDIST_KPAD 16
typedef void (*rt_sqdist_argmin_fn)(const float *x, int64_t rows, int64_t d, int64_t xs,
                                    const float *ct, int64_t k, int64_t kp,
                                    int32_t *label, float *dist);

int64_t rt_first_nonfinite_scalar(const float *x, int64_t n);
int64_t rt_first_nonfinite_avx2(const float *x, int64_t n);
int64_t rt_first_nonfinite_avx512(const float *x, int64_t n);

void rt_sqdist_argmin_scalar(const float *x, int64_t rows, int64_t d, int64_t xs,
                             const float *ct, int64_t k, int64_t kp, int32_t *label,
                             float *dist);
void rt_sqdist_argmin_avx2(const float *x, int64_t rows, int64_t d, int64_t xs,
                           const float *ct, int64_t k, int64_t kp, int32_t *label,
                           float *dist);
void rt_sqdist_argmin_avx512(const float *x, int64_t rows, int64_t d, int64_t xs,
                             const float *ct, int64_t k, int64_t kp, int32_t *label,
                             float *dist);

typedef struct rt_kernels {
    rt_isa isa;
    const char *name;
    rt_colstats_fn colstats;
    rt_first_nonfinite_fn first_nonfinite;
    rt_sqdist_argmin_fn sqdist_argmin;
} rt_kernels;

/* The table in use (chosen once; thread-safe). */
const rt_kernels *rt_kernels_get(void);

/* The table of one variant, or NULL if this CPU cannot run it; for tests
** that compare every variant against _scalar. */
const rt_kernels *rt_kernels_for(rt_isa isa);

/* NULL if RETAIN_ISA is unset or valid; otherwise a message saying what is
** wrong with it (the command line refuses to start on it). */
const char *rt_kernels_env_problem(void);

#endif
