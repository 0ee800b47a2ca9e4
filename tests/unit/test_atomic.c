/*
** tests/unit/test_atomic.c: src/io/atomic.c, the one path every output
** takes. An output equal to an input (same path, hard link, symbolic link)
** is refused with RETAIN_ERR_USAGE naming both; commit replaces the file
** and leaves no temporary; abort, a failed write (file-size limit, the
** stand-in for a full disk) and a failed rename leave the old file
** untouched and no temporary; stale temporaries of dead processes are
** removed by the next begin while live ones and unrelated names stay;
** unwritable destinations are I/O errors naming the folder; SIGTERM
** removes a live temporary.
*/
#include "check.h"

#include "core/error.h"
#include "io/atomic.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char root[PATH_MAX];

static const char *at(const char *name)
{
    static char buf[4][PATH_MAX];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, PATH_MAX, "%s/%s", root, name);
    return p;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static bool file_is(const char *path, const char *text)
{
    char buf[256] = "";
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strcmp(buf, text) == 0;
}

/* Files in dir whose names contain ".tmp-". */
static int temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strstr(e->d_name, ".tmp-") != NULL;
    if (d)
        closedir(d);
    return n;
}

static void clear_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strstr(e->d_name, ".tmp-")) {
            char p[PATH_MAX * 2];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    }
    if (d)
        closedir(d);
}

static void test_refuses_inputs(void)
{
    const char *in = at("in.h5");
    write_file(in, "input");
    const char *inputs[] = {at("other.csv"), in};
    rt_output out;
    retain_status s = rt_output_begin(&out, in, inputs, 2);
    CHECK(s == RETAIN_ERR_USAGE, "same path: status %d", s);
    CHECK(strstr(retain_last_error(), "in.h5") && strstr(retain_last_error(), "-o"),
          "message names the file and the option: %s", retain_last_error());

    const char *hard = at("hard.h5");
    unlink(hard);
    CHECK(link(in, hard) == 0, "link: %s", strerror(errno));
    s = rt_output_begin(&out, hard, inputs, 2);
    CHECK(s == RETAIN_ERR_USAGE, "hard link: status %d", s);
    CHECK(strstr(retain_last_error(), "hard.h5") && strstr(retain_last_error(), "in.h5"),
          "message names output and input: %s", retain_last_error());

    const char *sym = at("sym.h5");
    unlink(sym);
    CHECK(symlink("in.h5", sym) == 0, "symlink: %s", strerror(errno));
    s = rt_output_begin(&out, sym, inputs, 2);
    CHECK(s == RETAIN_ERR_USAGE, "symbolic link as output: status %d", s);
    CHECK(strstr(retain_last_error(), "sym.h5") && strstr(retain_last_error(), "in.h5"),
          "message names output and input: %s", retain_last_error());
    const char *via_link[] = {sym};
    s = rt_output_begin(&out, in, via_link, 1);
    CHECK(s == RETAIN_ERR_USAGE, "input given through a symbolic link: status %d", s);

    CHECK(file_is(in, "input"), "input untouched");
    CHECK(temporaries(root) == 0, "no temporary created when refusing");
    CHECK(rt_output_check_not_input(at("new.h5"), inputs, 2) == RETAIN_OK,
          "a file that does not exist yet is no input");
    unlink(hard);
    unlink(sym);
}

