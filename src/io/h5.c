/*
** src/io/h5.c: shared HDF5 helpers (see h5.h). Object kinds are found with
** H5Lexists walked component by component plus H5Iget_type, and groups are
** listed with H5Gget_info/H5Lget_name_by_idx, calls that read the same way in
** HDF5 1.10 and 1.12+. Files are probed for the HDF5 signature before HDF5
** sees them, so "not HDF5" and "truncated or corrupt" get their own
** messages; rt_h5_check_stored compares what a dataset claims with what the
** file stores before anyone reads or allocates for it. Walks over links
** remember the groups they entered (rt_h5_seen), so cycles of hard links
** end.
*/
#include "h5.h"

#include "core/dist.h"
#include "core/error.h"
#include "core/mem.h"

#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifdef RETAIN_WITH_MPI
#include <mpi.h>
#endif

static retain_status corrupt(const char *path, int64_t bytes)
{
    return rt_error(RETAIN_ERR_DATA, "%s: HDF5 file is truncated or corrupt and cannot be "
                    "opened (%lld bytes); copy or write it again from its source", path,
                    (long long)bytes);
}

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;
static void quiet_now(void)
{
    /* HDF5 1.10 crashes in its atexit handler (H5F__close_cb) when a file
    ** whose H5Fclose failed, e.g. on a full disk, is still registered. Every
    ** file retain keeps is closed explicitly and outputs are committed only
    ** after their close succeeded, so the handler has nothing to save: skip
    ** it. This works when it runs before the library's first call. */
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}
void rt_h5_quiet(void) { pthread_once(&quiet_once, quiet_now); }
void rt_h5_quiet_thread(void)
{
    rt_h5_quiet();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* True if the HDF5 signature sits at offset 0, 512, 1024, ... of the file
** (where the format allows the superblock), within its first `size` bytes. */
static bool has_signature(const char *path, int64_t size)
{
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    FILE *in = fopen(path, "rb");
    if (!in)
        return false;
    bool found = false;
    for (int64_t off = 0; !found && off + 8 <= size; off = off ? off * 2 : 512) {
        unsigned char buf[8];
        found = fseeko(in, (off_t)off, SEEK_SET) == 0 && fread(buf, 1, 8, in) == 8 &&
                memcmp(buf, sig, 8) == 0;
    }
    fclose(in);
    return found;
}

/* RETAIN_OK when path is a readable file with the HDF5 signature that
** HDF5 takes for one; its size into *bytes. */
static retain_status check_readable(const char *path, int64_t *bytes)
{
    struct stat st;
    *bytes = 0;
    if (stat(path, &st) != 0)
        return rt_error(RETAIN_ERR_IO, "%s: %s; check the file name and folder", path,
                        strerror(errno));
    if (S_ISDIR(st.st_mode))
        return rt_error(RETAIN_ERR_IO, "%s: is a folder, not a file; give the .h5 file "
                        "inside it", path);
    *bytes = (int64_t)st.st_size;
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return rt_error(RETAIN_ERR_IO, "%s: %s; check the file's permissions", path,
                        strerror(errno));
    fclose(probe);
    if (!has_signature(path, *bytes))
        return rt_error(RETAIN_ERR_DATA,
                        "%s: not an HDF5 file (%lld bytes, no HDF5 signature); "
                        "give an .h5 file written by retain, h5py or pandas",
                        path, (long long)*bytes);
    return H5Fis_hdf5(path) > 0 ? RETAIN_OK : corrupt(path, *bytes);
}

/* Opens with the file access list fapl (H5P_DEFAULT: the sec2 driver);
** every_rank: the checks are agreed among the ranks before the collective
** H5Fopen of the MPI-IO driver and its outcome after, so a failure on one
** rank stops all and none waits in H5Fopen for one that left. */
static retain_status open_read(const char *path, hid_t fapl, bool every_rank, hid_t *out)
{
    rt_h5_quiet();
    *out = H5I_INVALID_HID;
    int64_t bytes;
    retain_status s = check_readable(path, &bytes);
    if (every_rank)
        s = rt_dist_agree(s);
    hid_t f = s ? H5I_INVALID_HID : H5Fopen(path, H5F_ACC_RDONLY, fapl);
    if (!s && f < 0)
        s = corrupt(path, bytes);
    if (every_rank && (s = rt_dist_agree(s)) && f >= 0)
        H5Fclose(f);
    if (s)
        return s;
    *out = f;
    return RETAIN_OK;
}

retain_status rt_h5_open_read(const char *path, hid_t *out)
{
    return open_read(path, H5P_DEFAULT, false, out);
}

retain_status rt_h5_open_read_shared(const char *path, hid_t *out)
{
#ifdef RETAIN_WITH_MPI
    if (rt_dist_size() > 1) {
        hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
        retain_status s = fapl >= 0 && H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD,
                                                        MPI_INFO_NULL) >= 0
                              ? RETAIN_OK
                              : rt_error(RETAIN_ERR_IO, "%s: cannot set up the MPI-IO driver "
                                         "of parallel HDF5", path);
        /* the ranks agree on each step; a rank stopped here tells the others */
        if ((s = rt_dist_agree(s)) == RETAIN_OK)
            s = open_read(path, fapl, true, out);
        if (fapl >= 0)
            H5Pclose(fapl);
        return s;
    }
#endif
    return open_read(path, H5P_DEFAULT, false, out);
}

