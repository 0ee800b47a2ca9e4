/*
** src/score/risk.h: churn-risk tiers from a churn probability. A rule is a
** list of ascending cut points (default 0.3,0.6) or, for `logreg predict`
** only, of top-percent bands that need every row's rank. `retain score`
** and `logreg predict` share the parsing and the cut-point tiering, so the
** two give every user the same tier.
*/
#ifndef RT_SCORE_RISK_H
#define RT_SCORE_RISK_H

#include <stdbool.h>
#include <stdint.h>

#define RT_RISK_MAX_TIERS 16
#define RT_RISK_DEFAULT_CUTS "0.3,0.6"

typedef struct rt_risk_rule {
    double at[RT_RISK_MAX_TIERS]; /* ascending cut points, or ascending percents */
    int count;                    /* tiers are 0 .. count                        */
    bool top_percent;
} rt_risk_rule;

/* "0.3,0.6" into rule (percent: numbers in (0, 100), else in (0, 1));
** NULL, or what is wrong with text (a static buffer). */
const char *rt_risk_parse(const char *text, bool percent, rt_risk_rule *rule);

/* Tier of probability p under a cut-point rule: how many cut points p
** reaches (0: lowest risk). NaN reaches none. */
static inline int8_t rt_risk_tier(const rt_risk_rule *rule, double p)
{
    int t = 0;
    while (t < rule->count && p >= rule->at[t])
        t++;
    return (int8_t)t;
}

/* Name of tier t of a cut-point rule with count cut points: "low",
** "medium", "high" for two cuts, "low"/"high" for one, else "tier T". buf
** holds at least 16 bytes. */
const char *rt_risk_tier_name(int count, int t, char *buf);

#endif
