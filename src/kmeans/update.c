/*
** src/kmeans/update.c: the centroid update of a Lloyd step. Weighted sums
** per cluster in float64 (one partial per row block, combined in block
** order by rt_reduce_rows), scikit-learn's relocation of empty clusters, and the
** division that gives the new centres with the squared shift that the
** convergence test reads. Under MPI the sums are every rank's and the
** farthest rows are chosen among every rank's rows.
*/
#include "kmeans.h"

#include "core/dist.h"
#include "core/error.h"
#include "core/parallel.h"
#include "kernels/cpu/kernels.h"

#include <stdlib.h>

void rt_kmeans_accumulate(const rt_kmeans_data *x, int64_t first, int64_t rows,
                          const int32_t *label, int64_t k, double *sums, double *wsum)
{
    (void)k;
    rt_kernels_get()->label_sums(x->z + first * x->stride, rows, x->d, x->stride, label,
                                 x->w ? x->w + first : NULL, sums, wsum);
}

void rt_kmeans_farthest_offer(rt_kmeans_farthest *f, int64_t row, float dist, int32_t label)
{
    if (f->found == f->m && !(dist > f->dist[f->m - 1]))
        return;
    int64_t at = f->found < f->m ? f->found++ : f->m - 1;
    for (; at > 0 && dist > f->dist[at - 1]; at--) {
        f->row[at] = f->row[at - 1];
        f->dist[at] = f->dist[at - 1];
        f->label[at] = f->label[at - 1];
    }
    f->row[at] = row;
    f->dist[at] = dist;
    f->label[at] = label;
}

/* Moves the farthest rows (this rank's f; under MPI every rank's, merged
** in rank order, which is row order, so ties stay with the lower row as
** in one process) into the empty clusters. Each candidate travels as its
** distance, label, weight and values, so every rank applies the same moves
** to the global sums. */
static retain_status move_farthest(retain_status s, const rt_kmeans_data *x,
                                   const rt_kmeans_farthest *f, double *sums, double *wsum,
                                   int64_t k, int64_t *moved)
{
    int64_t d = x->d, m = f->m, item = 3 + d, width = 1 + m * item;
    int ranks = rt_dist_size();
    double *mine = calloc((size_t)(width * (ranks + 1)), sizeof *mine);
    rt_kmeans_farthest g = {m, 0, malloc((size_t)m * sizeof *g.row),
                            malloc((size_t)m * sizeof *g.dist),
                            malloc((size_t)m * sizeof *g.label)};
    if (!s && !(mine && g.row && g.dist && g.label))
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory relocating empty clusters");
    double *all = mine ? mine + width : NULL;
    if (!s) {
        mine[0] = (double)f->found;
        for (int64_t t = 0; t < f->found; t++) {
            double *it = mine + 1 + t * item;
            int64_t i = f->row[t];
            it[0] = f->dist[t];
            it[1] = f->label[t];
            it[2] = x->w ? x->w[i] : 1.0;
            for (int64_t j = 0; j < d; j++)
                it[3 + j] = x->z[i * x->stride + j];
        }
    }
    if (!(s = rt_dist_allgather_f64(s, mine, width, all)))
        for (int r = 0; r < ranks; r++)
            for (int64_t t = 0; t < (int64_t)all[r * width]; t++) {
                const double *it = all + r * width + 1 + t * item;
                rt_kmeans_farthest_offer(&g, r * width + 1 + t * item, (float)it[0],
                                         (int32_t)it[1]);
            }
    int64_t next = 0;
    for (int64_t l = 0; !s && l < k && next < g.found; l++) {
        if (wsum[l] != 0)
            continue;
        const double *it = all + g.row[next];
        int64_t from = g.label[next];
        next++;
        double w = it[2];
        for (int64_t j = 0; j < d; j++) {
            sums[from * d + j] -= w * it[3 + j];
            sums[l * d + j] = w * it[3 + j];
        }
        wsum[from] -= w;
        wsum[l] = w;
        (*moved)++;
    }
    free(mine);
    free(g.row);
    free(g.dist);
    free(g.label);
    return s;
}

retain_status rt_kmeans_relocate_empty(const rt_kmeans_data *x, const int32_t *labels,
                                       const rt_kmeans_centers *c, double *sums, double *wsum,
                                       int64_t *moved)
{
    int64_t d = x->d, k = c->k;
    rt_kmeans_farthest f = {0};
    *moved = 0;
    for (int64_t l = 0; l < k; l++)
        f.m += wsum[l] == 0;
    if (f.m == 0)
        return RETAIN_OK;
    f.row = malloc((size_t)f.m * sizeof *f.row);
    f.dist = malloc((size_t)f.m * sizeof *f.dist);
    f.label = malloc((size_t)f.m * sizeof *f.label);
    int32_t *lab = labels ? NULL : malloc((size_t)RT_BLOCK_ROWS * sizeof *lab);
    void *scratch = NULL;
    retain_status s = f.row && f.dist && f.label && (labels || lab)
                          ? RETAIN_OK
                          : rt_error(RETAIN_ERR_INTERNAL, "out of memory relocating empty "
                                     "clusters");
    if (!s && !labels)
        s = retain_malloc((size_t)rt_kmeans_assign_scratch_bytes(c), &scratch);
    /* without kept labels each block is assigned again: the same labels */
    for (int64_t first = 0; !s && first < x->n; first += RT_BLOCK_ROWS) {
        int64_t rows = x->n - first < RT_BLOCK_ROWS ? x->n - first : RT_BLOCK_ROWS;
        const int32_t *block = labels ? labels + first : lab;
        if (!labels)
            rt_kmeans_assign_rows(c, x->z + first * x->stride, rows, x->stride, lab, NULL,
                                  scratch);
        for (int64_t r = 0; r < rows; r++) {
            int64_t i = first + r;
            if (!x->w || x->w[i] > 0)
                rt_kmeans_farthest_offer(
                    &f, i, rt_kmeans_sqdist(x->z + i * x->stride, c->c + (int64_t)block[r] * d, d),
                    block[r]);
        }
    }
    s = move_farthest(s, x, &f, sums, wsum, k, moved); /* meets the other ranks */
    free(f.row);
    free(f.dist);
    free(f.label);
    free(lab);
    retain_free(scratch);
    return s;
}

double rt_kmeans_average(const double *sums, const double *wsum, int64_t k, int64_t d,
                         const float *old, float *centers)
{
    double shift = 0.0;
    for (int64_t l = 0; l < k; l++)
        for (int64_t j = 0; j < d; j++) {
            /* a cluster left with no weight (its one row moved to an empty
            ** one) keeps its centre */
            float c = wsum[l] > 0 ? (float)(sums[l * d + j] / wsum[l]) : old[l * d + j];
            double t = (double)c - old[l * d + j];
            shift += t * t;
            centers[l * d + j] = c;
        }
    return shift;
}

void rt_kmeans_tally(const rt_kmeans_data *x, int64_t first, int64_t rows,
                     const int32_t *label, const float *centers, int64_t k, double *partial)
{
    int64_t d = x->d;
    for (int64_t r = 0; r < rows; r++) {
        int64_t i = first + r;
        const float *xi = x->z + i * x->stride, *ci = centers + (int64_t)label[r] * d;
        double w = x->w ? x->w[i] : 1.0, s = 0.0;
        for (int64_t j = 0; j < d; j++) {
            double t = (double)xi[j] - ci[j];
            s += t * t;
        }
        partial[0] += w * s;
        partial[1 + label[r]] += 1.0;
        partial[1 + k + label[r]] += w;
    }
}
