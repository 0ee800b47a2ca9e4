"""tests/ref/test_kmeans_sklearn.py: `retain kmeans fit` against scikit-learn's
KMeans(algorithm="lloyd") on the same data from the same initial centroids
(--init-centroids, one run, same max_iter and tol):

  * Lloyd: final inertia within 1e-5 relative (of sklearn's inertia_ and of
    the float64 inertia of sklearn's own labels and centres) and labels that
    agree on >= 99.9% of rows once segments are matched to sklearn's
    clusters by centroid, for float32 and float64 input files, for every
    instruction set (RETAIN_ISA=scalar|avx2|avx512), with plain Lloyd and
    with Hamerly's bounds (--algorithm hamerly), on a small-d case (d=6) and
    a large k*d case (d=256, k=256). Variants must also give bit-identical
    models to each other.
    Data go in pre-scaled with --scale none; one more case fits with
    --scale standard against sklearn on StandardScaler output.
  * k-means++: retain's draws come from its own generator, not numpy's, so
    the centroids cannot equal sklearn's; instead, over 30 seeds, every
    initial centroid (--max-iter 0) must be a data row, and the mean
    potential after seeding must be no worse than sklearn's kmeans_plusplus
    beyond 3 standard errors of the difference, and clearly better than
    non-greedy seeding (n_local_trials=1).
Exit 77 (skip) without scikit-learn or h5py."""
import json
import os
import subprocess
import sys

from common import Checks, retain_binary, scratch, skip

try:
    import h5py
    import numpy as np
    from sklearn.cluster import KMeans, kmeans_plusplus
    from sklearn.preprocessing import StandardScaler
except ImportError as e:
    skip(e)

RETAIN = retain_binary()

check = Checks()


def blobs(rng, n, d, k, spread):
    centres = rng.normal(0, spread, size=(k, d))
    which = rng.integers(0, k, size=n)
    return centres[which] + rng.normal(0, 1, size=(n, d))


def write_features(path, x):
    with h5py.File(path, "w") as f:
        f.create_dataset("features", data=x)


def fit(d, data, init, k, max_iter, tol, isa, scale="none", extra=()):
    model, labels = os.path.join(d, "model.h5"), os.path.join(d, "labels.h5")
    cmd = [RETAIN, "kmeans", "fit", data, "-k", str(k), "-o", model, "--labels-out", labels,
           "--scale", scale, "--max-iter", str(max_iter), "--tol", repr(tol), "--json",
           "--quiet", *extra]
    if init is not None:
        cmd += ["--init-centroids", init]
    env = dict(os.environ, RETAIN_ISA=isa)
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {out.stderr}")
    summary = json.loads(out.stdout)
    with h5py.File(model) as m, h5py.File(labels) as lab:
        return (summary, m["centroids"][:], m["centroids_scaled"][:], lab["segment"][:])


def match(ours, theirs):
    """perm[our segment] = sklearn cluster, by nearest centroid; None unless 1:1."""
    d2 = ((ours[:, None, :].astype(np.float64) - theirs[None, :, :]) ** 2).sum(axis=2)
    perm = d2.argmin(axis=1)
    return perm if len(set(perm.tolist())) == len(perm) else None


def lloyd_case(tmp, name, x, k, max_iter, tol):
    rng = np.random.default_rng(5)
    for dtype in (np.float32, np.float64):
        xd = x.astype(dtype)
        data, init = os.path.join(tmp, "x.h5"), os.path.join(tmp, "init.h5")
        write_features(data, xd)
        c0, _ = kmeans_plusplus(xd, k, random_state=int(rng.integers(1 << 30)))
        with h5py.File(init, "w") as f:
            f.create_dataset("centroids", data=c0)
        sk = KMeans(n_clusters=k, algorithm="lloyd", init=c0, n_init=1, max_iter=max_iter,
                    tol=tol).fit(xd)
        x64 = xd.astype(np.float32).astype(np.float64)  # what retain reads
        sk_exact = ((x64 - sk.cluster_centers_[sk.labels_]) ** 2).sum()
        models = {}
        runs = [(isa, "lloyd") for isa in ("scalar", "avx2", "avx512")] + \
               [(isa, "hamerly") for isa in ("avx2", "avx512")]
        for isa, algorithm in runs:
            summary, cent, _, seg = fit(tmp, data, init, k, max_iter, tol, isa,
                                        extra=("--algorithm", algorithm))
            tag = f"{name} {np.dtype(dtype).name} RETAIN_ISA={isa} --algorithm {algorithm} " \
                  f"(ran {summary['isa']}, {summary['algorithm']})"
            rel = abs(summary["inertia"] - sk.inertia_) / sk.inertia_
            rel_exact = abs(summary["inertia"] - sk_exact) / sk_exact
            check(rel <= 1e-5 and rel_exact <= 1e-5,
                  f"{tag}: inertia {summary['inertia']:.9g} vs sklearn {sk.inertia_:.9g} "
                  f"(rel {rel:.2e}; vs float64 recomputation rel {rel_exact:.2e}); "
                  f"iterations {summary['n_iter']} vs {sk.n_iter_}")
            perm = match(cent, sk.cluster_centers_)
            agree = (perm[seg] == sk.labels_).mean() if perm is not None else 0.0
            check(agree >= 0.999, f"{tag}: labels agree on {100 * agree:.3f}% of "
                  f"{len(seg)} rows")
            models[(summary["isa"], algorithm)] = (cent, seg)
        for algorithm, ref_isa in (("lloyd", "scalar"), ("hamerly", "avx2")):
            ref_cent, ref_seg = models[(ref_isa, algorithm)]
            for (isa, alg), (cent, seg) in models.items():
                if alg == algorithm:
                    check(np.array_equal(cent, ref_cent) and np.array_equal(seg, ref_seg),
                          f"{name} {np.dtype(dtype).name} {algorithm}: {isa} model "
                          f"bit-identical to {ref_isa}")


