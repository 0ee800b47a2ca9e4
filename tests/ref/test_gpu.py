"""tests/ref/test_gpu.py: the CUDA backend against the CPU path, through the
command line. Exit 77 (skip) with the reason when the build has no CUDA or
no usable GPU is present, or without h5py.

  * k-means (Lloyd, same --init-centroids on both devices): inertia within
    1e-4 relative and labels equal on >= 99.9% of rows, for plain and
    weighted rows (--sample-weight, one row in 20 of weight 0), a cluster
    left empty by its initial centre (relocated), several data chunks on the device
    (RETAIN_CUDA_CHUNK_ROWS=7000 forces chunks of 8192 rows), --scale standard,
    k = 256 x d = 32 (the per-block sums in large shared memory) and
    k = 512 x d = 64 (too large for shared memory: sums in global memory);
    k-means++ seeding on the GPU (--max-iter 0) gives the CPU's centroids bit
    for bit (plain, weighted, chunked, best of --n-init 3), and a fit from
    that seeding matches the CPU's within the same bounds;
    kmeans predict and score on the GPU give the CPU's segments on >= 99.9%
    of rows and distances within 1e-4 relative, and score's churn
    probabilities within 1e-6 of the CPU's; the same GPU fit twice gives
    identical centroids, inertia and labels.
  * logistic regression: objective within 1e-6 relative of the CPU's, for
    plain, weighted (class weights "balanced") and chunked runs; the same
    GPU fit twice gives the same objective and coefficients bit for bit."""
import json
import os
import subprocess

from common import Checks, retain_binary, scratch, skip

try:
    import h5py
    import numpy as np
except ImportError as e:
    skip(e)

RETAIN = retain_binary()
info = subprocess.run([RETAIN, "info"], capture_output=True, text=True).stdout
if "cuda built" not in info:
    skip("this build has no CUDA backend (needs nvcc at configure time)")
gpu_line = next((l for l in info.splitlines() if l.startswith("gpu:")), "gpu: ?")
if "none usable" in gpu_line or "not built" in gpu_line:
    skip(f"no usable GPU ({gpu_line})")
print(gpu_line)

check = Checks()


