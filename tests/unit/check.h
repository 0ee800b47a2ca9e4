/*
** tests/unit/check.h: the few macros unit tests share. CHECK records a
** failure with file and line and goes on, so one run reports every broken
** case; CHECK_DONE ends main with the number of failures as exit status.
*/
#ifndef RT_TEST_CHECK_H
#define RT_TEST_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!(cond)) {                                                          \
            check_failures++;                                                   \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
        }                                                                       \
    } while (0)

#define CHECK_DONE()                                                            \
    do {                                                                        \
        if (check_failures)                                                     \
            fprintf(stderr, "%d check(s) failed\n", check_failures);            \
        return check_failures ? 1 : 0;                                          \
    } while (0)

#endif
