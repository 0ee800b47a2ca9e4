/*
** tests/unit/test_logreg.c: the logistic-regression module below the
** command line. The logreg_pass kernel: every compiled variant against
** _scalar on odd column counts, strides wider than the row, misaligned
** pointers, with and without weights, within 1e-12 relative (the variants
** sum in another order); margins-only mode. rt_logreg_loss_grad: the same
** bits for 1, 2 and 3 threads, and a gradient that matches central
** differences of the loss. The fit: same bits for 1 and 3 threads, the
** objective's optimality (gradient ~ 0) checked from outside, L1 zeros,
** parameter checks naming the field, labels other than 0/1 and one class
** refused, NaN refused by row and column (the first of several blocks for
** any thread count). Evaluate: a hand-computed case
** with ties.
*/
#include "check.h"

#include "core/parallel.h"
#include "core/rng.h"
#include "kernels/cpu/kernels.h"
#include "logreg/logreg.h"
#include "retain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ROWS 9001
#define COLS 37

static float xbuf[ROWS * (COLS + 3) + 1];
static uint8_t ybuf[ROWS];
static double wbuf[ROWS], label[ROWS];

static void fill(rt_rng *rng, int64_t stride)
{
    for (int64_t i = 0; i < ROWS; i++) {
        double s = 0;
        for (int64_t j = 0; j < stride; j++) {
            float v = (float)(rt_rng_normal(rng) * (1 + j % 5) + (j % 3) * 10);
            xbuf[1 + i * stride + j] = v;
            if (j < 4)
                s += (j % 2 ? -0.3 : 0.2) * (v - (j % 3) * 10);
        }
        ybuf[i] = rt_rng_uniform(rng) < 1 / (1 + exp(-s)) ? 1 : 0;
        label[i] = ybuf[i];
        wbuf[i] = 0.5 + rt_rng_uniform(rng);
    }
}

static bool near(double a, double b, double tol)
{
    return fabs(a - b) <= tol * (fabs(b) > 1 ? fabs(b) : 1);
}

static void test_kernels(void)
{
    rt_rng rng;
    rt_rng_init(&rng, 11, 0);
    static double v[COLS], m0[ROWS], m1[ROWS];
    for (int j = 0; j < COLS; j++)
        v[j] = rt_rng_normal(&rng) * 0.1;
    int64_t dims[] = {1, 3, 7, 8, 9, 16, 17, 33, 37};
    for (size_t di = 0; di < sizeof dims / sizeof dims[0]; di++) {
        int64_t d = dims[di], stride = d + 3;
        fill(&rng, stride);
        const float *x = xbuf + 1; /* misaligned on purpose */
        for (int weighted = 0; weighted < 2; weighted++) {
            double acc0[2] = {0, 0}, g0[COLS] = {0};
            rt_logreg_pass_scalar(x, ROWS, d, stride, v, 0.3, ybuf, weighted ? wbuf : NULL, m0,
                                  acc0, g0);
            for (int isa = RT_ISA_AVX2; isa < RT_ISA_COUNT; isa++) {
                const rt_kernels *k = rt_kernels_for((rt_isa)isa);
                if (!k)
                    continue;
                double acc1[2] = {0, 0}, g1[COLS] = {0};
                k->logreg_pass(x, ROWS, d, stride, v, 0.3, ybuf, weighted ? wbuf : NULL, m1,
                               acc1, g1);
                bool ok = near(acc1[0], acc0[0], 1e-12) && near(acc1[1], acc0[1], 1e-10);
                for (int64_t j = 0; j < d; j++)
                    ok &= near(g1[j], g0[j], 1e-10);
                for (int64_t i = 0; i < ROWS; i++)
                    ok &= near(m1[i], m0[i], 1e-12);
                CHECK(ok, "%s logreg_pass d=%lld weighted=%d differs from scalar", k->name,
                      (long long)d, weighted);
                k->logreg_pass(x, ROWS, d, stride, v, 0.3, NULL, NULL, m1, NULL, NULL);
                ok = true;
                for (int64_t i = 0; i < ROWS; i++)
                    ok &= near(m1[i], m0[i], 1e-12);
                CHECK(ok, "%s margins-only d=%lld differs", k->name, (long long)d);
            }
        }
    }
}

