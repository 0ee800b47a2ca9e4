"""tests/ref/test_score_sklearn.py: `retain score` against scikit-learn with
the same models. The model files are loaded into scikit-learn objects
(common.sklearn_segments / sklearn_churn: the stored scaler, the stored
scaled centroids as KMeans.cluster_centers_, the stored coefficients and
intercept as LogisticRegression's), which then score the same float32
features in float64:

  * segments: KMeans.predict gives the same label on every row, except
    where the two nearest centroids are within 1e-5 (relative) of each
    other in float64, where retain's float32 arithmetic may pick the other
    (such near-ties are counted and must be under 0.01% of rows); the
    distance agrees to 1e-5 relative (float32 scaling and sums);
  * churn: predict_proba agrees to 1e-6 absolute, and the risk tier is the
    number of cut points (0.3, 0.6 and, in a second run, --cuts 0.1,0.2,0.5)
    the probability reaches, except for probabilities within 1e-6 of a cut;
  * for a k-means model fitted with --scale minmax as well as standard.
Exit 77 (skip) without scikit-learn or h5py."""
import os
import subprocess
import sys

from common import Checks, retain_binary, scratch, skip, sklearn_churn, sklearn_segments

try:
    import h5py
    import numpy as np
except ImportError as e:
    skip(e)
try:
    import sklearn  # noqa: F401
except ImportError as e:
    skip(e)

RETAIN = retain_binary()
check = Checks()


def run(*args):
    subprocess.run([RETAIN, *map(str, args), "--quiet"], check=True, stdout=subprocess.DEVNULL)


def check_segments(tag, users, model, out):
    with h5py.File(users) as f:
        x = f["features"][:].astype(np.float64)
    with h5py.File(out) as f:
        seg, dist = f["segment"][:], f["segment_distance"][:].astype(np.float64)
    scaler, km = sklearn_segments(model)
    z = scaler.transform(x) if scaler is not None else x
    want = km.predict(z)
    d2 = ((z[:, None, :] - km.cluster_centers_[None, :, :]) ** 2).sum(axis=2)
    two = np.sort(d2, axis=1)[:, :2]
    near_tie = two[:, 1] - two[:, 0] <= 1e-5 * two[:, 1]
    differ = seg != want
    check(not np.any(differ & ~near_tie),
          f"{tag}: segment = KMeans.predict on every row but near-ties "
          f"({int(differ.sum())} differ, {int(near_tie.sum())} near-ties)")
    check(near_tie.mean() < 1e-4, f"{tag}: near-ties are rare ({int(near_tie.sum())} rows)")
    true_dist = np.sqrt(d2[np.arange(len(seg)), want])
    rel = np.abs(dist - true_dist) / np.maximum(true_dist, 1e-3)
    check(np.all(rel[~near_tie] < 1e-5),
          f"{tag}: segment_distance to 1e-5 relative (worst {rel.max():.2e})")


def check_churn(tag, users, model, out, cuts):
    with h5py.File(users) as f:
        x = f["features"][:].astype(np.float64)
    with h5py.File(out) as f:
        p, risk = f["churn_probability"][:].astype(np.float64), f["churn_risk"][:]
        names = list(f["churn_risk"].attrs["band_names"])
    scaler, lr = sklearn_churn(model)
    want = lr.predict_proba(scaler.transform(x))[:, 1]
    err = np.abs(p - want).max()
    check(err < 1e-6, f"{tag}: churn_probability = predict_proba to 1e-6 (worst {err:.2e})")
    tier = (want[:, None] >= np.array(cuts)[None, :]).sum(axis=1)
    near_cut = np.any(np.abs(want[:, None] - np.array(cuts)[None, :]) < 1e-6, axis=1)
    check(np.array_equal(risk[~near_cut], tier[~near_cut]),
          f"{tag}: churn_risk = number of cut points {cuts} reached")
    check(len(names) == len(cuts) + 1, f"{tag}: band_names has one name per tier: {names}")


with scratch() as d:
    users = os.path.join(d, "users.h5")
    run("gen", "users", "-n", 100_000, "-d", 10, "-k", 5, "--seed", 4, "-o", users)
    churn = os.path.join(d, "churn.h5")
    run("logreg", "fit", users, "-o", churn)
    for scale in ("standard", "minmax"):
        seg = os.path.join(d, f"seg_{scale}.h5")
        run("kmeans", "fit", users, "-k", 5, "--scale", scale, "--seed", 1, "-o", seg)
        out = os.path.join(d, f"out_{scale}.h5")
        run("score", "--segments", seg, "--churn", churn, users, "-o", out)
        check_segments(f"--scale {scale}", users, seg, out)
        if scale == "standard":
            check_churn("default cuts", users, churn, out, [0.3, 0.6])
    out = os.path.join(d, "out_cuts.h5")
    run("score", "--churn", churn, users, "-o", out, "--cuts", "0.1,0.2,0.5")
    check_churn("--cuts 0.1,0.2,0.5", users, churn, out, [0.1, 0.2, 0.5])
    with h5py.File(out) as f:
        check("segment" not in f and "churn_probability" in f,
              "--churn alone writes no segment datasets")

sys.exit(check.exit_code())
