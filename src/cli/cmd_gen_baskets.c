/* src/cli/cmd_gen_baskets.c: placeholder until the baskets generator lands. */
#include "cli.h"
#include "core/error.h"
int cmd_gen_baskets(int argc, char **argv)
{
    (void)argc; (void)argv;
    return 5;
}
