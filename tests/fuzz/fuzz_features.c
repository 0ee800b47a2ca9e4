/*
** tests/fuzz/fuzz_features.c: fuzz target for the parsers of untrusted HDF5
** files: the feature reader (src/io/features.h) and the inventory behind
** `retain info` (src/io/inventory.h). Each input is written to a temporary
** file, opened with four specs (default; allow_nonfinite with label
** "/churned"; a bare label "churned", which a pandas frame or column group
** resolves as its own column; columns "f1,f0", the names the seeds use),
** read whole in row blocks with labels and ids, and described by
** rt_inventory_build; and loaded as a logistic-regression model
** (src/io/logreg_model.h), which then scores a row. Errors are expected; what fails
** the target is a crash, a sanitizer report, a hang, a status outside
** retain_status or without a message, a broken promise (NaN/Inf returned
** when not allowed), or an HDF5 object left open (a handle leak).
**
** Built two ways (tests/CMakeLists.txt): with -fsanitize=fuzzer for
** libFuzzer (RETAIN_FUZZ=ON, clang), and with -DRETAIN_FUZZ_STANDALONE as
** a plain program that runs the target over files and folders given on the
** command line, so ctest replays the corpus in every build:
**
**   fuzz_features_replay tests/fuzz/corpus [more files or folders ...]
*/
#include "core/error.h"
#include "io/features.h"
#include "io/inventory.h"
#include "io/h5.h"
#include "io/logreg_model.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Matrices claiming more cells than this are opened but not read. The
** reader refuses claims beyond what the file stores (rt_h5_check_stored),
** but a claim within its slack (64 MiB) passes with no storage at all. */
#define MAX_CELLS ((int64_t)64 << 20)
/* Rows per block: the first blocks are a few hundred rows (odd sizes, so
** blocks straddle chunks); the rest are up to BIG_BLOCK_CELLS per block so
** a large valid claim is read in bounded time and memory. */
#define SMALL_BLOCK_ROWS 300
#define SMALL_BLOCKS 4
#define BIG_BLOCK_CELLS ((int64_t)1 << 20)

#define REQUIRE(cond)                                                              \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "fuzz_features: %s:%d: check failed: %s (last error: " \
                    "%s)\n", __FILE__, __LINE__, #cond, retain_last_error());       \
            abort();                                                               \
        }                                                                          \
    } while (0)

static bool verbose; /* FUZZ_VERBOSE set: one line per call that failed */

/* A failing call must return a known status and say why. */
static void check_status(retain_status s)
{
    REQUIRE(s >= RETAIN_OK && s <= RETAIN_ERR_INTERNAL);
    if (s)
        REQUIRE(retain_last_error()[0] != '\0');
    if (s && verbose)
        fprintf(stderr, "  [%s] %.300s\n", retain_status_name(s), retain_last_error());
    rt_error_clear();
}

static void read_label(rt_features *f, int64_t rows, bool allow_nonfinite)
{
    if (!rt_features_has_label(f) || rows == 0)
        return;
    REQUIRE(rt_features_label_name(f) != NULL);
    double *buf = malloc(SMALL_BLOCK_ROWS * sizeof *buf);
    REQUIRE(buf);
    for (int64_t r = 0; r < rows; r += SMALL_BLOCK_ROWS) {
        int64_t n = rows - r < SMALL_BLOCK_ROWS ? rows - r : SMALL_BLOCK_ROWS;
        retain_status s = rt_features_read_label(f, r, n, buf);
        check_status(s);
        if (s)
            break;
        for (int64_t i = 0; !allow_nonfinite && i < n; i++)
            REQUIRE(isfinite(buf[i]));
    }
    free(buf);
}

static void read_ids(rt_features *f, int64_t rows)
{
    if (!rt_features_has_user_ids(f) || rows == 0)
        return;
    REQUIRE(rt_features_user_id_name(f) != NULL);
    if (rt_features_user_ids_are_strings(f)) {
        char *ids[SMALL_BLOCK_ROWS];
        for (int64_t r = 0; r < rows; r += SMALL_BLOCK_ROWS) {
            int64_t n = rows - r < SMALL_BLOCK_ROWS ? rows - r : SMALL_BLOCK_ROWS;
            retain_status s = rt_features_read_user_id_strings(f, r, n, ids);
            check_status(s);
            if (s) {
                for (int64_t i = 0; i < n; i++)
                    REQUIRE(ids[i] == NULL);
                break;
            }
            for (int64_t i = 0; i < n; i++) {
                REQUIRE(ids[i] != NULL);
                free(ids[i]);
            }
        }
        return;
    }
    int64_t *ids = malloc(SMALL_BLOCK_ROWS * sizeof *ids);
    REQUIRE(ids);
    for (int64_t r = 0; r < rows; r += SMALL_BLOCK_ROWS) {
        int64_t n = rows - r < SMALL_BLOCK_ROWS ? rows - r : SMALL_BLOCK_ROWS;
        retain_status s = rt_features_read_user_ids(f, r, n, ids);
        check_status(s);
        if (s)
            break;
    }
    free(ids);
    /* strings from integer ids: one short range */
    char *text[8];
    int64_t n = rows < 8 ? rows : 8;
    retain_status s = rt_features_read_user_id_strings(f, 0, n, text);
    check_status(s);
    for (int64_t i = 0; !s && i < n; i++)
        free(text[i]);
}

