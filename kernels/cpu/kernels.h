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

/* Nearest centroid of each of `rows` rows of x (row stride xs, d columns),
** the rows-by-k distances never stored. Rows are compared by the expanded
** distance less the row's own norm, score_l = cn_l - 2 x.c_l: the dot
** product summed over j in order with fused multiply-add, then
** cn_l - 2 dot rounded once, in float32. label[i] is the lowest index among
** the least scores; rows whose scores are all NaN or +Inf get 0. Unless
** second is NULL, second[i] gets the least score of the other centroids
** (+Inf when k is 1). The same sums in every variant, so every variant
** gives the same labels and second scores.
**
** The centroids come packed by rt_centroids_pack: kp (k rounded up to
** RT_CENTROID_GROUP) centroids in groups of RT_CENTROID_GROUP; group g0
** starts at packed + g0 * d and holds centroid g0 + u's coordinate j at
** [j * RT_CENTROID_GROUP + u]. cn holds kp squared norms, +Inf for the
** padding so it never wins. scratch holds RT_NEAREST_SCRATCH(d) floats (a
** tile of rows, transposed). */
#define RT_CENTROID_GROUP 8
#define RT_NEAREST_SCRATCH(d) (48 * (d))
typedef void (*rt_nearest_centroid_fn)(const float *x, int64_t rows, int64_t d, int64_t xs,
                                       const float *packed, const float *cn, int64_t kp,
                                       int32_t *label, float *second, float *scratch);

/* kp for k centroids. */
static inline int64_t rt_centroids_padded(int64_t k)
{
    return (k + RT_CENTROID_GROUP - 1) / RT_CENTROID_GROUP * RT_CENTROID_GROUP;
}
/* Packs k x d centroids c (row stride d) into packed (kp * d floats) and
** their squared norms (summed in float64, rounded to float) into cn (kp). */
void rt_centroids_pack(const float *c, int64_t k, int64_t d, float *packed, float *cn);

int64_t rt_first_nonfinite_scalar(const float *x, int64_t n);
int64_t rt_first_nonfinite_avx2(const float *x, int64_t n);
int64_t rt_first_nonfinite_avx512(const float *x, int64_t n);

#define RT_NEAREST_DECL(isa)                                                              \
    void rt_nearest_centroid_##isa(const float *x, int64_t rows, int64_t d, int64_t xs,   \
                                   const float *packed, const float *cn, int64_t kp,      \
                                   int32_t *label, float *second, float *scratch)
RT_NEAREST_DECL(scalar);
RT_NEAREST_DECL(avx2);
RT_NEAREST_DECL(avx512);

/* Per-cluster sums of a block's rows: for each row i in order,
** sums[label[i] * d + j] += w_i * x_ij and wsum[label[i]] += w_i, in
** float64, the product rounded before the add (w NULL: w_i = 1, no
** product). Every variant adds the same terms in the same order. */
typedef void (*rt_label_sums_fn)(const float *x, int64_t rows, int64_t d, int64_t xs,
                                 const int32_t *label, const float *w, double *sums,
                                 double *wsum);
#define RT_LABEL_SUMS_DECL(isa)                                                          \
    void rt_label_sums_##isa(const float *x, int64_t rows, int64_t d, int64_t xs,        \
                             const int32_t *label, const float *w, double *sums,         \
                             double *wsum)
RT_LABEL_SUMS_DECL(scalar);
RT_LABEL_SUMS_DECL(avx2);
RT_LABEL_SUMS_DECL(avx512);

/* One fused logistic pass over `rows` rows of x (row stride xs, d columns):
** margin[i] = b + sum_j v_j x_ij in float64 for every row; unless y is NULL
** (margins only), with t = m for y 0, -m for y 1 and c = w[i] (or 1):
** acc[0] += c log(1 + e^t), acc[1] += c (sigmoid(m) - y) and
** grad[j] += c (sigmoid(m) - y) x_ij. The scalar variant sums rows in order
** with libm's exp and log1p; the others sum in their own (fixed) order with
** vector exp and log1p, so variants agree to round-off, not to the bit. */
#define RT_LOGREG_TILE 32
typedef void (*rt_logreg_pass_fn)(const float *x, int64_t rows, int64_t d, int64_t xs,
                                  const double *v, double b, const uint8_t *y,
                                  const double *w, double *margin, double *acc,
                                  double *grad);
