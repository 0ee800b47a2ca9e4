/*
** src/clv/likelihood.c: log-likelihoods of the summary and their analytic
** gradients, in log space so that nothing overflows.
**
** BG/NBD (Fader, Hardie and Lee 2005, eq. 6), per customer:
**   L = B(a, b+x) / B(a, b) * G(r+x) a^r / (G(r) (al+T)^(r+x))
**     + [x > 0] B(a+1, b+x-1) / B(a, b) * G(r+x) al^r / (G(r) (al+tx)^(r+x))
** MBG/NBD (Batislam, Denizel and Filiztekin 2007): the same with b+x+1 and
** b+x in the two betas and the second term for every x, so a customer can
** also drop out before the first repeat purchase. Both are
**   ln L = lnG(r+x) - lnG(r) + r ln al - lnB(a, b) + ln(e^A + e^B),
**   A = lnB(a, b+x+k) - (r+x) ln(al+T), B = lnB(a+1, b+x-1+k) - (r+x) ln(al+tx)
** with k = 0 (BG) or 1 (MBG); the last term is a log-sum-exp.
** Pareto/NBD (Schmittlein, Morrison and Colombo 1987), per customer:
**   ln L = lnG(r+x) - lnG(r) + r ln al + s ln be + ln(e^alive + e^gone)
** with the two terms of pareto.c (hypergeometric series in log space).
** Gamma-Gamma (Fader, Hardie and Lee 2005, "RFM and CLV"; the form the
** lifetimes package fits), per customer with x > 0 and mean spend m:
**   ln L = lnG(px+q) - lnG(px) - lnG(q) + q ln v + (px-1) ln m + px ln x
**          - (px+q) ln(v + x m).
** Gradients use digamma (core/special.c). What depends on x alone is
** computed once per x, what depends on T once per distinct T (core/memo.h),
** so a customer costs an exp and a log1p (Gamma-Gamma: two logs).
*/
#include "clv.h"

#include "core/error.h"
#include "core/memo.h"
#include "core/parallel.h"
#include "core/special.h"

#include <math.h>
#include <stdlib.h>

/* ln(alpha + t) and 1 / (alpha + t) (value[0], value[1]) of a time t, from
** a per-thread memo: times take few values (days of a calendar). */
#define TIMES_BITS 12
static inline const rt_memo_slot *time_terms(const rt_memo *m, double al, double t)
{
    bool hit;
    rt_memo_slot *slot = rt_memo_find(m, t, 0.0, &hit);
    if (!hit) {
        slot->value[0] = log(al + t);
        slot->value[1] = 1 / (al + t);
        rt_memo_fill(slot, t, 0.0);
    }
    return slot;
}

int rt_clv_nparams(rt_clv_model model) { return model == RT_CLV_GAMMA_GAMMA ? 3 : 4; }

const char *rt_clv_title(rt_clv_model model)
{
    static const char *const titles[] = {"BG/NBD", "MBG/NBD", "Pareto/NBD", "Gamma-Gamma"};
    return titles[model];
}

/* What a customer's terms need of the special functions, which depend on
** x alone: with k = 0 (BG/NBD) or 1 (MBG/NBD; Pareto/NBD reads the first
** two only). Gamma-Gamma reads the first three as
**   lnG(px+q) - lnG(px) + px ln x,  psi(px+q),  x (psi(px+q) - psi(px) + ln x). */
typedef struct per_x {
    double lg_rx, psi_rx;             /* lnG(r+x), psi(r+x)                */
    double lb_A, lb_B;                /* lnB(a, b+x+k), lnB(a+1, b+x-1+k)  */
    double psi_abx, psi_b_A, psi_b_B; /* psi(a+b+x+k), psi(b+x+k), psi(b+x-1+k) */
} per_x;

/* Counts are whole numbers, mostly small: past this many distinct values
** (or with a fractional x) each customer computes its own. */
#define TABLE_MAX 65536

typedef struct lik_ctx {
    rt_clv_model model;
    const rt_clv_summary *s;
    const double *p;
    const per_x *table; /* per_x of x = 0 .. table_len - 1, or NULL */
    int64_t table_len;
    rt_memo *times; /* per thread: ln(alpha + T) and 1 / (alpha + T) */
} lik_ctx;