static void test_commit_and_abort(void)
{
    const char *final = at("out.txt");
    write_file(final, "old");
    rt_output out;
    FILE *stream;
    CHECK(rt_output_begin(&out, final, NULL, 0) == RETAIN_OK, "begin: %s",
          retain_last_error());
    CHECK(strncmp(out.tmp_path, final, strlen(final)) == 0 &&
              strstr(out.tmp_path, ".tmp-") != NULL,
          "temporary beside the output: %s", out.tmp_path);
    CHECK(rt_output_stream(&out, &stream) == RETAIN_OK, "stream");
    fputs("new", stream);
    CHECK(file_is(final, "old"), "old file in place while writing");
    CHECK(rt_output_commit(&out) == RETAIN_OK, "commit: %s", retain_last_error());
    CHECK(file_is(final, "new"), "committed contents");
    CHECK(temporaries(root) == 0, "no temporary after commit");
    rt_output_abort(&out); /* after commit: nothing to do */
    CHECK(file_is(final, "new"), "abort after commit leaves the file");
    struct stat st;
    mode_t mask = umask(0);
    umask(mask);
    CHECK(stat(final, &st) == 0 && (st.st_mode & 0777) == (0666 & ~mask),
          "mode %o, umask %o", (unsigned)(st.st_mode & 0777), (unsigned)mask);

    /* A writer that opens tmp_path itself (as HDF5 does). */
    CHECK(rt_output_begin(&out, final, NULL, 0) == RETAIN_OK, "begin 2");
    write_file(out.tmp_path, "hdf5-like");
    CHECK(rt_output_commit(&out) == RETAIN_OK, "commit 2: %s", retain_last_error());
    CHECK(file_is(final, "hdf5-like"), "committed by path");

    /* Abort: old file untouched, no temporary, message says so. */
    CHECK(rt_output_begin(&out, final, NULL, 0) == RETAIN_OK, "begin 3");
    CHECK(rt_output_stream(&out, &stream) == RETAIN_OK, "stream 3");
    fputs("partial", stream);
    rt_error(RETAIN_ERR_DATA, "input row 5 is bad");
    rt_output_abort(&out);
    CHECK(file_is(final, "hdf5-like"), "abort leaves the old file");
    CHECK(temporaries(root) == 0, "abort removes the temporary");
    CHECK(strstr(retain_last_error(), "out.txt was not written") &&
              strstr(retain_last_error(), "input row 5 is bad"),
          "abort adds context: %s", retain_last_error());
    rt_output_abort(&out); /* twice is safe */

    /* A new file (no earlier one) aborted leaves nothing at all. */
    const char *fresh = at("fresh.txt");
    unlink(fresh);
    CHECK(rt_output_begin(&out, fresh, NULL, 0) == RETAIN_OK, "begin fresh");
    rt_output_abort(&out);
    CHECK(access(fresh, F_OK) != 0 && temporaries(root) == 0, "nothing left");
}

static void test_failed_writes(void)
{
    const char *final = at("big.txt");
    write_file(final, "old");
    /* A file-size limit makes writes fail with EFBIG, like a full disk. */
    struct rlimit saved, small = {0, 0};
    getrlimit(RLIMIT_FSIZE, &saved);
    small.rlim_cur = 4096;
    small.rlim_max = saved.rlim_max;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    rt_output out;
    FILE *stream;
    CHECK(rt_output_begin(&out, final, NULL, 0) == RETAIN_OK, "begin");
    CHECK(rt_output_stream(&out, &stream) == RETAIN_OK, "stream");
    CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0, "setrlimit: %s", strerror(errno));
    for (int i = 0; i < 100000; i++)
        fputs("0123456789abcdef", stream);
    retain_status s = rt_output_commit(&out);
    setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, old_handler);
    CHECK(s == RETAIN_ERR_IO, "full disk: status %d", s);
    CHECK(strstr(retain_last_error(), "big.txt") &&
              strstr(retain_last_error(), "nothing was replaced"),
          "message: %s", retain_last_error());
    CHECK(file_is(final, "old"), "old file untouched after a failed write");
    CHECK(temporaries(root) == 0, "no temporary after a failed write");

    /* Rename fails: the destination became a non-empty folder meanwhile. */
    const char *dirdest = at("became_dir");
    CHECK(rt_output_begin(&out, dirdest, NULL, 0) == RETAIN_OK, "begin rename case");
    mkdir(dirdest, 0755);
    write_file(at("became_dir/keep"), "keep");
    s = rt_output_commit(&out);
    CHECK(s == RETAIN_ERR_IO, "rename over a folder: status %d", s);
    CHECK(strstr(retain_last_error(), "rename"), "message: %s", retain_last_error());
    CHECK(file_is(at("became_dir/keep"), "keep"), "folder untouched");
    CHECK(temporaries(root) == 0, "no temporary after a failed rename");
    unlink(at("became_dir/keep"));
    rmdir(dirdest);
}

