/*
** src/cli/device_option.c: --device cpu|cuda|auto for the commands that can
** run on a GPU (kmeans fit, kmeans predict, logreg fit, score), resolved in one
** place: cuda without a usable GPU fails with exit code 4 and CUDA's own
** words; auto says on stderr which device it took and why.
*/
#include "cli.h"

#include <string.h>

int cli_device(const cli_command *cmd, const cli_common *common, const char *name,
               retain_device *out)
{
    retain_device asked;
    if (strcmp(name, "cpu") == 0)
        asked = RETAIN_DEVICE_CPU;
    else if (strcmp(name, "cuda") == 0)
        asked = RETAIN_DEVICE_CUDA;
    else if (strcmp(name, "auto") == 0)
        asked = RETAIN_DEVICE_AUTO;
    else
        return cli_usage_error(cmd, common, "--device must be cpu, cuda or auto, got '%s'",
                               name);
    char why[512];
    retain_status s = retain_device_resolve(asked, out, why, sizeof why);
    if (s)
        return cli_fail(cmd, common, s);
    if (asked == RETAIN_DEVICE_AUTO)
        cli_note(common, "device: %s (--device auto%s%s)", retain_device_name(*out),
                 why[0] ? ": " : "", why);
    else if (asked == RETAIN_DEVICE_CUDA)
        cli_note(common, "device: cuda");
    return 0;
}