static void fill_per_x(rt_clv_model model, const double *p, double x, per_x *out)
{
    if (model == RT_CLV_GAMMA_GAMMA) {
        if (!(x > 0)) { /* no spend term: never read */
            *out = (per_x){0};
            return;
        }
        double px = p[0] * x, q = p[1], lx = log(x), psi_pxq = rt_digamma(px + q);
        out->lg_rx = rt_lgamma(px + q) - rt_lgamma(px) + px * lx;
        out->psi_rx = psi_pxq;
        out->lb_A = x * (psi_pxq - rt_digamma(px) + lx);
        return;
    }
    double r = p[0], a = p[2], b = p[3], k = model == RT_CLV_MBGNBD ? 1.0 : 0.0;
    out->lg_rx = rt_lgamma(r + x);
    out->psi_rx = rt_digamma(r + x);
    if (model == RT_CLV_PARETO)
        return;
    bool second = x > 0 || k > 0;
    out->lb_A = rt_lbeta(a, b + x + k);
    out->lb_B = second ? rt_lbeta(a + 1, b + x - 1 + k) : -INFINITY;
    out->psi_abx = rt_digamma(a + b + x + k);
    out->psi_b_A = rt_digamma(b + x + k);
    out->psi_b_B = second ? rt_digamma(b + x - 1 + k) : 0.0;
}

/* The table's entry for x, or x's values computed into *own. */
static const per_x *lookup(const lik_ctx *c, double x, per_x *own)
{
    if (c->table && x >= 0 && x < (double)c->table_len && x == (double)(int64_t)x)
        return &c->table[(int64_t)x];
    fill_per_x(c->model, c->p, x, own);
    return own;
}

/* partial: log-likelihood, then the gradient (4). Sums in locals, added
** to partial once (a store a row would chain the rows through memory). */
static void bgnbd_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const lik_ctx *c = ctx;
    const rt_clv_summary *s = c->s;
    double r = c->p[0], al = c->p[1], a = c->p[2], b = c->p[3];
    double lb_ab = rt_lbeta(a, b), lg_r = rt_lgamma(r), psi_r = rt_digamma(r),
           psi_a = rt_digamma(a), psi_b = rt_digamma(b), psi_ab = rt_digamma(a + b),
           psi_a1 = rt_digamma(a + 1), l_al = log(al), r_al = r / al;
    double last_tx = NAN, ltx = 0, inv_tx = 0; /* collapsed rows come in runs of equal tx */
    double last_T = NAN, lT = 0, inv_T = 0;    /* and of equal T when uncollapsed */
    double ll = 0, d_r = 0, d_al = 0, d_a = 0, d_b = 0;
    for (int64_t i = first; i < first + rows; i++) {
        double x = s->x[i], tx = s->tx[i], T = s->T[i], w = s->w ? s->w[i] : 1.0;
        per_x own;
        const per_x *v = lookup(c, x, &own);
        if (tx != last_tx) {
            ltx = log(al + tx);
            inv_tx = 1 / (al + tx);
            last_tx = tx;
        }
        if (T != last_T) {
            const rt_memo_slot *m = time_terms(&c->times[thread], al, T);
            lT = m->value[0];
            inv_T = m->value[1];
            last_T = T;
        }
        double rx = r + x;
        double A = v->lb_A - rx * lT, B = v->lb_B - rx * ltx;
        /* ln(e^A + e^B) and the shares e^A, e^B of the sum, from one exp */
        double e = exp(-fabs(A - B)), lse = (A > B ? A : B) + log1p(e), share = 1 / (1 + e);
        double wa = A >= B ? share : e * share, wb = A >= B ? e * share : share;
        ll += w * (v->lg_rx - lg_r + r * l_al - lb_ab + lse);
        d_r += w * (v->psi_rx - psi_r + l_al - wa * lT - wb * ltx);
        d_al += w * (r_al - rx * (wa * inv_T + wb * inv_tx));
        d_a += w * (-(psi_a - psi_ab) + wa * (psi_a - v->psi_abx) + wb * (psi_a1 - v->psi_abx));
        d_b += w * (-(psi_b - psi_ab) + wa * (v->psi_b_A - v->psi_abx) +
                    wb * (v->psi_b_B - v->psi_abx));
    }
    partial[0] += ll;
    partial[1] += d_r;
    partial[2] += d_al;
    partial[3] += d_a;
    partial[4] += d_b;
}