bool rt_h5_exists(hid_t file, const char *path)
{
    if (!path || !*path)
        return false;
    if (strcmp(path, "/") == 0)
        return true;
    char buf[1024];
    size_t n = strlen(path);
    if (n >= sizeof buf)
        return false;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char saved = buf[i];
            buf[i] = '\0';
            if (i > 1 && buf[i - 1] != '/' && H5Lexists(file, buf, H5P_DEFAULT) <= 0)
                return false;
            buf[i] = saved;
        }
    }
    return H5Oexists_by_name(file, path, H5P_DEFAULT) > 0;
}

H5I_type_t rt_h5_kind(hid_t file, const char *path)
{
    if (!rt_h5_exists(file, path))
        return H5I_BADID;
    hid_t obj = H5Oopen(file, path, H5P_DEFAULT);
    if (obj < 0)
        return H5I_BADID;
    H5I_type_t kind = H5Iget_type(obj);
    H5Oclose(obj);
    return kind;
}

/* Integers of 1, 2, 4 or 8 bytes and floats of 2, 4 or 8 whose bit fields
** lie inside their bytes. Anything else comes from a damaged type message,
** and HDF5 1.10 converts such a type by reading past the end of its buffer
** (past a decompressed chunk for an odd size, anywhere in H5T__bit_copy
** for an impossible precision or offset). */
static bool sane_number(hid_t type, H5T_class_t cls)
{
    size_t size = H5Tget_size(type), bits = 8 * size, prec = H5Tget_precision(type);
    int offset = H5Tget_offset(type);
    if (!(size == 2 || size == 4 || size == 8 || (cls == H5T_INTEGER && size == 1)) ||
        prec == 0 || offset < 0 || prec + (size_t)offset > bits)
        return false;
    size_t spos, epos, esize, mpos, msize;
    return cls != H5T_FLOAT ||
           (H5Tget_fields(type, &spos, &epos, &esize, &mpos, &msize) >= 0 && spos < bits &&
            esize > 0 && esize < bits && epos + esize <= bits && msize > 0 &&
            msize < bits && mpos + msize <= bits);
}

const char *rt_h5_type_name(hid_t type)
{
    H5T_class_t cls = H5Tget_class(type);
    size_t size = H5Tget_size(type);
    if ((cls == H5T_INTEGER || cls == H5T_FLOAT) && !sane_number(type, cls))
        return cls == H5T_INTEGER ? "integer (damaged type)" : "float (damaged type)";
    switch (cls) {
    case H5T_INTEGER: {
        bool sign = H5Tget_sign(type) == H5T_SGN_2;
        switch (size) {
        case 1: return sign ? "int8" : "uint8";
        case 2: return sign ? "int16" : "uint16";
        case 4: return sign ? "int32" : "uint32";
        case 8: return sign ? "int64" : "uint64";
        default: return "integer";
        }
    }
    case H5T_FLOAT:
        return size == 4 ? "float32" : size == 8 ? "float64" : size == 2 ? "float16" : "float";
    case H5T_STRING: return "string";
    case H5T_ENUM: return "enum (bool)";
    case H5T_BITFIELD: return size == 1 ? "bool" : "bitfield";
    case H5T_COMPOUND: return "compound";
    case H5T_VLEN: return "variable-length (object)";
    case H5T_ARRAY: return "array";
    case H5T_OPAQUE: return "opaque";
    case H5T_REFERENCE: return "reference";
    default: return "unknown";
    }
}

