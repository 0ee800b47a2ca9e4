/*
** src/logreg/cv.c: stratified k-fold cross-validation (retain_logreg_cv).
** The rows of each class are shuffled from the seed (core/rng, Fisher-Yates)
** and dealt to the folds in turn, so every fold holds floor or ceil of each
** class's share. Each fold's training rows are gathered into one float32
** copy (the largest is (folds - 1) / folds of x), fitted with the caller's
** params (scaler included), and the held-out rows scored and measured.
*/
#include "logreg.h"

#include "core/error.h"
#include "core/mem.h"
#include "core/rng.h"

#include <string.h>

/* fold[i] for every row. */
static retain_status assign_folds(const double *y, int64_t n, int64_t folds, uint64_t seed,
                                  int32_t *fold)
{
    int64_t *rows;
    retain_status s = retain_malloc((size_t)n * sizeof *rows, (void **)&rows);
    if (s)
        return s;
    for (int c = 0; c < 2; c++) {
        int64_t count = 0;
        for (int64_t i = 0; i < n; i++)
            if ((y[i] != 0) == c)
                rows[count++] = i;
        if (count < folds) {
            retain_free(rows);
            return rt_error(RETAIN_ERR_DATA, "cross-validation with %lld folds needs at least "
                            "%lld rows of each class, but class %d has %lld; use fewer folds",
                            (long long)folds, (long long)folds, c, (long long)count);
        }
        rt_rng rng;
        rt_rng_init(&rng, seed, 0xC0FFEEull + (uint64_t)c);
        for (int64_t k = count - 1; k > 0; k--) {
            int64_t j = (int64_t)rt_rng_below(&rng, (uint64_t)k + 1);
            int64_t t = rows[k];
            rows[k] = rows[j];
            rows[j] = t;
        }
        for (int64_t k = 0; k < count; k++)
            fold[rows[k]] = (int32_t)(k % folds);
    }
    retain_free(rows);
    return RETAIN_OK;
}

/* Rows whose fold is (in ? f : not f) into xs, ys, ws (ws when sw). */
static int64_t gather(const retain_matrix *x, const double *y, const float *sw,
                      const int32_t *fold, int32_t f, bool in, float *xs, double *ys, float *ws)
{
    int64_t d = x->cols, m = 0;
    for (int64_t i = 0; i < x->rows; i++) {
        if ((fold[i] == f) != in)
            continue;
        memcpy(xs + m * d, x->data + i * x->row_stride, (size_t)d * sizeof *xs);
        ys[m] = y[i];
        if (sw)
            ws[m] = sw[i];
        m++;
    }
    return m;
}

retain_status retain_logreg_cv(const retain_matrix *x, const double *y,
                               const float *sample_weight, const retain_logreg_params *p,
                               int64_t folds, uint64_t seed, double threshold,
                               retain_logreg_metrics *out)
{
    if (!x || !y || !p || !out)
        return rt_error(RETAIN_ERR_USAGE, "retain_logreg_cv: %s is NULL",
                        !x ? "x" : !y ? "y" : !p ? "params" : "out");
    if (folds < 2)
        return rt_error(RETAIN_ERR_USAGE, "retain_logreg_cv: folds is %lld; it must be at "
                        "least 2", (long long)folds);
    retain_status s;
    if ((s = retain_logreg_params_check(p)) || (s = rt_logreg_check_matrix(x, "retain_logreg_cv")))
        return s;
    int64_t n = x->rows, d = x->cols, bytes;
    int32_t *fold = NULL;
    float *xs = NULL, *ws = NULL;
    double *ys = NULL, *prob = NULL;
    uint8_t *check = NULL;
    if ((s = retain_malloc((size_t)n, (void **)&check)) ||
        (s = rt_logreg_labels(y, n, 0, check)))
        goto done;
    if (!rt_mul_size(n, d * (int64_t)sizeof *xs, &bytes)) {
        s = rt_error(RETAIN_ERR_DATA, "retain_logreg_cv: %lld x %lld floats overflow",
                     (long long)n, (long long)d);
        goto done;
    }
    if ((s = rt_mem_check_claim(bytes + n * 24, "cross-validation copy of the training rows",
                                "use fewer rows")) ||
        (s = retain_malloc((size_t)n * sizeof *fold, (void **)&fold)) ||
        (s = retain_malloc((size_t)bytes, (void **)&xs)) ||
        (s = retain_malloc((size_t)n * sizeof *ys, (void **)&ys)) ||
        (s = retain_malloc((size_t)n * sizeof *prob, (void **)&prob)) ||
        (sample_weight && (s = retain_malloc((size_t)n * sizeof *ws, (void **)&ws))) ||
        (s = assign_folds(y, n, folds, seed, fold)))
        goto done;
    for (int32_t f = 0; f < folds; f++) {
        int64_t m = gather(x, y, sample_weight, fold, f, false, xs, ys, ws);
        retain_matrix train = {xs, m, d, d};
        retain_logreg_model *model;
        if ((s = retain_logreg_fit(&train, ys, ws, p, &model))) {
            rt_error_context(s, "cross-validation fold %d of %lld", f + 1, (long long)folds);
            goto done;
        }
        m = gather(x, y, NULL, fold, f, true, xs, ys, NULL);
        retain_matrix test = {xs, m, d, d};
        s = retain_logreg_predict(model, &test, prob);
        retain_logreg_free(model);
        if (s || (s = retain_logreg_evaluate(ys, prob, m, threshold, &out[f])))
            goto done;
    }
done:
    retain_free(check);
    retain_free(fold);
    retain_free(xs);
    retain_free(ys);
    retain_free(prob);
    retain_free(ws);
    return s;
}
