#!/usr/bin/python3
"""tests/fuzz/make_corpus.py: writes the seed corpus of the HDF5 fuzz target
(tests/fuzz/fuzz_features.c): small valid files in every layout the feature
reader accepts, written by h5py, pandas and `retain gen users`, and churn
models written by `retain logreg fit`.

usage: make_corpus.py OUT_DIR [RETAIN_BINARY]   (needs h5py, pandas, h5repack)

Each file holds a few dozen rows, so the corpus stays under 250 KB and each
seed runs in milliseconds. The regress_* files are valid files that once
made `retain info` hang, read for long or crash; damaged inputs (regress-*,
found by fuzzing or crafted after a finding) are kept by hand, not written
here.
"""
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd

out = sys.argv[1]
retain = sys.argv[2] if len(sys.argv) > 2 else None
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
ROWS = 24


def path(name):
    return os.path.join(out, name)


def names(n):
    return [f"f{j}" for j in range(n)]


# 1. 2-D float32, contiguous, feature_names attribute (variable-length
#    strings), int64 ids, int8 label
with h5py.File(path("dataset_f32.h5"), "w") as f:
    d = f.create_dataset("features", data=rng.normal(size=(ROWS, 3)).astype("f4"))
    d.attrs["feature_names"] = names(3)
    f["user_id"] = np.arange(1, ROWS + 1, dtype="i8")
    f["churned"] = (rng.random(ROWS) < 0.3).astype("i1")

# 2. 2-D float64, chunked + shuffle + gzip, /feature_names dataset of fixed
#    strings, string ids, bool label (h5py enum)
with h5py.File(path("dataset_f64_gzip.h5"), "w") as f:
    f.create_dataset("features", data=rng.normal(size=(ROWS, 4)) * 1e3,
                     chunks=(7, 2), compression="gzip", compression_opts=4,
                     shuffle=True)
    f["feature_names"] = np.array(names(4), dtype="S4")
    f.create_dataset("user_id", data=[f"u{i}" for i in range(ROWS)],
                     dtype=h5py.string_dtype())
    f["churned"] = rng.random(ROWS) < 0.5

# 3. 2-D int32 in compact storage, newest file format (v2 object headers,
#    fractal heaps), fixed-length space-padded string ids, float label
with h5py.File(path("dataset_int_latest.h5"), "w", libver="latest") as f:
    space = h5py.h5s.create_simple((ROWS, 2))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    dsid = h5py.h5d.create(f.id, b"features", h5py.h5t.STD_I32LE, space, dcpl=dcpl)
    dsid.write(h5py.h5s.ALL, h5py.h5s.ALL,
               rng.integers(-1000, 1000, size=(ROWS, 2)).astype("i4"))
    f["user_id"] = np.array([f"id{i:<5}" for i in range(ROWS)], dtype="S8")
    f["churned"] = rng.integers(0, 2, ROWS).astype("f8")

# 4. uint64 features chunked with scale-offset, uint8 label stored as n x 1
#    with fletcher32 checksums
with h5py.File(path("dataset_u64_filters.h5"), "w") as f:
    f.create_dataset("features", data=rng.integers(0, 1 << 40, (ROWS, 3)).astype("u8"),
                     chunks=(5, 3), scaleoffset=0)
    f.create_dataset("churned", data=rng.integers(0, 2, (ROWS, 1)).astype("u1"),
                     chunks=(8, 1), fletcher32=True)
    f["user_id"] = np.arange(ROWS, dtype="u4")

# 5. NaN, +Inf, -Inf and a float64 beyond float32's range; float16 label
with h5py.File(path("dataset_nonfinite.h5"), "w") as f:
    x = rng.normal(size=(ROWS, 3))
    x[3, 1], x[5, 0], x[7, 2], x[9, 1] = np.nan, np.inf, -np.inf, 1e300
    f["features"] = x
    lab = rng.integers(0, 2, ROWS).astype("f2")
    lab[4] = np.nan
    f["churned"] = lab

