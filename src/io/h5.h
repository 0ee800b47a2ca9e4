/*
** src/io/h5.h: small HDF5 helpers every reader and writer shares: opening a
** file with a message that says what is wrong with it, finding objects by
** path, describing a dataset's type and shape in words, listing what a file
** holds (for "no such dataset; found: ..."), reading string lists and
** attributes. HDF5's own error printing is switched off; our messages name
** the file and dataset instead.
*/
#ifndef RT_IO_H5_H
#define RT_IO_H5_H

#include "retain.h"

#include <hdf5.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Switches off HDF5's automatic error printing and, when called before any
** other HDF5 call, its atexit handler, which crashes after a failed close
** (full disk) in HDF5 1.10 (idempotent, thread-safe). */
void rt_h5_quiet(void);
/* The same for the calling thread's error stack: a thread-safe HDF5 keeps
** one per thread, so every thread other than main that calls HDF5 (the
** I/O thread of `retain score`) calls this first. */
void rt_h5_quiet_thread(void);

/* Opens an existing HDF5 file read-only. Missing or unreadable: IO error;
** not HDF5, truncated or corrupt: DATA error. */
retain_status rt_h5_open_read(const char *path, hid_t *out);
/* The same for a file every rank reads its own rows of: under MPI with
** more than one rank, through the MPI-IO driver of parallel HDF5, opened
** collectively (every rank must call it; a failure on one is every rank's
** failure, core/dist.h); else rt_h5_open_read. */
retain_status rt_h5_open_read_shared(const char *path, hid_t *out);

/* True if every component of `path` exists under file. */
bool rt_h5_exists(hid_t file, const char *path);

/* H5I_DATASET, H5I_GROUP, or H5I_BADID when path is absent. */
H5I_type_t rt_h5_kind(hid_t file, const char *path);

/* "float32", "int64", "uint8", "string", "bool" ... for a dataset type. */
const char *rt_h5_type_name(hid_t type);

/* True for integers (1, 2, 4, 8 bytes), floats (2, 4, 8 bytes) with their
** bit fields inside those bytes, 1-byte bitfields and enums over such
** integers (h5py's bool); other types only come from damaged files, and
** HDF5 1.10 reads out of bounds converting some of them. */
bool rt_h5_type_is_numeric(hid_t type);

/* Rank and dimensions (up to 8) of a dataset. */
int rt_h5_shape(hid_t dset, hsize_t dims[8]);

/* "1000 x 32" into buf. */
const char *rt_h5_shape_text(int rank, const hsize_t *dims, char *buf, size_t cap);

/* A newline-separated listing "  /path  SHAPE TYPE" of every dataset in the
** file, at most `cap` bytes (cut with "..."); each group is listed once. */
void rt_h5_list(hid_t file, char *buf, size_t cap);

/* Reads a 1-D string dataset (fixed or variable length) or a string-array
** attribute into a malloc'd array of malloc'd strings. */
retain_status rt_h5_read_strings(hid_t dset, int64_t *out_count, char ***out);
retain_status rt_h5_read_attr_strings(hid_t obj, const char *name,
                                      int64_t *out_count, char ***out);
void rt_h5_free_strings(char **list, int64_t count);

/* A numeric or string scalar attribute; false when absent or other type. */
bool rt_h5_attr_int64(hid_t obj, const char *name, int64_t *out);
bool rt_h5_attr_string(hid_t obj, const char *name, char *buf, size_t cap);
/* A numeric scalar attribute as a double; false when absent or not numeric. */
bool rt_h5_attr_double(hid_t obj, const char *name, double *out);
/* A numeric attribute of exactly n values as doubles; false otherwise. */
bool rt_h5_attr_doubles(hid_t obj, const char *name, int64_t n, double *out);

/* Refuses (RETAIN_ERR_DATA, naming file and dataset) a dataset whose shape
** times element size overflows 64 bits, or whose claimed bytes exceed
** RT_H5_CLAIM_RATIO times what the file stores for it plus
** RT_H5_CLAIM_SLACK: no stock filter packs data that tightly, so such a
** claim comes from a file never filled or damaged, and reading it would
** take forever or allocate without bound. What the file stores counts at
** most the file's size (unless the data lives in external files). Virtual
** datasets and those with a third-party compressor pass that test; a
** compression filter this HDF5 cannot decode (an absent plugin) is refused
** by name. */
#define RT_H5_CLAIM_RATIO 1100
#define RT_H5_CLAIM_SLACK ((int64_t)64 << 20)
retain_status rt_h5_check_stored(hid_t dset, const char *file_path,
                                 const char *dset_path);
/* The same check for datasets of one file that share one slack: *slack
** starts at RT_H5_CLAIM_SLACK and each dataset accepted spends what it
** claims beyond RT_H5_CLAIM_RATIO times its stored bytes, so a small file
** of many never-filled datasets (or many links to one) cannot claim 64 MiB
** for each of them. */
retain_status rt_h5_check_stored_shared(hid_t dset, const char *file_path,
                                        const char *dset_path, int64_t *slack);

/* Objects a walk over links has met, by file number and address. Hard links
** may reach one group or dataset by many paths or form cycles (a group
** holding a link to itself or to an ancestor), so a walk enters each group
** once. Zero-initialise; release with rt_h5_seen_free(). */
typedef struct rt_h5_seen {
    struct rt_h5_seen_slot *slots;
    size_t cap, count;
} rt_h5_seen;
/* -1 the first time the open object obj is met (recording `value` for it),
** else the value recorded then; -2 when obj cannot be identified or memory
** runs out, so the caller should not descend into it. */
int64_t rt_h5_seen_add(rt_h5_seen *seen, hid_t obj, int64_t value);
void rt_h5_seen_free(rt_h5_seen *seen);

/* False for link names no path can address: empty, ".", or holding '/'
** (HDF5 refuses to create them; damaged files hold them). */
bool rt_h5_link_name_ok(const char *name);

/* Opens a dataset read in row ranges, with a chunk cache that holds the
** chunks one row crosses (at most cap bytes): a chunk a range ends inside
** is then read once, and memory is not spent keeping chunks already read
** whole. Returns what H5Dopen2 does. */
hid_t rt_h5_open_rows(hid_t file, const char *path, size_t cap);

/* Reads the 1-D numeric dataset dpath of file (named path in messages)
** whole, converted to mem_type (an integer type also requires integers in
** the file), into a malloc'd *out of *n values, after checking the claim
** against what the file stores and the memory available. */
retain_status rt_h5_read_vector(hid_t file, const char *path, const char *dpath, hid_t mem_type,
                                int64_t *n, void **out);

#endif