bool rt_h5_type_is_numeric(hid_t type)
{
    H5T_class_t cls = H5Tget_class(type);
    if (cls == H5T_INTEGER || cls == H5T_FLOAT)
        return sane_number(type, cls);
    if (cls == H5T_BITFIELD)
        return H5Tget_size(type) == 1;
    if (cls == H5T_ENUM) {
        hid_t super = H5Tget_super(type);
        bool ok = super >= 0 && H5Tget_class(super) == H5T_INTEGER &&
                  sane_number(super, H5T_INTEGER);
        if (super >= 0)
            H5Tclose(super);
        return ok;
    }
    return false;
}

int rt_h5_shape(hid_t dset, hsize_t dims[8])
{
    hid_t space = H5Dget_space(dset);
    if (space < 0)
        return -1;
    hsize_t all[H5S_MAX_RANK];
    int rank = H5Sget_simple_extent_ndims(space);
    if (rank >= 0 && rank <= H5S_MAX_RANK &&
        H5Sget_simple_extent_dims(space, all, NULL) >= 0) {
        for (int i = 0; i < rank && i < 8; i++)
            dims[i] = all[i];
    } else {
        rank = -1;
    }
    H5Sclose(space);
    return rank;
}

const char *rt_h5_shape_text(int rank, const hsize_t *dims, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    if (rank == 0)
        snprintf(buf, cap, "scalar");
    if (rank < 0)
        snprintf(buf, cap, "unreadable shape");
    for (int i = 0; i < rank && i < 8 && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, i ? " x %llu" : "%llu",
                                 (unsigned long long)dims[i]);
    if (rank > 8 && used < cap)
        snprintf(buf + used, cap - used, " x ... (%d dimensions)", rank);
    return buf;
}

typedef struct listing {
    char *buf;
    size_t cap, used;
    int depth;
    rt_h5_seen seen; /* groups listed */
} listing;

static void list_append(listing *l, const char *text)
{
    size_t n = strlen(text);
    if (l->used + n + 4 >= l->cap) {
        if (l->used + 4 < l->cap)
            strcpy(l->buf + l->used, "...");
        l->used = l->cap;
        return;
    }
    memcpy(l->buf + l->used, text, n + 1);
    l->used += n;
}

static void list_group(hid_t file, const char *group_path, listing *l)
{
    hid_t g = H5Gopen2(file, group_path, H5P_DEFAULT);
    if (g < 0)
        return;
    H5G_info_t info;
    if (rt_h5_seen_add(&l->seen, g, 0) != -1 || H5Gget_info(g, &info) < 0) {
        H5Gclose(g);
        return;
    }
    for (hsize_t i = 0; i < info.nlinks && l->used < l->cap; i++) {
        char name[512], path[1100], line[1400];
        if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name,
                               sizeof name, H5P_DEFAULT) < 0 ||
            !rt_h5_link_name_ok(name))
            continue;
        if ((size_t)snprintf(path, sizeof path, "%s%s%s", group_path,
                             strcmp(group_path, "/") ? "/" : "", name) >= sizeof path)
            continue;
        H5I_type_t kind = rt_h5_kind(file, path);
        if (kind == H5I_GROUP && l->depth < 8) {
            l->depth++;
            list_group(file, path, l);
            l->depth--;
        } else if (kind == H5I_DATASET) {
            hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
            if (d < 0) {
                snprintf(line, sizeof line, "\n  %s  (unreadable)", path);
                list_append(l, line);
                continue;
            }
            hsize_t dims[8];
            char shape[128];
            int rank = rt_h5_shape(d, dims);
            hid_t t = H5Dget_type(d);
            snprintf(line, sizeof line, "\n  %s  %s %s", path,
                     rt_h5_shape_text(rank, dims, shape, sizeof shape),
                     rt_h5_type_name(t));
            H5Tclose(t);
            H5Dclose(d);
            list_append(l, line);
        }
    }
    H5Gclose(g);
}

