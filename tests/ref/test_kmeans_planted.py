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
import tempfile

try:
    import h5py
    import numpy as np
    from sklearn.metrics import adjusted_rand_score
except ImportError as e:
    print(f"skip: {e}")
    sys.exit(77)

RETAIN = os.environ.get("RETAIN")
if not RETAIN:
    print("skip: RETAIN is not set")
    sys.exit(77)


def main():
    tmp_root = os.environ.get("TMPROOT", tempfile.gettempdir())
    os.makedirs(tmp_root, exist_ok=True)
    failures = 0
    with tempfile.TemporaryDirectory(dir=tmp_root) as d:
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
            ok = ari >= 0.99 and sizes_ok
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} seed {seed}: adjusted Rand index {ari:.6f} "
                  f"(>= 0.99), sizes sum to rows: {sizes_ok}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
