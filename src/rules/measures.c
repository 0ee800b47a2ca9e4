/*
** src/rules/measures.c: the interest measures of a rule A -> C, with the
** definitions and edge cases of mlxtend.frequent_patterns.association_rules
** (and R arules): support s(AC), confidence s(AC)/s(A), lift
** confidence/s(C), leverage s(AC) - s(A)s(C), conviction
** (1 - s(C))/(1 - confidence), +inf at confidence 1, and Zhang's metric
** leverage / max(s(AC)(1 - s(A)), s(A)(s(C) - s(AC))), 0 when that is 0.
*/
#include "rules.h"

#include "core/error.h"

#include <math.h>
#include <string.h>

void rt_rule_measures_compute(int64_t n_ac, int64_t n_a, int64_t n_c, int64_t n,
                              rt_rule_measures *m)
{
    double sa = (double)n_a / (double)n, sc = (double)n_c / (double)n;
    double sac = (double)n_ac / (double)n;
    m->antecedent_support = sa;
    m->consequent_support = sc;
    m->support = sac;
    /* from the supports as float64, as mlxtend and arules compute them, so
    ** rules at a threshold fall on the same side: 4 of 5 baskets makes
    ** (4/n)/(5/n), which can be a hair below 0.8 */
    m->confidence = sac / sa;
    m->lift = m->confidence / sc;
    m->leverage = sac - sa * sc;
    m->conviction = m->confidence < 1 ? (1 - sc) / (1 - m->confidence) : INFINITY;
    double a = sac * (1 - sa), b = sa * (sc - sac), d = a > b ? a : b;
    m->zhang = d == 0 ? 0 : m->leverage / d;
}

static const char *const names[RT_METRIC_COUNT] = {"support",  "confidence", "lift",
                                                   "leverage", "conviction", "zhang"};

const char *rt_rule_metric_name(rt_rule_metric m)
{
    return m >= 0 && m < RT_METRIC_COUNT ? names[m] : "?";
}

retain_status rt_rule_metric_parse(const char *name, rt_rule_metric *out)
{
    for (int i = 0; i < RT_METRIC_COUNT; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (rt_rule_metric)i;
            return RETAIN_OK;
        }
    return rt_error(RETAIN_ERR_USAGE,
                    "unknown metric '%s': choose support, confidence, lift, leverage, "
                    "conviction or zhang", name);
}

double rt_rule_measure(const rt_rule_measures *m, rt_rule_metric which)
{
    switch (which) {
    case RT_METRIC_SUPPORT: return m->support;
    case RT_METRIC_CONFIDENCE: return m->confidence;
    case RT_METRIC_LIFT: return m->lift;
    case RT_METRIC_LEVERAGE: return m->leverage;
    case RT_METRIC_CONVICTION: return m->conviction;
    case RT_METRIC_ZHANG: return m->zhang;
    default: return NAN;
    }
}
