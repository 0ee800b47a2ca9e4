"""tests/ref/test_clv_predict.py: `retain clv predict`, `clv fit --holdout-end`
and `features --with-clv` against computations written here with
numpy/scipy (different code, same maths) and the published CDNOW figures of
../shared/datasets/REFERENCE.md.
  - CDNOW, BG/NBD fitted on the 39-week calibration period: predict's
    summary equals the one built here with pandas; P(alive) and E[Y(39)]
    equal FHL 2005 eqs. 10 and 13 written with scipy's hyp2f1 at the fitted
    parameters to 1e-10; customer 1 (x = 2, t_x = 30.43, T = 38.86) gets
    the published E[Y(39)] = 1.226 and ids 1-10 the published expected
    spends (to one unit of the last digit given); CLV equals a numpy
    version of the lifetimes package's customer_lifetime_value loop (monthly
    discounting, partial last month; weekly with whole weeks; rate 0 is
    spend times expected purchases);
  - the holdout check: 1,882 actual holdout repeat purchases (published),
    actual and predicted means by calibration repeat purchases 0..7+ and the
    correlation equal pandas/numpy; the tracking curve's actual weekly
    cumulative counts equal pandas', its expected ones a scipy eq. 9 summed
    over customers by trial day (1e-9); the CSV equals the JSON;
  - the same with order occasions in days (MBG/NBD, a generated log):
    holdout counts and both sides of the tracking curve against pandas and
    scipy;
  - features --with-clv: the clv_* columns equal predict's for each user, and
    the model's time unit and occasions are recorded;
  - the unconditional E[X(t)] of BG/NBD, MBG/NBD and Pareto/NBD
    (tests/tools/clv_tool) against eq. 9 and numerical integration over the
    mixing distributions (scipy quad);
  - a small log with refunds, one-day customers and a customer who starts
    after the calibration end, MBG/NBD in days with order occasions:
    summary by the stated rules, predictions against scipy;
  - refusals: a model in weeks asked for days and other occasions (exit 2,
    saying what the model was fitted with), a truncated or damaged model,
    a model of another kind (exit 2), bad --asof, --horizon,
    --discount-period (exit 1, the option named), a log with no purchase
    before --asof (exit 2); no output or temporary file is left behind and
    an older output stays as it was;
  - the same bits on 1 and 2 threads (predict, the holdout check).
Exit 77 (skip) without numpy, scipy, pandas or h5py; the CDNOW part skips
with a message when the data folder is absent."""
import glob
import json
import math
import os
import shutil
import subprocess
import sys

from common import CDNOW as DATA, Checks, cdnow_log, retain_binary, scratch, skip

try:
    import h5py
    import numpy as np
    import pandas as pd
    from scipy.integrate import quad
    from scipy.special import gammaln, hyp2f1
except ImportError as e:
    skip(e)

RETAIN = retain_binary()
TOOL = os.environ.get("CLV_TOOL") or skip("CLV_TOOL is not set (run the test under ctest)")
MONTH_DAYS = 365.25 / 12
check = Checks()


def run(*args):
    out = subprocess.run([RETAIN, *map(str, args)], capture_output=True, text=True)
    ok_json = out.returncode == 0 and "--json" in args
    return out.returncode, (json.loads(out.stdout) if ok_json else out.stdout + out.stderr)


def read(path):
    with h5py.File(path) as f:
        return {k: f[k][()] for k in f}, dict(f.attrs)


def rel_err(got, want):
    got, want = np.asarray(got, float), np.asarray(want, float)
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-300))) if got.size else 0.0


# ---- the models, written again with scipy --------------------------------------

def p_alive(p, x, tx, T, mbg=False):
    r, al, a, b = p
    k = 1.0 if mbg else 0.0
    odds = a / (b + x - 1 + k) * ((al + T) / (al + tx)) ** (r + x)
    if not mbg:
        odds = np.where(x > 0, odds, 0.0)
    return 1.0 / (1.0 + odds)


