/*
** src/cli/main.c: the `retain` command: finds the command named by the
** first words of argv and runs it. Each command lives in its own cmd_*.c.
*/
#include "cli.h"

#include "io/atomic.h"

#include <stdio.h>
#include <string.h>

typedef struct command_entry {
    const char *group, *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command_entry;

static const command_entry commands[] = {
    {"info", NULL, cmd_info, "what is inside a file: datasets, shapes, types, chunks, NaN/Inf per column"},
    {"gen", "users", cmd_gen_users, "synthetic customer features with known segments and churn model"},
    {"gen", "baskets", cmd_gen_baskets, "synthetic transactions with planted frequent patterns"},
    {"gen", "transactions", cmd_gen_transactions, "synthetic purchase log from a buy-till-you-die process"},
    {"features", NULL, cmd_features, "per-user RFM features, churn label, RFM scores and tiers from a purchase log"},
    {"cohorts", NULL, cmd_cohorts, "cohort retention matrix, repeat purchase rate, A/B read-out by group"},
    {"baskets", NULL, cmd_baskets, "group a purchase log into market baskets for association rules"},
    {"clv", "fit", cmd_clv_fit, "lifetime value: BG/NBD or MBG/NBD and Gamma-Gamma fitted to a purchase log"},
    {"clv", "predict", cmd_clv_predict, "P(alive), expected purchases, spend and CLV of every customer from a clv model"},
    {"kmeans", "fit", cmd_kmeans_fit, "customer segments by k-means: fit and save a model"},
    {"kmeans", "predict", cmd_kmeans_predict, "assign rows to the segments of a k-means model"},
    {"kmeans", "sweep", cmd_kmeans_sweep, "k-means over a range of k: inertia, silhouette, CH, DB; suggested k"},
    {"logreg", "fit", cmd_logreg_fit, "churn model by logistic regression: fit, metrics, cross-validation"},
    {"logreg", "predict", cmd_logreg_predict, "churn probability and risk tier of every row"},
    {"logreg", "eval", cmd_logreg_eval, "churn model metrics on held-out data: AUC, lift, calibration"},
    {"rules", "recommend", cmd_rules_recommend, "the best next items for baskets, from a rules file"},
    {"rules", NULL, cmd_rules, "frequent itemsets and association rules from baskets"},
    {"score", NULL, cmd_score, "the nightly job: segment, churn probability and risk of every user, streamed"},
};
#define NCOMMANDS (int)(sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: retain COMMAND [options]   (retain COMMAND --help for details)\n\n"
                 "commands:\n");
    for (int i = 0; i < NCOMMANDS; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s%s%s", commands[i].group,
                 commands[i].name ? " " : "", commands[i].name ? commands[i].name : "");
        fprintf(out, "  %-20s %s\n", name, commands[i].summary);
    }
    fprintf(out, "\n%s\n", retain_build_info());
}

static int run_command(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("%s\n", retain_build_info());
        return 0;
    }
    bool group_known = false;
    for (int i = 0; i < NCOMMANDS; i++) {
        if (strcmp(argv[1], commands[i].group) != 0)
            continue;
        group_known = true;
        bool named = commands[i].name && argc >= 3 && strcmp(argv[2], commands[i].name) == 0;
        if ((!commands[i].name || named) && !cli_ranks_allow(commands[i].group, commands[i].name))
            return 1;
        if (!commands[i].name)
            return commands[i].run(argc - 2, argv + 2);
        if (named)
            return commands[i].run(argc - 3, argv + 3);
    }
    if (!group_known) {
        fprintf(stderr, "retain: unknown command '%s'\n\n", argv[1]);
        usage(stderr);
        return 1;
    }
    char choices[256] = "";
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i].group) == 0 && commands[i].name)
            snprintf(choices + strlen(choices), sizeof choices - strlen(choices), "%s%s",
                     choices[0] ? ", " : "", commands[i].name);
    if (argc >= 3)
        fprintf(stderr, "retain %s: unknown subcommand '%s'; choose one of: %s\n", argv[1],
                argv[2], choices);
    else
        fprintf(stderr, "retain %s: needs a subcommand: %s\n", argv[1], choices);
    return 1;
}

int main(int argc, char **argv)
{
    rt_output_install_signal_cleanup();
    int rc = cli_ranks_start(&argc, &argv);
    return cli_ranks_finish(rc ? rc : run_command(argc, argv));
}
