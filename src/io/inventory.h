/*
** src/io/inventory.h: what an HDF5 file holds, for `retain info`: every
** dataset with shape, type, chunking and filters, and per-column NaN/Inf
** counts with min/mean/max for numeric data, computed in row blocks with
** bounded memory through the colstats kernel.
*/
#ifndef RT_IO_INVENTORY_H
#define RT_IO_INVENTORY_H

#include "retain.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct rt_column_stats {
    int64_t nan, inf;
    double min, max, mean, std; /* over finite values; NaN if none */
} rt_column_stats;

typedef struct rt_dataset_info {
    char path[512];
    int rank;        /* may exceed 8; dims holds the first 8 */
    int64_t dims[8];
    char type[32];
    int64_t chunk[8]; /* zeros when contiguous */
    char filters[96]; /* "gzip 4 + shuffle", "" for none */
    int64_t storage_bytes;
    bool numeric;
    bool has_stats;
    int64_t stats_cols;      /* columns with stats (1 for 1-D) */
    rt_column_stats *stats;  /* malloc'd, stats_cols entries */
    char note[400];          /* why stats were not computed, or "" */
} rt_dataset_info;

typedef struct rt_inventory {
    int64_t file_bytes;
    int64_t count;
    rt_dataset_info *datasets;
} rt_inventory;

/* Lists every dataset (each group is entered once, so cycles of hard links
** end); stats for numeric (integer or float) 1-D and 2-D datasets with 1 to
** `max_stat_cols` columns, except those at or under `skip_stats` (a
** path the caller describes itself; NULL for none), a second link to a
** dataset already described, and those whose claimed size the file cannot
** hold (rt_h5_check_stored_shared, one slack for the file: the reason goes
** to `note`, so a damaged file is described, never read for days).
** The progress callback may be NULL. */
retain_status rt_inventory_build(const char *path, int64_t max_stat_cols,
                                 const char *skip_stats,
                                 void (*progress)(void *, const char *, int64_t, int64_t),
                                 void *progress_user, rt_inventory *out);
void rt_inventory_free(rt_inventory *inv);

/* Statistics of a float32 row-major block accumulated over many calls. */
typedef struct rt_stats_acc rt_stats_acc;
retain_status rt_stats_acc_create(int64_t cols, rt_stats_acc **out);
void rt_stats_acc_add(rt_stats_acc *acc, const float *x, int64_t rows);
void rt_stats_acc_finish(const rt_stats_acc *acc, rt_column_stats *out);
void rt_stats_acc_free(rt_stats_acc *acc);

#endif
