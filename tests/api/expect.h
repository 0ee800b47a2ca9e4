/*
** tests/api/expect.h: the check the public-API tests share. EXPECT records
** a failure with file and line and goes on, so one run reports every broken
** case; EXPECT_DONE ends main with the number of failures as exit status.
** (The unit tests' check.h is the same idea with a message; these tests use
** nothing but include/retain.h and the C library.)
*/
#ifndef RT_TEST_EXPECT_H
#define RT_TEST_EXPECT_H

#include <stdio.h>

static int failures;

#define EXPECT(cond)                                                           \
    do {                                                                       \
        if (!(cond)) {                                                         \
            failures++;                                                        \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);         \
        }                                                                      \
    } while (0)

#define EXPECT_DONE()                                                          \
    do {                                                                       \
        if (failures)                                                          \
            fprintf(stderr, "%d check(s) failed\n", failures);                 \
        return failures ? 1 : 0;                                               \
    } while (0)

#endif
