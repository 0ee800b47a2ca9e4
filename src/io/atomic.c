/*
** src/io/atomic.c: atomic output files (see atomic.h). Live temporaries are
** kept in a small table so the signal handler can unlink them with
** async-signal-safe calls only. A file every MPI rank writes (its rows) is
** begun and ended by rank 0 alone, the others told its temporary's name
** and the outcome (rt_output_begin_shared, rt_output_end_shared).
*/
#include "atomic.h"

#include "core/dist.h"
#include "core/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIVE_MAX 16
static char live_paths[LIVE_MAX][PATH_MAX];
static volatile sig_atomic_t live_used[LIVE_MAX];

static void live_add(const char *path)
{
    for (int i = 0; i < LIVE_MAX; i++)
        if (!live_used[i]) {
            snprintf(live_paths[i], PATH_MAX, "%s", path);
            live_used[i] = 1;
            return;
        }
}

static void live_remove(const char *path)
{
    for (int i = 0; i < LIVE_MAX; i++)
        if (live_used[i] && strcmp(live_paths[i], path) == 0)
            live_used[i] = 0;
}

static void on_signal(int sig)
{
    for (int i = 0; i < LIVE_MAX; i++)
        if (live_used[i])
            unlink(live_paths[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

void rt_output_install_signal_cleanup(void)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    signal(SIGXFSZ, SIG_IGN);
}

static void split_path(const char *path, char *dir, char *base)
{
    char a[PATH_MAX], b[PATH_MAX];
    snprintf(a, sizeof a, "%s", path);
    snprintf(b, sizeof b, "%s", path);
    snprintf(dir, PATH_MAX, "%s", dirname(a));
    snprintf(base, PATH_MAX, "%s", basename(b));
}

retain_status rt_output_check_not_input(const char *path,
                                        const char *const *inputs, int ninputs)
{
    struct stat out_st;
    if (stat(path, &out_st) != 0)
        return RETAIN_OK; /* a file that does not exist yet is no input */
    for (int i = 0; i < ninputs; i++) {
        struct stat in_st;
        if (inputs[i] && stat(inputs[i], &in_st) == 0 &&
            in_st.st_dev == out_st.st_dev && in_st.st_ino == out_st.st_ino)
            return rt_error(RETAIN_ERR_USAGE,
                            "output %s is the input file %s; retain never writes "
                            "over its input, choose another -o",
                            path, inputs[i]);
    }
    return RETAIN_OK;
}

/* Removes BASE.tmp-<pid>-* in dir whose process is gone. */
static void remove_stale(const char *dir, const char *base)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char prefix[PATH_MAX];
    int plen = snprintf(prefix, sizeof prefix, "%s.tmp-", base);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, (size_t)plen) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + plen, &end, 10);
        /* Only names mkstemp made from our pattern: BASE.tmp-<pid>-XXXXXX */
        if (end == e->d_name + plen || *end != '-' || pid <= 0 || strlen(end + 1) != 6)
            continue;
        if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno == EPERM)
            continue;
        char stale[PATH_MAX * 2];
        snprintf(stale, sizeof stale, "%s/%s", dir, e->d_name);
        unlink(stale);
    }
    closedir(d);
}