# 6. pandas fixed frame: float, int, bool and object columns, churned and
#    user_id as columns, integer index
df = pd.DataFrame({
    "recency": rng.random(ROWS).astype("f4"),
    "frequency": rng.integers(0, 50, ROWS),
    "vip": rng.random(ROWS) < 0.2,
    "country": ["de", "fr", "us", "jp"] * (ROWS // 4),
    "churned": rng.integers(0, 2, ROWS).astype("i1"),
    "user_id": np.arange(100, 100 + ROWS),
})
# PyTables gives the object block a 1 MiB chunk; h5repack shrinks it
tmp = path("pandas_frame.tmp.h5")
df.to_hdf(tmp, key="df", mode="w", format="fixed")
subprocess.run(["h5repack", "-l", "/df/block4_values:CHUNK=32", tmp,
                path("pandas_frame.h5")], check=True)
os.remove(tmp)

# 7. pandas fixed frame with a string index, zlib compressed
df2 = pd.DataFrame(rng.normal(size=(ROWS, 3)), columns=["a", "b", "churned"],
                   index=[f"user{i}" for i in range(ROWS)])
df2.to_hdf(path("pandas_strindex_zlib.h5"), key="frame", mode="w", format="fixed",
           complib="zlib", complevel=1)

# 8. a group of 1-D columns with a label, ids and names beside them
with h5py.File(path("group_columns.h5"), "w") as f:
    g = f.create_group("features")
    g["a"] = rng.normal(size=ROWS).astype("f4")
    g["b"] = rng.integers(-5, 5, ROWS).astype("i2")
    g.create_dataset("c", data=rng.random(ROWS) < 0.5, chunks=(8,),
                     compression="gzip")
    g["churned"] = rng.integers(0, 2, ROWS).astype("i4")
    g["user_id"] = np.arange(ROWS, dtype="i8")
    g["feature_names"] = np.array([b"a", b"b", b"c"])

# 9. odds and ends for the inventory: nested groups, a soft link, scalar,
#    3-D and string datasets, attributes, an unwritten (fill value only)
#    chunked matrix whose claim the stored-size check must weigh
with h5py.File(path("misc_layouts.h5"), "w") as f:
    f.create_dataset("features", shape=(50000, 4), dtype="f4", chunks=(1000, 4),
                     fillvalue=1.5)
    f["deep/er/cube"] = rng.normal(size=(2, 3, 4)).astype("f4")
    f["deep/scalar"] = np.float64(3.0)
    f["deep/text"] = np.array([b"x", b"yy"])
    f["link"] = h5py.SoftLink("/deep/er/cube")
    f["deep"].attrs["pandas_type"] = "frame_table"
    f.create_dataset("churned", shape=(50000,), dtype="i1", chunks=(4096,))

# 10. regression: hard links forming cycles (a group linking to itself and
#     to the root, several times): walks over links must enter each group
#     once, or `retain info` and the "the file holds:" listing run for ever
with h5py.File(path("regress_link_cycles.h5"), "w") as f:
    g = f.create_group("g")
    g["x"] = np.arange(10.0)
    for k in range(4):
        g[f"self{k}"] = g
        g[f"up{k}"] = f["/"]

# 11. regression: many never-filled datasets, each claiming 64 MiB of fill
#     value in a file of a few KB: they share one slack, so `retain info`
#     reads 64 MiB in all, not 64 MiB each
with h5py.File(path("regress_unfilled_claims.h5"), "w") as f:
    for i in range(12):
        f.create_dataset(f"d{i:02d}", shape=(1 << 24,), dtype="f4", chunks=(1 << 20,))

# 12. regression: empty shapes (n x 0, 0 x n, 0): `retain info` divided
#     by the column count when computing statistics
with h5py.File(path("regress_empty_shapes.h5"), "w") as f:
    f["features"] = np.zeros((5, 0), dtype="f4")
    f["no_rows"] = np.zeros((0, 3), dtype="i4")
    f["nothing"] = np.zeros(0, dtype="f8")

# 13-14. what `retain gen users` writes, plain and compressed
if retain:
    for name, extra in (("gen_users.h5", []), ("gen_users_gzip.h5", ["--compress", "4"])):
        subprocess.run([retain, "gen", "users", "-n", "50", "-d", "3", "-q", "--seed", "1",
                        "-o", path(name)] + extra, check=True)

# 15-17. churn models `retain logreg fit` writes (L2; L1 unscaled), and one
#        whose coefficients were damaged to NaN (refused on load)
if retain:
    users = path("gen_users.h5")
    for name, extra in (("logreg_model.h5", []),
                        ("logreg_model_l1.h5", ["--penalty", "l1", "--scale", "none"])):
        subprocess.run([retain, "logreg", "fit", users, "-q", "-o", path(name)] + extra,
                       check=True)
    shutil.copy(path("logreg_model.h5"), path("logreg_model_nan.h5"))
    with h5py.File(path("logreg_model_nan.h5"), "a") as f:
        f["coef"][0] = np.nan