#define RT_LOGREG_PASS_DECL(isa)                                                          \
    void rt_logreg_pass_##isa(const float *x, int64_t rows, int64_t d, int64_t xs,       \
                              const double *v, double b, const uint8_t *y,                \
                              const double *w, double *margin, double *acc, double *grad)
RT_LOGREG_PASS_DECL(scalar);
RT_LOGREG_PASS_DECL(avx2);
RT_LOGREG_PASS_DECL(avx512);
/* For r < rows: out[r*words + i] = a[i] & b[r*words + i] (i < words) and
** count[r] = the bits set in out row r; rows of b and out lie one after
** another. The AVX-512 entry is the VPOPCNTDQ variant where the CPU has
** it, else AVX2's. */
typedef void (*rt_and_popcount_fn)(const uint64_t *a, const uint64_t *b, int64_t rows,
                                   int64_t words, uint64_t *out, int64_t *count);
#define RT_AND_POPCOUNT_DECL(isa)                                                         \
    void rt_and_popcount_##isa(const uint64_t *a, const uint64_t *b, int64_t rows,        \
                               int64_t words, uint64_t *out, int64_t *count)
RT_AND_POPCOUNT_DECL(scalar);
RT_AND_POPCOUNT_DECL(avx2);
RT_AND_POPCOUNT_DECL(avx512);

/* P(alive) of n BG/NBD or MBG/NBD customers (Fader, Hardie and Lee 2005,
** eq. 13; Batislam et al. 2007):
**   p_i = 1 / (1 + a / (b_shifted + x_i) ((alpha + T_i) / (alpha + tx_i))^(r + x_i)),
** b_shifted = b - 1 for BG/NBD, where p_i = 1 for x_i = 0 (bg set), and b
** for MBG/NBD. The same bits in every variant and for any n (the loop of
** clv_alive_loop.h, within a few ulps of the formula in libm). */
typedef struct rt_clv_alive_params {
    double r, alpha, a, b_shifted;
    int bg; /* 1: BG/NBD (x = 0 is alive); 0: MBG/NBD */
} rt_clv_alive_params;
typedef void (*rt_clv_alive_fn)(const double *x, const double *tx, const double *T, int64_t n,
                                const rt_clv_alive_params *par, double *p_alive);
#define RT_CLV_ALIVE_DECL(isa)                                                            \
    void rt_clv_alive_##isa(const double *x, const double *tx, const double *T, int64_t n, \
                            const rt_clv_alive_params *par, double *p_alive)
RT_CLV_ALIVE_DECL(scalar);
RT_CLV_ALIVE_DECL(avx2);
RT_CLV_ALIVE_DECL(avx512);

/* k-means++ seeding: the squared distances of rows (rows <= RT_SEED_TILE,
** row i at z + i * stride, d floats) to count centres (d floats each, one
** after another) into out[t * RT_SEED_TILE + i], each summed in the order
** seed_dist_loop.h fixes (the same bits in every variant and on a GPU).
** tile is scratch of d * RT_SEED_TILE floats. */
#define RT_SEED_TILE 64
typedef void (*rt_seed_dist_fn)(const float *z, int64_t stride, int64_t rows, int64_t d,
                                const float *centres, int64_t count, float *tile, float *out);
#define RT_SEED_DIST_DECL(isa)                                                              \
    void rt_seed_dist_##isa(const float *z, int64_t stride, int64_t rows, int64_t d,       \
                            const float *centres, int64_t count, float *tile, float *out)
RT_SEED_DIST_DECL(scalar);
RT_SEED_DIST_DECL(avx2);
RT_SEED_DIST_DECL(avx512);

typedef struct rt_kernels {
    rt_isa isa;
    const char *name;
    rt_colstats_fn colstats;
    rt_first_nonfinite_fn first_nonfinite;
    rt_nearest_centroid_fn nearest_centroid;
    rt_label_sums_fn label_sums;
    rt_logreg_pass_fn logreg_pass;
    rt_and_popcount_fn and_popcount;
    rt_clv_alive_fn clv_alive;
    rt_seed_dist_fn seed_dist;
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
