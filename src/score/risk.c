/*
** src/score/risk.c: parsing risk-tier rules and naming tiers (risk.h).
*/
#include "risk.h"

#include <stdio.h>
#include <stdlib.h>

const char *rt_risk_parse(const char *text, bool percent, rt_risk_rule *rule)
{
    static _Thread_local char msg[256];
    rule->count = 0;
    rule->top_percent = percent;
    const char *s = text;
    while (*s) {
        char *end;
        double v = strtod(s, &end);
        if (end == s || (*end && *end != ',') || rule->count == RT_RISK_MAX_TIERS - 1) {
            snprintf(msg, sizeof msg, "%s: give up to %d comma-separated numbers", text,
                     RT_RISK_MAX_TIERS - 1);
            return msg;
        }
        bool in_range = percent ? v > 0 && v < 100 : v > 0 && v < 1;
        if (!in_range || (rule->count && v <= rule->at[rule->count - 1])) {
            snprintf(msg, sizeof msg, "%s: the numbers must increase and lie strictly "
                     "between 0 and %s", text, percent ? "100" : "1");
            return msg;
        }
        rule->at[rule->count++] = v;
        s = *end ? end + 1 : end;
    }
    if (!rule->count) {
        snprintf(msg, sizeof msg, "%s: give at least one number", text);
        return msg;
    }
    return NULL;
}

const char *rt_risk_tier_name(int count, int t, char *buf)
{
    static const char *const two[] = {"low", "high"}, *const three[] = {"low", "medium", "high"};
    if (count == 1)
        return two[t];
    if (count == 2)
        return three[t];
    snprintf(buf, 16, "tier %d", t);
    return buf;
}
