/*
** src/kmeans/metrics.h: what metrics.c (retain_kmeans_evaluate: silhouette,
** Calinski-Harabasz, Davies-Bouldin) exposes beyond the public header, for
** its unit test: the row sampler behind the sampled silhouette.
*/
#ifndef RT_KMEANS_METRICS_H
#define RT_KMEANS_METRICS_H

#include <stdint.h>

/* `count` distinct row numbers of [0, n), 0 <= count <= n, drawn uniformly
** without replacement from `seed` (selection sampling, Knuth's Algorithm
** S: O(n) time, no memory beyond rows), in ascending order into rows. */
void rt_kmeans_sample_rows(int64_t n, int64_t count, uint64_t seed, int64_t *rows);

#endif
