/*
** tests/unit/test_io_features.c: src/io/h5.c, src/io/features.c and
** src/io/inventory.c through their C interfaces, on files written here with
** the HDF5 C API: opening missing, non-HDF5 and truncated files; type names
** and shapes beyond 8 dimensions; the stored-versus-claimed check; the three
** layouts with conversion to float32 (rounded once, as numpy does),
** bool enums and bitfields, row ranges read in pieces equal to one read,
** NaN reported with row and column, labels and ids, NULL and out-of-range
** arguments, an injected allocation failure, and the inventory's statistics
** and its note for an impossible claim. The Python reference test
** (tests/ref/test_io_layouts.py) covers files written by h5py and pandas.
*/
#include "check.h"

#include "core/error.h"
#include "core/mem.h"
#include "io/features.h"
#include "io/h5.h"
#include "io/inventory.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static bool has(const char *needle)
{
    return strstr(retain_last_error(), needle) != NULL;
}

/* Writes a dataset of rank `rank` with file type ftype from memory type
** mtype; chunk NULL for contiguous. */
static hid_t put(hid_t file, const char *path, hid_t ftype, hid_t mtype, int rank,
                 const hsize_t *dims, const hsize_t *chunk, bool gzip, const void *data)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    if (chunk) {
        H5Pset_chunk(dcpl, rank, chunk);
        if (gzip) {
            H5Pset_shuffle(dcpl);
            H5Pset_deflate(dcpl, 4);
        }
    }
    hid_t d = H5Dcreate2(file, path, ftype, space, lcpl, dcpl, H5P_DEFAULT);
    if (data)
        H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Pclose(lcpl);
    H5Pclose(dcpl);
    H5Sclose(space);
    return d;
}

static void put_names(hid_t dset, int n, const char *const *names)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    hsize_t dims[1] = {(hsize_t)n};
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t a = H5Acreate2(dset, "feature_names", t, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, t, names);
    H5Aclose(a);
    H5Sclose(space);
    H5Tclose(t);
}

#define ROWS 1000
#define COLS 5

static float want32[ROWS][COLS];