static void read_features(rt_features *f, int64_t rows, int64_t cols,
                          bool allow_nonfinite)
{
    /* at most BIG_BLOCK_CELLS per block (one row if wider) */
    int64_t cap = BIG_BLOCK_CELLS / cols > 1 ? BIG_BLOCK_CELLS / cols : 1;
    float *buf = malloc((size_t)((rows < cap ? rows : cap) * cols + 1) * sizeof *buf);
    REQUIRE(buf);
    int block = 0;
    for (int64_t r = 0; r < rows; block++) {
        int64_t want = block < SMALL_BLOCKS ? SMALL_BLOCK_ROWS - 7 * block : cap;
        want = want < cap ? want : cap;
        int64_t n = rows - r < want ? rows - r : want;
        retain_status s = rt_features_read(f, r, n, buf);
        check_status(s);
        if (s)
            break;
        for (int64_t i = 0; !allow_nonfinite && i < n * cols; i++)
            REQUIRE(isfinite(buf[i]));
        r += n;
    }
    /* out-of-range requests are refused, never read */
    REQUIRE(rt_features_read(f, rows, 1, buf) == RETAIN_ERR_USAGE);
    REQUIRE(rt_features_read(f, -1, 1, buf) == RETAIN_ERR_USAGE);
    rt_error_clear();
    free(buf);
}

static void exercise_features(const char *path, const rt_features_spec *spec)
{
    rt_features *f = NULL;
    retain_status s = rt_features_open(path, spec, &f);
    check_status(s);
    if (s) {
        REQUIRE(f == NULL);
        return;
    }
    REQUIRE(f != NULL);
    int64_t rows = rt_features_rows(f), cols = rt_features_cols(f);
    if (verbose)
        fprintf(stderr, "  opened %s: %lld x %lld, label %s, ids %s\n",
                rt_features_source(f), (long long)rows, (long long)cols,
                rt_features_has_label(f) ? rt_features_label_name(f) : "-",
                rt_features_has_user_ids(f) ? rt_features_user_id_name(f) : "-");
    REQUIRE(rows >= 0 && cols >= 1);
    REQUIRE(rt_features_source(f) != NULL);
    (void)rt_features_layout_name(rt_features_layout(f));
    const char *const *names = rt_features_names(f);
    for (int64_t j = 0; j < cols; j++) {
        REQUIRE(names[j] != NULL);
        REQUIRE(rt_features_column_type(f, j) != NULL);
        (void)strlen(names[j]);
    }
    if (rows <= MAX_CELLS / cols) {
        read_features(f, rows, cols, spec->allow_nonfinite);
        read_label(f, rows, spec->allow_nonfinite);
        read_ids(f, rows);
        if (rows * cols <= BIG_BLOCK_CELLS) {
            retain_matrix_owned m = {0};
            s = rt_features_read_all(f, &m);
            check_status(s);
            if (!s)
                retain_matrix_release(&m);
        }
    }
    rt_features_close(f);
}

static void exercise_inventory(const char *path)
{
    rt_inventory inv;
    retain_status s = rt_inventory_build(path, 64, NULL, NULL, NULL, &inv);
    check_status(s);
    if (s) {
        REQUIRE(inv.count == 0 && inv.datasets == NULL);
        return;
    }
    REQUIRE(inv.count >= 0 && inv.file_bytes >= 0);
    if (verbose)
        fprintf(stderr, "  inventory: %lld datasets\n", (long long)inv.count);
    for (int64_t i = 0; i < inv.count; i++) {
        const rt_dataset_info *d = &inv.datasets[i];
        REQUIRE(memchr(d->path, '\0', sizeof d->path) != NULL);
        REQUIRE(memchr(d->type, '\0', sizeof d->type) != NULL);
        REQUIRE(memchr(d->filters, '\0', sizeof d->filters) != NULL);
        REQUIRE(memchr(d->note, '\0', sizeof d->note) != NULL);
        if (d->has_stats)
            REQUIRE(d->stats != NULL && d->stats_cols >= 1);
    }
    rt_inventory_free(&inv);
}

