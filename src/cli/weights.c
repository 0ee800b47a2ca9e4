/*
** src/cli/weights.c: --sample-weight DATASET, as every command that takes
** it reads it: one value per feature row from a dataset or frame column of
** the input file, finite and >= 0, refused with the file, dataset and row
** otherwise. Whole (cli_weights_read) or by row ranges while the features
** stream (cli_weights_range).
*/
#include "cli.h"

#include "core/dist.h"
#include "core/error.h"
#include "io/features.h"

#include <math.h>
#include <stdlib.h>

retain_status cli_weights_range(rt_features *f, const char *input, const char *dataset,
                                int64_t first, int64_t count, double *scratch, float *w)
{
    retain_status s = rt_features_read_label(f, first, count, scratch);
    if (s)
        return rt_error_context(s, "--sample-weight %s", dataset);
    for (int64_t i = 0; i < count; i++) {
        w[i] = (float)scratch[i];
        if (!(scratch[i] >= 0) || !isfinite(w[i]))
            return rt_error(RETAIN_ERR_DATA, "%s: sample weight %s row %lld is %g; weights "
                            "must be finite and >= 0", input, dataset, (long long)(first + i),
                            scratch[i]);
    }
    return RETAIN_OK;
}

retain_status cli_weights_read(const char *input, const rt_features_spec *spec,
                               const char *dataset, int64_t first, int64_t rows,
                               float **out)
{
    rt_features_spec ws = *spec;
    ws.label = dataset;
    rt_features *f;
    *out = NULL;
    retain_status s = rt_features_open(input, &ws, &f);
    if (s)
        return rt_error_context(s, "--sample-weight %s", dataset);
    double *scratch = malloc((size_t)(rows ? rows : 1) * sizeof *scratch);
    float *w = malloc((size_t)(rows ? rows : 1) * sizeof *w);
    if (!scratch || !w)
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld sample weights",
                     (long long)rows);
    else
        s = cli_weights_range(f, input, dataset, first, rows, scratch, w);
    free(scratch);
    s = rt_dist_agree(s);
    rt_features_close(f);
    if (s)
        free(w);
    else
        *out = w;
    return s;
}