def cond_expected(p, t, x, tx, T, mbg=False):
    """FHL 2005 eq. 10 (BG/NBD), Batislam et al. 2007 (MBG/NBD)."""
    r, al, a, b = p
    k = 1.0 if mbg else 0.0
    c = a + b + x - 1 + k
    z = t / (al + T + t)
    bracket = 1 - ((al + T) / (al + T + t)) ** (r + x) * hyp2f1(r + x, b + x + k, c, z)
    return c / (a - 1) * bracket * p_alive(p, x, tx, T, mbg)


def expected_new_bg(p, t):
    """FHL 2005 eq. 9."""
    r, al, a, b = p
    t = np.maximum(np.asarray(t, float), 0.0)
    out = (a + b - 1) / (a - 1) * (1 - (al / (al + t)) ** r * hyp2f1(r, b, a + b - 1, t / (al + t)))
    return np.where(t > 0, out, 0.0)


def expected_new_quad(model, p, t):
    """E[X(t)] by integrating E[X(t) | lambda, p] (or lambda, mu) over the
    mixing distributions numerically."""
    r, al, a, b = p
    if model == "pareto":
        s, beta = a, b
        # E[lambda] = r / alpha; E[(1 - e^(-mu t)) / mu] over mu ~ Gamma(s, beta)
        f = lambda mu: math.exp(s * math.log(beta) - gammaln(s) + (s - 1) * math.log(mu) -
                                beta * mu) * (-math.expm1(-mu * t)) / mu
        return r / al * quad(f, 0, np.inf, limit=200, epsabs=0, epsrel=1e-12)[0]
    k = 1.0 if model == "mbgnbd" else 0.0
    lb = gammaln(a) + gammaln(b) - gammaln(a + b)
    # E over lambda of 1 - e^(-lambda p t) is 1 - (al / (al + p t))^r; times (1 - k p) / p
    f = lambda q: math.exp((a - 1) * math.log(q) + (b - 1) * math.log1p(-q) - lb) * \
        (1 - k * q) / q * (1 - (al / (al + q * t)) ** r)
    return quad(f, 0, 1, limit=200, epsabs=0, epsrel=1e-12)[0]


def gg_spend(g, x, m):
    pp, q, v = g
    return np.where(x > 0, pp * (v + x * m) / (pp * x + q - 1), pp * v / (q - 1))


def clv_loop(p, h_units, period_units, rate, x, tx, T, spend, mbg=False):
    """lifetimes' customer_lifetime_value: increments of the conditional
    expectation per discount period, discounted; a partial last period."""
    steps = math.ceil(h_units / period_units - 1e-9)
    total, before = 0.0, 0.0
    for k in range(1, steps + 1):
        t = h_units if k == steps else k * period_units
        e = cond_expected(p, t, x, tx, T, mbg)
        total = total + (e - before) / (1 + rate) ** (t / period_units)
        before = e
    return spend * total


# ---- CDNOW ------------------------------------------------------------------------

def cdnow_days(d):
    """The CDNOW log written for retain, and its customer-days (amounts summed)."""
    path, log = cdnow_log(d)
    return path, log.groupby(["user_id", "day"], as_index=False)["amount"].sum()


def cdnow_summary(days, end):
    cal = days[days["day"] <= end]
    g = cal.groupby("user_id")
    first, last, n = g["day"].min(), g["day"].max(), g["day"].count()
    first_amount = cal.sort_values("day").groupby("user_id")["amount"].first()
    x = n - 1
    s = pd.DataFrame({"x": x, "tx": (last - first).dt.days / 7, "T": (end - first).dt.days / 7,
                      "m": np.where(x > 0, (g["amount"].sum() - first_amount) / x.clip(lower=1),
                                    0.0), "first": first})
    return s.sort_index()


