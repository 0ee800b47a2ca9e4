/*
** src/score/score.h: the nightly scoring job behind `retain score`. It
** loads a segment model and/or a churn model, checks that they agree with
** each other and with the input's features before reading a row, then
** streams the input in row blocks sized from a memory budget: one I/O
** thread reads block i+1 and writes block i-1 while OpenMP computes block
** i, and every HDF5 call happens on that one thread. Each model is a
** per-block scorer that fills its output columns (score.c); the
** lifetime-value scorer also reads the input's per-user summary columns
** (clv_x, clv_t_x, clv_T, clv_m_x of `retain features --with-clv`). The
** models' columns are selected from the input by name. The result is
** written atomically and summarised per segment and churn-risk tier, and
** per P(alive) band.
*/
#ifndef RT_SCORE_SCORE_H
#define RT_SCORE_SCORE_H

#include "retain.h"

#include "clv/clv.h"
#include "core/log.h"
#include "io/clv_model.h"
#include "io/features.h"
#include "score/risk.h"

#include <stdbool.h>
#include <stdint.h>

/* Memory the engine needs beside the row blocks: code, libraries, HDF5's
** own buffers and the models (the chunk cache is budgeted separately). */
#define RT_SCORE_BASE_BYTES ((int64_t)48 << 20)
#define RT_SCORE_DEFAULT_MEMORY ((int64_t)512 << 20)
/* Blocks hold at most this many rows: beyond it a larger budget buys no
** speed, only a later first write. */
#define RT_SCORE_MAX_BLOCK_ROWS ((int64_t)1 << 18)
/* The smallest block worth a pass through the pipeline. */
#define RT_SCORE_MIN_BLOCK_ROWS ((int64_t)1024)

typedef struct rt_score_params {
    const char *input, *output;
    const char *segments_path; /* k-means model, or NULL           */
    const char *churn_path;    /* logistic-regression model, or NULL */
    const char *clv_path;      /* lifetime-value model, or NULL      */
    const rt_clv_loaded *clv;  /* it, loaded by the caller           */
    rt_clv_horizon clv_horizon;   /* in the model's time unit        */
    const char *clv_horizon_text; /* as given ("39w"), for attributes */
    const char *clv_discount_period;
    rt_features_spec spec;     /* how to read the input's features  */
    int64_t memory;            /* bytes the job may use             */
    bool skip_invalid;         /* score around rows with NaN/Inf     */
    rt_risk_rule risk;         /* churn-risk cut points              */
    retain_device device;      /* resolved: cpu or cuda (segments and churn
                                  on the GPU; lifetime value on the CPU) */
    rt_progress_fn progress;   /* phase "score": rows done, or NULL  */
    void *progress_user;
} rt_score_params;

/* What the job did: users per segment x risk tier (segments is 1 without
** a segment model, tiers 1 without a churn model), and the sum of churn
** probabilities per cell (expected churners); with a lifetime-value model
** users and expected purchases per P(alive) band, and the totals of
** expected purchases and CLV (0 without a spend model). Sums run in row
** order. */
typedef struct rt_score_summary {
    int64_t rows, skipped, first_skipped; /* first_skipped: -1 if none  */
    int64_t segments, tiers;
    int64_t *users;   /* segments x tiers */
    double *churners; /* segments x tiers */
    int64_t band_users[RT_CLV_BANDS];
    double band_expected[RT_CLV_BANDS];
    double expected_purchases, clv;
    int64_t block_rows, blocks;
    double seconds;
} rt_score_summary;

/* Runs the job; on success out holds the summary (free with
** rt_score_summary_free). On failure nothing is left under p->output. */
retain_status rt_score_run(const rt_score_params *p, rt_score_summary *out);
void rt_score_summary_free(rt_score_summary *s);

#endif