static void test_loss_grad(void)
{
    rt_rng rng;
    rt_rng_init(&rng, 12, 0);
    int64_t d = 9;
    fill(&rng, d);
    double mean[9], scale[9], theta[10], g[3][10], loss[3];
    for (int j = 0; j < 9; j++) {
        mean[j] = (j % 3) * 10;
        scale[j] = 1 + j % 5;
        theta[j] = 0.1 * (j - 4);
    }
    theta[9] = -0.2;
    rt_logreg_data data = {xbuf + 1, ROWS, d, d, ybuf, wbuf, mean, scale, NULL};
    for (int t = 1; t <= 3; t++) {
        retain_threads_set(t);
        CHECK(rt_logreg_loss_grad(&data, theta, &loss[t - 1], g[t - 1]) == RETAIN_OK,
              "loss_grad failed");
    }
    retain_threads_set(0);
    CHECK(memcmp(g[0], g[1], sizeof g[0]) == 0 && memcmp(g[0], g[2], sizeof g[0]) == 0 &&
              loss[0] == loss[1] && loss[0] == loss[2],
          "loss and gradient differ between 1, 2 and 3 threads");
    for (int k = 0; k < 10; k++) {
        double h = 1e-5, tp[10], lp, lm, scratch[10];
        memcpy(tp, theta, sizeof tp);
        tp[k] += h;
        rt_logreg_loss_grad(&data, tp, &lp, scratch);
        tp[k] -= 2 * h;
        rt_logreg_loss_grad(&data, tp, &lm, scratch);
        double fd = (lp - lm) / (2 * h);
        CHECK(near(g[0][k], fd, 1e-6), "gradient[%d] %.12g vs central difference %.12g", k,
              g[0][k], fd);
    }
}

static void test_fit(void)
{
    rt_rng rng;
    rt_rng_init(&rng, 13, 0);
    int64_t d = 6;
    fill(&rng, d);
    retain_matrix x = {xbuf + 1, ROWS, d, d};
    retain_logreg_params p;
    retain_logreg_params_init(&p);
    p.tol = 1e-10;
    p.C = 0.3;
    retain_logreg_model *m[2] = {NULL, NULL};
    for (int t = 0; t < 2; t++) {
        retain_threads_set(t ? 3 : 1);
        CHECK(retain_logreg_fit(&x, label, NULL, &p, &m[t]) == RETAIN_OK, "fit: %s",
              retain_last_error());
    }
    retain_threads_set(0);
    if (m[0] && m[1]) {
        CHECK(memcmp(m[0]->coef, m[1]->coef, (size_t)d * sizeof(double)) == 0 &&
                  m[0]->intercept == m[1]->intercept && m[0]->objective == m[1]->objective,
              "fit differs between 1 and 3 threads");
        CHECK(retain_logreg_model_converged(m[0]) && !retain_logreg_model_warnings(m[0]),
              "fit did not converge");
        /* optimality: C * grad(loss) + w = 0, intercept part C * sum g = 0 */
        rt_logreg_data data = {x.data, ROWS, d, d, ybuf, NULL, m[0]->mean, m[0]->scale, NULL};
        double theta[7], g[7], loss;
        memcpy(theta, m[0]->coef, 6 * sizeof(double));
        theta[6] = m[0]->intercept;
        rt_logreg_loss_grad(&data, theta, &loss, g);
        double worst = fabs(p.C * g[6]);
        for (int j = 0; j < 6; j++)
            worst = fmax(worst, fabs(p.C * g[j] + theta[j]));
        CHECK(worst <= 1e-9 * p.C * ROWS, "gradient at the solution %.3g", worst);
        double sq = 0;
        for (int j = 0; j < 6; j++)
            sq += theta[j] * theta[j];
        CHECK(near(m[0]->objective, p.C * loss + 0.5 * sq, 1e-12), "reported objective");
        double prob[4];
        retain_matrix four = {x.data, 4, d, d};
        retain_logreg_predict(m[0], &four, prob);
        for (int i = 0; i < 4; i++) {
            double z = m[0]->intercept_original;
            for (int j = 0; j < 6; j++)
                z += m[0]->coef_original[j] * x.data[i * d + j];
            CHECK(near(prob[i], 1 / (1 + exp(-z)), 1e-12), "predict row %d", i);
        }
    }
    retain_logreg_free(m[0]);
    retain_logreg_free(m[1]);

    p.penalty = RETAIN_LOGREG_L1;
    p.C = 0.002;
    retain_logreg_model *l1;
    CHECK(retain_logreg_fit(&x, label, NULL, &p, &l1) == RETAIN_OK, "L1 fit");
    int zeros = 0;
    for (int j = 0; j < 6; j++)
        zeros += l1->coef[j] == 0.0;
    CHECK(zeros >= 2 && zeros < 6, "L1 at small C gives exact zeros (%d of 6)", zeros);
    retain_logreg_free(l1);
}

