/*
** tests/api/test_clv_api.c: the lifetime-value calls of include/retain.h as
** an outside program sees them (the header only, the shared library).
** A summary drawn here from a Pareto/NBD process is fitted by every count
** model: collapsed and per-customer fits agree (1e-9 relative), estimates
** are positive with standard errors; Pareto/NBD predictions for a customer
** seen only at T = 0 equal the closed form P(alive) = 1, E[Y(t)] =
** r beta / (alpha (s - 1)) [1 - (beta / (beta + t))^(s - 1)]; P(alive) lies
** in [0, 1] and expectations grow with the horizon; Gamma-Gamma gives the
** population mean spend p v / (q - 1) for x = 0; misuse (NULL columns, a
** bad kind, no repeat purchases, t_x > T in a row named by its index,
** spend from a count model) comes back as a status with a message.
*/
#include <retain.h>

#include "expect.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 5000


static uint64_t state = 12345;
static double uniform(void)
{
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(state >> 11) + 0.5) / 9007199254740992.0;
}

/* Gamma(k, 1) for a whole k: a sum of k exponentials. */
static double erlang(int k)
{
    double sum = 0;
    for (int j = 0; j < k; j++)
        sum += -log(uniform());
    return sum;
}

static double x[N], tx[N], T[N], m[N], pa[N], e13[N], e39[N];

/* Exponential purchase gaps (rate 0.05 .. 0.35 a week) until an
** exponential dropout (rate ~ 0.03 Exp(1)), ages of 0 .. 52 whole weeks. */
static void draw(void)
{
    for (int i = 0; i < N; i++) {
        double rate = 0.05 + 0.3 * uniform(), age = floor(53 * uniform());
        double end = -log(uniform()) / (0.03 * erlang(1)), t = 0;
        x[i] = tx[i] = 0;
        T[i] = age;
        for (;;) {
            t += -log(uniform()) / rate;
            if (t > age || t > end)
                break;
            x[i]++;
            tx[i] = floor(t);
        }
        /* Gamma-Gamma: nu ~ Gamma(3, rate 15), each spend ~ Gamma(4, rate nu) */
        double nu = erlang(3) / 15, total = 0;
        for (int k = 0; k < x[i]; k++)
            total += erlang(4) / nu;
        m[i] = x[i] > 0 ? total / x[i] : 0;
    }
}

int main(void)
{
    draw();
    retain_clv_summary s = {N, x, tx, T, m, NULL};
    retain_clv_params p;
    retain_clv_params_init(&p);
    EXPECT(p.kind == RETAIN_CLV_BGNBD && p.collapse && retain_clv_params_check(&p) == RETAIN_OK);
    for (int kind = RETAIN_CLV_BGNBD; kind <= RETAIN_CLV_PARETO; kind++) {
        retain_clv_model *grouped = NULL, *each = NULL;
        p.kind = (retain_clv_kind)kind;
        p.collapse = 1;
        EXPECT(retain_clv_fit(&s, &p, &grouped) == RETAIN_OK);
        p.collapse = 0;
        EXPECT(retain_clv_fit(&s, &p, &each) == RETAIN_OK);
        if (!grouped || !each)
            continue;
        EXPECT((int)retain_clv_model_kind(grouped) == kind &&
               retain_clv_model_nparams(grouped) == 4);
        EXPECT(retain_clv_model_converged(grouped) && retain_clv_model_n_iter(grouped) > 0);
        double lg = retain_clv_model_loglik(grouped), le = retain_clv_model_loglik(each);
        EXPECT(lg < 0 && fabs(lg - le) <= 1e-9 * fabs(le));
        for (int j = 0; j < 4; j++) {
            double a = retain_clv_model_params(grouped)[j], b = retain_clv_model_params(each)[j];
            EXPECT(a > 0 && fabs(a - b) <= 1e-6 * b && retain_clv_model_se(grouped)[j] > 0);
        }
        EXPECT(retain_clv_predict(grouped, &s, 13, pa, e13) == RETAIN_OK &&
               retain_clv_predict(grouped, &s, 39, NULL, e39) == RETAIN_OK);
        int bad = 0;
        for (int i = 0; i < N; i++)
            bad += !(pa[i] >= 0 && pa[i] <= 1 && e13[i] >= 0 && e39[i] > e13[i]);
        EXPECT(bad == 0);
        if (kind == RETAIN_CLV_PARETO) {
            const double *q = retain_clv_model_params(grouped);
            double r = q[0], al = q[1], sh = q[2], be = q[3], zero = 0, out_p, out_e;
            retain_clv_summary one = {1, &zero, &zero, &zero, NULL, NULL};
            EXPECT(retain_clv_predict(grouped, &one, 26, &out_p, &out_e) == RETAIN_OK);
            double want = r * be / (al * (sh - 1)) * (1 - pow(be / (be + 26), sh - 1));
            EXPECT(out_p == 1.0 && fabs(out_e - want) <= 1e-12 * want);
            double spend;
            EXPECT(retain_clv_predict_spend(grouped, &one, &spend) == RETAIN_ERR_USAGE &&
                   strstr(retain_last_error(), "Gamma-Gamma"));
        }
        retain_clv_free(grouped);
        retain_clv_free(each);
    }

    p.kind = RETAIN_CLV_GAMMA_GAMMA;
    retain_clv_model *gg = NULL;
    EXPECT(retain_clv_fit(&s, &p, &gg) == RETAIN_OK);
    if (gg) {
        const double *q = retain_clv_model_params(gg);
        double zero = 0, spend;
        retain_clv_summary one = {1, &zero, &zero, &zero, &zero, NULL};
        EXPECT(retain_clv_model_nparams(gg) == 3 && retain_clv_model_converged(gg));
        EXPECT(retain_clv_predict_spend(gg, &one, &spend) == RETAIN_OK &&
               fabs(spend - q[0] * q[2] / (q[1] - 1)) <= 1e-12 * spend);
        EXPECT(retain_clv_predict(gg, &s, 10, pa, NULL) == RETAIN_ERR_USAGE);
        retain_clv_free(gg);
    }

    retain_clv_model *none = NULL;
    retain_clv_summary broken = {N, x, NULL, T, NULL, NULL};
    p.kind = RETAIN_CLV_PARETO;
    EXPECT(retain_clv_fit(&broken, &p, &none) == RETAIN_ERR_USAGE && none == NULL &&
           strstr(retain_last_error(), "t_x"));
    double keep = tx[4321];
    tx[4321] = T[4321] + 1; /* a last purchase after the calibration end */
    EXPECT(retain_clv_fit(&s, &p, &none) == RETAIN_ERR_DATA &&
           strstr(retain_last_error(), "customer 4321"));
    tx[4321] = keep;
    double zeros[3] = {0, 0, 0}, ages[3] = {1, 2, 3};
    retain_clv_summary once = {3, zeros, zeros, ages, NULL, NULL};
    EXPECT(retain_clv_fit(&once, &p, &none) == RETAIN_ERR_DATA &&
           strstr(retain_last_error(), "repeat purchase"));
    p.kind = (retain_clv_kind)7;
    EXPECT(retain_clv_fit(&s, &p, &none) == RETAIN_ERR_USAGE &&
           strstr(retain_last_error(), "kind"));
    EXPECT_DONE();
}