retain_status rt_output_begin(rt_output *out, const char *final_path,
                              const char *const *inputs, int ninputs)
{
    memset(out, 0, sizeof *out);
    if (!final_path || !*final_path)
        return rt_error(RETAIN_ERR_USAGE, "no output file given; use -o FILE");
    if (strlen(final_path) + 32 >= PATH_MAX)
        return rt_error(RETAIN_ERR_USAGE, "output path is too long: %s", final_path);
    retain_status s = rt_output_check_not_input(final_path, inputs, ninputs);
    if (s)
        return s;
    char dir[PATH_MAX], base[PATH_MAX];
    split_path(final_path, dir, base);
    struct stat st;
    if (stat(dir, &st) != 0)
        return rt_error(RETAIN_ERR_IO, "cannot write %s: folder %s: %s; create the "
                        "folder or choose another -o", final_path, dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return rt_error(RETAIN_ERR_IO, "cannot write %s: %s is not a folder; choose "
                        "another -o", final_path, dir);
    if (stat(final_path, &st) == 0 && S_ISDIR(st.st_mode))
        return rt_error(RETAIN_ERR_IO, "cannot write %s: it is a folder; give a file name",
                        final_path);
    remove_stale(dir, base);
    snprintf(out->final_path, PATH_MAX, "%s", final_path);
    char tmp[PATH_MAX * 2 + 64];
    int len = snprintf(tmp, sizeof tmp, "%s/%s.tmp-%ld-XXXXXX", dir, base, (long)getpid());
    if (len < 0 || len >= PATH_MAX)
        return rt_error(RETAIN_ERR_USAGE, "output path is too long: %s", final_path);
    memcpy(out->tmp_path, tmp, (size_t)len + 1);
    int fd = mkstemp(out->tmp_path);
    if (fd < 0) {
        s = rt_error(RETAIN_ERR_IO, "cannot write %s: cannot create a file in %s: %s; "
                     "choose a writable folder with -o",
                     final_path, dir, strerror(errno));
        out->tmp_path[0] = '\0';
        return s;
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    close(fd);
    live_add(out->tmp_path);
    return RETAIN_OK;
}

retain_status rt_output_stream(rt_output *out, FILE **stream)
{
    if (!out->stream) {
        out->stream = fopen(out->tmp_path, "w");
        if (!out->stream)
            return rt_error(RETAIN_ERR_IO, "cannot write %s: %s", out->final_path,
                            strerror(errno));
        setvbuf(out->stream, NULL, _IOFBF, 1 << 20);
    }
    *stream = out->stream;
    return RETAIN_OK;
}

static void remove_temporary(rt_output *out)
{
    if (out->stream) {
        fclose(out->stream);
        out->stream = NULL;
    }
    if (out->tmp_path[0]) {
        unlink(out->tmp_path);
        live_remove(out->tmp_path);
        out->tmp_path[0] = '\0';
    }
}

static retain_status fail(rt_output *out, const char *what, int err)
{
    retain_status s = rt_error(RETAIN_ERR_IO,
                               "writing %s failed (%s: %s); nothing was replaced%s",
                               out->final_path, what, strerror(err),
                               err == ENOSPC || err == EFBIG || err == EDQUOT
                                   ? ": free some space or write to another folder"
                                   : "");
    remove_temporary(out);
    return s;
}

retain_status rt_output_commit(rt_output *out)
{
    if (out->stream) {
        FILE *f = out->stream;
        out->stream = NULL;
        int bad = fflush(f) != 0 || ferror(f);
        int err = errno;
        if (fclose(f) != 0 && !bad) {
            bad = 1;
            err = errno;
        }
        if (bad)
            return fail(out, "write", err ? err : EIO);
    }
    int fd = open(out->tmp_path, O_RDONLY);
    if (fd < 0)
        return fail(out, "reopen", errno);
    if (fsync(fd) != 0) {
        int err = errno;
        close(fd);
        return fail(out, "fsync", err);
    }
    close(fd);
    if (rename(out->tmp_path, out->final_path) != 0)
        return fail(out, "rename", errno);
    live_remove(out->tmp_path);
    out->tmp_path[0] = '\0';
    char dir[PATH_MAX], base[PATH_MAX];
    split_path(out->final_path, dir, base);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return RETAIN_OK;
}

/* True if msg names path itself (not only as the start of a longer name
** such as its temporary NAME.tmp-...). */
static bool names_path(const char *msg, const char *path)
{
    size_t n = strlen(path);
    for (const char *p = strstr(msg, path); p; p = strstr(p + 1, path)) {
        char next = p[n];
        if (!(next == '.' || next == '_' || next == '-' || next == '/' ||
              (next >= '0' && next <= '9') || (next >= 'A' && next <= 'Z') ||
              (next >= 'a' && next <= 'z')))
            return true;
    }
    return false;
}

void rt_output_abort(rt_output *out)
{
    bool live = out->tmp_path[0] != '\0';
    remove_temporary(out);
    if (live && out->final_path[0] && !names_path(retain_last_error(), out->final_path))
        rt_error_context(RETAIN_ERR_IO, "%s was not written (any earlier file of that "
                         "name is untouched)", out->final_path);
}

retain_status rt_output_begin_shared(rt_output *out, const char *final_path,
                                     const char *const *inputs, int ninputs)
{
    memset(out, 0, sizeof *out);
    retain_status s = rt_dist_rank() == 0 ? rt_output_begin(out, final_path, inputs, ninputs)
                                          : RETAIN_OK;
    s = rt_dist_bcast(s, out, sizeof *out, 0);
    if (s && rt_dist_rank() == 0)
        rt_output_abort(out);
    if (rt_dist_rank() > 0)
        out->stream = NULL;
    return s;
}

retain_status rt_output_end_shared(rt_output *out, retain_status written)
{
    retain_status s = rt_dist_agree(written);
    if (rt_dist_rank() == 0) {
        if (s)
            rt_output_abort(out);
        else
            s = rt_output_commit(out);
    }
    return rt_dist_agree(s);
}