void rt_h5_list(hid_t file, char *buf, size_t cap)
{
    listing l = {buf, cap, 0, 0, {0}};
    buf[0] = '\0';
    list_group(file, "/", &l);
    rt_h5_seen_free(&l.seen);
    if (buf[0] == '\0')
        snprintf(buf, cap, "\n  (no datasets)");
}

static retain_status read_string_items(hid_t obj, bool is_attr, int64_t *out_count,
                                       char ***out)
{
    *out = NULL;
    *out_count = 0;
    hid_t type = is_attr ? H5Aget_type(obj) : H5Dget_type(obj);
    hid_t space = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
    retain_status s = RETAIN_OK;
    if (type < 0 || space < 0 || H5Tget_class(type) != H5T_STRING) {
        s = rt_error(RETAIN_ERR_DATA, "expected strings, found %s",
                     type < 0 ? "nothing readable" : rt_h5_type_name(type));
        goto done;
    }
    hssize_t n = H5Sget_simple_extent_npoints(space);
    if (n < 0 || n > (1 << 24)) {
        s = rt_error(RETAIN_ERR_DATA, "string list of %lld entries is too long",
                     (long long)n);
        goto done;
    }
    char **list = calloc((size_t)n + 1, sizeof *list);
    if (!list) {
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory reading strings");
        goto done;
    }
    herr_t rc;
    if (H5Tis_variable_str(type) > 0) {
        hid_t mem = H5Tcopy(H5T_C_S1);
        H5Tset_size(mem, H5T_VARIABLE);
        H5Tset_cset(mem, H5Tget_cset(type));
        char **raw = calloc((size_t)n + 1, sizeof *raw);
        rc = !raw ? -1 : is_attr ? H5Aread(obj, mem, raw)
                                 : H5Dread(obj, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw);
        for (hssize_t i = 0; rc >= 0 && i < n; i++)
            list[i] = strdup(raw[i] ? raw[i] : "");
        if (rc >= 0)
            H5Dvlen_reclaim(mem, space, H5P_DEFAULT, raw);
        free(raw);
        H5Tclose(mem);
    } else {
        size_t width = H5Tget_size(type);
        bool space_pad = H5Tget_strpad(type) == H5T_STR_SPACEPAD;
        char *raw = calloc((size_t)n + 1, width + 1);
        hid_t mem = H5Tcopy(type);
        rc = !raw ? -1 : is_attr ? H5Aread(obj, mem, raw)
                                 : H5Dread(obj, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw);
        for (hssize_t i = 0; rc >= 0 && i < n; i++) {
            list[i] = strndup(raw + (size_t)i * width, width);
            size_t len = list[i] ? strlen(list[i]) : 0;
            while (space_pad && len > 0 && list[i][len - 1] == ' ')
                list[i][--len] = '\0';
        }
        free(raw);
        H5Tclose(mem);
    }
    for (hssize_t i = 0; rc >= 0 && i < n; i++)
        if (!list[i])
            rc = -1;
    if (rc < 0) {
        rt_h5_free_strings(list, n);
        s = rt_error(RETAIN_ERR_DATA, "cannot read the strings (file damaged?)");
        goto done;
    }
    *out = list;
    *out_count = n;
done:
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    return s;
}

retain_status rt_h5_read_strings(hid_t dset, int64_t *out_count, char ***out)
{
    return read_string_items(dset, false, out_count, out);
}

retain_status rt_h5_read_attr_strings(hid_t obj, const char *name,
                                      int64_t *out_count, char ***out)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) {
        *out = NULL;
        *out_count = 0;
        return rt_error(RETAIN_ERR_DATA, "no attribute %s", name);
    }
    retain_status s = read_string_items(a, true, out_count, out);
    H5Aclose(a);
    return s;
}

void rt_h5_free_strings(char **list, int64_t count)
{
    if (!list)
        return;
    for (int64_t i = 0; i < count; i++)
        free(list[i]);
    free(list);
}

bool rt_h5_attr_int64(hid_t obj, const char *name, int64_t *out)
{
    if (H5Aexists(obj, name) <= 0)
        return false;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = H5Aget_type(a);
    bool ok = H5Tget_class(t) == H5T_INTEGER &&
              H5Aread(a, H5T_NATIVE_INT64, out) >= 0;
    H5Tclose(t);
    H5Aclose(a);
    return ok;
}

