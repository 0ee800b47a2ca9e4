"""tests/ref/test_logreg_metrics.py: retain_logreg_evaluate (through the test
tool logreg_metrics, on exactly the same float64 scores) against
sklearn.metrics: roc_auc_score and average_precision_score to 1e-12,
log_loss and brier_score_loss to 1e-12 relative, precision / recall / F1 /
accuracy at a threshold, calibration_curve(n_bins=10) bin by bin, and the
decile lift / cumulative gains against a numpy ranking. Cases: continuous
scores, heavily tied scores (rounded to 0.05), scores of exactly 0 and 1,
probabilities on the bin edges, a rare class, and one class only (AUCs are
NaN as sklearn refuses them). `logreg eval` is checked to report the same
numbers for a model's own probabilities.
Exit 77 (skip) without scikit-learn."""
import json
import os
import struct
import subprocess
import sys

from common import Checks, skip

try:
    import numpy as np
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import (accuracy_score, average_precision_score, brier_score_loss,
                                 f1_score, log_loss, precision_score, recall_score,
                                 roc_auc_score)
except ImportError as e:
    skip(e)

TOOL = os.environ.get("LOGREG_METRICS") or skip("LOGREG_METRICS is not set (run under ctest)")

check = Checks()


def ours(y, p, threshold):
    data = struct.pack("<q", len(y)) + np.asarray(y, "<f8").tobytes() + np.asarray(p, "<f8").tobytes()
    out = subprocess.run([TOOL, repr(threshold)], input=data, capture_output=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.decode())
    return json.loads(out.stdout)


def close(a, b, tol):
    return abs(a - b) <= tol * max(1.0, abs(b))


def deciles(y, p):
    order = np.lexsort((np.arange(len(p)), -p))  # p descending, ties by row
    ys = y[order]
    n, pos = len(y), y.sum()
    rows, cum = [], 0
    for k in range(10):
        part = ys[n * k // 10:n * (k + 1) // 10]
        cum += part.sum()
        rows.append((len(part), part.sum(), part.mean() / (pos / n), cum / pos))
    return rows


def compare(name, y, p, threshold=0.5):
    m = ours(y, p, threshold)
    auc, ap = roc_auc_score(y, p), average_precision_score(y, p)
    check(abs(m["roc_auc"] - auc) <= 1e-12, f"{name}: ROC AUC {m['roc_auc']!r} vs {auc!r}")
    check(abs(m["pr_auc"] - ap) <= 1e-12, f"{name}: PR AUC {m['pr_auc']!r} vs {ap!r}")
    ll, br = log_loss(y, p), brier_score_loss(y, p)
    check(close(m["log_loss"], ll, 1e-12), f"{name}: log-loss {m['log_loss']!r} vs {ll!r}")
    check(close(m["brier"], br, 1e-12), f"{name}: Brier {m['brier']!r} vs {br!r}")
    hard = (p >= threshold).astype(int)
    for key, fn in (("precision", precision_score), ("recall", recall_score), ("f1", f1_score)):
        ref = fn(y, hard, zero_division=0)
        check(close(m[key], ref, 1e-14), f"{name}: {key} at {threshold} {m[key]!r} vs {ref!r}")
    ref = accuracy_score(y, hard)
    check(close(m["accuracy"], ref, 1e-14), f"{name}: accuracy {m['accuracy']!r} vs {ref!r}")
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10)
    bins = [b for b in m["calibration"] if b["rows"] > 0]
    check(len(bins) == len(prob_true) and
          all(close(b["observed_rate"], t, 1e-12) and close(b["mean_predicted"], q, 1e-12)
              for b, t, q in zip(bins, prob_true, prob_pred)),
          f"{name}: calibration bins as calibration_curve ({len(bins)} non-empty)")
    check(sum(b["rows"] for b in m["calibration"]) == len(y), f"{name}: every row in a bin")
    ref_dec = deciles(y, p)
    check(all(d["rows"] == r[0] and d["positives"] == r[1] and close(d["lift"], r[2], 1e-12) and
              close(d["cumulative_gain"], r[3], 1e-12) for d, r in zip(m["deciles"], ref_dec)),
          f"{name}: deciles (rows, churners, lift, cumulative gain)")


def main():
    rng = np.random.default_rng(7)
    n = 20011
    logit = rng.normal(-1, 1.5, size=n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(float)
    p = 1 / (1 + np.exp(-(logit + rng.normal(0, 1, size=n))))
    compare("continuous", y, p)
    compare("continuous, threshold 0.3", y, p, 0.3)
    compare("ties (rounded to 0.05)", y, np.round(p * 20) / 20)
    edges = rng.choice(np.linspace(0, 1, 11), size=n)
    compare("on the bin edges, with 0 and 1", y, edges)
    rare = (rng.uniform(size=n) < 0.01).astype(float)
    compare("rare class (1%)", rare, p)
    one = ours(np.zeros(100), rng.uniform(size=100), 0.5)
    check(one["roc_auc"] is None and one["pr_auc"] is None,
          "one class only: ROC and PR AUC are NaN (null), as sklearn refuses them")
    bad = subprocess.run([TOOL, "0.5"], input=struct.pack("<q", 2) +
                         np.array([0, 2], "<f8").tobytes() + np.array([0.1, 0.2], "<f8").tobytes(),
                         capture_output=True)
    check(bad.returncode == 2 and b"row 1" in bad.stderr,
          f"a label of 2 is a data error naming the row: {bad.stderr.decode().strip()}")
    sys.exit(check.exit_code())


main()
