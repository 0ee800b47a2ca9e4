/*
** src/cli/progress.c: progress on stderr. On a terminal, one line redrawn at
** most ten times a second; with --log-json, one JSON event a second; with
** --quiet or when stderr is not a terminal, nothing.
*/
#include "cli.h"

#include <unistd.h>

void cli_progress_start(cli_progress *p, const cli_common *common)
{
    p->common = common;
    p->started = rt_seconds();
    p->last_draw = 0;
    p->tty = isatty(STDERR_FILENO);
    p->drawn = false;
}

void cli_progress_report(void *user, const char *phase, int64_t done, int64_t total)
{
    cli_progress *p = user;
    if (!p || p->common->quiet)
        return;
    double now = rt_seconds();
    double elapsed = now - p->started;
    if (p->common->log_json) {
        if (now - p->last_draw < 1.0 && done < total)
            return;
        p->last_draw = now;
        fprintf(stderr,
                "{\"event\":\"progress\",\"phase\":\"%s\",\"done\":%lld,\"total\":%lld,"
                "\"seconds\":%.3f}\n",
                phase, (long long)done, (long long)total, elapsed);
        return;
    }
    if (!p->tty || (now - p->last_draw < 0.1 && done < total))
        return;
    p->last_draw = now;
    double share = total > 0 ? (double)done / (double)total : 0;
    int filled = (int)(share * 30);
    char bar[31];
    for (int i = 0; i < 30; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[30] = '\0';
    fprintf(stderr, "\r%-14s [%s] %5.1f%%  %lld/%lld  %.1fs ", phase, bar, 100 * share,
            (long long)done, (long long)total, elapsed);
    p->drawn = true;
}

void cli_progress_finish(cli_progress *p)
{
    if (p->drawn)
        fputs("\r\033[K", stderr);
    p->drawn = false;
}