def cdnow_predict(d, path, days, model, params, gg):
    s = cdnow_summary(days, pd.Timestamp("1997-09-30"))
    out = os.path.join(d, "pred.h5")
    rc, js = run("clv", "predict", model, path, "--asof", "1997-10-01", "--horizon", "39w",
                 "-o", out, "--json")
    if not check(rc == 0, f"clv predict on CDNOW: {js if rc else 'ok'}"):
        return
    o, attrs = read(out)
    check(np.array_equal(o["user_id"], s.index.values) and
          rel_err(o["x"], s["x"]) == 0 and rel_err(o["t_x"], s["tx"]) < 1e-14 and
          rel_err(o["T"], s["T"]) < 1e-14 and np.allclose(o["m_x"], s["m"], rtol=1e-12, atol=0),
          f"predict's summary of {len(s)} customers equals pandas' (x, t_x, T, m_x)")
    x, tx, T = s["x"].values, s["tx"].values, s["T"].values
    check(rel_err(o["p_alive"], p_alive(params, x, tx, T)) < 1e-10,
          f"P(alive) vs eq. 13 with scipy: {rel_err(o['p_alive'], p_alive(params, x, tx, T)):.1e}")
    e39 = cond_expected(params, 39.0, x, tx, T)
    check(rel_err(o["expected_purchases"], e39) < 1e-10,
          f"E[Y(39) | x, t_x, T] vs eq. 10 with scipy: {rel_err(o['expected_purchases'], e39):.1e}")
    i1 = int(np.searchsorted(o["user_id"], 1))
    check(abs(o["expected_purchases"][i1] - 1.226) < 0.0005 and o["x"][i1] == 2,
          f"customer 1 (x 2, t_x {o['t_x'][i1]:.2f}, T {o['T'][i1]:.2f}): E[Y(39)] "
          f"{o['expected_purchases'][i1]:.4f} (published 1.226)")
    published = [24.66, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17]
    got = o["expected_spend"][:10]
    check(list(o["user_id"][:10]) == list(range(1, 11)) and
          all(abs(g - w) <= 0.01 for g, w in zip(got, published)),
          f"expected spend of ids 1-10 {np.round(got, 3).tolist()} vs published {published}")
    spend = gg_spend(gg, x, s["m"].values)
    check(rel_err(o["expected_spend"], spend) < 1e-12, "expected spend vs Gamma-Gamma with numpy")
    want = clv_loop(params, 39.0, MONTH_DAYS / 7, 0.01, x, tx, T, spend)
    check(rel_err(o["clv"], want) < 1e-10 and attrs["discount_period"] == "month",
          f"CLV (1% a month, 39 weeks: 8 months and a part) vs the lifetimes loop: "
          f"{rel_err(o['clv'], want):.1e}")
    check(js["customers"] == len(s) and sum(b["customers"] for b in js["p_alive_bands"]) == len(s)
          and abs(js["expected_purchases"] - e39.sum()) < 1e-8 * e39.sum() and
          [b["customers"] for b in js["p_alive_bands"]] ==
          [int(((o["p_alive"] >= lo) & (o["p_alive"] < hi)).sum()) for lo, hi in
           ((0, .1), (.1, .5), (.5, .9), (.9, 2))] and
          abs(js["deciles"][0]["clv"] - np.sort(o["clv"])[::-1][:236].sum()) < 1e-8 * js["clv"],
          "JSON: customers, P(alive) bands and the top value decile agree with the file")
    for extra, period, rate in ((["--discount", "0.02", "--discount-period", "week"], 1.0, 0.02),
                                (["--discount", "0"], MONTH_DAYS / 7, 0.0)):
        rc, _ = run("clv", "predict", model, path, "--asof", "1997-10-01", "--horizon", "39w",
                    *extra, "-o", out, "-q")
        o, _ = read(out)
        want = (spend * e39 if rate == 0 else clv_loop(params, 39.0, period, rate, x, tx, T, spend))
        check(rc == 0 and rel_err(o["clv"], want) < 1e-10,
              f"CLV with {' '.join(extra)}: {rel_err(o['clv'], want):.1e}")
    for horizon in ("273d", "39w"):
        rc, _ = run("clv", "predict", model, path, "--asof", "1997-10-01", "--horizon", horizon,
                    "-o", out, "-q")
        got = read(out)[0]["expected_purchases"]
        o2 = got if horizon == "273d" else o2
    check(rc == 0 and np.array_equal(o2, got), "--horizon 273d is 39 weeks for a model in weeks")
    run("clv", "predict", model, path, "--asof", "1997-10-01", "--horizon", "39w", "-o", out, "-q",
        "--threads", "1")
    o1 = read(out)[0]
    run("clv", "predict", model, path, "--asof", "1997-10-01", "--horizon", "39w", "-o", out, "-q",
        "--threads", "2")
    o2 = read(out)[0]
    check(all(np.array_equal(o1[k], o2[k]) for k in o1), "predict: the same bits on 1 and 2 threads")
    # features --with-clv: the same numbers per user
    feat = os.path.join(d, "feat.h5")
    rc, msg = run("features", path, "--asof", "1997-10-01", "--horizon", "39w", "--with-clv",
                  model, "-o", feat, "-q")
    if check(rc == 0, f"features --with-clv: {msg.strip()[:200] if rc else 'ok'}"):
        with h5py.File(feat) as f:
            names = [n.decode() if isinstance(n, bytes) else n
                     for n in f["features"].attrs["feature_names"]]
            X, ids = f["features"][()], f["user_id"][()]
            unit, occasion = f.attrs.get("clv_time_unit"), f.attrs.get("clv_occasion")
        rc, _ = run("clv", "predict", model, path, "--asof", "1997-10-01", "--horizon", "39w",
                    "-o", out, "-q")
        o, _ = read(out)
        at = np.searchsorted(o["user_id"], ids)
        pairs = {"clv_x": "x", "clv_t_x": "t_x", "clv_T": "T", "clv_m_x": "m_x",
                 "clv_p_alive": "p_alive", "clv_expected_purchases": "expected_purchases",
                 "clv_expected_spend": "expected_spend", "clv_value": "clv"}
        check(names[-8:] == list(pairs) and np.array_equal(o["user_id"][at], ids) and
              all(np.array_equal(X[:, names.index(k)], o[v][at]) for k, v in pairs.items()),
              f"features --with-clv: {len(ids)} users, clv_* columns equal clv predict's")
        check(unit == "week" and occasion == "day",
              f"features --with-clv records the model's time unit ({unit}) and occasions "
              f"({occasion})")