/* partial: log-likelihood, then the gradient (4); a customer whose integral
** converges neither as a series nor by quadrature makes the log-likelihood
** NaN (the minimiser then steps back). */
static void pareto_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const lik_ctx *c = ctx;
    const rt_clv_summary *s = c->s;
    double r = c->p[0], al = c->p[1], sh = c->p[2], be = c->p[3];
    double lg_r = rt_lgamma(r), psi_r = rt_digamma(r), l_al = log(al), l_be = log(be);
    for (int64_t i = first; i < first + rows; i++) {
        double x = s->x[i], w = s->w ? s->w[i] : 1.0;
        if (w == 0)
            continue;
        rt_clv_pareto_terms t;
        if (!rt_clv_pareto_eval(c->p, x, s->tx[i], s->T[i], &t)) {
            partial[0] = NAN;
            continue;
        }
        per_x own;
        const per_x *v = lookup(c, x, &own);
        double top = t.alive > t.gone ? t.alive : t.gone;
        double lse = top + log(exp(t.alive - top) + exp(t.gone - top));
        double wa = exp(t.alive - lse), wg = exp(t.gone - lse);
        partial[0] += w * (v->lg_rx - lg_r + r * l_al + sh * l_be + lse);
        double own_d[4] = {v->psi_rx - psi_r + l_al, r / al, l_be, sh / be};
        for (int j = 0; j < 4; j++)
            partial[1 + j] += w * (own_d[j] + wa * t.d_alive[j] + wg * t.d_gone[j]);
    }
}

/* The per_x table for x = 0 .. max x when every x is a whole number below
** TABLE_MAX and the table is no larger than the summary; NULL otherwise
** (or out of memory: each customer then computes its own). */
static per_x *make_table(rt_clv_model model, const rt_clv_summary *s, const double *p,
                         int64_t *len)
{
    double top = 0;
    for (int64_t i = 0; i < s->n; i++) {
        double x = s->x[i];
        if (!(x >= 0 && x < TABLE_MAX && x == floor(x)))
            return NULL;
        top = x > top ? x : top;
    }
    *len = (int64_t)top + 1;
    per_x *t = *len <= s->n ? malloc((size_t)*len * sizeof *t) : NULL;
    for (int64_t x = 0; t && x < *len; x++)
        fill_per_x(model, p, (double)x, &t[x]);
    return t;
}

/* partial: log-likelihood, then the gradient (3); customers with x = 0 or
** weight 0 add nothing. */
static void gamma_gamma_block(void *ctx, int thread, int64_t first, int64_t rows,
                              double *partial)
{
    const lik_ctx *c = ctx;
    const rt_clv_summary *s = c->s;
    double p = c->p[0], q = c->p[1], v = c->p[2];
    double lg_q = rt_lgamma(q), psi_q = rt_digamma(q), lv = log(v);
    for (int64_t i = first; i < first + rows; i++) {
        double x = s->x[i], m = s->m[i], w = s->w ? s->w[i] : 1.0;
        if (!(x > 0) || w == 0)
            continue;
        per_x own;
        const per_x *t = lookup(c, x, &own);
        double px = p * x, total = v + x * m, spend = log(total), lm = log(m);
        partial[0] += w * (t->lg_rx - lg_q + q * lv + (px - 1) * lm - (px + q) * spend);
        partial[1] += w * (t->lb_A + x * (lm - spend));
        partial[2] += w * (t->psi_rx - psi_q + lv - spend);
        partial[3] += w * (q / v - (px + q) / total);
    }
}

retain_status rt_clv_loglik(rt_clv_model model, const rt_clv_summary *s, const double *params,
                            double *ll, double *grad)
{
    int np = rt_clv_nparams(model);
    for (int j = 0; j < np; j++)
        if (!(params[j] > 0) || !isfinite(params[j]))
            return rt_error(RETAIN_ERR_USAGE, "lifetime-value parameter %d is %g; every "
                            "parameter must be finite and > 0", j, params[j]);
    if (model == RT_CLV_GAMMA_GAMMA && !s->m)
        return rt_error(RETAIN_ERR_USAGE, "Gamma-Gamma needs the mean repeat spend m");
    int threads = rt_threads();
    bool counts = model == RT_CLV_BGNBD || model == RT_CLV_MBGNBD;
    rt_memo *times = counts ? calloc((size_t)threads, sizeof *times) : NULL;
    retain_status st = !counts || times ? RETAIN_OK
                                        : rt_error(RETAIN_ERR_INTERNAL, "out of memory for "
                                                   "the likelihood's caches");
    for (int t = 0; !st && times && t < threads; t++)
        st = rt_memo_init(&times[t], TIMES_BITS);
    lik_ctx c = {model, s, params, NULL, 0, times};
    per_x *table = make_table(model, s, params, &c.table_len);
    c.table = table;
    double acc[5];
    rt_block_fn block = model == RT_CLV_GAMMA_GAMMA ? gamma_gamma_block
                        : model == RT_CLV_PARETO    ? pareto_block
                                                    : bgnbd_block;
    if (!st)
        st = rt_reduce_rows(s->n, np + 1, block, &c, acc);
    free(table);
    for (int t = 0; times && t < threads; t++)
        rt_memo_free(&times[t]);
    free(times);
    if (st)
        return st;
    *ll = acc[0];
    for (int j = 0; grad && j < np; j++)
        grad[j] = acc[1 + j];
    return RETAIN_OK;
}
