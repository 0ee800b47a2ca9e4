/*
** src/clv/pareto_quadrature.c: the integral of the Pareto/NBD likelihood,
**   I = int_a^b (p+u)^-e1 (q+u)^-e2 du   (p >= q > 0, 0 <= a < b),
** and its derivatives by adaptive Gauss-Kronrod quadrature. pareto.c sums a
** series instead, which needs about (e2 + 40) p / q terms: this is for the
** parameters where that is too many (p / q large).
** With v = q + u and w = ln v the integrand becomes
**   F(w) = (v + c)^-e1 v^(1-e2),  c = p - q >= 0,
** whose logarithm is concave in w: F has one peak, found in closed form, and
** every value is divided by it, so nothing overflows and no narrow spike can
** hide between the nodes. The derivatives are integrals of F times 1/(v+c),
** ln(v+c), 1/v and w. The panel whose 15-point Kronrod and 7-point Gauss sums
** of the five integrals disagree most is halved until every integral agrees
** to TOLERANCE; F is positive, so nothing cancels.
*/
#include "clv.h"

#include <math.h>

#define MAX_PANELS 256
#define TOLERANCE 1e-13
#define PARTS 5 /* F, F/(v+c), F ln(v+c), F/v, F w */

/* Kronrod nodes (positive half, the last is 0) and weights; the Gauss nodes
** are the odd entries (QUADPACK's qk15). */
static const double kronrod_x[8] = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.0};
static const double kronrod_w[8] = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
static const double gauss_w[4] = {
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327};

typedef struct integrand {
    double e1, e2, c, peak; /* ln F is divided by e^peak */
} integrand;

typedef struct panel {
    double lo, hi;
    double kronrod[PARTS], gauss[PARTS];
} panel;

static double log_f(const integrand *f, double w)
{
    return -f->e1 * log(exp(w) + f->c) + (1 - f->e2) * w;
}

static void add_node(const integrand *f, double w, double weight, double *sums)
{
    double v = exp(w), pv = v + f->c;
    double value = weight * exp(-f->e1 * log(pv) + (1 - f->e2) * w - f->peak);
    sums[0] += value;
    sums[1] += value / pv;
    sums[2] += value * log(pv);
    sums[3] += value / v;
    sums[4] += value * w;
}

static void evaluate(const integrand *f, panel *pn)
{
    double mid = 0.5 * (pn->lo + pn->hi), half = 0.5 * (pn->hi - pn->lo);
    for (int j = 0; j < PARTS; j++)
        pn->kronrod[j] = pn->gauss[j] = 0.0;
    for (int k = 0; k < 8; k++) {
        int sides = k == 7 ? 1 : 2;
        for (int side = 0; side < sides; side++) {
            double w = mid + (side ? -half : half) * kronrod_x[k];
            add_node(f, w, half * kronrod_w[k], pn->kronrod);
            if (k % 2)
                add_node(f, w, half * gauss_w[k / 2], pn->gauss);
        }
    }
}

/* The peak of ln F = -e1 ln(e^w + c) + (1 - e2) w on [lo, hi]: it rises
** while (1 - e2) > e1 v / (v + c). */
static double peak_at(double e1, double e2, double c, double lo, double hi)
{
    double g = 1 - e2;
    if (!(g > 0))
        return lo;
    if (g >= e1)
        return hi;
    double w = log(c * g / (e1 - g));
    return w < lo ? lo : w > hi ? hi : w;
}

bool rt_clv_pareto_quadrature(double p, double e1, double q, double e2, double a, double b,
                              rt_clv_integral *out)
{
    double lo = log(q + a), hi = log(q + b), c = p - q;
    double top = peak_at(e1, e2, c, lo, hi);
    integrand f = {e1, e2, c, 0.0};
    f.peak = log_f(&f, top);
    panel panels[MAX_PANELS];
    int count = 0;
    if (top > lo && top < hi) {
        panels[count++] = (panel){.lo = lo, .hi = top};
        panels[count++] = (panel){.lo = top, .hi = hi};
    } else {
        panels[count++] = (panel){.lo = lo, .hi = hi};
    }
    for (int i = 0; i < count; i++)
        evaluate(&f, &panels[i]);
    double total[PARTS];
    for (;;) {
        double error[PARTS] = {0};
        for (int j = 0; j < PARTS; j++)
            total[j] = 0.0;
        for (int i = 0; i < count; i++)
            for (int j = 0; j < PARTS; j++) {
                total[j] += panels[i].kronrod[j];
                error[j] += fabs(panels[i].kronrod[j] - panels[i].gauss[j]);
            }
        /* the log-weighted integrals are held to their size plus I's: the
        ** derivative they give is their ratio to I */
        double scale[PARTS];
        bool done = true;
        for (int j = 0; j < PARTS; j++) {
            scale[j] = fabs(total[j]) + (j == 2 || j == 4 ? total[0] : 0.0);
            done = done && error[j] <= TOLERANCE * scale[j];
        }
        if (done)
            break;
        if (count == MAX_PANELS || !(total[0] > 0))
            return false;
        int worst = 0;
        double worst_share = -1.0;
        for (int i = 0; i < count; i++) {
            double share = 0.0;
            for (int j = 0; j < PARTS; j++)
                share += fabs(panels[i].kronrod[j] - panels[i].gauss[j]) / scale[j];
            if (share > worst_share) {
                worst_share = share;
                worst = i;
            }
        }
        double mid = 0.5 * (panels[worst].lo + panels[worst].hi);
        panels[count] = (panel){.lo = mid, .hi = panels[worst].hi};
        panels[worst].hi = mid;
        evaluate(&f, &panels[worst]);
        evaluate(&f, &panels[count++]);
    }
    out->log_value = f.peak + log(total[0]);
    out->d_p = -e1 * total[1] / total[0];
    out->d_e1 = -total[2] / total[0];
    out->d_q = -e2 * total[3] / total[0];
    out->d_e2 = -total[4] / total[0];
    return true;
}