def cdnow_holdout(d, path, days):
    model = os.path.join(d, "cdnow.h5")
    tracking = os.path.join(d, "tracking.csv")
    rc, js = run("clv", "fit", path, "--calibration-end", "1997-09-30", "--holdout-end",
                 "1998-06-30", "--tracking-out", tracking, "-o", model, "--json")
    if not check(rc == 0, f"clv fit --holdout-end on CDNOW: {js if rc else 'ok'}"):
        return None
    bg, gg, h = js["bgnbd"], js["gamma_gamma"], js["holdout"]
    params = [bg["r"], bg["alpha"], bg["a"], bg["b"]]
    end = pd.Timestamp("1997-09-30")
    s = cdnow_summary(days, end)
    hold = days[(days["day"] > end) & (days["day"] <= pd.Timestamp("1998-06-30"))]
    actual = hold.groupby("user_id")["day"].count().reindex(s.index, fill_value=0).values
    x, tx, T = s["x"].values, s["tx"].values, s["T"].values
    pred = cond_expected(params, 39.0, x, tx, T)
    check(h["actual"] == 1882 and actual.sum() == 1882,
          f"holdout repeat purchases {h['actual']} (published 1882)")
    check(abs(h["predicted"] - pred.sum()) < 1e-9 * pred.sum() and h["length"] == 39,
          f"predicted holdout total {h['predicted']:.4f} vs scipy {pred.sum():.4f}")
    group = np.minimum(x, 7).astype(int)
    ok = True
    for g, row in enumerate(h["by_repeats"]):
        sel = group == g
        ok &= (row["customers"] == sel.sum() and abs(row["actual_mean"] - actual[sel].mean()) < 1e-12
               and abs(row["predicted_mean"] - pred[sel].mean()) < 1e-10 * pred[sel].mean())
    check(ok and [r["repeats"] for r in h["by_repeats"]][-1] == "7+",
          "holdout by calibration repeat purchases 0..7+: customers, actual and predicted means")
    corr = np.corrcoef(pred, actual)[0, 1]
    check(abs(h["correlation"] - corr) < 1e-12, f"correlation {h['correlation']:.6f} vs numpy "
          f"{corr:.6f}")
    # the tracking curve, weeks from the first trial day (1997-01-01) to 1998-06-30
    origin = s["first"].min()
    weeks = 78
    ends = [origin + pd.Timedelta(days=7 * (j + 1)) for j in range(weeks)]
    repeats = days.merge(s[["first"]], left_on="user_id", right_index=True)
    repeats = repeats[(repeats["day"] > repeats["first"]) & (repeats["day"] <= "1998-06-30")]
    want_actual = [int((repeats["day"] < e).sum()) for e in ends]
    tr = h["tracking"]
    check(tr["first_trial_day"] == "1997-01-01" and tr["actual"] == want_actual and
          want_actual[-1] == 2457 + 1882,
          f"tracking, actual cumulative repeat purchases by week: {len(tr['actual'])} weeks, "
          f"last {tr['actual'][-1] if tr['actual'] else None} (2457 + 1882)")
    age0 = (s["first"] - origin).dt.days.values / 7
    want_exp = [float(expected_new_bg(params, (e - origin).days / 7 - age0).sum()) for e in ends]
    check(len(tr["expected"]) == weeks and rel_err(tr["expected"], want_exp) < 1e-9,
          f"tracking, expected: eq. 9 with scipy summed over customers by trial day "
          f"({rel_err(tr['expected'], want_exp):.1e}; week 78 {tr['expected'][-1]:.2f} vs "
          f"actual {tr['actual'][-1]})")
    rc, js1 = run("clv", "fit", path, "--calibration-end", "1997-09-30", "--holdout-end",
                  "1998-06-30", "-o", model, "--json", "--threads", "1")
    check(rc == 0 and js1["holdout"] == h, "the holdout check is the same bits on 1 thread")
    csv = pd.read_csv(tracking, float_precision="round_trip")
    check(list(csv.columns) == ["week", "end_date", "actual", "expected"] and
          csv["actual"].tolist() == tr["actual"] and
          np.array_equal(csv["expected"].values, np.array(tr["expected"])) and
          csv["end_date"].iloc[-1] == "1998-06-30", "--tracking-out CSV equals the JSON curve")
    return model, params, [gg["p"], gg["q"], gg["v"]]


