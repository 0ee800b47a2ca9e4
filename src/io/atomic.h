/*
** src/io/atomic.h: the one path every output file takes. Data goes to
** NAME.tmp-<pid>-XXXXXX in the same folder; commit fsyncs it, renames it over
** NAME and fsyncs the folder; abort (or a signal) removes it. A crash or a
** full disk therefore leaves any earlier NAME intact and no partial file
** under NAME. An output that is one of the inputs is refused up front, and
** temporary files left by processes that no longer exist are removed.
*/
#ifndef RT_IO_ATOMIC_H
#define RT_IO_ATOMIC_H

#include "retain.h"

#include <limits.h>
#include <stdio.h>

typedef struct rt_output {
    char final_path[PATH_MAX];
    char tmp_path[PATH_MAX];
    FILE *stream; /* for text outputs: rt_output_stream() */
} rt_output;

/* Checks the destination (folder exists and is writable, not one of the
** `ninputs` input paths), cleans stale temporaries and creates the temporary
** file. On success the caller writes to out->tmp_path (HDF5) or
** rt_output_stream(out) (text), then calls rt_output_commit or _abort. */
retain_status rt_output_begin(rt_output *out, const char *final_path,
                              const char *const *inputs, int ninputs);

/* The temporary file opened for buffered text writing. */
retain_status rt_output_stream(rt_output *out, FILE **stream);

/* Flushes, fsyncs, renames over final_path. On failure the temporary file is
** removed and the old final_path, if any, is untouched. */
retain_status rt_output_commit(rt_output *out);

/* Removes the temporary file; safe to call twice or after commit. When a
** temporary was still live, the thread's error message gains the context
** "NAME was not written" (unless it names NAME already). */
void rt_output_abort(rt_output *out);

/* RETAIN_ERR_USAGE naming `path` and the input if `path` is the same file
** as any of the inputs (same path, a hard link or a symbolic link to it). */
retain_status rt_output_check_not_input(const char *path,
                                        const char *const *inputs, int ninputs);

/* Installs SIGINT/SIGTERM/SIGHUP handlers that remove live temporaries and
** ignores SIGXFSZ so an exceeded file-size limit is a write error. */
void rt_output_install_signal_cleanup(void);

/* The same for one HDF5 file that every MPI rank writes part of (one
** process: begin, then commit or abort). Every rank calls begin: rank 0
** checks, cleans and creates the temporary, and all learn its name in
** out->tmp_path or rank 0's failure. Every rank calls end with its
** status once it has closed the file: rank 0 commits (fsync, rename) when
** all succeeded, else removes the temporary; all return the outcome. */
retain_status rt_output_begin_shared(rt_output *out, const char *final_path,
                                     const char *const *inputs, int ninputs);
retain_status rt_output_end_shared(rt_output *out, retain_status written);

#endif
