/*
** src/cli/ranks.c: `retain` under mpirun. Starts and ends the ranks
** (core/dist.c), lets only rank 0 speak (every failure is agreed among
** the ranks, so rank 0 knows and says each one; the others' stdout and
** stderr go to /dev/null), and refuses the commands that do not run
** distributed yet, rather than have every rank run the whole job and race
** for the same output file. Without MPI, or as one process, nothing
** changes. --json summaries report the seconds spent communicating.
*/
#include "cli.h"

#include "core/dist.h"

#include <stdio.h>
#include <string.h>

/* Commands whose every pass over rows is summed across ranks. */
static const char *const distributed[] = {"logreg fit", "kmeans fit", "kmeans predict",
                                          "score"};

int cli_ranks_start(int *argc, char ***argv)
{
    if (rt_dist_init(argc, argv)) {
        fprintf(stderr, "retain: %s\n", retain_last_error());
        return (int)RETAIN_ERR_INTERNAL;
    }
    if (rt_dist_rank() > 0 && (!freopen("/dev/null", "w", stdout) ||
                               !freopen("/dev/null", "w", stderr)))
        return (int)RETAIN_ERR_IO;
    return 0;
}

int cli_ranks_finish(int rc)
{
    fflush(stdout);
    rt_dist_finalize();
    return rc;
}

bool cli_ranks_allow(const char *group, const char *name)
{
    if (rt_dist_size() == 1)
        return true;
    char full[64];
    snprintf(full, sizeof full, "%s%s%s", group, name ? " " : "", name ? name : "");
    for (size_t i = 0; i < sizeof distributed / sizeof distributed[0]; i++)
        if (strcmp(full, distributed[i]) == 0)
            return true;
    fprintf(stderr, "retain %s: does not run under MPI yet (%d ranks); run it as one "
            "process, without mpirun. Under mpirun:", full, rt_dist_size());
    for (size_t i = 0; i < sizeof distributed / sizeof distributed[0]; i++)
        fprintf(stderr, "%s %s", i ? "," : "", distributed[i]);
    fprintf(stderr, "\n");
    return false;
}

void cli_ranks_json(cli_json *j)
{
    double mine, most;
    if (!rt_dist_comm_seconds(&mine, &most))
        return;
    json_object(j, "mpi");
    json_int(j, "ranks", rt_dist_size());
    json_double(j, "communication_seconds", mine);
    json_double(j, "communication_seconds_max", most);
    json_object_end(j);
}
