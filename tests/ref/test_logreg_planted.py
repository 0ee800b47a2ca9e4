"""tests/ref/test_logreg_planted.py: the churn model the generator plants is
recovered. `retain gen users` draws /churned from a known logistic model on
the stored features (attributes intercept and coef of /churned); `retain
logreg fit --penalty none` on 400,000 generated users must find every
coefficient (input units) and the intercept within 5 standard errors, the
standard errors taken from the Fisher information at the truth (numpy), and
within 10% of the true coefficient for the strong effects.
Exit 77 (skip) without h5py."""
import json
import os
import subprocess
import sys

from common import Checks, retain_binary, scratch, skip

try:
    import h5py
    import numpy as np
except ImportError as e:
    skip(e)

RETAIN = retain_binary()

check = Checks()


with scratch() as tmp:
    data, model = os.path.join(tmp, "users.h5"), os.path.join(tmp, "churn.h5")
    subprocess.run([RETAIN, "gen", "users", "-n", "400000", "-d", "10", "--seed", "21", "-q",
                    "-o", data], check=True)
    out = subprocess.run([RETAIN, "logreg", "fit", data, "--label", "/churned", "-o", model,
                          "--penalty", "none", "--tol", "1e-8", "--max-iter", "500", "--json"],
                         check=True, capture_output=True, text=True)
    s = json.loads(out.stdout)
    check(s["converged"], "fit converged")
    with h5py.File(data) as f, h5py.File(model) as m:
        x = f["features"][:].astype(np.float64)
        true_b, true_w = f["churned"].attrs["intercept"], f["churned"].attrs["coef"]
        names = [n.decode() if isinstance(n, bytes) else n for n in f["churned"].attrs["coef_names"]]
        w, b = m["coef_original"][:], m["meta"].attrs["intercept_original"]
    # Fisher information at the truth: X1' diag(p (1 - p)) X1
    x1 = np.hstack([x, np.ones((len(x), 1))])
    p = 1 / (1 + np.exp(-(x1 @ np.append(true_w, true_b))))
    info = x1.T @ (x1 * (p * (1 - p))[:, None])
    se = np.sqrt(np.diag(np.linalg.inv(info)))
    est, truth = np.append(w, b), np.append(true_w, true_b)
    for name, e, t, sd in zip(names + ["intercept"], est, truth, se):
        check(abs(e - t) <= 5 * sd, f"{name}: {e:.6g} vs true {t:.6g} ({(e - t) / sd:+.2f} SE)")
    strong = np.abs(true_w) * x.std(axis=0) >= 0.2
    check(np.all(np.abs(w[strong] - true_w[strong]) <= 0.1 * np.abs(true_w[strong])),
          f"strong effects within 10% ({strong.sum()} of {len(w)})")
sys.exit(check.exit_code())
