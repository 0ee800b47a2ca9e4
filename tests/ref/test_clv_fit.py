"""tests/ref/test_clv_fit.py: `retain clv fit` end to end, from a purchase log
to the fitted lifetime-value models.
  - CDNOW (../shared/datasets/CDNOW_sample.txt written as a CSV log): the
    published BG/NBD and Gamma-Gamma estimates within 1e-3 relative and
    log-likelihoods within 0.01 of REFERENCE.md, through the command's own
    per-customer summary; MBG/NBD fits too (its log-likelihood at least
    BG/NBD's: it nests the same data with one more way to drop out, not a
    constraint, so only a sanity bound of 1% is asked);
  - parameter recovery: a log of 40,000 customers from `retain gen
    transactions` with known parameters, occasions as orders and time in
    days, gives BG/NBD within 10% (r), 15% (alpha), 25% (a), 30% (b) of the
    truth and Gamma-Gamma p within 20% and the mean order value p v / (q - 1)
    within 5% (the tolerances of tests/ref/test_gen_truth.py, which fits the
    same log with scipy);
  - refusals, exit 2 with the file named: a calibration end before the first
    purchase or after the log's end, a log without any repeat purchase (a
    clear error, not NaN), a customer's events out of time order (the line
    named); exit 1 for a bad --time-unit.
Exit 77 (skip) without pandas or h5py; the CDNOW part skips with a message
when the data folder is absent."""
import json
import os
import subprocess
import sys

from common import CDNOW as DATA, Checks, cdnow_log, retain_binary, scratch, skip

try:
    import h5py
    import pandas as pd
except ImportError as e:
    skip(e)

RETAIN = retain_binary()
check = Checks()


def fit(*args):
    out = subprocess.run([RETAIN, "clv", "fit", *map(str, args), "--json"], capture_output=True,
                         text=True)
    return out.returncode, (json.loads(out.stdout) if out.returncode == 0 else out.stderr)


def close(got, want, rel):
    return abs(got - want) <= rel * abs(want)


def cdnow(d):
    if not os.path.exists(DATA):
        print(f"skip (CDNOW part): {DATA} is absent")
        return
    path, _ = cdnow_log(d)
    rc, s = fit(path, "--calibration-end", "1997-09-30", "-o", os.path.join(d, "cdnow.h5"))
    if not check(rc == 0, f"clv fit on CDNOW: {s if rc else 'ok'}"):
        return
    bg, gg = s["bgnbd"], s["gamma_gamma"]
    want = {"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259}
    check(s["customers"] == 2357 and s["repeat_buyers"] == 946,
          f"CDNOW: {s['customers']} customers (2357), {s['repeat_buyers']} repeat buyers (946)")
    check(all(close(bg[k], v, 1e-3) for k, v in want.items()),
          f"BG/NBD {[round(bg[k], 5) for k in want]} vs published {list(want.values())}")
    check(abs(bg["loglik"] + 9582.43) <= 0.01, f"BG/NBD log-likelihood {bg['loglik']:.3f}")
    want = {"p": 6.2496, "q": 3.7442, "v": 15.4435}
    check(all(close(gg[k], v, 1e-3) for k, v in want.items()) and
          abs(gg["loglik"] + 4055.92) <= 0.01,
          f"Gamma-Gamma {[round(gg[k], 4) for k in want]}, log-likelihood {gg['loglik']:.3f}")
    rc, m = fit(path, "--calibration-end", "1997-09-30", "--model", "mbgnbd", "--spend", "none",
                "-o", os.path.join(d, "mbg.h5"))
    check(rc == 0 and m["mbgnbd"]["converged"] and "gamma_gamma" not in m and
          abs(m["mbgnbd"]["loglik"] / bg["loglik"] - 1) < 0.01,
          f"MBG/NBD fits: {m['mbgnbd']['loglik'] if rc == 0 else m}")
    with h5py.File(os.path.join(d, "cdnow.h5")) as f:
        a = f["meta"].attrs
        check(a["kind"] == "clv" and a["time_unit"] == "week" and a["model"] == "bgnbd",
              "model file: kind clv, time unit and model recorded")


def recovery(d):
    log = os.path.join(d, "log.csv")
    subprocess.run([RETAIN, "gen", "transactions", "-n", "40000", "--seed", "17", "--refund-rate",
                    "0", "-q", "-o", log], check=True)
    with h5py.File(log + ".truth.h5") as f:
        t = dict(f["truth"].attrs)
    last_day = pd.to_datetime(int(t["start_epoch"] + (t["days"] - 1) * 86400), unit="s")
    rc, s = fit(log, "--calibration-end", last_day.strftime("%Y-%m-%d"), "--occasion", "order",
                "--time-unit", "day", "-o", os.path.join(d, "gen.h5"))
    if not check(rc == 0, f"clv fit on a generated log: {s if rc else 'ok'}"):
        return
    bg, gg = s["bgnbd"], s["gamma_gamma"]
    for k, tol in (("r", 0.1), ("alpha", 0.15), ("a", 0.25), ("b", 0.3)):
        check(close(bg[k], float(t[k]), tol), f"recovered {k} {bg[k]:.4f} vs truth {t[k]:.4f} "
              f"(within {tol:.0%})")
    mean_fit = gg["p"] * gg["v"] / (gg["q"] - 1)
    mean_true = t["p"] * t["gamma"] / (t["q"] - 1)
    check(close(gg["p"], float(t["p"]), 0.2) and close(mean_fit, mean_true, 0.05),
          f"Gamma-Gamma p {gg['p']:.3f} vs {t['p']:.3f}; mean order value {mean_fit:.2f} vs "
          f"{mean_true:.2f}")


def refusals(d):
    path = os.path.join(d, "once.csv")
    pd.DataFrame({"user_id": [1, 2, 3], "timestamp": ["2024-01-05", "2024-01-06", "2024-02-01"],
                  "amount": [10.0, 5.0, 7.5]}).to_csv(path, index=False)
    unsorted = os.path.join(d, "unsorted.csv")
    pd.DataFrame({"user_id": [1, 2, 1], "timestamp": ["2024-01-05", "2024-01-06", "2024-01-02"],
                  "amount": [10.0, 5.0, 7.5]}).to_csv(unsorted, index=False)
    rc, err = fit(unsorted, "--calibration-end", "2024-01-31", "-o", os.path.join(d, "u.h5"))
    check(rc == 2 and "line 4" in err and "time order" in err,
          f"a customer's events out of time order: exit {rc}, {str(err).strip()[:120]}")
    out = os.path.join(d, "never.h5")
    for args, code, words in (
            (["--calibration-end", "2023-12-31"], 2, ["once.csv", "no purchase up to"]),
            (["--calibration-end", "2024-06-30"], 2, ["once.csv", "before --calibration-end"]),
            (["--calibration-end", "2024-01-31"], 2, ["repeat purchase"]),
            (["--calibration-end", "2024-01-31", "--time-unit", "month"], 1, ["--time-unit"])):
        rc, err = fit(path, *args, "-o", out)
        check(rc == code and all(w in err for w in words) and not os.path.exists(out),
              f"{' '.join(args)}: exit {rc} ({code}), {str(err).strip()[:120]}")


def main():
    with scratch() as d:
        cdnow(d)
        recovery(d)
        refusals(d)
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
