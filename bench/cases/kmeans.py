"""bench/cases/kmeans.py: Lloyd iterations of k-means, float32, from the
same initial centroids, --tol 0, on the shapes the k-means issue names:
(n, d, k) = (1M, 32, 64), (1M, 8, 8), (500k, 64, 256). Timed in the same run:
retain (`kmeans fit --scale none --init-centroids --algorithm lloyd
--json`, its Lloyd seconds; and, where --algorithm auto picks Hamerly's
bounds instead, that too), scikit-learn KMeans(algorithm="lloyd", n_init=1, tol=0) and FAISS
Kmeans (every point used). Each engine runs ITERS and 2 * ITERS iterations
(best of three runs each); seconds per iteration are the difference over the
extra iterations, so set-up, the final assignment and inertia pass, and
input checks cancel out for everyone alike. The floor is 2·n·k·d flops at
the SGEMM rate measured here (a 4096^3 float32 matmul). Every timed process
runs with OPENBLAS_CORETYPE unset, so OpenBLAS uses its AVX-512 kernels for
everyone. Peak memory of retain (GNU time) is set against the size of the
data twice: beyond the idle process (`retain --version`: code and shared
libraries mapped, little touched), and beyond the same fit on the file's
first SLICE_ROWS rows, which also holds the fixed cost of reading HDF5 (the
library's code pages and caches), so what is left grows with the data.

Case kmeans-minibatch: passes of mini-batch k-means over the first shape,
retain streaming the file against scikit-learn's MiniBatchKMeans in memory,
and retain's peak memory against the data size (minibatch_case).
Case kmeans-seed: greedy k-means++ seeding on each shape (seed_case).

Run as a script (`kmeans.py sklearn|sklearn-minibatch|faiss|sgemm ...`) it times one baseline
in a fresh process and prints JSON; the runner calls it that way.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

SHAPES = [(1_000_000, 32, 64), (1_000_000, 8, 8), (500_000, 64, 256)]
QUICK_SHAPES = [(100_000, 32, 64), (100_000, 8, 8), (50_000, 64, 256)]
ITERS = 10
SLICE_ROWS = 1000
MB_PASSES = 2


def clean_env():
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    return env


def make_data(bench, n, d, k):
    import h5py
    data = bench.path(f"km_{n}x{d}.h5")
    init = bench.path(f"km_{n}x{d}_k{k}_init.h5")
    if not os.path.exists(data):
        rng = np.random.default_rng(0)
        centres = rng.normal(scale=3.0, size=(2 * k, d)).astype(np.float32)
        x = centres[rng.integers(0, 2 * k, size=n)] + rng.normal(size=(n, d)).astype(np.float32)
        with h5py.File(data, "w") as f:
            f.create_dataset("features", data=x.astype(np.float32), chunks=(min(n, 16384), d))
    if not os.path.exists(init):
        with h5py.File(data, "r") as f:
            x = f["features"]
            rows = np.sort(np.random.default_rng(1).choice(x.shape[0], size=k, replace=False))
            c = x[rows, :]
        with h5py.File(init, "w") as f:
            f.create_dataset("centroids", data=c)
    return data, init


def make_slice(bench, data):
    """The first SLICE_ROWS rows of data, for the fixed-cost memory run."""
    import h5py
    path = data.replace(".h5", f"_first{SLICE_ROWS}.h5")
    if not os.path.exists(path):
        with h5py.File(data, "r") as f, h5py.File(path, "w") as g:
            g.create_dataset("features", data=f["features"][:SLICE_ROWS])
    return path


def baseline(kind, *args):
    out = subprocess.run([sys.executable, __file__, kind, *map(str, args)], check=True,
                         capture_output=True, text=True, env=clean_env())
    return json.loads(out.stdout)


def per_iteration(run, iters=ITERS):
    """run(iters) -> (seconds, iterations done, ...); the marginal seconds per
    iteration between iters and 2 * iters, best of three runs each."""
    (t1, n1), (t2, n2) = (min(run(i)[:2] for _ in range(3)) for i in (iters, 2 * iters))
    if n2 <= n1:  # converged before ITERS: no extra iterations to time
        return t2 / n2, n2
    return (t2 - t1) / (n2 - n1), n2


def kmeans_case(bench):
    sgemm = baseline("sgemm")["gflops"]
    _, idle, _ = bench.peak([bench.retain, "--version"], env=clean_env())
    rows = []
    for n, d, k in (QUICK_SHAPES if bench.quick else SHAPES):
        data, init = make_data(bench, n, d, k)
        model = bench.path("km_model.h5")
        peak, summary = 0, None

        def retain_run(iters, algorithm="lloyd", path=data):
            nonlocal peak, summary
            _, p, out = bench.peak([bench.retain, "kmeans", "fit", path, "-k", k,
                                    "--init-centroids", init, "--scale", "none", "--tol", 0,
                                    "--max-iter", iters, "--algorithm", algorithm, "--json",
                                    "--quiet", "-o", model], env=clean_env())
            summary = json.loads(out)
            if algorithm == "lloyd":
                peak = max(peak, p)
            return summary["seconds_lloyd"], summary["n_iter"], p

        ours, ours_iters = per_iteration(retain_run)
        isa = summary["isa"]
        fixed = retain_run(ITERS, path=make_slice(bench, data))[2]
        auto, _ = per_iteration(lambda iters: retain_run(iters, "auto"))
        auto_name = summary["algorithm"]
        sk = baseline("sklearn", data, init, ITERS)
        fa = baseline("faiss", data, init, ITERS)
        floor = 2.0 * n * k * d / (sgemm * 1e9)
        case = f"k-means iteration n={n // 1000}k d={d} k={k}"
        mib = 2**20
        data_mib = n * d * 4 / mib
        rows += [
            bench.Row(case, "s/iter", ours, "scikit-learn lloyd", sk["per_iter"],
                      note=f"lloyd, {isa}; {ours_iters} iters, sklearn {sk['n_iter']}"),
            bench.Row(case, "s/iter", ours, "FAISS", fa["per_iter"]),
            bench.Row(case, "s/iter", ours, "floor 2nkd/SGEMM", floor,
                      note=f"SGEMM {sgemm:.0f} GFLOP/s; ratio < 1: slower than the floor"),
        ]
        if auto_name != "lloyd":
            rows.append(bench.Row(case, "s/iter", auto, "scikit-learn lloyd", sk["per_iter"],
                                  note=f"--algorithm auto: {auto_name} (mid-run iterations "
                                       f"{ITERS + 1}-{2 * ITERS})"))
        rows += [
            bench.Row(case, "MiB beyond idle", (peak - idle) / mib, "data size", data_mib,
                      note=f"peak {peak / mib:.0f} MiB, idle process {idle / mib:.0f} MiB; "
                           "ratio < 1: more than the data"),
            bench.Row(case, f"MiB beyond the fit on {SLICE_ROWS} rows", (peak - fixed) / mib,
                      "data size", (n - SLICE_ROWS) * d * 4 / mib,
                      note=f"that fit's peak {fixed / mib:.1f} MiB: HDF5's code pages and "
                           "caches, paid once whatever the size"),
        ]
        os.remove(model)
    return rows


def minibatch_case(bench):
    """Mini-batch passes over the (1M, 32, 64) data from the same initial
    centroids, batches of 1024, no early stop: retain streams the file
    (`--algorithm minibatch`), scikit-learn's MiniBatchKMeans holds it in
    memory. Seconds per pass are the difference between MB_PASSES and
    2 * MB_PASSES passes (best of three); retain's peak memory is set
    against the data it never holds whole."""
    n, d, k = QUICK_SHAPES[0] if bench.quick else SHAPES[0]
    data, init = make_data(bench, n, d, k)
    model = bench.path("km_mb_model.h5")
    _, idle, _ = bench.peak([bench.retain, "--version"], env=clean_env())
    peak, summary = 0, None

    def retain_run(passes):
        nonlocal peak, summary
        _, p, out = bench.peak([bench.retain, "kmeans", "fit", data, "-k", k, "--init-centroids",
                                init, "--scale", "none", "--algorithm", "minibatch",
                                "--batch-size", 1024, "--max-iter", passes, "--tol", 0,
                                "--max-no-improvement", 0, "--json", "--quiet", "-o", model],
                               env=clean_env())
        peak = max(peak, p)
        summary = json.loads(out)
        return summary["seconds_lloyd"], summary["n_iter"], p

    ours, passes = per_iteration(retain_run, MB_PASSES)
    sk = baseline("sklearn-minibatch", data, init, MB_PASSES)
    os.remove(model)
    case = f"k-means minibatch pass n={n // 1000}k d={d} k={k}"
    mib = 2**20
    return [
        bench.Row(case, "s/pass", ours, "scikit-learn MiniBatchKMeans", sk["per_iter"],
                  note=f"batch 1024, {summary['isa']}; {passes} passes; retain streams the "
                       f"file, scikit-learn holds it; inertia {summary['inertia']:.4g} vs "
                       f"{sk['inertia']:.4g}"),
        bench.Row(case, "MiB beyond idle", (peak - idle) / mib, "data size", n * d * 4 / mib,
                  note=f"peak {peak / mib:.0f} MiB, idle process {idle / mib:.0f} MiB; "
                       "ratio > 1: less than the data"),
    ]


def seed_case(bench):
    """Greedy k-means++ seeding (2 + floor(ln k) candidates a centre, as
    scikit-learn draws them) on each shape: retain's `seconds_init` from
    `kmeans fit --max-iter 0` against scikit-learn's kmeans_plusplus on the
    data in memory, best of three each."""
    rows = []
    for n, d, k in (QUICK_SHAPES if bench.quick else SHAPES):
        data, init = make_data(bench, n, d, k)
        model = bench.path("km_seed_model.h5")
        best = float("inf")
        for _ in range(3):
            out = subprocess.run([bench.retain, "kmeans", "fit", data, "-k", str(k), "--scale",
                                  "none", "--max-iter", "0", "--json", "--quiet", "-o", model],
                                 check=True, capture_output=True, text=True, env=clean_env())
            summary = json.loads(out.stdout)
            best = min(best, summary["seconds_init"])
        os.remove(model)
        sk = baseline("sklearn-plusplus", data, init)
        rows.append(bench.Row(f"k-means++ seeding n={n // 1000}k d={d} k={k}", "seconds", best,
                              "scikit-learn kmeans_plusplus", sk["seconds"],
                              note=f"{summary['isa']}; {2 + int(np.log(k))} candidates a "
                                   "centre in both"))
    return rows


CASES = [("kmeans", kmeans_case), ("kmeans-minibatch", minibatch_case),
         ("kmeans-seed", seed_case)]


def _load(data, init):
    import h5py
    with h5py.File(data, "r") as f:
        x = f["features"][:]
    with h5py.File(init, "r") as f:
        c = f["centroids"][:]
    return x, c


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "sgemm":
        a = np.random.default_rng(0).random((4096, 4096), dtype=np.float32)
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            a @ a
            best = min(best, time.perf_counter() - t0)
        print(json.dumps({"gflops": 2 * 4096**3 / best / 1e9}))
    elif kind == "sklearn":
        from sklearn.cluster import KMeans
        x, c = _load(sys.argv[2], sys.argv[3])

        def run(iters):
            km = KMeans(n_clusters=len(c), init=c, n_init=1, max_iter=iters, tol=0,
                        algorithm="lloyd")
            t0 = time.perf_counter()
            km.fit(x)
            return time.perf_counter() - t0, int(km.n_iter_)
        per_iter, iters = per_iteration(run)
        print(json.dumps({"per_iter": per_iter, "n_iter": iters}))
    elif kind == "sklearn-plusplus":
        from sklearn.cluster import kmeans_plusplus
        x, c = _load(sys.argv[2], sys.argv[3])
        best = float("inf")
        for seed in range(3):
            t0 = time.perf_counter()
            kmeans_plusplus(x, len(c), random_state=seed)
            best = min(best, time.perf_counter() - t0)
        print(json.dumps({"seconds": best}))
    elif kind == "sklearn-minibatch":
        from sklearn.cluster import MiniBatchKMeans
        x, c = _load(sys.argv[2], sys.argv[3])
        result = {}

        def run(passes):
            km = MiniBatchKMeans(n_clusters=len(c), init=c, n_init=1, max_iter=passes, tol=0,
                                 batch_size=1024, max_no_improvement=None,
                                 compute_labels=False, random_state=0)
            t0 = time.perf_counter()
            km.fit(x)
            seconds = time.perf_counter() - t0
            result["inertia"] = -km.score(x)
            return seconds, int(km.n_iter_)
        per_pass, passes = per_iteration(run, int(sys.argv[4]))
        print(json.dumps({"per_iter": per_pass, "n_iter": passes, "inertia": result["inertia"]}))
    elif kind == "faiss":
        import faiss
        x, c = _load(sys.argv[2], sys.argv[3])

        def run(iters):
            km = faiss.Kmeans(x.shape[1], len(c), niter=iters, verbose=False,
                              min_points_per_centroid=1, max_points_per_centroid=10**9)
            t0 = time.perf_counter()
            km.train(x, init_centroids=c)
            return time.perf_counter() - t0, iters
        per_iter, _ = per_iteration(run)
        print(json.dumps({"per_iter": per_iter}))
