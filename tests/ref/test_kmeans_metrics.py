"""tests/ref/test_kmeans_metrics.py: the quality metrics of `retain kmeans
sweep --json` against sklearn.metrics on the same scaled rows and labels.

For every k of a sweep, `retain kmeans fit` with the same options and seed
gives the same model (checked: the same inertia to the bit) and writes the
labels (--labels-out) and the scaler; the rows are scaled here as retain
scales them ((x - offset) / spread in float64, rounded to float32), and
  * silhouette_score (exact: --sample 0) must agree within 1e-6 relative,
  * calinski_harabasz_score and davies_bouldin_score within 1e-9 relative,
on NumPy blobs (--scale none, k 1..6: k = 1 must be null where scikit-learn
raises) and on `retain gen users` data (--scale standard and minmax);
suggested_k_silhouette must be the k of the best scikit-learn silhouette.
On 20000 rows the exact silhouette must still agree within 1e-6, and the
sampled one (--sample 2000, three seeds; silhouette_rows reported as 2000)
must lie within 5 standard errors of the exact value, the standard error
taken from the spread of scikit-learn's per-row silhouettes.
Exit 77 (skip) without scikit-learn or h5py."""
import json
import os
import subprocess
import sys

from common import Checks, retain_binary, scratch, skip

try:
    import h5py
    import numpy as np
    from sklearn.metrics import (calinski_harabasz_score, davies_bouldin_score,
                                 silhouette_samples, silhouette_score)
except ImportError as e:
    skip(e)

RETAIN = retain_binary()

check = Checks()


def run(*args):
    out = subprocess.run([RETAIN, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"retain {' '.join(args)} failed: {out.stderr}")
    return out.stdout


def rel(a, b):
    return abs(a - b) / abs(b)


def sweep(data, k_range, scale, seed, sample):
    return json.loads(run("kmeans", "sweep", data, "-k", k_range, "--scale", scale, "--seed",
                          str(seed), "--sample", str(sample), "--json", "--quiet"))


def fitted(tmp, data, k, scale, seed):
    """inertia, labels and the rows scaled as retain scales them."""
    model, labels = os.path.join(tmp, "model.h5"), os.path.join(tmp, "labels.h5")
    summary = json.loads(run("kmeans", "fit", data, "-k", str(k), "--scale", scale, "--seed",
                             str(seed), "-o", model, "--labels-out", labels, "--json",
                             "--quiet"))
    with h5py.File(data) as f, h5py.File(model) as m, h5py.File(labels) as lab:
        x = f["features"][:].astype(np.float32).astype(np.float64)
        if scale == "standard":
            x = (x - m["scaler/mean"][:]) / m["scaler/scale"][:]
        elif scale == "minmax":
            x = (x - m["scaler/min"][:]) / m["scaler/range"][:]
        z = x.astype(np.float32).astype(np.float64)
        return summary["inertia"], lab["segment"][:], z


def compare_sweep(tmp, name, data, k_range, scale, seed):
    result = sweep(data, k_range, scale, seed, 0)
    best_k, best = None, -2.0
    for row in result["rows"]:
        k = row["k"]
        inertia, labels, z = fitted(tmp, data, k, scale, seed)
        tag = f"{name} --scale {scale} k {k}"
        check(inertia == row["inertia"], f"{tag}: sweep inertia {row['inertia']!r} is the fit's "
              f"{inertia!r}")
        check(row["silhouette_rows"] == len(z), f"{tag}: silhouette on all {len(z)} rows "
              f"(reported {row['silhouette_rows']})")
        if len(np.unique(labels)) < 2:
            check(row["silhouette"] is None and row["calinski_harabasz"] is None and
                  row["davies_bouldin"] is None,
                  f"{tag}: one cluster, where scikit-learn raises: null metrics "
                  f"({row['silhouette']}, {row['calinski_harabasz']}, {row['davies_bouldin']})")
            continue
        sil = silhouette_score(z, labels)
        ch = calinski_harabasz_score(z, labels)
        db = davies_bouldin_score(z, labels)
        check(rel(row["silhouette"], sil) <= 1e-6,
              f"{tag}: silhouette {row['silhouette']:.12g} vs sklearn {sil:.12g} "
              f"(rel {rel(row['silhouette'], sil):.1e}, <= 1e-6)")
        check(rel(row["calinski_harabasz"], ch) <= 1e-9,
              f"{tag}: Calinski-Harabasz {row['calinski_harabasz']:.15g} vs sklearn {ch:.15g} "
              f"(rel {rel(row['calinski_harabasz'], ch):.1e}, <= 1e-9)")
        check(rel(row["davies_bouldin"], db) <= 1e-9,
              f"{tag}: Davies-Bouldin {row['davies_bouldin']:.15g} vs sklearn {db:.15g} "
              f"(rel {rel(row['davies_bouldin'], db):.1e}, <= 1e-9)")
        if sil > best:
            best_k, best = k, sil
    check(result["suggested_k_silhouette"] == best_k,
          f"{name} --scale {scale}: suggested k by silhouette {result['suggested_k_silhouette']}"
          f", sklearn's best {best_k}")


def sampled_case(tmp, data):
    exact = sweep(data, "5:5", "standard", 1, 0)["rows"][0]
    _, labels, z = fitted(tmp, data, 5, "standard", 1)
    per_row = silhouette_samples(z, labels)
    sil = per_row.mean()
    check(rel(exact["silhouette"], sil) <= 1e-6,
          f"{len(z)} rows: exact silhouette {exact['silhouette']:.12g} vs sklearn {sil:.12g} "
          f"(rel {rel(exact['silhouette'], sil):.1e}, <= 1e-6)")
    m = 2000
    se = per_row.std() / np.sqrt(m) * np.sqrt(1 - m / len(z))
    for seed in (1, 2, 3):
        row = sweep(data, "5:5", "standard", seed, m)["rows"][0]
        if seed != 1:  # another seed fits another model; score it exactly too
            _, labels, z = fitted(tmp, data, 5, "standard", seed)
            sil = silhouette_score(z, labels)
        check(row["silhouette_rows"] == m and abs(row["silhouette"] - sil) <= 5 * se,
              f"--sample {m} --seed {seed}: silhouette {row['silhouette']:.6f} on "
              f"{row['silhouette_rows']} rows, exact {sil:.6f}, 5 standard errors {5 * se:.4f}")


def main():
    with scratch() as tmp:
        rng = np.random.default_rng(7)
        centres = rng.normal(0, 4, size=(5, 5))
        x = centres[rng.integers(0, 5, size=3000)] + rng.normal(0, 1, size=(3000, 5))
        blobs = os.path.join(tmp, "blobs.h5")
        with h5py.File(blobs, "w") as f:
            f.create_dataset("features", data=x.astype(np.float32))
        compare_sweep(tmp, "blobs 3000 x 5", blobs, "1:6", "none", 3)

        users = os.path.join(tmp, "users.h5")
        run("gen", "users", "-n", "4000", "-d", "6", "-k", "4", "--seed", "2", "-q", "-o", users)
        compare_sweep(tmp, "gen users 4000 x 6", users, "2:5", "standard", 4)
        compare_sweep(tmp, "gen users 4000 x 6", users, "3:4", "minmax", 5)

        big = os.path.join(tmp, "big.h5")
        run("gen", "users", "-n", "20000", "-d", "8", "-k", "5", "--seed", "3", "-q", "-o", big)
        sampled_case(tmp, big)
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
