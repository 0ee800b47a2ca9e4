/*
** src/io/logreg_model.h: logistic-regression (churn) model files (HDF5).
** Layout, format 1:
**   /meta            group; attributes format_version, kind = "logreg",
**                    engine_version, feature_names, label, training
**                    parameters (penalty, C, l1_ratio, tol, max_iter,
**                    memory, scale, class_weight_mode, class_weight as
**                    applied), the fit (intercept, intercept_original,
**                    objective, n_iter, converged, warnings, train_rows,
**                    train_positives), training metrics (train_roc_auc,
**                    train_pr_auc, train_log_loss, train_brier) and
**                    training_file
**   /scaler/mean, /scaler/scale   float64 (d); 0 and 1 for scale "none"
**   /coef            float64 (d), scaled units
**   /coef_original   float64 (d), the input's units
** Saving goes through rt_output (atomic); loading refuses another kind, a
** newer format or a damaged file with a message naming the file.
*/
#ifndef RT_IO_LOGREG_MODEL_H
#define RT_IO_LOGREG_MODEL_H

#include "retain.h"

#include <stdint.h>

#define RT_LOGREG_FORMAT_VERSION 1

/* Writes m to path atomically; refuses a path that is one of the inputs.
** feature_names: d names; label and training_file are recorded in /meta;
** train: training metrics to record, or NULL. */
retain_status rt_logreg_model_save(const char *path, const retain_logreg_model *m,
                                   const char *const *feature_names, const char *label,
                                   const char *training_file,
                                   const retain_logreg_metrics *train,
                                   const char *const *inputs, int ninputs);

/* Reads a model and its feature names (d of them; free with
** rt_h5_free_strings(names, d)). */
retain_status rt_logreg_model_load(const char *path, retain_logreg_model **out,
                                   char ***feature_names);

#endif