bool rt_h5_attr_doubles(hid_t obj, const char *name, int64_t n, double *out)
{
    if (H5Aexists(obj, name) <= 0)
        return false;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = H5Aget_type(a);
    hid_t space = H5Aget_space(a);
    H5T_class_t cls = H5Tget_class(t);
    bool ok = (cls == H5T_FLOAT || cls == H5T_INTEGER) &&
              H5Sget_simple_extent_npoints(space) == n && H5Aread(a, H5T_NATIVE_DOUBLE, out) >= 0;
    H5Sclose(space);
    H5Tclose(t);
    H5Aclose(a);
    return ok;
}

bool rt_h5_attr_double(hid_t obj, const char *name, double *out)
{
    return rt_h5_attr_doubles(obj, name, 1, out);
}

bool rt_h5_attr_string(hid_t obj, const char *name, char *buf, size_t cap)
{
    if (H5Aexists(obj, name) <= 0)
        return false;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    int64_t n;
    char **list;
    bool ok = read_string_items(a, true, &n, &list) == RETAIN_OK && n >= 1;
    if (ok)
        snprintf(buf, cap, "%s", list[0]);
    if (ok)
        rt_h5_free_strings(list, n);
    H5Aclose(a);
    return ok;
}

/* Bytes of the chunks one row of d crosses (0 when d is not chunked). */
static size_t chunk_band_bytes(hid_t d)
{
    size_t band = 0;
    hid_t dcpl = H5Dget_create_plist(d), space = H5Dget_space(d), type = H5Dget_type(d);
    hsize_t dims[H5S_MAX_RANK], chunk[H5S_MAX_RANK];
    int rank = space >= 0 ? H5Sget_simple_extent_dims(space, dims, NULL) : -1;
    if (dcpl >= 0 && type >= 0 && rank >= 1 && H5Pget_layout(dcpl) == H5D_CHUNKED &&
        H5Pget_chunk(dcpl, rank, chunk) == rank) {
        band = H5Tget_size(type) * (size_t)chunk[0];
        for (int i = 1; i < rank; i++)
            band *= (size_t)((dims[i] + chunk[i] - 1) / chunk[i] * chunk[i]);
    }
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    return band;
}

hid_t rt_h5_open_rows(hid_t file, const char *path, size_t cap)
{
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    size_t band = d >= 0 ? chunk_band_bytes(d) : 0;
    if (band == 0)
        return d;
    H5Dclose(d);
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    H5Pset_chunk_cache(dapl, 12421, band < cap ? band : cap, 1.0);
    d = H5Dopen2(file, path, dapl);
    H5Pclose(dapl);
    return d;
}

/* True for the filters stock HDF5 ships: their packing ratio is bounded
** (deflate at about 1030:1); a third-party compressor's is not. */
static bool stock_filter(H5Z_filter_t id)
{
    return id == H5Z_FILTER_DEFLATE || id == H5Z_FILTER_SHUFFLE ||
           id == H5Z_FILTER_FLETCHER32 || id == H5Z_FILTER_SZIP ||
           id == H5Z_FILTER_NBIT || id == H5Z_FILTER_SCALEOFFSET;
}

/* Checks every filter of dset can be decoded; *third_party set when one
** is not a stock filter. */
static retain_status check_filters(hid_t dcpl, const char *file_path,
                                   const char *dset_path, bool *third_party)
{
    *third_party = false;
    int n = dcpl >= 0 ? H5Pget_nfilters(dcpl) : 0;
    for (int i = 0; i < n; i++) {
        unsigned flags, values[8];
        size_t nvalues = 8;
        char name[80] = "";
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &nvalues, values,
                                         sizeof name, name, NULL);
        if (id < 0)
            continue;
        if (!stock_filter(id))
            *third_party = true;
        if (H5Zfilter_avail(id) <= 0)
            return rt_error(RETAIN_ERR_DATA,
                            "%s:%s is compressed with filter %d (%s), which this HDF5 "
                            "library cannot decode; install its plugin (see "
                            "HDF5_PLUGIN_PATH) or write the file with gzip",
                            file_path, dset_path, (int)id, name[0] ? name : "unnamed");
    }
    return RETAIN_OK;
}

retain_status rt_h5_check_stored(hid_t dset, const char *file_path,
                                 const char *dset_path)
{
    int64_t slack = RT_H5_CLAIM_SLACK;
    return rt_h5_check_stored_shared(dset, file_path, dset_path, &slack);
}