def run(cmd, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    r = subprocess.run([RETAIN, *cmd], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise SystemExit(f"FAIL {' '.join(cmd)}: exit {r.returncode}: {r.stderr[-800:]}")
    return r.stdout


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


def weights(rng, n):
    """Row weights in [0, 3), one row in 20 weighing exactly 0."""
    w = rng.uniform(0, 3, size=n).astype(np.float32)
    w[::20] = 0
    return w


def blobs_file(tmp, name, n, d, k, rng, weighted):
    """NAME.h5: n rows of d around k centres (and /weight when weighted)."""
    centres = rng.normal(0, 4, size=(k, d))
    x = (centres[rng.integers(0, k, size=n)] + rng.normal(0, 1, size=(n, d))).astype(np.float32)
    data = os.path.join(tmp, f"{name}.h5")
    with h5py.File(data, "w") as f:
        f.create_dataset("features", data=x)
        if weighted:
            f.create_dataset("weight", data=weights(rng, n))
    return data, x


def kmeans_case(tmp, name, n, d, k, weighted=False, scale="none", env=None, empty=False):
    rng = np.random.default_rng(n + d + k)
    data, x = blobs_file(tmp, name, n, d, k, rng, weighted)
    init = os.path.join(tmp, f"{name}_init.h5")
    with h5py.File(init, "w") as f:
        c0 = x[rng.choice(n, size=k, replace=False)]
        if empty:  # a centre no row is near: its cluster is empty after the first pass
            c0[0] = 1e3
        f.create_dataset("centroids", data=c0)
    out = {}
    for dev, tag in (("cpu", "cpu"), ("cuda", "gpu"), ("cuda", "gpu2")):
        model = os.path.join(tmp, f"{name}_{tag}.h5")
        labels = os.path.join(tmp, f"{name}_{tag}_labels.h5")
        cmd = ["kmeans", "fit", data, "-k", str(k), "-o", model, "--labels-out", labels,
               "--init-centroids", init, "--scale", scale, "--algorithm", "lloyd",
               "--max-iter", "50", "--json", "--quiet", "--device", dev]
        if weighted:
            cmd += ["--sample-weight", "weight"]
        summary = json.loads(run(cmd, env if dev == "cuda" else None))
        check(summary["device"] == dev, f"kmeans {name}: ran on {summary['device']}, "
              f"asked for {dev}")
        with h5py.File(model) as f, h5py.File(labels) as g:
            out[tag] = (summary["inertia"], f["centroids"][...], g["segment"][...],
                        g["segment_distance"][...])
    (ic, cc, lc, _), (ig, cg, lg, _), (ig2, cg2, lg2, _) = out["cpu"], out["gpu"], out["gpu2"]
    check(rel(ig, ic) <= 1e-4, f"kmeans {name}: GPU inertia {ig!r} vs CPU {ic!r} "
          f"(rel {rel(ig, ic):.2e} <= 1e-4)")
    agree = float(np.mean(lc == lg))
    check(agree >= 0.999, f"kmeans {name}: labels agree on {agree:.5f} of rows (>= 0.999)")
    check(ig == ig2 and np.array_equal(cg, cg2) and np.array_equal(lg, lg2),
          f"kmeans {name}: the same GPU fit twice gives the same bits")
    return data, os.path.join(tmp, f"{name}_cpu.h5"), lc, out["cpu"][3]


def seeding_case(tmp, name, n, d, k, weighted=False, env=None, extra=()):
    """k-means++ on both devices from the same --seed: centroids equal in bits
    after seeding alone (--max-iter 0), fits within 1e-4 after 50 iterations."""
    data, _ = blobs_file(tmp, name, n, d, k, np.random.default_rng(3 * n + d + k), weighted)
    out = {}
    for iters in ("0", "50"):
        for dev in ("cpu", "cuda"):
            model = os.path.join(tmp, f"{name}_{dev}_{iters}.h5")
            labels = os.path.join(tmp, f"{name}_{dev}_{iters}_labels.h5")
            cmd = ["kmeans", "fit", data, "-k", str(k), "-o", model, "--labels-out", labels,
                   "--seed", "11", "--algorithm", "lloyd", "--max-iter", iters, "--json",
                   "--quiet", "--device", dev, *extra]
            if weighted:
                cmd += ["--sample-weight", "weight"]
            summary = json.loads(run(cmd, env if dev == "cuda" else None))
            check(summary["device"] == dev, f"k-means++ {name}: ran on {summary['device']}")
            with h5py.File(model) as f, h5py.File(labels) as g:
                out[dev, iters] = (summary["inertia"], f["centroids"][...], g["segment"][...])
    (_, c0, _), (_, g0, _) = out["cpu", "0"], out["cuda", "0"]
    check(np.array_equal(c0.view(np.uint8), g0.view(np.uint8)),
          f"k-means++ {name}: GPU seeding gives the CPU's centroids bit for bit "
          f"({int(np.sum(c0 != g0))} of {c0.size} values differ)")
    (ic, _, lc), (ig, _, lg) = out["cpu", "50"], out["cuda", "50"]
    check(rel(ig, ic) <= 1e-4, f"k-means++ {name}: GPU inertia {ig!r} vs CPU {ic!r} "
          f"(rel {rel(ig, ic):.2e} <= 1e-4)")
    agree = float(np.mean(lc == lg))
    check(agree >= 0.999, f"k-means++ {name}: labels agree on {agree:.5f} of rows (>= 0.999)")


def logreg_case(tmp, name, n, d, extra=(), env=None):
    rng = np.random.default_rng(n * 7 + d)
    x = rng.normal(0, 1, size=(n, d)).astype(np.float32) * rng.uniform(0.5, 20, size=d)
    beta = rng.normal(0, 1, size=d) / np.std(x, axis=0)
    p = 1 / (1 + np.exp(-(x @ beta - 1.0)))
    y = (rng.uniform(size=n) < p).astype(np.int8)
    data = os.path.join(tmp, f"{name}.h5")
    with h5py.File(data, "w") as f:
        f.create_dataset("features", data=x)
        f.create_dataset("churned", data=y)
    res = {}
    for dev, tag in (("cpu", "cpu"), ("cuda", "gpu"), ("cuda", "gpu2")):
        model = os.path.join(tmp, f"{name}_{tag}.h5")
        summary = json.loads(run(["logreg", "fit", data, "-o", model, "--json", "--quiet",
                                  "--device", dev, *extra], env if dev == "cuda" else None))
        check(summary["device"] == dev, f"logreg {name}: ran on {summary['device']}")
        with h5py.File(model) as f:
            coef = f["coef"][...] if "coef" in f else None
        res[tag] = (summary["objective"], coef)
    (oc, _), (og, cg), (og2, cg2) = res["cpu"], res["gpu"], res["gpu2"]
    check(rel(og, oc) <= 1e-6, f"logreg {name}: GPU objective {og!r} vs CPU {oc!r} "
          f"(rel {rel(og, oc):.2e} <= 1e-6)")
    check(og == og2 and (cg is None or np.array_equal(cg, cg2)),
          f"logreg {name}: the same GPU fit twice gives the same bits")


with scratch() as tmp:
    chunks = {"RETAIN_CUDA_CHUNK_ROWS": "7000"}
    data, model, cpu_labels, cpu_dist = kmeans_case(tmp, "plain", 60000, 12, 20)
    kmeans_case(tmp, "weighted", 60000, 12, 20, weighted=True)
    kmeans_case(tmp, "chunked", 60000, 12, 20, weighted=True, env=chunks)
    kmeans_case(tmp, "standard", 40000, 7, 9, scale="standard")
    kmeans_case(tmp, "k256_d32", 50000, 32, 256)
    kmeans_case(tmp, "k512_d64", 20000, 64, 512)
    seeding_case(tmp, "seed_plain", 50000, 12, 30)
    seeding_case(tmp, "seed_weighted", 50000, 12, 30, weighted=True)
    seeding_case(tmp, "seed_chunked", 50000, 33, 100, weighted=True, env=chunks)
    seeding_case(tmp, "seed_n_init", 30000, 8, 12, extra=["--n-init", "3"])
    kmeans_case(tmp, "empty", 30000, 6, 10, weighted=True, empty=True)

    for tag, env in (("predict", None), ("score", None)):
        scored = os.path.join(tmp, f"scored_{tag}.h5")
        cmd = (["score", "--segments", model] if tag == "score" else ["kmeans", "predict", model])
        summary = json.loads(run([*cmd, data, "-o", scored, "--device", "cuda", "--json",
                                  "--quiet"], env))
        check(summary["device"] == "cuda", f"{tag} ran on {summary['device']}")
        with h5py.File(scored) as f:
            seg, dist = f["segment"][...], f["segment_distance"][...]
        agree = float(np.mean(seg == cpu_labels))
        check(agree >= 0.999, f"kmeans predict on the GPU ({tag}): segments agree on "
              f"{agree:.5f} of rows (>= 0.999)")
        same = seg == cpu_labels
        err = np.max(np.abs(dist[same] - cpu_dist[same]) / np.maximum(cpu_dist[same], 1e-6))
        check(err <= 1e-4, f"kmeans predict on the GPU ({tag}): distances within {err:.2e} "
              "relative (<= 1e-4)")

    # score with both models: segments as above, churn probabilities to 1e-6
    both = os.path.join(tmp, "both.h5")
    with h5py.File(data) as f, h5py.File(both, "w") as g:
        x = f["features"][...]
        g.create_dataset("features", data=x)
        margin = (x - x.mean(axis=0)) @ np.linspace(-0.3, 0.3, x.shape[1]) - 0.5
        churned = np.random.default_rng(8).uniform(size=len(x)) < 1 / (1 + np.exp(-margin))
        g.create_dataset("churned", data=churned.astype(np.int8))
    churn = os.path.join(tmp, "churn.h5")
    run(["logreg", "fit", both, "-o", churn, "--quiet"])
    scores = {}
    for dev in ("cpu", "cuda"):
        scored = os.path.join(tmp, f"both_{dev}.h5")
        summary = json.loads(run(["score", "--segments", model, "--churn", churn, both, "-o",
                                  scored, "--device", dev, "--json", "--quiet"]))
        check(summary["device"] == dev, f"score ran on {summary['device']}")
        with h5py.File(scored) as f:
            scores[dev] = {n: f[n][...] for n in ("segment", "segment_distance",
                                                   "churn_probability", "churn_risk")}
    c, g = scores["cpu"], scores["cuda"]
    agree = float(np.mean(c["segment"] == g["segment"]))
    check(agree >= 0.999, f"score on the GPU, both models: segments agree on {agree:.5f} "
          "of rows (>= 0.999)")
    err = float(np.max(np.abs(c["churn_probability"].astype(np.float64) -
                              g["churn_probability"])))
    check(err <= 1e-6, f"score on the GPU: churn probabilities within {err:.2e} (<= 1e-6)")
    agree = float(np.mean(c["churn_risk"] == g["churn_risk"]))
    check(agree >= 0.999, f"score on the GPU: churn risk tiers agree on {agree:.5f} of rows")

    logreg_case(tmp, "plain", 80000, 20)
    logreg_case(tmp, "balanced", 80000, 20, extra=["--class-weight", "balanced"])
    logreg_case(tmp, "chunked", 80000, 20, env={"RETAIN_CUDA_CHUNK_ROWS": "5000"})
    logreg_case(tmp, "wide", 20000, 300, extra=["--C", "0.1"])

raise SystemExit(check.exit_code())
