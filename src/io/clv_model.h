/*
** src/io/clv_model.h: lifetime-value model files (HDF5; what every model
** file shares: model_file.h). Layout, format 1:
**   /meta  group; attributes format_version, kind = "clv", engine_version,
**          feature_names (the summary: x, t_x, T, m_x), training_file, and
**          model (bgnbd | mbgnbd | pareto), occasion (day | order),
**          time_unit (day | week), calibration_end, customers,
**          repeat_buyers, params (r, alpha, a, b; Pareto/NBD: r, alpha, s,
**          beta), se, loglik, n_iter, converged and, with
**          a spend model, gamma_gamma (p, q, v), gamma_gamma_se,
**          gamma_gamma_loglik
** The time unit is stored so that a model fitted in weeks is never applied
** in days.
*/
#ifndef RT_IO_CLV_MODEL_H
#define RT_IO_CLV_MODEL_H

#include "clv/clv.h"

#define RT_CLV_FORMAT_VERSION 1

typedef struct rt_clv_saved {
    rt_clv_model model;
    const char *occasion, *time_unit, *calibration_end;
    int64_t customers, repeat_buyers;
    const rt_clv_fit *fit, *spend; /* spend NULL: no Gamma-Gamma */
} rt_clv_saved;

/* A model as read back; period.end is the day after the calibration end
** and period.holdout_end 0. */
typedef struct rt_clv_loaded {
    rt_clv_model model;
    char model_name[16], occasion[16], time_unit[16], calibration_end[32];
    rt_clv_period period;
    double params[4], spend[3];
    bool has_spend;
} rt_clv_loaded;

/* Reads path, refusing (RETAIN_ERR_DATA, the file named) another kind of
** model, a newer format, and a damaged or truncated file. */
retain_status rt_clv_model_load(const char *path, rt_clv_loaded *out);

retain_status rt_clv_model_save(const char *path, const rt_clv_saved *m,
                                const char *training_file, const char *const *inputs,
                                int ninputs);

#endif