def cdnow(d):
    if not os.path.exists(DATA):
        print(f"skip (CDNOW part): {DATA} is absent")
        return
    path, days = cdnow_days(d)
    fitted = cdnow_holdout(d, path, days)
    if fitted:
        cdnow_predict(d, path, days, *fitted)
        refusals(d, fitted[0], path)


# ---- the unconditional expectation --------------------------------------------------

def expected_new():
    for model, p in (("bgnbd", [0.24, 4.4, 0.79, 2.4]), ("mbgnbd", [0.5, 6.0, 1.4, 3.5]),
                     ("pareto", [0.55, 10.6, 0.61, 11.7]), ("pareto", [0.55, 10.6, 1.0, 11.7])):
        worst = 0.0
        for t in (0.5, 7.0, 39.0, 78.0):
            out = subprocess.run([TOOL, "expected_new", model, str(t), *map(str, p)],
                                 capture_output=True, text=True, check=True)
            got = json.loads(out.stdout)["expected"]
            want = expected_new_quad(model, p, t)
            if model == "bgnbd":
                worst = max(worst, abs(float(expected_new_bg(p, t)) - got) / want)
            worst = max(worst, abs(got - want) / want)
        check(worst < 1e-8, f"E[X(t)] of {model} at {p} vs numerical integration: {worst:.1e}")


