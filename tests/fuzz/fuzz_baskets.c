/*
** tests/fuzz/fuzz_baskets.c: fuzz target for the text basket parsers
** (src/io/baskets_text.c), one binary per format: FUZZ_FORMAT is
** RT_BASKETS_DAT, _NAMES or _LONG. Each input is parsed; a failure must
** carry a known status and a message naming the input; a success must
** give a well-formed CSR (offsets rising, items in range and distinct
** within a basket, labels NUL-terminated), which is then mined for
** itemsets of up to 3 items and rules under a guard of 2000 itemsets, so
** the miner and the rule generator see odd inputs too. What fails the
** target is a crash, a sanitizer report, a hang or a broken promise.
**
** Built two ways (tests/CMakeLists.txt): with -fsanitize=fuzzer for
** libFuzzer (RETAIN_FUZZ=ON, clang), and with -DRETAIN_FUZZ_STANDALONE as
** a program that runs the target over the files and folders it is given
** and then over MUTATIONS seeded random mutations of each (bytes flipped,
** inserted or deleted, separators and quotes spliced in), so ctest fuzzes
** every parser briefly in every build, the sanitizer build included:
**
**   fuzz_baskets_dat_replay [-mutations=N] tests/fuzz/corpus_baskets/dat
*/
#include "core/error.h"
#include "io/baskets.h"
#include "rules/rules.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond)                                                                   \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "fuzz_baskets: %s:%d: check failed: %s (last error: %s)\n", \
                    __FILE__, __LINE__, #cond, retain_last_error());                    \
            abort();                                                                    \
        }                                                                               \
    } while (0)

static void check_baskets(const rt_baskets *b)
{
    REQUIRE(b->n >= 1 && b->indptr[0] == 0 && b->n_items >= 1);
    for (int64_t i = 0; i < b->n; i++) {
        REQUIRE(b->indptr[i + 1] >= b->indptr[i]);
        for (int64_t k = b->indptr[i]; k < b->indptr[i + 1]; k++) {
            REQUIRE(b->items[k] >= 0 && b->items[k] < b->n_items);
            for (int64_t q = b->indptr[i]; q < k; q++)
                REQUIRE(b->items[q] != b->items[k]);
        }
    }
    for (int64_t i = 0; i < b->n_items; i++) {
        size_t len;
        const char *s = rt_baskets_label(b, i, &len);
        REQUIRE(s[len] == '\0' && strlen(s) == len);
    }
}

static void mine(const rt_baskets *b)
{
    rt_recoded r;
    int64_t minc = b->n / 4 > 1 ? b->n / 4 : 1;
    REQUIRE(rt_items_recode(b->n, b->indptr, b->items, b->n_items, minc, 0, &r) == RETAIN_OK);
    rt_mine_params p = {.min_count = minc, .max_len = 3, .max_itemsets = 2000};
    rt_itemsets s;
    retain_status st = rt_eclat_mine(&r, &p, &s);
    REQUIRE(st == RETAIN_OK || (st == RETAIN_ERR_DATA && strstr(retain_last_error(), "--max-itemsets")));
    if (st == RETAIN_OK) {
        rt_itemset_index ix;
        rt_rules rules;
        rt_rule_params rp;
        rt_rule_params_init(&rp);
        rp.min[RT_METRIC_CONFIDENCE] = 0.5;
        REQUIRE(rt_itemset_index_build(&s, &ix) == RETAIN_OK);
        REQUIRE(rt_rules_generate(&s, &ix, r.n_baskets, &rp, &rules) == RETAIN_OK);
        for (int64_t i = 0; i < rules.count; i++)
            REQUIRE(rules.rules[i].n_a >= s.support[rules.rules[i].itemset]);
        rt_rules_free(&rules);
        rt_itemset_index_free(&ix);
        rt_itemsets_free(&s);
    }
    rt_recoded_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rt_baskets b;
    retain_status s = rt_baskets_parse((const char *)data, size, FUZZ_FORMAT, "fuzz-input", &b);
    REQUIRE(s >= RETAIN_OK && s <= RETAIN_ERR_INTERNAL);
    if (s) {
        REQUIRE(strstr(retain_last_error(), "fuzz-input") != NULL || s == RETAIN_ERR_INTERNAL);
        rt_error_clear();
        return 0;
    }
    check_baskets(&b);
    mine(&b);
    rt_baskets_free(&b);
    return 0;
}

#ifdef RETAIN_FUZZ_STANDALONE
#include <dirent.h>
#include <sys/stat.h>

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A few random edits of data (size bytes, room for size + 64). */
static size_t mutate(uint8_t *data, size_t size)
{
    static const char splice[] = " ,\"\n\r\t0123456789-x";
    int edits = 1 + (int)(next() % 4);
    for (int e = 0; e < edits; e++) {
        size_t at = size ? next() % (size + 1) : 0;
        switch (next() % 4) {
        case 0: /* insert */
            memmove(data + at + 1, data + at, size - at);
            data[at] = (uint8_t)splice[next() % (sizeof splice - 1)];
            size++;
            break;
        case 1: /* delete */
            if (at < size) {
                memmove(data + at, data + at + 1, size - at - 1);
                size--;
            }
            break;
        case 2: /* replace with a separator or digit */
            if (at < size)
                data[at] = (uint8_t)splice[next() % (sizeof splice - 1)];
            break;
        default: /* any byte */
            if (at < size)
                data[at] = (uint8_t)next();
        }
        if (size > 4096)
            size = 4096;
    }
    return size;
}

static long mutations;

static int run_file(const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "fuzz_baskets: cannot open %s\n", path);
        return 1;
    }
    uint8_t *data = malloc(4096 + 256), *work = malloc(4096 + 256);
    REQUIRE(data && work);
    size_t size = fread(data, 1, 4096, in);
    fclose(in);
    LLVMFuzzerTestOneInput(data, size);
    size_t cur = size;
    memcpy(work, data, size);
    for (long m = 0; m < mutations; m++) {
        if (m % 16 == 0) { /* back to the seed now and then */
            memcpy(work, data, size);
            cur = size;
        }
        cur = mutate(work, cur);
        uint8_t *copy = malloc(cur ? cur : 1); /* exact size: ASan sees overreads */
        REQUIRE(copy);
        memcpy(copy, work, cur);
        LLVMFuzzerTestOneInput(copy, cur);
        free(copy);
    }
    free(data);
    free(work);
    return 0;
}

static int run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "fuzz_baskets: no such file or folder %s\n", path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    DIR *d = opendir(path);
    if (!d)
        return 1;
    struct dirent *e;
    int rc = 0, files = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        rc |= run_path(sub);
        files++;
    }
    closedir(d);
    printf("fuzz_baskets: %s: %d inputs, %ld mutations each\n", path, files, mutations);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "-mutations=", 11) == 0)
            mutations = atol(argv[i] + 11);
        else
            rc |= run_path(argv[i]);
    }
    return rc;
}
#endif