static void test_refusals(void)
{
    retain_logreg_params p;
    retain_logreg_params_init(&p);
    p.C = -1;
    CHECK(retain_logreg_params_check(&p) == RETAIN_ERR_USAGE &&
              strstr(retain_last_error(), "C is -1"), "C < 0 named");
    retain_logreg_params_init(&p);
    p.l1_ratio = 2;
    CHECK(retain_logreg_params_check(&p) == RETAIN_ERR_USAGE &&
              strstr(retain_last_error(), "l1_ratio"), "l1_ratio named");
    retain_logreg_params_init(&p);
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    double y[4] = {0, 1, 3, 1}, one[4] = {1, 1, 1, 1};
    retain_matrix m = {x, 4, 2, 2};
    retain_logreg_model *out;
    CHECK(retain_logreg_fit(&m, y, NULL, &p, &out) == RETAIN_ERR_DATA &&
              strstr(retain_last_error(), "3"), "label 3 refused: %s", retain_last_error());
    CHECK(retain_logreg_fit(&m, one, NULL, &p, &out) == RETAIN_ERR_DATA &&
              strstr(retain_last_error(), "one class"), "one class refused");
    x[5] = NAN;
    y[2] = 0;
    CHECK(retain_logreg_fit(&m, y, NULL, &p, &out) == RETAIN_ERR_DATA &&
              strstr(retain_last_error(), "row 2 column 1"), "NaN named: %s",
          retain_last_error());
    /* the first bad row of several blocks, whatever thread finds which */
    for (int64_t i = 0; i < ROWS * 3; i++)
        xbuf[i] = 1.0f;
    xbuf[9000 * 3 + 1] = INFINITY;
    xbuf[5000 * 3 + 2] = NAN;
    retain_matrix big = {xbuf, ROWS, 3, 3};
    for (int t = 1; t <= 3; t++) {
        retain_threads_set(t);
        CHECK(retain_logreg_fit(&big, label, NULL, &p, &out) == RETAIN_ERR_DATA &&
                  strstr(retain_last_error(), "row 5000 column 2"),
              "first NaN of many blocks at %d threads: %s", t, retain_last_error());
    }
    retain_threads_set(0);
}

static void test_evaluate(void)
{
    /* scores with a tie across classes: ROC AUC = (pairs ranked right + half the
    ** tied pairs) / (pos * neg) = (2 + 0.5 + 1) / 4 */
    double y[5] = {1, 0, 1, 0, 0}, p[5] = {0.9, 0.6, 0.6, 0.2, 0.95};
    retain_logreg_metrics m;
    CHECK(retain_logreg_evaluate(y, p, 5, 0.5, &m) == RETAIN_OK, "evaluate");
    double pos = 2, neg = 3;
    /* positives 0.9, 0.6; negatives 0.6, 0.2, 0.95 */
    double right = (0.9 > 0.6) + (0.9 > 0.2) + (0.9 > 0.95) + (0.6 > 0.2) + 0.5;
    CHECK(m.roc_auc == right / (pos * neg), "AUC %.17g vs %.17g", m.roc_auc,
          right / (pos * neg));
    CHECK(m.precision == 2.0 / 4.0 && m.recall == 1.0, "precision %g recall %g", m.precision,
          m.recall);
}

int main(void)
{
    test_kernels();
    test_loss_grad();
    test_fit();
    test_refusals();
    test_evaluate();
    CHECK_DONE();
}
