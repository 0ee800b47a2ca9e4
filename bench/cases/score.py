"""bench/cases/score.py: the nightly scoring job, `retain score --segments
--churn` on 10,000,000 users x 32 features (`retain gen users`, float32,
uncompressed), with a k-means model (k = 8, standard scaling) and a churn
model, both fitted by retain on a separate 200,000-user file.

  * users per second against a Python baseline doing the same job: h5py
    reads /features and /user_id in slabs of 1,000,000 rows, the scikit-
    learn objects loaded from retain's model files (tests/ref/common.py:
    StandardScaler + KMeans.predict, StandardScaler + LogisticRegression
    .predict_proba) score each slab, the distance to the centroid and the
    risk tier are computed with numpy, and the five datasets are written to
    an HDF5 file. It runs in a fresh process; both take the page cache
    warm (the file is read once before timing).
  * the read rate retain achieves (input bytes / seconds of the whole job)
    as a share of a plain sequential read of the same file: h5py reading
    /features in slabs of 1,000,000 rows into one reused buffer (best of
    3, warm cache, as for the score); `cat FILE > /dev/null` is in the note.
  * peak resident memory (GNU time) against the --memory budget (512M).
Run as a script (`score.py baseline DATA SEG CHURN OUT`) it times the
baseline and prints JSON; the runner calls it that way.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "ref"))

SLAB = 1_000_000
MEMORY = "512M"


def baseline(data, seg_path, churn_path, out_path):
    import h5py
    from common import sklearn_churn, sklearn_segments
    t0 = time.perf_counter()
    seg_scaler, km = sklearn_segments(seg_path)
    churn_scaler, lr = sklearn_churn(churn_path)
    # float32 centres for float32 rows, as KMeans keeps after fitting float32 data
    km.cluster_centers_ = km.cluster_centers_.astype(np.float32)
    with h5py.File(data, "r") as f, h5py.File(out_path, "w") as o:
        x_all, ids = f["features"], f["user_id"]
        n = x_all.shape[0]
        outs = {name: o.create_dataset(name, (n,), dtype=t) for name, t in
                (("user_id", "i8"), ("segment", "i4"), ("segment_distance", "f4"),
                 ("churn_probability", "f4"), ("churn_risk", "i1"))}
        for first in range(0, n, SLAB):
            x = x_all[first:first + SLAB]
            z = seg_scaler.transform(x)
            seg = km.predict(z)
            dist = np.linalg.norm(z - km.cluster_centers_[seg], axis=1)
            p = lr.predict_proba(churn_scaler.transform(x))[:, 1]
            rows = slice(first, first + len(x))
            outs["user_id"][rows] = ids[rows]
            outs["segment"][rows] = seg
            outs["segment_distance"][rows] = dist
            outs["churn_probability"][rows] = p
            outs["churn_risk"][rows] = (p >= 0.3).astype(np.int8) + (p >= 0.6)
    return {"seconds": time.perf_counter() - t0, "rows": n}


def plain_read(data):
    import h5py
    with h5py.File(data, "r") as f:
        d = f["features"]
        buf = np.empty((min(SLAB, d.shape[0]), d.shape[1]), d.dtype)
        t0 = time.perf_counter()
        for first in range(0, d.shape[0], SLAB):
            rows = min(SLAB, d.shape[0] - first)
            d.read_direct(buf, np.s_[first:first + rows], np.s_[0:rows])
        return time.perf_counter() - t0


def score_case(bench):
    n, d = (500_000, 32) if bench.quick else (10_000_000, 32)
    data = bench.path(f"score_users_{n}x{d}.h5")
    train = bench.path(f"score_train_{d}.h5")
    if not os.path.exists(data):
        bench.run("gen", "users", "-n", n, "-d", d, "-k", 8, "--seed", 1, "--quiet", "-o", data)
    if not os.path.exists(train):
        bench.run("gen", "users", "-n", 200_000, "-d", d, "-k", 8, "--seed", 2, "--quiet",
                  "-o", train)
    seg, churn = bench.path("score_seg.h5"), bench.path("score_churn.h5")
    bench.run("kmeans", "fit", train, "-k", 8, "--seed", 1, "--quiet", "-o", seg)
    bench.run("logreg", "fit", train, "--quiet", "-o", churn)
    size = os.path.getsize(data)
    subprocess.run(["cat", data], stdout=subprocess.DEVNULL, check=True)  # warm the cache
    t_cat = bench.best_of(lambda: subprocess.run(["cat", data], stdout=subprocess.DEVNULL,
                                                 check=True))
    t_plain = min(plain_read(data) for _ in range(3))
    out = bench.path("score_out.h5")
    runs = [bench.peak([bench.retain, "score", "--segments", seg, "--churn", churn, data,
                        "-o", out, "--memory", MEMORY, "--quiet"]) for _ in range(3)]
    t_retain, peak = min(r[0] for r in runs), max(r[1] for r in runs)
    py = subprocess.run([sys.executable, __file__, "baseline", data, seg, churn,
                         bench.path("score_py.h5")], check=True, capture_output=True, text=True)
    t_py = json.loads(py.stdout)["seconds"]
    budget = 512 << 20
    case = f"score {n // 1_000_000 if n >= 1_000_000 else n / 1e6:g}M x {d} (segments + churn)"
    gbs = lambda t: size / t / 1e9
    return [
        bench.Row(case, "users/s", n / t_retain, "h5py + sklearn predict/predict_proba",
                  n / t_py, higher_is_better=True,
                  note=f"retain {t_retain:.2f} s, baseline {t_py:.2f} s"),
        bench.Row(case, "read GB/s", gbs(t_retain), "plain read (h5py 1M-row slabs)",
                  gbs(t_plain), higher_is_better=True,
                  note=f"share of the plain read: {t_plain / t_retain:.0%}; "
                       f"cat {gbs(t_cat):.2f} GB/s"),
        bench.Row(case, "peak MiB", peak / 2**20, f"--memory {MEMORY} budget", budget / 2**20,
                  note="GNU time max RSS of the worst of 3 runs; ratio > 1: under budget"),
    ]


CASES = [("score", score_case)]

if __name__ == "__main__" and len(sys.argv) == 6 and sys.argv[1] == "baseline":
    print(json.dumps(baseline(*sys.argv[2:])))
