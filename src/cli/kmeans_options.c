/*
** src/cli/kmeans_options.c: the option names `kmeans fit` and `kmeans sweep`
** share (--init, --scale, --algorithm), turned into retain_kmeans_params
** fields in one place so both commands accept and refuse the same words,
** and the defaults that depend on --algorithm: MiniBatchKMeans's max_iter
** 100 and tol 0 for minibatch, KMeans's 300 and 1e-4 otherwise.
*/
#include "cli.h"

#include <string.h>

int cli_kmeans_names(const cli_command *cmd, const cli_common *common, const char *init,
                     const char *scale, const char *algorithm, retain_kmeans_params *p)
{
    if (strcmp(init, "k-means++") == 0)
        p->init = RETAIN_KMEANS_INIT_PLUSPLUS;
    else if (strcmp(init, "random") == 0)
        p->init = RETAIN_KMEANS_INIT_RANDOM;
    else
        return cli_usage_error(cmd, common, "--init must be k-means++ or random, got '%s'",
                               init);
    if (strcmp(scale, "standard") == 0)
        p->scale = RETAIN_SCALE_STANDARD;
    else if (strcmp(scale, "minmax") == 0)
        p->scale = RETAIN_SCALE_MINMAX;
    else if (strcmp(scale, "none") == 0)
        p->scale = RETAIN_SCALE_NONE;
    else
        return cli_usage_error(cmd, common, "--scale must be standard, minmax or none, got "
                               "'%s'", scale);
    if (strcmp(algorithm, "auto") == 0)
        p->algorithm = RETAIN_KMEANS_AUTO;
    else if (strcmp(algorithm, "lloyd") == 0)
        p->algorithm = RETAIN_KMEANS_LLOYD;
    else if (strcmp(algorithm, "hamerly") == 0)
        p->algorithm = RETAIN_KMEANS_HAMERLY;
    else if (strcmp(algorithm, "minibatch") == 0)
        p->algorithm = RETAIN_KMEANS_MINIBATCH;
    else
        return cli_usage_error(cmd, common, "--algorithm must be auto, lloyd, hamerly or "
                               "minibatch, got '%s'", algorithm);
    bool minibatch = p->algorithm == RETAIN_KMEANS_MINIBATCH;
    if (p->max_iter < 0)
        p->max_iter = minibatch ? CLI_MINIBATCH_MAX_ITER : CLI_LLOYD_MAX_ITER;
    if (p->tol < 0)
        p->tol = minibatch ? 0.0 : CLI_LLOYD_TOL;
    return 0;
}