def standard_case(tmp, x, k, max_iter, tol):
    data, init = os.path.join(tmp, "x.h5"), os.path.join(tmp, "init.h5")
    write_features(data, x)
    scaler = StandardScaler().fit(x)
    xs = scaler.transform(x)
    c0, _ = kmeans_plusplus(xs, k, random_state=3)
    with h5py.File(init, "w") as f:
        f.create_dataset("centroids", data=scaler.inverse_transform(c0))
    sk = KMeans(n_clusters=k, algorithm="lloyd", init=c0, n_init=1, max_iter=max_iter,
                tol=tol).fit(xs)
    summary, cent, cent_scaled, seg = fit(tmp, data, init, k, max_iter, tol, "avx512",
                                          scale="standard")
    rel = abs(summary["inertia"] - sk.inertia_) / sk.inertia_
    check(rel <= 1e-5, f"--scale standard: inertia {summary['inertia']:.9g} vs sklearn on "
          f"StandardScaler output {sk.inertia_:.9g} (rel {rel:.2e})")
    perm = match(cent_scaled, sk.cluster_centers_)
    agree = (perm[seg] == sk.labels_).mean() if perm is not None else 0.0
    check(agree >= 0.999, f"--scale standard: labels agree on {100 * agree:.3f}%")
    if perm is not None:
        want = scaler.inverse_transform(sk.cluster_centers_[perm])
        err = np.abs(cent - want).max() / np.abs(want).max()
        check(err <= 1e-4, f"--scale standard: centroids in input units match "
              f"inverse_transform(sklearn) (max rel error {err:.2e})")


def plusplus_case(tmp):
    rng = np.random.default_rng(11)
    x = blobs(rng, 3000, 5, 12, 4.0).astype(np.float32)
    k = 12
    data = os.path.join(tmp, "pp.h5")
    write_features(data, x)
    rows = {r.tobytes() for r in x}
    ours, theirs, single, all_rows = [], [], [], True
    x64 = x.astype(np.float64)
    for seed in range(30):
        summary, cent, _, _ = fit(tmp, data, None, k, 0, 1e-4, "avx512",
                                  extra=("--seed", str(seed)))
        all_rows &= all(c.tobytes() in rows for c in cent.astype(np.float32))
        ours.append(summary["inertia"])
        for pots, trials in ((theirs, None), (single, 1)):
            c, _ = kmeans_plusplus(x, k, random_state=seed, n_local_trials=trials)
            d2 = ((x64[:, None, :] - c[None, :, :].astype(np.float64)) ** 2).sum(axis=2)
            pots.append(d2.min(axis=1).sum())
    check(all_rows, "k-means++: every initial centroid is a data row (30 seeds)")
    o, t = np.array(ours), np.array(theirs)
    se = np.sqrt(o.var(ddof=1) / len(o) + t.var(ddof=1) / len(t))
    check(o.mean() <= t.mean() + 3 * se,
          f"k-means++: mean potential after seeding {o.mean():.6g} (sd {o.std():.4g}) vs "
          f"sklearn {t.mean():.6g} (sd {t.std():.4g}), 3 SE = {3 * se:.4g}")
    one = np.array(single)
    check(o.mean() < one.mean() - 3 * np.sqrt(o.var(ddof=1) / len(o) + one.var(ddof=1) / len(one)),
          f"k-means++: greedy seeding beats one trial per step ({o.mean():.6g} vs sklearn "
          f"n_local_trials=1 {one.mean():.6g})")


def main():
    with scratch() as tmp:
        rng = np.random.default_rng(2024)
        lloyd_case(tmp, "small d (n 20000, d 6, k 8)", blobs(rng, 20000, 6, 8, 1.0), 8, 60,
                   1e-4)
        lloyd_case(tmp, "large k*d (n 8000, d 256, k 256)", blobs(rng, 8000, 256, 256, 0.5),
                   256, 25, 1e-4)
        standard_case(tmp, blobs(rng, 20000, 5, 6, 3.0) * [1, 10, 100, 0.1, 5] + 7, 6, 60,
                      1e-4)
        plusplus_case(tmp)
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