# ---- a small log ------------------------------------------------------------------

SMALL = """user_id,timestamp,amount,order_id
1,2024-01-02T09:00:00,20.0,100
1,2024-01-02T09:00:00,5.0,100
1,2024-01-09T10:00:00,30.0,101
1,2024-01-10T11:00:00,-30.0,102
1,2024-02-20T12:00:00,10.0,103
2,2024-01-05T08:00:00,12.0,200
2,2024-01-05T18:00:00,8.0,201
2,2024-01-05T19:00:00,0.0,202
3,2024-01-07T07:00:00,50.0,300
3,2024-01-07T07:30:00,-10.0,301
4,2024-01-08T00:00:00,15.0,400
4,2024-02-01T00:00:00,25.0,401
4,2024-03-01T00:00:00,35.0,402
5,2024-01-03T00:00:00,40.0,500
5,2024-01-20T00:00:00,45.0,501
6,2024-03-10T00:00:00,22.0,600
6,2024-03-12T00:00:00,18.0,601
"""


def small(d):
    """An MBG/NBD model in days with order occasions fitted on a generated log,
    applied to a small log: user 1's orders 100 (two lines), 101, 103 (the
    refund 102 is no occasion and no spend); user 2: three orders on one day;
    user 3: one order and a refund; user 6 starts after the model's
    calibration end."""
    path = os.path.join(d, "small.csv")
    with open(path, "w") as f:
        f.write(SMALL)
    gen = os.path.join(d, "gen.csv")
    subprocess.run([RETAIN, "gen", "transactions", "-n", "3000", "--seed", "5", "--start",
                    "2023-03-01", "--days", "365", "-q", "-o", gen], check=True)
    model = os.path.join(d, "gen.h5")
    rc, js = run("clv", "fit", gen, "--calibration-end", "2024-02-27", "--model", "mbgnbd",
                 "--occasion", "order", "--time-unit", "day", "-o", model, "--json")
    if not check(rc == 0, f"clv fit (MBG/NBD, orders, days) on a generated log: "
                 f"{js if rc else 'ok'}"):
        return
    f = js["mbgnbd"]
    params = [f["r"], f["alpha"], f["a"], f["b"]]
    gg = [js["gamma_gamma"][k] for k in ("p", "q", "v")]
    out = os.path.join(d, "small_pred.h5")
    rc, msg = run("clv", "predict", model, path, "--asof", "2024-03-15", "--horizon", "12w",
                  "--discount", "0.001", "--discount-period", "day", "-o", out, "-q")
    if not check(rc == 0, f"clv predict on the small log: {msg.strip()[:200] if rc else 'ok'}"):
        return
    o, _ = read(out)
    asof = ts_of("2024-03-15")
    ts = ts_of
    day = 86400.0
    # expected summary by the stated rules: orders are occasions at their first line's time
    want = {1: (2, ts("2024-02-20T12:00:00") - ts("2024-01-02T09:00:00"),
                asof - ts("2024-01-02T09:00:00"), 20.0),
            2: (2, ts("2024-01-05T19:00:00") - ts("2024-01-05T08:00:00"),
                asof - ts("2024-01-05T08:00:00"), 4.0),
            3: (0, 0, asof - ts("2024-01-07T07:00:00"), 0.0),
            4: (2, ts("2024-03-01") - ts("2024-01-08"), asof - ts("2024-01-08"), 30.0),
            5: (1, ts("2024-01-20") - ts("2024-01-03"), asof - ts("2024-01-03"), 45.0),
            6: (1, 2 * day, asof - ts("2024-03-10"), 18.0)}
    ids = sorted(want)
    wx = np.array([want[i][0] for i in ids], float)
    wtx = np.array([want[i][1] for i in ids], float) / day
    wT = np.array([want[i][2] for i in ids], float) / day
    wm = np.array([want[i][3] for i in ids], float)
    check(list(o["user_id"]) == ids and np.array_equal(o["x"], wx) and
          np.allclose(o["t_x"], wtx, rtol=1e-14) and np.allclose(o["T"], wT, rtol=1e-14) and
          np.allclose(o["m_x"], wm, rtol=1e-14),
          "small log: refunds form no occasion and add no spend, same-day orders are "
          "occasions, the one-order customer has x = 0, t_x = 0, the customer new since the "
          "calibration end is summarised from its first purchase")
    check(rel_err(o["p_alive"], p_alive(params, wx, wtx, wT, True)) < 1e-10 and
          rel_err(o["expected_purchases"], cond_expected(params, 84.0, wx, wtx, wT, True)) < 1e-10,
          "small log: MBG/NBD P(alive) and E[Y(84 days)] vs scipy")
    spend = gg_spend(gg, wx, wm)
    want_clv = clv_loop(params, 84.0, 1.0, 0.001, wx, wtx, wT, spend, True)
    check(rel_err(o["clv"], want_clv) < 1e-10, f"small log: CLV with daily discounting vs the "
          f"lifetimes loop ({rel_err(o['clv'], want_clv):.1e})")
    # no spend model: no spend and no CLV written, said so
    bare = os.path.join(d, "bare.h5")
    run("clv", "fit", gen, "--calibration-end", "2024-02-27", "--model", "mbgnbd", "--occasion",
        "order", "--time-unit", "day", "--spend", "none", "-o", bare, "-q")
    rc, msg = run("clv", "predict", bare, path, "--asof", "2024-03-15", "-o", out)
    o, _ = read(out)
    check(rc == 0 and "clv" not in o and "expected_spend" not in o and "no spend model" in msg,
          "a model without a spend model: /expected_spend and /clv are not written, and said so")


