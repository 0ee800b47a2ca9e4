"""tests/ref/test_kmeans_minibatch.py: `retain kmeans fit --algorithm
minibatch`, which streams the file in batches, against scikit-learn's
MiniBatchKMeans on the same standardised data.

Mini-batch k-means is stochastic and the two draw different batches, so the
comparison is statistical, per data set (planted Gaussian segments, and
skewed overlapping ones from `--shape realistic`; with and without sample
weights):
  - retain's final inertia is no worse than 1.01 x the worst of five
    MiniBatchKMeans runs (batch_size 1024, n_init 3, seeds 0..4), and
    within 5% of full Lloyd (sklearn KMeans) from k-means++;
  - on well separated segments the labels recover the truth (adjusted Rand
    index >= 0.99), as MiniBatchKMeans's do;
  - the model is what it says: the labels written are each row's nearest
    centroid (brute force in float64, ties aside), the inertia is the
    float64 sum of squared distances to them (1e-6 relative), every one of
    the k segments has rows and the sizes are the label counts.
Exit 77 (skip) without scikit-learn or h5py."""
import os
import subprocess
import sys

from common import Checks, retain_binary, scratch, skip

try:
    import h5py
    import numpy as np
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.metrics import adjusted_rand_score
except ImportError as e:
    skip(e)

RETAIN = retain_binary()

check = Checks()


def scaled(x, w):
    """StandardScaler as retain fits it: weighted mean, population std."""
    x = x.astype(np.float64)
    mean = np.average(x, axis=0, weights=w)
    std = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=w))
    std[std == 0] = 1
    return ((x - mean) / std).astype(np.float32)


def case(d, name, gen_args, k, weighted):
    users, model, labels = (os.path.join(d, f"{name}_{n}.h5") for n in ("u", "m", "l"))
    subprocess.run([RETAIN, "gen", "users", "-n", "60000", "-d", "6", "-k", str(k), "--seed",
                    "3", "-q", "-o", users] + gen_args, check=True)
    w = None
    if weighted:
        rng = np.random.default_rng(7)
        with h5py.File(users, "r+") as f:
            w = rng.choice([0.5, 1.0, 3.0], size=f["features"].shape[0])
            f["w"] = w
    cmd = [RETAIN, "kmeans", "fit", users, "-k", str(k), "--algorithm", "minibatch", "-q",
           "-o", model, "--labels-out", labels]
    if weighted:
        cmd += ["--sample-weight", "/w"]
    subprocess.run(cmd, check=True)
    with h5py.File(users) as u, h5py.File(model) as m, h5py.File(labels) as lab:
        x, truth = u["features"][:], u["segment_true"][:]
        c = m["centroids_scaled"][:].astype(np.float64)
        sizes, inertia = m["segment_sizes"][:], m["meta"].attrs["inertia"]
        seg = lab["segment"][:]
    z = scaled(x, w)
    wz = np.ones(len(z)) if w is None else w
    # the model describes itself
    d2 = ((z.astype(np.float64)[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)
    best = d2.min(axis=1)
    mine = d2[np.arange(len(z)), seg]
    check(np.all(mine <= best * (1 + 1e-5) + 1e-9),
          f"{name}: every label is its row's nearest centroid")
    direct = float((wz * mine).sum())
    check(abs(inertia - direct) <= 1e-6 * direct,
          f"{name}: inertia {inertia:.9g} is the sum of squared distances {direct:.9g}")
    check(len(sizes) == k and np.all(sizes > 0) and
          np.array_equal(sizes, np.bincount(seg, minlength=k)),
          f"{name}: {k} segments, all with rows, sizes = label counts {sizes.tolist()}")
    # against scikit-learn
    sk = []
    for seed in range(5):
        mb = MiniBatchKMeans(n_clusters=k, batch_size=1024, n_init=3, random_state=seed)
        mb.fit(z, sample_weight=w)
        sk.append(-mb.score(z, sample_weight=w))
    full = KMeans(n_clusters=k, n_init=3, random_state=0).fit(z, sample_weight=w)
    lloyd = -full.score(z, sample_weight=w)
    check(inertia <= 1.01 * max(sk),
          f"{name}: inertia {inertia:.6g} <= 1.01 x MiniBatchKMeans's worst of five "
          f"({min(sk):.6g} .. {max(sk):.6g})")
    check(inertia <= 1.05 * lloyd, f"{name}: inertia {inertia:.6g} within 5% of KMeans's "
          f"{lloyd:.6g}")
    if "--separation" in gen_args:
        ari = adjusted_rand_score(truth, seg)
        check(ari >= 0.99, f"{name}: adjusted Rand index {ari:.6f} >= 0.99")


def main():
    with scratch() as d:
        separated = ["--shape", "gaussian", "--separation", "10"]
        case(d, "separated", separated, 5, False)
        case(d, "separated-weighted", separated, 5, True)
        case(d, "realistic", ["--shape", "realistic"], 8, False)
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
