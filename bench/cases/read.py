"""bench/cases/read.py: reading and checking a feature matrix, the first
step of every command. retain: `retain info` (reads every row through the
feature reader, checks NaN/Inf and computes per-column min/mean/max/std).
Baselines: h5py reading the same dataset into numpy and computing the same
per-column statistics; and h5py's read alone. Floor: a plain sequential read of the file (cat to
/dev/null, page cache warm) gives the bytes-per-second the disk path allows.
"""
import os
import subprocess
import time

import h5py
import numpy as np


def h5py_read(path):
    with h5py.File(path, "r") as f:
        return f["features"][:]


def numpy_info(path):
    """What an analyst writes for the same numbers: counts of NaN and Inf,
    then min/mean/max/std over finite values, accumulated in float64."""
    x = h5py_read(path)
    nan = np.isnan(x).sum(axis=0)
    inf = np.isinf(x).sum(axis=0)
    xf = np.where(np.isfinite(x), x, np.float32(np.nan))
    return (nan, inf, np.nanmin(xf, axis=0), np.nanmean(xf, axis=0, dtype=np.float64),
            np.nanmax(xf, axis=0), np.nanstd(xf, axis=0, dtype=np.float64))


def read_case(bench):
    n = 400_000 if bench.quick else 4_000_000
    d = 32
    path = bench.path(f"users_{n}x{d}.h5")
    if not os.path.exists(path):
        bench.run("gen", "users", "-n", n, "-d", d, "-k", 8, "--quiet", "-o", path)
    size = os.path.getsize(path)
    t_cat = bench.best_of(lambda: subprocess.run(["cat", path], stdout=subprocess.DEVNULL, check=True))
    t_retain = bench.best_of(lambda: bench.run("info", path, "--quiet"))
    t_numpy = bench.best_of(lambda: numpy_info(path))
    t_h5py = bench.best_of(lambda: h5py_read(path))
    case = f"read+check {n // 1000}k x {d} float32"
    gbs = lambda t: size / t / 1e9
    return [
        bench.Row(case, "seconds", t_retain, "h5py+numpy", t_numpy,
                  note=f"retain {gbs(t_retain):.2f} GB/s; plain read {gbs(t_cat):.2f} GB/s"),
        bench.Row(case, "seconds", t_retain, "h5py read only", t_h5py,
                  note="baseline reads the matrix and checks nothing"),
    ]


CASES = [("read", read_case)]
