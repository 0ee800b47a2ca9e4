/* src/cli/cmd_gen_transactions.c: placeholder until the transactions generator lands. */
#include "cli.h"
#include "core/error.h"
int cmd_gen_transactions(int argc, char **argv)
{
    (void)argc; (void)argv;
    return 5;
}