static void exercise_logreg_model(const char *path)
{
    retain_logreg_model *m = NULL;
    char **names = NULL;
    retain_status s = rt_logreg_model_load(path, &m, &names);
    check_status(s);
    if (s) {
        REQUIRE(m == NULL && names == NULL);
        return;
    }
    int64_t d = retain_logreg_model_d(m);
    REQUIRE(d >= 1);
    for (int64_t j = 0; j < d; j++)
        REQUIRE(names[j] != NULL);
    if (d <= BIG_BLOCK_CELLS) {
        float *row = calloc((size_t)d, sizeof *row);
        double p = -1;
        REQUIRE(row);
        retain_matrix x = {row, 1, d, d};
        s = retain_logreg_predict(m, &x, &p);
        check_status(s);
        REQUIRE(s || (p >= 0 && p <= 1));
        free(row);
    }
    rt_h5_free_strings(names, d);
    retain_logreg_free(m);
}

/* Every HDF5 object the library opened for this input must be closed. */
static void check_no_open_objects(void)
{
    ssize_t open = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
    if (open != 0) {
        fprintf(stderr, "fuzz_features: %zd HDF5 objects left open (files %zd, "
                "datasets %zd, groups %zd, types %zd, attributes %zd)\n", open,
                H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_FILE),
                H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_DATASET),
                H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_GROUP),
                H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_DATATYPE),
                H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ATTR));
        abort();
    }
}

static uint64_t le(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Known HDF5 1.10.8 bugs, not ours to fix (tests/fuzz/README.md): HDF5
** trusts the object sizes in a global heap collection ("GCOL", where
** variable-length strings live). A free-space object (index 0) of size 0
** sends H5HG__cache_heap_deserialize into an endless loop, and an object
** reaching past its collection makes it (or H5HG_read) read out of bounds
** and crash, as soon as any variable-length value in that collection is
** read. Inputs holding such a collection are skipped so the fuzzer does
** not stall on them. Walks each collection as HDF5 does (8-byte lengths). */
static bool has_bad_global_heap(const uint8_t *data, size_t size)
{
    for (size_t o = 0; o + 16 <= size; o++) {
        if (memcmp(data + o, "GCOL", 4) != 0)
            continue;
        uint64_t len = le(data + o + 8, 8);
        uint64_t end = len < size - o ? o + len : size;
        for (uint64_t p = o + 16; p + 16 <= end;) {
            uint64_t idx = le(data + p, 2), obj = le(data + p + 8, 8);
            uint64_t need = idx ? 16 + ((obj + 7) & ~(uint64_t)7) : obj;
            if (need == 0 || need > end - p)
                return true;
            p += need;
        }
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    verbose = getenv("FUZZ_VERBOSE") != NULL;
    if (has_bad_global_heap(data, size)) {
        if (verbose)
            fprintf(stderr, "  skipped: a global heap HDF5 1.10 cannot read safely\n");
        return 0;
    }
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/retain-fuzz-XXXXXX.h5",
             dir && *dir ? dir : "/tmp");
    int fd = mkstemps(path, 3);
    REQUIRE(fd >= 0);
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        REQUIRE(n > 0);
        done += (size_t)n;
    }
    REQUIRE(close(fd) == 0);

    rt_features_spec plain = {0};
    rt_features_spec churned = {.label = "/churned", .allow_nonfinite = true};
    rt_features_spec bare = {.label = "churned"};
    rt_features_spec columns = {.columns = "f1,f0"};
    exercise_features(path, &plain);
    exercise_features(path, &churned);
    exercise_features(path, &bare);
    exercise_features(path, &columns);
    exercise_inventory(path);
    exercise_logreg_model(path);
    check_no_open_objects();

    unlink(path);
    return 0;
}

#ifdef RETAIN_FUZZ_STANDALONE
#include <dirent.h>
#include <sys/stat.h>

static int run_file(const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "fuzz_features: cannot open %s\n", path);
        return 1;
    }
    uint8_t *data = NULL;
    size_t size = 0, cap = 0;
    for (;;) {
        if (size == cap) {
            cap = cap ? 2 * cap : 65536;
            uint8_t *grown = realloc(data, cap);
            REQUIRE(grown);
            data = grown;
        }
        size_t n = fread(data + size, 1, cap - size, in);
        if (n == 0)
            break;
        size += n;
    }
    fclose(in);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file in a folder, in name order (not recursive). */
static int run_dir(const char *dir, int *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "fuzz_features: cannot open folder %s\n", dir);
        return 1;
    }
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char **grown = realloc(names, (n + 1) * sizeof *names);
        REQUIRE(grown);
        names = grown;
        names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
        REQUIRE(names[n]);
        sprintf(names[n++], "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (getenv("FUZZ_VERBOSE"))
                fprintf(stderr, "%s\n", names[i]);
            failures += run_file(names[i]);
            ++*count;
        }
        free(names[i]);
    }
    free(names);
    return failures;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|FOLDER...\nRuns the fuzz target over each "
                "file (each regular file in a folder).\n", argv[0]);
        return 1;
    }
    int failures = 0, count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            failures += run_dir(argv[i], &count);
        } else {
            failures += run_file(argv[i]);
            count++;
        }
    }
    printf("fuzz_features: %d inputs replayed, %d unreadable\n", count, failures);
    return failures ? 1 : 0;
}
#endif
