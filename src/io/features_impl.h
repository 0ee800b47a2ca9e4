/*
** src/io/features_impl.h: the inside of an open feature source, shared by
** features.c (resolving a file's layout into parts) and features_read.c
** (reading row ranges through them). Nothing outside src/io includes it.
*/
#ifndef RT_IO_FEATURES_IMPL_H
#define RT_IO_FEATURES_IMPL_H

#include "features.h"

#include <hdf5.h>
#include <stdbool.h>
#include <stdint.h>

#define NAME_CAP 512

typedef enum conv {
    CONV_F32, /* HDF5 converts to float32 exactly: float32/16, 8/16-bit ints */
    CONV_F64, /* read as double, cast once                                 */
    CONV_I64, /* 32/64-bit signed integers read as int64, cast once         */
    CONV_U64, /* 32/64-bit unsigned integers read as uint64, cast once      */
    CONV_RAW, /* enum or bitfield (bool): raw integers of raw_size bytes    */
} conv;

typedef struct part {
    hid_t dset;
    char path[NAME_CAP];
    int64_t width;    /* columns in the dataset; 1 for 1-D */
    int64_t lo, hi;   /* dataset columns [lo, hi) span every selected one */
    conv conv;
    hid_t mem_type;   /* owned */
    int raw_size;     /* CONV_RAW: bytes per value */
    bool raw_signed;
    int64_t *dst_col; /* per dataset column: destination column or -1 */
} part;

/* One column of some dataset: labels, ids. */
typedef struct column_ref {
    hid_t dset; /* owned; H5I_INVALID_HID when absent */
    char name[NAME_CAP];
    int64_t index; /* column within a 2-D dataset (pandas block), else 0 */
} column_ref;

struct rt_features {
    char path[NAME_CAP * 2];
    char source[NAME_CAP];
    rt_layout layout;
    hid_t file;
    int64_t rows, cols;
    char **names;
    const char **type_names;
    part *parts;
    int nparts;
    int64_t *origin_part, *origin_col; /* per destination column */
    bool direct;                       /* one float32 part, columns in order */
    bool allow_nonfinite;
    size_t feature_cache;              /* chunk cache cap of a feature dataset */
    void *scratch;
    int64_t sub_rows; /* rows per sub-block through scratch */
    column_ref label, ids;
    bool ids_strings;
    int64_t slack; /* claims beyond storage the datasets may still make */
    /* pandas: every column of the frame, for labels and ids by name */
    char **pd_names;
    int *pd_part; /* part index, or -1 for a non-numeric (object) block */
    int64_t *pd_index, npd;
};

#endif
