"""bench/cases/clv.py: lifetime-value fits on generated purchase logs.
retain: `retain clv fit LOG --spend none` (BG/NBD on the per-customer
summary, day occasions, weeks; customers with equal (x, t_x, T) fitted as
one weighted row), its own fit time from --json and the whole command.
Baseline: what an analyst writes with the same maths: the summary computed
with pandas from the same log (read with h5py, customer-days, group-by),
timed separately, then the BG/NBD log-likelihood and its analytic gradient
vectorised in numpy over every customer, minimised on log parameters by
scipy.optimize.minimize (L-BFGS-B) from the same start. Both
log-likelihoods are reported; they must agree (1e-6 relative) for a row to
count. Prediction: `retain clv predict MODEL LOG --asof --horizon 39w`
(the summary again, P(alive) and conditional expected purchases for every
customer, written to HDF5) against the same formulas (FHL 2005 eqs. 10 and
13) vectorised in numpy with scipy's hyp2f1, on the pandas summary, plus
that summary's time; the totals of expected purchases must agree.
Logs: `retain gen transactions` (BG/NBD truth, CDNOW-like
parameters in days), one line per order, HDF5: 1M and 10M customers (about
2.2 lines each: some 22M events, 1 GiB, for 10M); --quick: 100k.
"""
import json
import os
import time

import h5py
import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

DAY = 86400
START, DAYS = "2024-01-01", 365
END = "2024-12-30"  # calibration end: the last day of the generated period
ASOF = "2024-12-31"  # predictions from the day after it
HORIZON_WEEKS = 39


def make_log(bench, users):
    path = bench.path(f"clv_{users}.h5")
    if not os.path.exists(path):
        bench.run("gen", "transactions", "-n", users, "--days", DAYS, "--start", START,
                  "--acquisition-days", 180, "--avg-len", 1, "--refund-rate", 0, "-q",
                  "-o", path)
    return path


def pandas_summary(path):
    """x, t_x, T in weeks per customer, as REFERENCE.md defines them."""
    with h5py.File(path) as f:
        log = pd.DataFrame({"user": f["user_id"][:], "t": f["timestamp"][:],
                            "amount": f["amount"][:]})
    end = int(pd.Timestamp(END).value // 10**9) // DAY
    log["day"] = log["t"] // DAY
    log = log[(log["amount"] >= 0) & (log["day"] <= end)]
    days = log.drop_duplicates(["user", "day"])
    g = days.groupby("user")["day"]
    first, last, count = g.min(), g.max(), g.size()
    return ((count - 1).to_numpy(float), ((last - first) / 7).to_numpy(float),
            ((end - first) / 7).to_numpy(float))


def bgnbd_negative(theta, x, tx, T):
    """Mean negative BG/NBD log-likelihood and its gradient on log params."""
    r, al, a, b = np.exp(theta)
    n = len(x)
    lT, ltx = np.log(al + T), np.log(al + tx)
    A = betaln(a, b + x) - (r + x) * lT
    second = x > 0
    B = np.where(second, betaln(a + 1, np.maximum(b + x - 1, 1e-300)) - (r + x) * ltx,
                 -np.inf)
    lse = np.logaddexp(A, B)
    wa, wb = np.exp(A - lse), np.exp(B - lse)
    ll = np.sum(gammaln(r + x) - gammaln(r) + r * np.log(al) - betaln(a, b) + lse)
    psi_abx = digamma(a + b + x)
    g = np.array([
        np.sum(digamma(r + x) - digamma(r) + np.log(al) - wa * lT - wb * ltx),
        np.sum(r / al - (r + x) * (wa / (al + T) + wb / (al + tx))),
        np.sum(-(digamma(a) - digamma(a + b)) + wa * (digamma(a) - psi_abx) +
               wb * (digamma(a + 1) - psi_abx)),
        np.sum(-(digamma(b) - digamma(a + b)) + wa * (digamma(b + x) - psi_abx) +
               wb * np.where(second, digamma(np.maximum(b + x - 1, 1e-300)), 0) -
               wb * psi_abx),
    ])
    return -ll / n, -g * np.exp(theta) / n


def scipy_fit(x, tx, T):
    res = minimize(bgnbd_negative, np.zeros(4), args=(x, tx, T), jac=True, method="L-BFGS-B",
                   options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 1000})
    return np.exp(res.x), -res.fun * len(x), res.nit


