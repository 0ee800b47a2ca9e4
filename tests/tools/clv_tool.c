/*
** tests/tools/clv_tool.c: a window on src/clv for the reference tests. A
** summary file has one customer (or group) per line: x t_x T m count.
**   clv_tool loglik bgnbd|mbgnbd|pareto|gg SUMMARY P1 P2 P3 [P4]
**   clv_tool fit bgnbd|mbgnbd|pareto|gg SUMMARY [collapse]
**   clv_tool predict bgnbd|mbgnbd|pareto T_AHEAD X TX T P1 P2 P3 P4
**   clv_tool expected_new bgnbd|mbgnbd|pareto T P1 P2 P3 P4
**   clv_tool spend X M P Q V
** Each prints one JSON object on stdout; errors go to stderr, exit 1.
*/
#include "clv/clv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct columns {
    double *x, *tx, *T, *m, *w;
    int64_t n, cap;
} columns;

static int read_summary(const char *path, columns *c)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        perror(path);
        return 1;
    }
    double v[5];
    memset(c, 0, sizeof *c);
    while (fscanf(in, "%lf %lf %lf %lf %lf", &v[0], &v[1], &v[2], &v[3], &v[4]) == 5) {
        if (c->n == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 1024;
            double **cols[5] = {&c->x, &c->tx, &c->T, &c->m, &c->w};
            for (int k = 0; k < 5; k++)
                if (!(*cols[k] = realloc(*cols[k], (size_t)c->cap * sizeof(double))))
                    return 1;
        }
        c->x[c->n] = v[0];
        c->tx[c->n] = v[1];
        c->T[c->n] = v[2];
        c->m[c->n] = v[3];
        c->w[c->n] = v[4];
        c->n++;
    }
    fclose(in);
    return 0;
}

static int model_of(const char *name, rt_clv_model *out)
{
    if (strcmp(name, "bgnbd") == 0)
        *out = RT_CLV_BGNBD;
    else if (strcmp(name, "mbgnbd") == 0)
        *out = RT_CLV_MBGNBD;
    else if (strcmp(name, "pareto") == 0)
        *out = RT_CLV_PARETO;
    else if (strcmp(name, "gg") == 0)
        *out = RT_CLV_GAMMA_GAMMA;
    else
        return 1;
    return 0;
}

static void print_array(const char *key, const double *v, int n)
{
    printf("\"%s\": [", key);
    for (int j = 0; j < n; j++)
        printf("%s%.17g", j ? ", " : "", v[j]);
    printf("]");
}

int main(int argc, char **argv)
{
    rt_clv_model model;
    if (argc >= 4 && (strcmp(argv[1], "loglik") == 0 || strcmp(argv[1], "fit") == 0) &&
        model_of(argv[2], &model) == 0) {
        columns c;
        if (read_summary(argv[3], &c))
            return 1;
        rt_clv_summary s = {c.n, c.x, c.tx, c.T, c.m, c.w};
        int np = rt_clv_nparams(model);
        if (strcmp(argv[1], "loglik") == 0 && argc == 4 + np) {
            double p[4], ll, g[4];
            for (int j = 0; j < np; j++)
                p[j] = atof(argv[4 + j]);
            if (rt_clv_loglik(model, &s, p, &ll, g)) {
                fprintf(stderr, "%s\n", retain_last_error());
                return 1;
            }
            printf("{\"loglik\": %.17g, ", ll);
            print_array("grad", g, np);
            printf("}\n");
            return 0;
        }
        if (strcmp(argv[1], "fit") == 0 &&
            (argc == 4 || (argc == 5 && strcmp(argv[4], "collapse") == 0))) {
            rt_clv_fit f;
            rt_clv_groups g = {0};
            if ((argc == 5 && rt_clv_collapse(&s, &g)) ||
                rt_clv_fit_model(model, argc == 5 ? &g.s : &s, NULL, 1e-10, 1000, &f)) {
                fprintf(stderr, "%s\n", retain_last_error());
                return 1;
            }
            printf("{");
            print_array("params", f.params, np);
            printf(", ");
            print_array("se", f.se, np);
            printf(", \"loglik\": %.17g, \"n_iter\": %lld, \"converged\": %s, "
                   "\"grad_norm\": %.3g, \"rows\": %lld}\n", f.loglik, (long long)f.n_iter,
                   f.converged ? "true" : "false", f.grad_norm,
                   (long long)(argc == 5 ? g.s.n : s.n));
            rt_clv_groups_free(&g);
            return 0;
        }
    }
    if (argc == 11 && strcmp(argv[1], "predict") == 0 && model_of(argv[2], &model) == 0) {
        double a[8];
        for (int j = 0; j < 8; j++)
            a[j] = atof(argv[3 + j]);
        printf("{\"p_alive\": %.17g, \"expected\": %.17g}\n",
               rt_clv_p_alive(model, a + 4, a[1], a[2], a[3]),
               rt_clv_expected(model, a + 4, a[0], a[1], a[2], a[3]));
        return 0;
    }
    if (argc == 8 && strcmp(argv[1], "expected_new") == 0 && model_of(argv[2], &model) == 0) {
        double p[4] = {atof(argv[4]), atof(argv[5]), atof(argv[6]), atof(argv[7])};
        printf("{\"expected\": %.17g}\n", rt_clv_expected_new(model, p, atof(argv[3])));
        return 0;
    }
    if (argc == 7 && strcmp(argv[1], "spend") == 0) {
        double p[3] = {atof(argv[4]), atof(argv[5]), atof(argv[6])};
        printf("{\"spend\": %.17g}\n", rt_clv_expected_spend(p, atof(argv[2]), atof(argv[3])));
        return 0;
    }
    fprintf(stderr, "usage: see the comment at the top of tests/tools/clv_tool.c\n");
    return 1;
}