static void make_matrix_file(void)
{
    rt_h5_quiet();
    hid_t f = H5Fcreate(at("m.h5"), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    static double v64[ROWS][COLS];
    static int64_t v_i64[ROWS];
    static int8_t label[ROWS];
    for (int i = 0; i < ROWS; i++) {
        for (int j = 0; j < COLS; j++) {
            v64[i][j] = (i * 7919 + j * 104729) % 1000 / 7.0 - 50.0 + 1e-9 * j;
            want32[i][j] = (float)v64[i][j];
        }
        v_i64[i] = (int64_t)1 << 60 | (int64_t)1 << 36 | (i + 1); /* rounding case */
        label[i] = (int8_t)(i % 3 == 0);
    }
    hsize_t dims[2] = {ROWS, COLS}, chunk[2] = {33, 2};
    hid_t d = put(f, "/features", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims, chunk, true, v64);
    const char *names[COLS] = {"a", "b", "c", "d", "e"};
    put_names(d, COLS, names);
    H5Dclose(d);
    hsize_t n[1] = {ROWS};
    H5Dclose(put(f, "/cols/big", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, n, NULL, false, v_i64));
    H5Dclose(put(f, "/cols/a", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, n, NULL, false, v64));
    H5Dclose(put(f, "/churned", H5T_STD_I8LE, H5T_NATIVE_INT8, 1, n, NULL, false, label));
    /* bool as h5py writes it: an enum over int8 */
    hid_t e = H5Tenum_create(H5T_NATIVE_INT8);
    int8_t no = 0, yes = 1;
    H5Tenum_insert(e, "FALSE", &no);
    H5Tenum_insert(e, "TRUE", &yes);
    H5Dclose(put(f, "/cols/flag", e, e, 1, n, NULL, false, label));
    H5Tclose(e);
    /* bool as PyTables writes it: an 8-bit bitfield */
    H5Dclose(put(f, "/bits", H5T_STD_B8LE, H5T_NATIVE_B8, 1, n, NULL, false, label));
    int64_t ids[ROWS];
    for (int i = 0; i < ROWS; i++)
        ids[i] = 1000 + i;
    H5Dclose(put(f, "/user_id", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, n, NULL, false, ids));
    /* a 10-D dataset and one that claims far more than it stores */
    hsize_t d10[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 2};
    H5Dclose(put(f, "/ten", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 10, d10, NULL, false, NULL));
    hsize_t huge[2] = {(hsize_t)1 << 40, 100}, hchunk[2] = {1024, 100};
    H5Dclose(put(f, "/huge", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, huge, hchunk, false, NULL));
    H5Fclose(f);
}

static void test_open_errors(void)
{
    rt_features *f = NULL;
    retain_status s = rt_features_open(at("missing.h5"), NULL, &f);
    CHECK(s == RETAIN_ERR_IO && !f && has("missing.h5"), "missing: %d %s", s,
          retain_last_error());
    FILE *t = fopen(at("text.csv"), "w");
    fputs("a,b\n1,2\n", t);
    fclose(t);
    s = rt_features_open(at("text.csv"), NULL, &f);
    CHECK(s == RETAIN_ERR_DATA && has("not an HDF5 file"), "text: %s", retain_last_error());
    /* truncated: the first 3000 bytes of a real file */
    FILE *in = fopen(at("m.h5"), "rb"), *out = fopen(at("cut.h5"), "wb");
    char buf[3000];
    size_t n = fread(buf, 1, sizeof buf, in);
    fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
    s = rt_features_open(at("cut.h5"), NULL, &f);
    CHECK(s == RETAIN_ERR_DATA && has("truncated or corrupt"), "cut: %s", retain_last_error());
    CHECK(rt_features_open(NULL, NULL, &f) == RETAIN_ERR_USAGE, "NULL path");
    CHECK(rt_features_open(at("m.h5"), NULL, NULL) == RETAIN_ERR_USAGE, "NULL out");

    rt_features_spec spec = {.dataset = "/ten"};
    s = rt_features_open(at("m.h5"), &spec, &f);
    CHECK(s == RETAIN_ERR_DATA && has("10-D") && has("/ten"), "10-D: %s", retain_last_error());
    spec.dataset = "/huge";
    s = rt_features_open(at("m.h5"), &spec, &f);
    CHECK(s == RETAIN_ERR_DATA && has("claims") && has("1099511627776 x 100"),
          "huge: %s", retain_last_error());
    spec.dataset = "nope";
    s = rt_features_open(at("m.h5"), &spec, &f);
    CHECK(s == RETAIN_ERR_DATA && has("/nope") && has("/features") && has("/cols/big"),
          "not found lists datasets: %s", retain_last_error());
}

static void test_h5_helpers(void)
{
    hid_t file;
    CHECK(rt_h5_open_read(at("m.h5"), &file) == RETAIN_OK, "open");
    CHECK(rt_h5_kind(file, "/features") == H5I_DATASET, "dataset kind");
    CHECK(rt_h5_kind(file, "/cols") == H5I_GROUP, "group kind");
    CHECK(rt_h5_kind(file, "/cols/nope/deeper") == H5I_BADID, "absent");
    hid_t d = H5Dopen2(file, "/ten", H5P_DEFAULT);
    hsize_t dims[8];
    char text[160];
    int rank = rt_h5_shape(d, dims);
    CHECK(rank == 10, "rank %d", rank);
    rt_h5_shape_text(rank, dims, text, sizeof text);
    CHECK(strstr(text, "(10 dimensions)") != NULL, "shape text %s", text);
    CHECK(rt_h5_check_stored(d, "m.h5", "/ten") == RETAIN_OK, "small claims pass");
    H5Dclose(d);
    d = H5Dopen2(file, "/huge", H5P_DEFAULT);
    CHECK(rt_h5_check_stored(d, "m.h5", "/huge") == RETAIN_ERR_DATA && has("m.h5:/huge"),
          "huge refused: %s", retain_last_error());
    H5Dclose(d);
    d = H5Dopen2(file, "/bits", H5P_DEFAULT);
    hid_t t = H5Dget_type(d);
    CHECK(strcmp(rt_h5_type_name(t), "bool") == 0 && rt_h5_type_is_numeric(t),
          "bitfield: %s", rt_h5_type_name(t));
    H5Tclose(t);
    H5Dclose(d);
    d = H5Dopen2(file, "/cols/flag", H5P_DEFAULT);
    t = H5Dget_type(d);
    CHECK(rt_h5_type_is_numeric(t), "enum bool is numeric");
    H5Tclose(t);
    H5Dclose(d);
    char list[2000];
    rt_h5_list(file, list, sizeof list);
    CHECK(strstr(list, "/cols/big  1000 int64") != NULL, "listing: %s", list);
    H5Fclose(file);
}

static void test_dataset_layout(void)
{
    rt_features_spec spec = {.label = "/churned"};
    rt_features *f;
    CHECK(rt_features_open(at("m.h5"), &spec, &f) == RETAIN_OK, "open: %s",
          retain_last_error());
    if (!f)
        return;
    CHECK(rt_features_rows(f) == ROWS && rt_features_cols(f) == COLS, "shape");
    CHECK(rt_features_layout(f) == RT_LAYOUT_DATASET, "layout");
    CHECK(strcmp(rt_features_names(f)[4], "e") == 0, "names");
    CHECK(strcmp(rt_features_column_type(f, 0), "float64") == 0, "type");
    CHECK(rt_features_has_user_ids(f) && !rt_features_user_ids_are_strings(f), "ids");
    retain_matrix_owned m;
    CHECK(rt_features_read_all(f, &m) == RETAIN_OK, "read_all: %s", retain_last_error());
    CHECK(memcmp(m.data, want32, sizeof want32) == 0, "values rounded once to float32");
    /* the same rows in pieces of odd sizes */
    static float piece[ROWS][COLS];
    for (int64_t r = 0; r < ROWS; r += 77) {
        int64_t n = ROWS - r < 77 ? ROWS - r : 77;
        CHECK(rt_features_read(f, r, n, piece[r]) == RETAIN_OK, "piece %lld", (long long)r);
    }
    CHECK(memcmp(piece, m.data, sizeof piece) == 0, "pieces equal one read");
    retain_matrix_release(&m);
    double lab[10];
    int64_t ids[10];
    CHECK(rt_features_read_label(f, 990, 10, lab) == RETAIN_OK, "label");
    CHECK(lab[0] == 1.0 && lab[1] == 0.0 && lab[9] == 1.0, "label values %g %g %g", lab[0],
          lab[1], lab[9]);
    CHECK(rt_features_read_user_ids(f, 990, 10, ids) == RETAIN_OK && ids[9] == 1999,
          "ids %lld", (long long)ids[9]);
    char *sids[3];
    CHECK(rt_features_read_user_id_strings(f, 0, 3, sids) == RETAIN_OK &&
              strcmp(sids[2], "1002") == 0,
          "ids as strings");
    for (int i = 0; i < 3; i++)
        free(sids[i]);
    /* bad arguments */
    CHECK(rt_features_read(f, 999, 2, piece[0]) == RETAIN_ERR_USAGE && has("1000 rows"),
          "range past the end: %s", retain_last_error());
    CHECK(rt_features_read(f, -1, 2, piece[0]) == RETAIN_ERR_USAGE, "negative first");
    CHECK(rt_features_read(f, 2, INT64_MAX, piece[0]) == RETAIN_ERR_USAGE,
          "count that overflows first + count");
    CHECK(rt_features_read(f, 0, 1, NULL) == RETAIN_ERR_USAGE, "NULL dst");
    CHECK(rt_features_read(f, ROWS, 0, NULL) == RETAIN_OK, "empty range at the end");
    CHECK(rt_features_read_label(f, 0, 1001, lab) == RETAIN_ERR_USAGE, "label range");
    /* an injected allocation failure is reported, leaks nothing */
    rt_mem_fail_after(1);
    CHECK(rt_features_read_all(f, &m) == RETAIN_ERR_INTERNAL && !m.data,
          "allocation failure: %s", retain_last_error());
    rt_mem_fail_after(0);
    rt_features_close(f);

    /* selected columns, float64 path through the scratch buffer */
    rt_features_spec sel = {.columns = "e,a"};
    CHECK(rt_features_open(at("m.h5"), &sel, &f) == RETAIN_OK, "open sel");
    float two[ROWS][2];
    CHECK(rt_features_read(f, 0, ROWS, two[0]) == RETAIN_OK, "read sel");
    bool same = true;
    for (int i = 0; i < ROWS; i++)
        same &= two[i][0] == want32[i][4] && two[i][1] == want32[i][0];
    CHECK(same, "selected columns in the asked order");
    rt_features_close(f);
    sel.columns = "a,zz";
    CHECK(rt_features_open(at("m.h5"), &sel, &f) == RETAIN_ERR_DATA && has("'zz'") &&
              has("a, b, c, d, e"),
          "unknown column: %s", retain_last_error());
    sel.columns = "a,a";
    CHECK(rt_features_open(at("m.h5"), &sel, &f) == RETAIN_ERR_USAGE, "twice");
}

static void test_columns_layout(void)
{
    rt_features_spec spec = {.dataset = "/cols", .label = "/bits"};
    rt_features *f;
    CHECK(rt_features_open(at("m.h5"), &spec, &f) == RETAIN_OK, "open: %s",
          retain_last_error());
    if (!f)
        return;
    CHECK(rt_features_layout(f) == RT_LAYOUT_COLUMNS && rt_features_cols(f) == 3,
          "layout %d cols %lld", rt_features_layout(f), (long long)rt_features_cols(f));
    const char *const *names = rt_features_names(f);
    CHECK(strcmp(names[0], "a") == 0 && strcmp(names[1], "big") == 0 &&
              strcmp(names[2], "flag") == 0,
          "names %s %s %s", names[0], names[1], names[2]);
    float x[ROWS][3];
    CHECK(rt_features_read(f, 0, ROWS, x[0]) == RETAIN_OK, "read: %s", retain_last_error());
    int64_t big = (int64_t)1 << 60 | (int64_t)1 << 36 | 1;
    CHECK(x[0][1] == (float)big && x[0][1] != (float)(double)big,
          "int64 rounded once: %.9g", x[0][1]);
    CHECK(x[0][0] == want32[0][0] && x[3][2] == 1.0f && x[4][2] == 0.0f, "values");
    double lab[4];
    CHECK(rt_features_read_label(f, 0, 4, lab) == RETAIN_OK && lab[0] == 1 && lab[1] == 0 &&
              lab[3] == 1,
          "bitfield label");
    rt_features_close(f);
}

static void test_nonfinite(void)
{
    hid_t file = H5Fcreate(at("nan.h5"), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    static float v[300][3];
    v[250][2] = NAN;
    v[260][0] = INFINITY;
    hsize_t dims[2] = {300, 3};
    H5Dclose(put(file, "/features", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, dims, NULL, false, v));
    static double w[300][3];
    w[17][1] = 1e300;
    H5Dclose(put(file, "/wide", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims, NULL, false, w));
    H5Fclose(file);
    rt_features *f;
    CHECK(rt_features_open(at("nan.h5"), NULL, &f) == RETAIN_OK, "open");
    static float x[300][3];
    retain_status s = rt_features_read(f, 200, 100, x[0]);
    CHECK(s == RETAIN_ERR_DATA && has("row 250") && has("column 2 (x2)") && has("NaN"),
          "NaN: %s", retain_last_error());
    CHECK(rt_features_read(f, 0, 250, x[0]) == RETAIN_OK, "rows before it are fine");
    rt_features_close(f);
    rt_features_spec allow = {.allow_nonfinite = true};
    CHECK(rt_features_open(at("nan.h5"), &allow, &f) == RETAIN_OK &&
              rt_features_read(f, 0, 300, x[0]) == RETAIN_OK && isnan(x[250][2]) &&
              isinf(x[260][0]),
          "allowed");
    rt_features_close(f);
    rt_features_spec wide = {.dataset = "/wide", .allow_nonfinite = true};
    CHECK(rt_features_open(at("nan.h5"), &wide, &f) == RETAIN_OK, "open wide");
    s = rt_features_read(f, 0, 300, x[0]);
    CHECK(s == RETAIN_ERR_DATA && has("row 17") && has("float32"),
          "too large for float32 even when NaN/Inf are allowed: %s", retain_last_error());
    rt_features_close(f);
}

static void test_inventory(void)
{
    rt_inventory inv;
    CHECK(rt_inventory_build(at("m.h5"), 100, NULL, NULL, NULL, &inv) == RETAIN_OK,
          "inventory: %s", retain_last_error());
    bool saw_features = false, saw_huge = false, saw_ten = false;
    for (int64_t i = 0; i < inv.count; i++) {
        rt_dataset_info *d = &inv.datasets[i];
        if (strcmp(d->path, "/features") == 0) {
            saw_features = d->has_stats && d->stats_cols == COLS && d->chunk[0] == 33 &&
                           strstr(d->filters, "gzip") && strstr(d->filters, "shuffle");
            double mn = INFINITY, mx = -INFINITY;
            for (int r = 0; r < ROWS; r++) {
                mn = want32[r][1] < mn ? want32[r][1] : mn;
                mx = want32[r][1] > mx ? want32[r][1] : mx;
            }
            CHECK(d->stats && d->stats[1].min == mn && d->stats[1].max == mx,
                  "min/max of column 1");
        }
        if (strcmp(d->path, "/huge") == 0)
            saw_huge = !d->has_stats && strstr(d->note, "claims") != NULL;
        if (strcmp(d->path, "/ten") == 0)
            saw_ten = d->rank == 10 && d->dims[7] == 1 && !d->has_stats;
        if (strcmp(d->path, "/bits") == 0 || strcmp(d->path, "/cols/flag") == 0)
            CHECK(!d->has_stats, "no stats for bool %s", d->path);
    }
    CHECK(saw_features, "features described with chunks, filters and stats");
    CHECK(saw_huge, "impossible claim described with a note, not read");
    CHECK(saw_ten, "10-D dataset listed");
    rt_inventory_free(&inv);
    CHECK(rt_inventory_build(at("missing.h5"), 100, NULL, NULL, NULL, &inv) == RETAIN_ERR_IO,
          "missing file");
}

int main(void)
{
    const char *base = getenv("RETAIN_TEST_TMP");
    if (!base || !*base)
        base = "/tmp";
    mkdir(base, 0755);
    snprintf(root, sizeof root, "%s/io_features.XXXXXX", base);
    if (!mkdtemp(root)) {
        fprintf(stderr, "cannot make a folder under %s: %s\n", base, strerror(errno));
        return 1;
    }
    make_matrix_file();
    test_open_errors();
    test_h5_helpers();
    test_dataset_layout();
    test_columns_layout();
    test_nonfinite();
    test_inventory();
    if (!check_failures) {
        const char *names[] = {"m.h5", "cut.h5", "text.csv", "nan.h5"};
        for (size_t i = 0; i < sizeof names / sizeof *names; i++)
            unlink(at(names[i]));
        rmdir(root);
    }
    CHECK_DONE();
}
