/*
** include/retain.h: the one public header of libretain, the customer-retention
** analytics engine. It reads in one sitting, grouped per object:
**
**   version and build facts     retain_version(), retain_build_info()
**   status codes and errors     retain_status, retain_last_error()
**   logging                     retain_log_set_callback()
**   threads and instruction set retain_threads_set(), retain_isa_name()
**   memory                      retain_malloc(), retain_free()
**   matrices                    retain_matrix (a view), retain_matrix_owned
**
** Conventions (see DESIGN.md): every call that can fail returns a
** retain_status, 0 on success; the message for the last failure on the
** calling thread is at retain_last_error(). The library never prints and
** never exits. Sizes are int64_t. Results come back through trailing out_
** parameters.
**
** A worked example, reading nothing and computing nothing yet:
**
**     float *buf;
**     if (retain_malloc((size_t)rows * cols * sizeof *buf, (void **)&buf))
**         fprintf(stderr, "%s\n", retain_last_error());
**     retain_matrix m = { buf, rows, cols, cols };
*/
#ifndef RETAIN_H
#define RETAIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define RETAIN_API __declspec(dllexport)
#else
#define RETAIN_API __attribute__((visibility("default")))
#endif

/* ---- version and build facts ------------------------------------------ */

#define RETAIN_VERSION_MAJOR 0
#define RETAIN_VERSION_MINOR 1
#define RETAIN_VERSION_PATCH 0
#define RETAIN_VERSION_STRING "0.1.0"

/* "0.1.0" */
RETAIN_API const char *retain_version(void);

/* One line: version, instruction set in use, OpenMP threads, CUDA, HDF5. */
RETAIN_API const char *retain_build_info(void);

/* ---- status codes and errors ------------------------------------------ */

/* The values double as the command line's exit codes (DESIGN.md). */
typedef enum retain_status {
    RETAIN_OK = 0,
    RETAIN_ERR_USAGE = 1,    /* a bad argument or option value            */
    RETAIN_ERR_DATA = 2,     /* bad input data: shape, type, NaN, format  */
    RETAIN_ERR_IO = 3,       /* file missing, unreadable, disk full       */
    RETAIN_ERR_DEVICE = 4,   /* no usable GPU or a device failure         */
    RETAIN_ERR_INTERNAL = 5, /* out of memory or a bug                    */
} retain_status;

/* Message of the last failure on the calling thread ("" if none). The
** buffer belongs to the thread and stays valid until its next failure. */
RETAIN_API const char *retain_last_error(void);

/* Short name of a status: "ok", "usage", "data", "io", "device", "internal". */
RETAIN_API const char *retain_status_name(retain_status status);

/* ---- logging ------------------------------------------------------------ */

typedef enum retain_log_level {
    RETAIN_LOG_DEBUG = 0,
    RETAIN_LOG_INFO = 1,
    RETAIN_LOG_WARN = 2,
} retain_log_level;

/* Receives every message the library emits; NULL (the default) drops them.
** The callback may be called from any thread, one message at a time. */
typedef void (*retain_log_fn)(retain_log_level level, const char *message,
                              void *user);
RETAIN_API void retain_log_set_callback(retain_log_fn fn, void *user);

/* ---- threads and instruction set ----------------------------------------- */

/* Threads used by parallel loops; 0 restores the default (all cores).
** Results never depend on this number. */
RETAIN_API retain_status retain_threads_set(int threads);
RETAIN_API int retain_threads_get(void);

/* The kernel variant chosen at startup: "scalar", "avx2" or "avx512". It is
** the best the CPU supports, capped by the environment variable RETAIN_ISA. */
RETAIN_API const char *retain_isa_name(void);

/* ---- memory -------------------------------------------------------------- */

/* 64-byte aligned allocation; *out is NULL on failure. Sizes of zero give a
** valid pointer. Release with retain_free(). */
RETAIN_API retain_status retain_malloc(size_t bytes, void **out);
RETAIN_API retain_status retain_calloc(size_t count, size_t size, void **out);
RETAIN_API void retain_free(void *ptr);

/* ---- matrices ------------------------------------------------------------ */

/* A read-only view of a row-major float32 matrix: element (i, j) is at
** data[i * row_stride + j]. The view never owns its memory. */
typedef struct retain_matrix {
    const float *data;
    int64_t rows;
    int64_t cols;
    int64_t row_stride; /* >= cols */
} retain_matrix;

/* A matrix that owns 64-byte aligned storage, rows * cols contiguous. */
typedef struct retain_matrix_owned {
    float *data;
    int64_t rows;
    int64_t cols;
} retain_matrix_owned;

/* Allocates rows x cols (zeroed). Refuses, before allocating, a size that
** overflows or exceeds the machine's memory. */
RETAIN_API retain_status retain_matrix_alloc(int64_t rows, int64_t cols,
                                             retain_matrix_owned *out);
RETAIN_API void retain_matrix_release(retain_matrix_owned *m);
/* The view of an owned matrix. */
RETAIN_API retain_matrix retain_matrix_view(const retain_matrix_owned *m);
/* Rows [first, first + count) of a view; count is clipped to the end. */
RETAIN_API retain_matrix retain_matrix_rows(retain_matrix m, int64_t first,
                                            int64_t count);

#ifdef __cplusplus
}
#endif

#endif /* RETAIN_H */