def generated_holdout(d):
    """The holdout check with order occasions and days, MBG/NBD, on a
    generated log: actual counts and the tracking curve against pandas and
    the MBG/NBD E[X(t)] (lifetimes' form) with scipy."""
    gen = os.path.join(d, "gen.csv")  # written by small()
    rc, js = run("clv", "fit", gen, "--calibration-end", "2023-10-31", "--holdout-end",
                 "2024-02-27", "--model", "mbgnbd", "--occasion", "order", "--time-unit", "day",
                 "--spend", "none", "-o", os.path.join(d, "gen_holdout.h5"), "--json")
    if not check(rc == 0, f"clv fit --holdout-end, orders in days: {js if rc else 'ok'}"):
        return
    f, h = js["mbgnbd"], js["holdout"]
    r, al, a, b = f["r"], f["alpha"], f["a"], f["b"]
    log = pd.read_csv(gen)
    log["t"] = pd.to_datetime(log["timestamp"]).astype("int64") // 10**9
    occ = log[log["amount"] >= 0].groupby(["user_id", "order_id"])["t"].min().reset_index()
    end, hend = ts_of("2023-11-01"), ts_of("2024-02-28")
    first = occ.groupby("user_id")["t"].min()
    cal = first[first < end]
    occ = occ[occ["user_id"].isin(cal.index) & (occ["t"] < hend)]
    occ = occ.merge(cal.rename("first"), left_on="user_id", right_index=True)
    holdout = occ[occ["t"] >= end].groupby("user_id")["t"].count().reindex(cal.index,
                                                                           fill_value=0)
    check(h["actual"] == holdout.sum() and h["length"] == 119 and
          sum(g["customers"] for g in h["by_repeats"]) == len(cal),
          f"orders in days: {len(cal)} calibration customers, {h['actual']:.0f} holdout orders "
          f"({holdout.sum()} by pandas), holdout of {h['length']} days")
    repeats = occ[occ["t"] > occ["first"]]["t"].values
    origin = (cal.min() // 86400) * 86400
    weeks = -(-(hend - origin) // (7 * 86400))
    ends = np.minimum(origin + 7 * 86400 * np.arange(1, weeks + 1), hend)
    want_actual = [int((repeats < e).sum()) for e in ends]
    T = (end - cal.values) / 86400.0

    def mbg_new(t):
        t = np.maximum(t, 0.0)
        return b / (a - 1) * (1 - (al / (al + t)) ** r * hyp2f1(r, b + 1, a + b, t / (al + t)))
    want_exp = [float(mbg_new(T + (e - end) / 86400.0).sum()) for e in ends]
    tr = h["tracking"]
    check(tr["actual"] == want_actual and rel_err(tr["expected"], want_exp) < 1e-9,
          f"orders in days: tracking curve over {weeks} weeks, actual equal to pandas', "
          f"expected to scipy's MBG/NBD ({rel_err(tr['expected'], want_exp):.1e})")


def ts_of(text):
    return pd.Timestamp(text).value // 10**9


# ---- refusals ---------------------------------------------------------------------

def refusals(d, model, log):
    out = os.path.join(d, "refused.h5")
    with open(out, "w") as f:
        f.write("older output")
    truncated = os.path.join(d, "truncated.h5")
    with open(model, "rb") as f:
        data = f.read()
    with open(truncated, "wb") as f:
        f.write(data[:len(data) // 2])
    damaged = os.path.join(d, "damaged.h5")
    shutil.copy(model, damaged)
    with h5py.File(damaged, "a") as f:
        del f["meta"].attrs["params"]
    other = os.path.join(d, "other.h5")
    shutil.copy(model, other)
    with h5py.File(other, "a") as f:
        f["meta"].attrs["kind"] = "kmeans"
    base = ["--asof", "1997-10-01", "--horizon", "39w", "-o", out]
    cases = (
        ([model, log, *base, "--time-unit", "day"], 2, ["fitted with time in weeks", "day"]),
        ([model, log, *base, "--occasion", "order"], 2, ["day occasions"]),
        ([truncated, log, *base], 2, ["truncated.h5"]),
        ([damaged, log, *base], 2, ["damaged.h5", "params"]),
        ([other, log, *base], 2, ["other.h5", "kmeans"]),
        ([model, log, "--asof", "1997-13-01", "-o", out], 1, ["--asof"]),
        ([model, log, "--asof", "1997-10-01", "--horizon", "39x", "-o", out], 1, ["--horizon"]),
        ([model, log, "--asof", "1997-10-01", "--horizon", "-3w", "-o", out], 1, ["--horizon"]),
        ([model, log, *base, "--discount-period", "year"], 1, ["--discount-period"]),
        ([model, log, "--asof", "1997-10-01", "--horizon", "20000d", "--discount-period", "day",
          "-o", out], 1, ["--horizon", "discount periods"]),
        ([model, log, "--asof", "1996-01-01", "-o", out], 2, ["no purchase before --asof"]),
    )
    for args, code, words in cases:
        rc, msg = run("clv", "predict", *args)
        with open(out) as f:
            kept = f.read() == "older output"
        temps = glob.glob(os.path.join(d, "refused.h5.tmp*"))
        check(rc == code and all(w in msg for w in words) and kept and not temps,
              f"clv predict {' '.join(os.path.basename(a) for a in args[:2])} "
              f"{' '.join(args[2:])}: exit {rc} ({code}), older output kept: "
              f"{msg.strip()[:150]}")
    rc, msg = run("features", log, "--asof", "1997-10-01", "--with-clv", truncated, "-o", out)
    check(rc == 2 and "truncated.h5" in msg, f"features --with-clv a truncated model: exit {rc}")
    rc, msg = run("clv", "fit", log, "--calibration-end", "1997-09-30", "--holdout-end",
                  "1999-06-30", "-o", out)
    check(rc == 2 and "--holdout-end" in msg, f"--holdout-end after the log's end: exit {rc}")
    rc, msg = run("clv", "fit", log, "--calibration-end", "1997-09-30", "--holdout-end",
                  "1997-09-01", "-o", out)
    check(rc == 1 and "--holdout-end" in msg, f"--holdout-end before the calibration end: "
          f"exit {rc}")


def main():
    expected_new()
    with scratch() as d:
        small(d)
        generated_holdout(d)
        cdnow(d)
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
