"""tests/ref/test_clv_fit_pareto.py: `retain clv fit --model pareto` end to
end, and what the fits on collapsed summaries do with awkward logs.
  - CDNOW (../shared/datasets/CDNOW_sample.txt as a CSV log): the published
    Pareto/NBD estimates of REFERENCE.md within 1e-3 relative and the
    log-likelihood within 0.01, under the JSON key pareto_nbd with the
    parameters named r, alpha, s, beta; fitted on fewer distinct (x, t_x, T)
    rows than customers; the model file records model "pareto";
  - a log where most customers bought one or more lines on one day only
    (x = 0, t_x = 0), some of them on the calibration end date (T = 0):
    every count model converges with finite estimates and standard errors;
  - refusals: a log without any repeat purchase, exit 2 naming Pareto/NBD
    and no file left; --model gamma, exit 1.
Exit 77 (skip) without pandas or h5py; the CDNOW part skips with a message
when the data folder is absent."""
import math
import os
import sys

from common import Checks, cdnow_log, scratch, skip

try:
    import h5py
    import numpy as np
    import pandas as pd
except ImportError as e:
    skip(e)

from test_clv_fit import DATA, close, fit  # noqa: E402

check = Checks()


def cdnow(d):
    if not os.path.exists(DATA):
        print(f"skip (CDNOW part): {DATA} is absent")
        return
    path, _ = cdnow_log(d)
    out = os.path.join(d, "pareto.h5")
    rc, s = fit(path, "--calibration-end", "1997-09-30", "--model", "pareto", "-o", out)
    if not check(rc == 0, f"clv fit --model pareto on CDNOW: {s if rc else 'ok'}"):
        return
    p = s["pareto_nbd"]
    want = {"r": 0.5533, "alpha": 10.578, "s": 0.6062, "beta": 11.669}
    check(all(close(p[k], v, 1e-3) for k, v in want.items()) and p["converged"],
          f"Pareto/NBD {[round(p[k], 5) for k in want]} vs published {list(want.values())}")
    check(abs(p["loglik"] + 9594.98) <= 0.01, f"Pareto/NBD log-likelihood {p['loglik']:.4f} "
          "vs -9594.98")
    check(s["customers"] == 2357 and s["distinct_summaries"] < 2357 and "gamma_gamma" in s,
          f"{s['distinct_summaries']} distinct summaries of {s['customers']} customers")
    with h5py.File(out) as f:
        check(f["meta"].attrs["model"] == "pareto", "model file records model pareto")


def one_day(d):
    rng = np.random.default_rng(5)
    rows = []
    for u in range(1, 601):  # purchase days at a gamma rate until an exponential dropout
        first, lam, life = rng.integers(0, 80), rng.gamma(0.5, 1 / 15), rng.exponential(70)
        t = float(first)
        while t < min(first + life, 91):
            day = (pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(t))).strftime("%Y-%m-%d")
            rows += [(u, day, 5.0 + k) for k in range(1 + rng.integers(0, 3))]
            t += 1 + rng.exponential(1 / lam)
    for u in range(601, 621):  # first and only purchase on the calibration end date
        rows += [(u, "2024-03-31", 3.0), (u, "2024-03-31", 1.0)]
    log = pd.DataFrame(rows, columns=["user_id", "timestamp", "amount"])
    path = os.path.join(d, "oneday.csv")
    log.sort_values(["timestamp", "user_id"], kind="stable").to_csv(path, index=False)
    for model, key in (("bgnbd", "bgnbd"), ("mbgnbd", "mbgnbd"), ("pareto", "pareto_nbd")):
        rc, s = fit(path, "--calibration-end", "2024-03-31", "--model", model, "--spend", "none",
                    "-o", os.path.join(d, f"oneday_{model}.h5"))
        ok = rc == 0 and s["customers"] == 620 and s[key]["converged"]
        values = [v for k, v in s[key].items() if isinstance(v, float)] if ok else []
        values += list(s[key]["se"].values()) if ok else []
        check(ok and all(math.isfinite(v) for v in values),
              f"{model} on one-day customers: {s[key] if ok else s}")


def refusals(d):
    path = os.path.join(d, "once.csv")
    pd.DataFrame({"user_id": [1, 2, 2, 3], "timestamp": ["2024-01-05", "2024-01-06",
                                                         "2024-01-06", "2024-02-01"],
                  "amount": [10.0, 5.0, 2.0, 7.5]}).to_csv(path, index=False)
    out = os.path.join(d, "never.h5")
    rc, err = fit(path, "--calibration-end", "2024-01-31", "--model", "pareto", "-o", out)
    check(rc == 2 and "Pareto/NBD" in err and "repeat purchase" in err and
          not os.path.exists(out), f"no repeat purchases: exit {rc}, {str(err).strip()[:160]}")
    rc, err = fit(path, "--calibration-end", "2024-01-31", "--model", "gamma", "-o", out)
    check(rc == 1 and "--model" in err and "pareto" in err, f"--model gamma: exit {rc}")


def main():
    with scratch() as d:
        cdnow(d)
        one_day(d)
        refusals(d)
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
