/*
** tests/api/test_public_api.c: libretain as an outside program sees it:
** only include/retain.h, linked against the shared library. Checks that the
** header stands alone, that the exported calls behave as documented
** (version, status names, per-thread errors, the log callback, threads,
** aligned memory, matrix views, a logistic-regression fit, the device
** choice) and that failures come back as statuses
** with a message, never as a crash or an exit.
*/
#include <retain.h>

#include "expect.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>


int main(void)
{
    EXPECT(strcmp(retain_version(), RETAIN_VERSION_STRING) == 0);
    EXPECT(strstr(retain_build_info(), RETAIN_VERSION_STRING) != NULL);
    EXPECT(strcmp(retain_status_name(RETAIN_ERR_DATA), "data") == 0);
    const char *isa = retain_isa_name();
    EXPECT(strcmp(isa, "scalar") == 0 || strcmp(isa, "avx2") == 0 || strcmp(isa, "avx512") == 0);

    EXPECT(retain_threads_set(-3) == RETAIN_ERR_USAGE);
    EXPECT(strstr(retain_last_error(), "-3") != NULL);
    EXPECT(retain_threads_set(1) == RETAIN_OK && retain_threads_get() == 1);

    void *p = NULL;
    EXPECT(retain_malloc(100, &p) == RETAIN_OK && ((uintptr_t)p & 63) == 0);
    retain_free(p);
    EXPECT(retain_malloc(10, NULL) == RETAIN_ERR_USAGE);

    retain_matrix_owned m;
    EXPECT(retain_matrix_alloc(4, 3, &m) == RETAIN_OK);
    m.data[2 * 3 + 1] = 7.0f;
    retain_matrix v = retain_matrix_rows(retain_matrix_view(&m), 2, 5);
    EXPECT(v.rows == 2 && v.cols == 3 && v.row_stride == 3 && v.data[1] == 7.0f);
    retain_matrix_release(&m);
    EXPECT(retain_matrix_alloc(INT64_MAX / 4, 1000, &m) == RETAIN_ERR_DATA && m.data == NULL);
    EXPECT(strlen(retain_last_error()) > 0);
    EXPECT(retain_matrix_alloc(-1, 3, &m) == RETAIN_ERR_DATA);

    /* logistic regression: fit, predict, evaluate through the exports */
    float xs[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    double ys[8] = {0, 0, 1, 0, 1, 0, 1, 1}, prob[8];
    retain_matrix lx = {xs, 8, 1, 1};
    retain_logreg_params lp;
    retain_logreg_params_init(&lp);
    retain_logreg_model *lm = NULL;
    EXPECT(retain_logreg_fit(&lx, ys, NULL, &lp, &lm) == RETAIN_OK);
    if (lm) {
        EXPECT(retain_logreg_model_d(lm) == 1 && retain_logreg_model_coef(lm)[0] > 0);
        EXPECT(retain_logreg_predict(lm, &lx, prob) == RETAIN_OK && prob[7] > prob[0]);
        retain_logreg_metrics lmet;
        EXPECT(retain_logreg_evaluate(ys, prob, 8, 0.5, &lmet) == RETAIN_OK &&
               lmet.roc_auc > 0.5);
        retain_logreg_free(lm);
    }
    ys[0] = 5;
    EXPECT(retain_logreg_fit(&lx, ys, NULL, &lp, &lm) == RETAIN_ERR_DATA && lm == NULL);

    /* devices: cpu always; auto is cpu or cuda, saying why when cpu; cuda
    ** is either usable or RETAIN_ERR_DEVICE with a message; the fit on the
    ** device auto takes gives the CPU's objective to 1e-6 */
    retain_device dev = RETAIN_DEVICE_AUTO;
    char why[256];
    EXPECT(retain_device_resolve(RETAIN_DEVICE_CPU, &dev, why, sizeof why) == RETAIN_OK &&
           dev == RETAIN_DEVICE_CPU && why[0] == '\0');
    EXPECT(retain_device_resolve((retain_device)7, &dev, why, sizeof why) == RETAIN_ERR_USAGE);
    EXPECT(retain_device_resolve(RETAIN_DEVICE_AUTO, &dev, why, sizeof why) == RETAIN_OK &&
           (dev == RETAIN_DEVICE_CUDA) == (why[0] == '\0'));
    bool gpu = dev == RETAIN_DEVICE_CUDA;
    retain_status cs = retain_device_resolve(RETAIN_DEVICE_CUDA, &dev, why, sizeof why);
    EXPECT(gpu ? cs == RETAIN_OK && dev == RETAIN_DEVICE_CUDA
               : cs == RETAIN_ERR_DEVICE && strstr(retain_last_error(), "no usable GPU"));
    EXPECT(strcmp(retain_device_name(RETAIN_DEVICE_AUTO), "auto") == 0);
    ys[0] = 0;
    retain_logreg_model *cpu_m = NULL, *auto_m = NULL;
    lp.device = RETAIN_DEVICE_CPU;
    EXPECT(retain_logreg_fit(&lx, ys, NULL, &lp, &cpu_m) == RETAIN_OK);
    lp.device = RETAIN_DEVICE_AUTO;
    EXPECT(retain_logreg_fit(&lx, ys, NULL, &lp, &auto_m) == RETAIN_OK);
    if (cpu_m && auto_m) {
        double a = retain_logreg_model_objective(cpu_m), b = retain_logreg_model_objective(auto_m);
        EXPECT(a > 0 && (a - b) / a < 1e-6 && (b - a) / a < 1e-6);
    }
    retain_logreg_free(cpu_m);
    retain_logreg_free(auto_m);
    lp.device = RETAIN_DEVICE_CUDA;
    EXPECT(gpu || retain_logreg_fit(&lx, ys, NULL, &lp, &lm) == RETAIN_ERR_DEVICE);

    EXPECT_DONE();
}
