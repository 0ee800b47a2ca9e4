/*
** src/clv/api.c: the public lifetime-value API of include/retain.h over
** the module's parts: checks the arguments, collapses the summary for the
** count models (collapse.c), fits (fit.c) and predicts per row (value.c,
** predict.c). The model holds only its estimates.
*/
#include "clv.h"

#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

_Static_assert((int)RETAIN_CLV_BGNBD == (int)RT_CLV_BGNBD &&
                   (int)RETAIN_CLV_MBGNBD == (int)RT_CLV_MBGNBD &&
                   (int)RETAIN_CLV_PARETO == (int)RT_CLV_PARETO &&
                   (int)RETAIN_CLV_GAMMA_GAMMA == (int)RT_CLV_GAMMA_GAMMA,
               "public and internal model numbers agree");

struct retain_clv_model {
    rt_clv_model kind;
    rt_clv_fit fit;
};

void retain_clv_params_init(retain_clv_params *p)
{
    memset(p, 0, sizeof *p);
    p->kind = RETAIN_CLV_BGNBD;
    p->tol = 1e-9;
    p->max_iter = 1000;
    p->collapse = 1;
}

retain_status retain_clv_params_check(const retain_clv_params *p)
{
    if (!p)
        return rt_error(RETAIN_ERR_USAGE, "retain_clv_params_check: params is NULL");
    if (p->kind < RETAIN_CLV_BGNBD || p->kind > RETAIN_CLV_GAMMA_GAMMA)
        return rt_error(RETAIN_ERR_USAGE, "kind must be a retain_clv_kind, got %d",
                        (int)p->kind);
    if (!(p->tol > 0))
        return rt_error(RETAIN_ERR_USAGE, "tol must be > 0, got %g", p->tol);
    if (p->max_iter < 1)
        return rt_error(RETAIN_ERR_USAGE, "max_iter must be >= 1, got %lld",
                        (long long)p->max_iter);
    return RETAIN_OK;
}

/* The summary as the module reads it; NULL columns refused by name. */
static retain_status internal_summary(const char *who, const retain_clv_summary *s,
                                      bool spend, rt_clv_summary *out)
{
    if (!s || !s->x || !s->t_x || !s->T || s->n < 0)
        return rt_error(RETAIN_ERR_USAGE, "%s: the summary needs n >= 0, x, t_x and T", who);
    if (spend && !s->m)
        return rt_error(RETAIN_ERR_USAGE, "%s: Gamma-Gamma needs the mean repeat spend m",
                        who);
    *out = (rt_clv_summary){s->n, s->x, s->t_x, s->T, s->m, s->weight};
    return RETAIN_OK;
}

retain_status retain_clv_fit(const retain_clv_summary *s, const retain_clv_params *params,
                             retain_clv_model **out)
{
    if (!out)
        return rt_error(RETAIN_ERR_USAGE, "retain_clv_fit: out is NULL");
    *out = NULL;
    rt_clv_summary sum = {0};
    retain_status st = retain_clv_params_check(params);
    if (st || (st = internal_summary("retain_clv_fit", s,
                                     params->kind == RETAIN_CLV_GAMMA_GAMMA, &sum)))
        return st;
    retain_clv_model *m = calloc(1, sizeof *m);
    if (!m)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for a lifetime-value model");
    m->kind = (rt_clv_model)params->kind;
    rt_clv_groups groups = {0};
    bool collapse = params->collapse && m->kind != RT_CLV_GAMMA_GAMMA;
    double customers, repeaters; /* bad rows named by their index in s */
    if (!(st = rt_clv_check_summary(m->kind, &sum, &customers, &repeaters)) &&
        (!collapse || !(st = rt_clv_collapse(&sum, &groups))) &&
        !(st = rt_clv_fit_model(m->kind, collapse ? &groups.s : &sum, NULL, params->tol,
                                params->max_iter, &m->fit)))
        *out = m;
    else
        free(m);
    rt_clv_groups_free(&groups);
    return st;
}

retain_clv_kind retain_clv_model_kind(const retain_clv_model *m)
{
    return m ? (retain_clv_kind)m->kind : RETAIN_CLV_BGNBD;
}

int retain_clv_model_nparams(const retain_clv_model *m)
{
    return m ? rt_clv_nparams(m->kind) : 0;
}

const double *retain_clv_model_params(const retain_clv_model *m)
{
    return m ? m->fit.params : NULL;
}

const double *retain_clv_model_se(const retain_clv_model *m) { return m ? m->fit.se : NULL; }

double retain_clv_model_loglik(const retain_clv_model *m) { return m ? m->fit.loglik : NAN; }

int64_t retain_clv_model_n_iter(const retain_clv_model *m) { return m ? m->fit.n_iter : 0; }

int retain_clv_model_converged(const retain_clv_model *m) { return m && m->fit.converged; }

retain_status retain_clv_predict(const retain_clv_model *m, const retain_clv_summary *s,
                                 double horizon, double *p_alive, double *expected)
{
    rt_clv_summary sum = {0};
    retain_status st;
    if (!m)
        return rt_error(RETAIN_ERR_USAGE, "retain_clv_predict: model is NULL");
    if (m->kind == RT_CLV_GAMMA_GAMMA)
        return rt_error(RETAIN_ERR_USAGE, "retain_clv_predict: a Gamma-Gamma model predicts "
                        "spend; use retain_clv_predict_spend");
    if (!(horizon >= 0) || !isfinite(horizon))
        return rt_error(RETAIN_ERR_USAGE, "retain_clv_predict: horizon must be >= 0, got %g",
                        horizon);
    if ((st = internal_summary("retain_clv_predict", s, false, &sum)))
        return st;
    /* value.c's pass over every customer, into scratch where an output is
    ** not wanted */
    double *scratch = NULL;
    if ((!p_alive || !expected) &&
        (st = retain_malloc((size_t)(sum.n > 0 ? sum.n : 1) * sizeof *scratch,
                            (void **)&scratch)))
        return st;
    const rt_clv_horizon h = {horizon, 1.0, 0.0};
    const rt_clv_predictions out = {p_alive ? p_alive : scratch, expected ? expected : scratch,
                                    NULL, NULL};
    st = rt_clv_predict_all(m->kind, m->fit.params, NULL, &h, &sum, &out);
    retain_free(scratch);
    return st;
}

retain_status retain_clv_predict_spend(const retain_clv_model *m, const retain_clv_summary *s,
                                       double *spend)
{
    rt_clv_summary sum = {0};
    retain_status st;
    if (!m || !spend)
        return rt_error(RETAIN_ERR_USAGE, "retain_clv_predict_spend: %s is NULL",
                        m ? "spend" : "model");
    if (m->kind != RT_CLV_GAMMA_GAMMA)
        return rt_error(RETAIN_ERR_USAGE, "retain_clv_predict_spend: needs a Gamma-Gamma "
                        "model, got %s", rt_clv_title(m->kind));
    if ((st = internal_summary("retain_clv_predict_spend", s, true, &sum)))
        return st;
    for (int64_t i = 0; i < sum.n; i++)
        spend[i] = rt_clv_expected_spend(m->fit.params, sum.x[i], sum.m[i]);
    return RETAIN_OK;
}

void retain_clv_free(retain_clv_model *m) { free(m); }
