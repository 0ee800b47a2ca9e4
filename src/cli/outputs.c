/*
** src/cli/outputs.c: commands whose text output comes with a truth side
** file (OUTPUT.truth.h5) write both through this one sequence: both go to
** temporary files, the truth is committed first and the output last, and a
** failure anywhere aborts whatever is not committed yet. HDF5 outputs keep
** their truth inside, so they are a single atomic file.
*/
#include "cli.h"

#include "io/atomic.h"

#include <stdio.h>

retain_status cli_write_outputs(const char *output, bool is_text, cli_data_fn data,
                                cli_truth_fn truth, void *ctx, char *truth_path,
                                size_t cap)
{
    snprintf(truth_path, cap, "%s.truth.h5", output);
    rt_output out, side = {0};
    FILE *text = NULL;
    retain_status s = rt_output_begin(&out, output, NULL, 0);
    if (s)
        return s;
    if (is_text && !(s = rt_output_begin(&side, truth_path, NULL, 0)))
        s = rt_output_stream(&out, &text);
    if (!s)
        s = data(ctx, out.tmp_path, text);
    if (!s && is_text && !(s = truth(ctx, side.tmp_path)))
        s = rt_output_commit(&side);
    if (!s)
        s = rt_output_commit(&out);
    rt_output_abort(&side);
    rt_output_abort(&out);
    return s;
}