static void test_unwritable(void)
{
    rt_output out;
    retain_status s = rt_output_begin(&out, at("no_such_dir/out.h5"), NULL, 0);
    CHECK(s == RETAIN_ERR_IO, "missing folder: status %d", s);
    CHECK(strstr(retain_last_error(), "no_such_dir"), "message: %s", retain_last_error());

    write_file(at("plain"), "x");
    s = rt_output_begin(&out, at("plain/out.h5"), NULL, 0);
    CHECK(s == RETAIN_ERR_IO, "parent is a file: status %d", s);
    CHECK(strstr(retain_last_error(), "not a folder"), "message: %s", retain_last_error());

    mkdir(at("adir"), 0755);
    s = rt_output_begin(&out, at("adir"), NULL, 0);
    CHECK(s == RETAIN_ERR_IO, "output is a folder: status %d", s);
    rmdir(at("adir"));

    s = rt_output_begin(&out, "", NULL, 0);
    CHECK(s == RETAIN_ERR_USAGE, "empty path: status %d", s);

    if (geteuid() != 0) {
        const char *ro = at("readonly");
        mkdir(ro, 0755);
        chmod(ro, 0555);
        s = rt_output_begin(&out, at("readonly/out.h5"), NULL, 0);
        CHECK(s == RETAIN_ERR_IO, "read-only folder: status %d", s);
        CHECK(strstr(retain_last_error(), "readonly") &&
                  strstr(retain_last_error(), "Permission denied"),
              "message: %s", retain_last_error());
        chmod(ro, 0755);
        rmdir(ro);
    } else {
        printf("note: running as root, which writes into read-only folders: "
               "read-only folder check skipped\n");
    }
}

static pid_t dead_pid(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    return pid;
}

static void test_stale(void)
{
    clear_temporaries(root);
    const char *final = at("model.h5");
    char dead[PATH_MAX], live[PATH_MAX], odd[PATH_MAX], other[PATH_MAX];
    pid_t gone = dead_pid();
    CHECK(kill(gone, 0) != 0, "pid %d is gone", (int)gone);
    snprintf(dead, sizeof dead, "%s.tmp-%d-Ab12Cd", final, (int)gone);
    snprintf(live, sizeof live, "%s.tmp-%d-Zz98Yy", final, (int)getppid());
    snprintf(odd, sizeof odd, "%s.tmp-%d-notmine-at-all", final, (int)gone);
    snprintf(other, sizeof other, "%s/other.h5.tmp-%d-Ab12Cd", root, (int)gone);
    write_file(dead, "stale");
    write_file(live, "live");
    write_file(odd, "odd");
    write_file(other, "other");
    rt_output out;
    CHECK(rt_output_begin(&out, final, NULL, 0) == RETAIN_OK, "begin: %s",
          retain_last_error());
    CHECK(access(dead, F_OK) != 0, "stale temporary of a dead process removed");
    CHECK(access(live, F_OK) == 0, "temporary of a live process kept");
    CHECK(access(odd, F_OK) == 0, "a name not made by mkstemp kept");
    CHECK(access(other, F_OK) == 0, "another output's temporary kept");
    rt_output_abort(&out);
    clear_temporaries(root);
}

static void test_signal_cleanup(void)
{
    clear_temporaries(root);
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        rt_output_install_signal_cleanup();
        rt_output out;
        char ok = rt_output_begin(&out, at("sig.h5"), NULL, 0) == RETAIN_OK ? 'y' : 'n';
        if (write(fds[1], &ok, 1) != 1)
            _exit(3);
        for (;;)
            pause();
    }
    close(fds[1]);
    char ok = 'n';
    CHECK(read(fds[0], &ok, 1) == 1 && ok == 'y', "child began an output");
    close(fds[0]);
    CHECK(temporaries(root) == 1, "the child's temporary exists");
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
          "child ended by SIGTERM (status %d)", status);
    CHECK(temporaries(root) == 0, "SIGTERM removed the temporary");
    CHECK(access(at("sig.h5"), F_OK) != 0, "no output appeared");
}

int main(void)
{
    const char *base = getenv("RETAIN_TEST_TMP");
    if (!base || !*base)
        base = "/tmp";
    mkdir(base, 0755);
    snprintf(root, sizeof root, "%s/atomic.XXXXXX", base);
    if (!mkdtemp(root)) {
        fprintf(stderr, "cannot make a folder under %s: %s\n", base, strerror(errno));
        return 1;
    }
    test_refuses_inputs();
    test_commit_and_abort();
    test_failed_writes();
    test_unwritable();
    test_stale();
    test_signal_cleanup();
    if (!check_failures) {
        const char *names[] = {"in.h5", "out.txt", "big.txt", "plain", "model.h5",
                               "fresh.txt"};
        for (size_t i = 0; i < sizeof names / sizeof *names; i++)
            unlink(at(names[i]));
        clear_temporaries(root);
        rmdir(root);
    }
    CHECK_DONE();
}