retain_status rt_h5_check_stored_shared(hid_t dset, const char *file_path,
                                        const char *dset_path, int64_t *slack)
{
    hsize_t dims[8];
    int rank = rt_h5_shape(dset, dims);
    hid_t space = H5Dget_space(dset);
    hid_t type = H5Dget_type(dset);
    hid_t dcpl = H5Dget_create_plist(dset);
    hsize_t all[H5S_MAX_RANK];
    size_t elem = type >= 0 ? H5Tget_size(type) : 0;
    H5D_layout_t layout = dcpl >= 0 ? H5Pget_layout(dcpl) : H5D_LAYOUT_ERROR;
    int64_t claimed = elem > 0 ? (int64_t)elem : 1;
    bool overflow = rank < 0 || space < 0 ||
                    H5Sget_simple_extent_dims(space, all, NULL) < 0;
    for (int i = 0; !overflow && i < rank; i++)
        overflow = all[i] > (hsize_t)INT64_MAX ||
                   !rt_mul_size(claimed, (int64_t)all[i], &claimed);
    int64_t stored = (int64_t)H5Dget_storage_size(dset);
    /* the size comes from the layout message: no more than the file holds,
    ** unless the data lives in external files */
    hid_t fid = H5Iget_file_id(dset);
    hsize_t file_bytes = 0;
    if (fid >= 0 && H5Fget_filesize(fid, &file_bytes) >= 0 &&
        (dcpl < 0 || H5Pget_external_count(dcpl) <= 0) && file_bytes < (hsize_t)INT64_MAX &&
        stored > (int64_t)file_bytes)
        stored = (int64_t)file_bytes;
    if (fid >= 0)
        H5Fclose(fid);
    bool third_party = false;
    retain_status fs = check_filters(dcpl, file_path, dset_path, &third_party);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (fs)
        return fs;
    char shape[160];
    rt_h5_shape_text(rank, dims, shape, sizeof shape);
    if (overflow)
        return rt_error(RETAIN_ERR_DATA,
                        "%s:%s claims a shape of %s, too large to address (its "
                        "size overflows 64 bits); the file is damaged or was not "
                        "written as a feature matrix",
                        file_path, dset_path, shape);
    /* Virtual datasets store nothing themselves, and a third-party
    ** compressor's ratio is unbounded; otherwise a claim is plausible when
    ** gzip (at most about 1030:1) could have packed it into what is stored,
    ** give or take what is left of the file's slack (fill values). */
    if (stored < 0 || stored > INT64_MAX / RT_H5_CLAIM_RATIO)
        stored = stored < 0 ? 0 : INT64_MAX / RT_H5_CLAIM_RATIO;
    int64_t unbacked = claimed > RT_H5_CLAIM_RATIO * stored
                           ? claimed - RT_H5_CLAIM_RATIO * stored : 0;
    if (layout == H5D_VIRTUAL || third_party)
        return RETAIN_OK;
    if (unbacked <= *slack) {
        *slack -= unbacked;
        return RETAIN_OK;
    }
    char c[32], st[32];
    return rt_error(RETAIN_ERR_DATA,
                    "%s:%s claims %s values (%s) but the file stores only %s of "
                    "them%s; refusing to read it (the file was never filled, or is "
                    "damaged): write the dataset again in full",
                    file_path, dset_path, shape, rt_mem_format(claimed, c, sizeof c),
                    rt_mem_format(stored, st, sizeof st),
                    *slack < RT_H5_CLAIM_SLACK ? " (counting the unfilled space "
                                                 "its other datasets claim)" : "");
}

bool rt_h5_link_name_ok(const char *name)
{
    return name[0] != '\0' && strcmp(name, ".") != 0 && !strchr(name, '/');
}

struct rt_h5_seen_slot {
    uint64_t fileno, addr;
    int64_t value;
    bool used;
};

/* The object's file number and address (a token's address from 1.12). */
static bool object_key(hid_t obj, uint64_t *fileno, uint64_t *addr)
{
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    haddr_t a;
    if (H5Oget_info3(obj, &info, H5O_INFO_BASIC) < 0 ||
        H5VLnative_token_to_addr(obj, info.token, &a) < 0)
        return false;
#else
    H5O_info_t info;
    if (H5Oget_info2(obj, &info, H5O_INFO_BASIC) < 0)
        return false;
    haddr_t a = info.addr;
#endif
    *fileno = (uint64_t)info.fileno;
    *addr = (uint64_t)a;
    return true;
}

