"""tests/ref/test_kmeans_planted.py: planted segments come back. `retain gen
users --shape gaussian --separation 10 -k 6 -d 8` draws users from six
Gaussian segments whose centres are 10 within-segment standard deviations
apart; `retain kmeans fit -k 6` (default standard scaling, k-means++, one
run) must recover them with an adjusted Rand index >= 0.99 against
/segment_true (sklearn.metrics.adjusted_rand_score), for several generator
and fit seeds, and the segment sizes must sum to the rows. Exit 77 (skip)
without scikit-learn or h5py."""
import os
import subprocess
import sys

from common import Checks, retain_binary, scratch, skip

try:
    import h5py
    from sklearn.metrics import adjusted_rand_score
except ImportError as e:
    skip(e)

RETAIN = retain_binary()


def main():
    check = Checks()
    with scratch() as d:
        users, model, labels = (os.path.join(d, n) for n in ("u.h5", "m.h5", "l.h5"))
        for seed in (1, 2, 3, 4):
            subprocess.run([RETAIN, "gen", "users", "--shape", "gaussian", "--separation", "10",
                            "-k", "6", "-d", "8", "-n", "30000", "--seed", str(seed), "-q",
                            "-o", users], check=True)
            subprocess.run([RETAIN, "kmeans", "fit", users, "-k", "6", "--seed", str(seed),
                            "-q", "-o", model, "--labels-out", labels], check=True)
            with h5py.File(users) as u, h5py.File(labels) as lab, h5py.File(model) as m:
                truth, seg = u["segment_true"][:], lab["segment"][:]
                ari = adjusted_rand_score(truth, seg)
                sizes_ok = m["segment_sizes"][:].sum() == len(seg)
            check(ari >= 0.99 and sizes_ok, f"seed {seed}: adjusted Rand index {ari:.6f} "
                  f"(>= 0.99), sizes sum to rows: {sizes_ok}")
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