def numpy_predict(params, x, tx, T, t=HORIZON_WEEKS):
    """P(alive) and E[Y(t) | x, t_x, T] of BG/NBD for every customer."""
    r, al, a, b = params
    odds = np.where(x > 0, a / np.maximum(b + x - 1, 1e-300) *
                    np.exp((r + x) * (np.log(al + T) - np.log(al + tx))), 0.0)
    p_alive = 1.0 / (1.0 + odds)
    z = t / (al + T + t)
    decay = np.exp((r + x) * (np.log(al + T) - np.log(al + T + t)))
    expected = ((a + b + x - 1) / (a - 1) * (1 - decay * hyp2f1(r + x, b + x, a + b + x - 1, z))
                * p_alive)
    return p_alive, expected


def clv_case(bench):
    rows = []
    for users in ([100_000] if bench.quick else [1_000_000, 10_000_000]):
        log = make_log(bench, users)
        out = bench.path("clv_fit.h5")
        best, report = float("inf"), None
        for _ in range(2):
            wall, stdout = bench.run("clv", "fit", log, "--calibration-end", END,
                                     "--spend", "none", "--json", "-o", out)
            if wall < best:
                best, report = wall, json.loads(stdout)
        ours = report["bgnbd"]
        t0 = time.perf_counter()
        x, tx, T = pandas_summary(log)
        t_summary = time.perf_counter() - t0
        t0 = time.perf_counter()
        params, ll, nit = scipy_fit(x, tx, T)
        t_fit = time.perf_counter() - t0
        agree = abs(ll - ours["loglik"]) <= 1e-6 * abs(ll)
        size = f"{users / 1e6:g}M customers, {report['events'] / 1e6:.1f}M events"
        same = (f"log-likelihood retain {ours['loglik']:.2f}, scipy {ll:.2f} "
                f"({'agree' if agree else 'DIFFER'})")
        rows += [
            bench.Row(f"clv fit BG/NBD {size}: the fit", "seconds", report["fit_seconds"],
                      "scipy L-BFGS-B, numpy", t_fit if agree else float("nan"),
                      note=f"{same}; retain {report['distinct_summaries']:,} distinct "
                           f"(x, t_x, T), {ours['n_iter']} iterations; scipy {len(x):,} "
                           f"rows, {nit} iterations"),
            bench.Row(f"clv fit BG/NBD {size}: log to fit", "seconds", best,
                      "pandas summary + scipy", t_summary + t_fit if agree else float("nan"),
                      note=f"retain summary {report['summary_seconds']:.2f} s of "
                           f"{best:.2f} s (HDF5 model written); pandas summary "
                           f"{t_summary:.2f} s, scipy fit {t_fit:.2f} s"),
        ]
        pred = bench.path("clv_pred.h5")
        best_pred, predicted = float("inf"), None
        for _ in range(2):
            wall, stdout = bench.run("clv", "predict", out, log, "--asof", ASOF, "--horizon",
                                     f"{HORIZON_WEEKS}w", "--json", "-o", pred)
            if wall < best_pred:
                best_pred, predicted = wall, json.loads(stdout)
        ours_params = [ours[k] for k in ("r", "alpha", "a", "b")]
        t0 = time.perf_counter()
        _, expected = numpy_predict(ours_params, x, tx, T)
        t_np = time.perf_counter() - t0
        total = float(np.sum(expected))
        agree = abs(total - predicted["expected_purchases"]) <= 1e-6 * abs(total)
        same = (f"expected purchases retain {predicted['expected_purchases']:.1f}, numpy "
                f"{total:.1f} ({'agree' if agree else 'DIFFER'})")
        rows += [
            bench.Row(f"clv predict BG/NBD {size}: the predictions", "seconds",
                      predicted["predict_seconds"], "numpy + scipy hyp2f1",
                      t_np if agree else float("nan"),
                      note=f"P(alive) and E[Y({HORIZON_WEEKS} weeks)] for every customer; {same}"),
            bench.Row(f"clv predict BG/NBD {size}: log to predictions", "seconds", best_pred,
                      "pandas summary + numpy", t_summary + t_np if agree else float("nan"),
                      note=f"retain summary {predicted['summary_seconds']:.2f} s of "
                           f"{best_pred:.2f} s (HDF5 written); pandas summary {t_summary:.2f} s"),
        ]
        os.remove(pred)
    return rows


CASES = [("clv", clv_case)]