static size_t seen_hash(uint64_t fileno, uint64_t addr, size_t cap)
{
    uint64_t h = (addr ^ (fileno * 0x9e3779b97f4a7c15u)) * 0xbf58476d1ce4e5b9u;
    return (size_t)(h ^ (h >> 31)) & (cap - 1);
}

int64_t rt_h5_seen_add(rt_h5_seen *seen, hid_t obj, int64_t value)
{
    uint64_t fileno, addr;
    if (!object_key(obj, &fileno, &addr))
        return -2;
    if (2 * (seen->count + 1) > seen->cap) { /* grow: load at most 1/2 */
        size_t cap = seen->cap ? 2 * seen->cap : 64;
        struct rt_h5_seen_slot *slots = calloc(cap, sizeof *slots);
        if (!slots)
            return -2;
        for (size_t i = 0; i < seen->cap; i++) {
            struct rt_h5_seen_slot *o = &seen->slots[i];
            if (!o->used)
                continue;
            size_t k = seen_hash(o->fileno, o->addr, cap);
            while (slots[k].used)
                k = (k + 1) & (cap - 1);
            slots[k] = *o;
        }
        free(seen->slots);
        seen->slots = slots;
        seen->cap = cap;
    }
    size_t k = seen_hash(fileno, addr, seen->cap);
    for (; seen->slots[k].used; k = (k + 1) & (seen->cap - 1))
        if (seen->slots[k].fileno == fileno && seen->slots[k].addr == addr)
            return seen->slots[k].value;
    seen->slots[k] = (struct rt_h5_seen_slot){fileno, addr, value, true};
    seen->count++;
    return -1;
}

void rt_h5_seen_free(rt_h5_seen *seen)
{
    free(seen->slots);
    memset(seen, 0, sizeof *seen);
}

retain_status rt_h5_read_vector(hid_t file, const char *path, const char *dpath, hid_t mem_type,
                                int64_t *n, void **out)
{
    if (rt_h5_kind(file, dpath) != H5I_DATASET)
        return rt_error(RETAIN_ERR_DATA, "%s: no dataset %s", path, dpath);
    hid_t d = H5Dopen2(file, dpath, H5P_DEFAULT);
    if (d < 0)
        return rt_error(RETAIN_ERR_DATA, "%s: cannot open dataset %s", path, dpath);
    hid_t type = H5Dget_type(d);
    bool want_int = H5Tget_class(mem_type) == H5T_INTEGER;
    bool type_ok = type >= 0 && rt_h5_type_is_numeric(type) &&
                   (!want_int || H5Tget_class(type) == H5T_INTEGER);
    char tname[32];
    snprintf(tname, sizeof tname, "%s", type >= 0 ? rt_h5_type_name(type) : "unknown");
    if (type >= 0)
        H5Tclose(type);
    hsize_t dims[8];
    int rank = rt_h5_shape(d, dims);
    retain_status s = RETAIN_OK;
    if (!type_ok)
        s = rt_error(RETAIN_ERR_DATA, "%s: dataset %s is %s; it must hold %s", path, dpath,
                     tname, want_int ? "integers" : "numbers");
    else if (rank != 1)
        s = rt_error(RETAIN_ERR_DATA, "%s: dataset %s has %d dimensions; it must be 1-D", path,
                     dpath, rank);
    else if (!(s = rt_h5_check_stored(d, path, dpath)) &&
             !(s = rt_mem_check_claim((int64_t)(dims[0] * H5Tget_size(mem_type)), dpath,
                                      "split the input"))) {
        *n = (int64_t)dims[0];
        *out = malloc((size_t)(*n ? *n : 1) * H5Tget_size(mem_type));
        if (!*out)
            s = rt_error(RETAIN_ERR_INTERNAL, "out of memory reading %s", dpath);
        else if (*n && H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0)
            s = rt_error(RETAIN_ERR_DATA, "%s: cannot read dataset %s (truncated or damaged?)",
                         path, dpath);
        if (s) {
            free(*out);
            *out = NULL;
        }
    }
    H5Dclose(d);
    return s;
}
