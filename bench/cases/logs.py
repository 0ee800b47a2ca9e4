"""bench/cases/logs.py: purchase logs to features and cohorts. retain:
`retain features` (every feature, churn label, RFM scores, tiers, written
to HDF5) and `retain cohorts --period month` on a CSV log from `retain gen
transactions`. Baselines: the pandas pipeline an analyst writes for the same
columns: read_csv + to_datetime + group-bys (features as
tests/ref/test_logs_features.py checks them equal; cohorts: first-purchase
month, active (user, offset) pairs, the matrix, sizes, repeat rate). Metric:
events per second. Memory: peak resident size of `retain features` on two
logs of the same users, one with 16x the purchase rate and a tenth of the
dropout (about 8x the events: some 40M in the full run), and of the pandas
pipeline on the smaller one (the larger would not fit its memory here).
"""
import os
import sys
import time

import numpy as np
import pandas as pd

DAY = 86400
ASOF = "2024-10-01"


def pandas_features(csv, asof, window=365, horizon=90):
    log = pd.read_csv(csv)
    log["t"] = pd.to_datetime(log.timestamp).astype("int64") // 10**9
    before = log[log.t < asof]
    buys = before[before.amount > 0]
    users = np.sort(buys.user_id.unique())
    win = before[before.t >= asof - window * DAY]
    wbuys = win[win.amount > 0]
    out = pd.DataFrame(index=pd.Index(users, name="user_id"))
    g = buys.groupby("user_id").t
    out["recency_days"] = (asof - g.max()) / DAY
    out["tenure_days"] = (asof - g.min()) / DAY
    orders = wbuys.groupby(["user_id", "order_id"]).t.min().reset_index()
    out["frequency"] = orders.groupby("user_id").size()
    out["monetary_total"] = win.groupby("user_id").amount.sum()
    out = out.fillna({"frequency": 0, "monetary_total": 0.0})
    f = out.frequency.where(out.frequency > 0, np.nan)
    out["monetary_mean"] = (out.monetary_total / f).fillna(0.0)
    orders = orders.sort_values(["user_id", "t"])
    orders["gap"] = orders.groupby("user_id").t.diff() / DAY
    gaps = orders.dropna(subset=["gap"]).groupby("user_id").gap
    out["interval_mean_days"] = gaps.mean()
    out["interval_std_days"] = gaps.std(ddof=0)
    recent = orders[orders.t >= asof - window * DAY // 2].groupby("user_id").size()
    out["trend"] = ((2 * recent.reindex(users, fill_value=0) - out.frequency) / f).fillna(0.0)
    out["distinct_items"] = wbuys.groupby("user_id").item.nunique()
    out["basket_size_mean"] = wbuys.groupby("user_id").size() / f
    bought = wbuys.groupby("user_id").amount.sum()
    refunded = -win[win.amount < 0].groupby("user_id").amount.sum()
    out["refund_share"] = refunded.reindex(users, fill_value=0.0) / bought
    out = out.fillna(0.0)
    after = log[(log.t >= asof) & (log.t < asof + horizon * DAY) & (log.amount > 0)]
    out["churned"] = (~out.index.isin(after.user_id.unique())).astype(np.int8)
    n = len(users)
    out["R"] = 1 + (5 * (n - out.recency_days.rank(method="max"))) // n
    out["F"] = 1 + (5 * (out.frequency.rank(method="min") - 1)) // n
    out["M"] = 1 + (5 * (out.monetary_total.rank(method="min") - 1)) // n
    return out, len(log)


def pandas_cohorts(csv):
    log = pd.read_csv(csv)
    t = pd.to_datetime(log.timestamp)
    log["p"] = t.dt.year * 12 + t.dt.month - 1
    buys = log[log.amount > 0]
    cohort = buys.groupby("user_id").p.min().rename("cohort")
    buys = buys.join(cohort, on="user_id")
    buys["j"] = buys.p - buys.cohort
    active = buys.drop_duplicates(["user_id", "j"])
    cells = active.groupby(["cohort", "j"]).size().unstack(fill_value=0)
    size = cohort.value_counts().sort_index()
    matrix = cells.div(size, axis=0)
    repeat = (buys.groupby("user_id").order_id.nunique() >= 2).mean()
    return matrix, repeat, len(log)


def make_log(bench, name, users, busy=False):
    path = bench.path(name)
    if not os.path.exists(path):
        # busy: 16x the purchase rate and a tenth of the dropout
        extra = ["--alpha", f"{4.414 * 7 / 16:.4f}", "--b", 24.26] if busy else []
        bench.run("gen", "transactions", "-n", users, "--days", 365, "--start", "2024-01-01",
                  "--acquisition-days", 180, "--refund-rate", 0.02, *extra, "-q", "-o", path)
    return path


def logs_case(bench):
    users = 100_000 if bench.quick else 700_000
    csv = make_log(bench, f"log_{users}.csv", users)
    asof = int(pd.Timestamp(ASOF).value // 10**9)
    out = bench.path("features.h5")
    events = sum(1 for _ in open(csv)) - 1
    t_feat = bench.best_of(lambda: bench.run("features", csv, "--asof", ASOF, "-q", "-o", out),
                           repeats=2)
    t_pd_feat = bench.best_of(lambda: pandas_features(csv, asof), repeats=2)
    t_coh = bench.best_of(lambda: bench.run("cohorts", csv, "--period", "month", "-q",
                                            "-o", bench.path("cohorts.csv")), repeats=2)
    t_pd_coh = bench.best_of(lambda: pandas_cohorts(csv), repeats=2)
    size = f"{events / 1e6:.1f}M events, {users // 1000}k users, CSV"
    rate = lambda t: events / t
    rows = [
        bench.Row(f"features {size}", "events/s", rate(t_feat), "pandas read_csv+groupby",
                  rate(t_pd_feat), higher_is_better=True,
                  note=f"retain {t_feat:.2f} s (HDF5 written and fsynced), pandas "
                       f"{t_pd_feat:.2f} s"),
        bench.Row(f"cohorts by month {size}", "events/s", rate(t_coh),
                  "pandas read_csv+groupby", rate(t_pd_coh), higher_is_better=True,
                  note=f"retain {t_coh:.2f} s, pandas {t_pd_coh:.2f} s"),
    ]
    # the same users buying more often and for longer: memory should not
    # follow the events
    csv4 = make_log(bench, f"log_{users}_busy.csv", users, busy=True)
    events4 = sum(1 for _ in open(csv4)) - 1
    _, peak1, _ = bench.peak([bench.retain, "features", csv, "--asof", ASOF, "-q", "-o", out])
    _, peak4, _ = bench.peak([bench.retain, "features", csv4, "--asof", ASOF, "-q", "-o", out])
    script = ("import sys; sys.path.insert(0, %r); import logs; "
              "logs.pandas_features(%r, %d)" % (os.path.dirname(__file__), csv, asof))
    _, peak_pd, _ = bench.peak([sys.executable, "-c", script])
    mib = 1 << 20
    rows += [
        bench.Row(f"features peak memory, {events4 / 1e6:.1f}M vs {events / 1e6:.1f}M events "
                  f"of the same {users // 1000}k users", "MiB", peak4 / mib,
                  f"retain on {events / 1e6:.1f}M events", peak1 / mib,
                  note=f"{events4 / events:.1f}x the events, {peak4 / peak1:.2f}x the memory: "
                       "what grows is 4 bytes a distinct (user, item) pair"),
        bench.Row(f"features peak memory, {events / 1e6:.1f}M events", "MiB", peak1 / mib,
                  "pandas read_csv+groupby", peak_pd / mib),
    ]
    if not bench.quick:
        rows += streaming_50m(bench)
    return rows


def streaming_50m(bench):
    """About 50M events of 800k users (16x+ the default purchase rate): peak
    memory and events per second of features and cohorts, against the
    peak of the 4.7M-event log of 700k users above; no pandas (it would need
    tens of GiB)."""
    path = bench.path("log_50m.csv")
    if not os.path.exists(path):
        bench.run("gen", "transactions", "-n", 800_000, "--days", 365, "--start",
                  "2024-01-01", "--acquisition-days", 180, "--alpha", 1.2, "--b", 24.26,
                  "-q", "-o", path)
    events = sum(1 for _ in open(path, "rb")) - 1
    t_f, peak_f, _ = bench.peak([bench.retain, "features", path, "--asof", ASOF, "-q", "-o",
                                 bench.path("features_50m.h5")])
    t_c, peak_c, _ = bench.peak([bench.retain, "cohorts", path, "--period", "month", "-q",
                                 "-o", bench.path("cohorts_50m.csv")])
    size = os.path.getsize(path) / (1 << 30)
    mib = 1 << 20
    return [
        bench.Row(f"features {events / 1e6:.1f}M events, 800k users, CSV {size:.1f} GiB",
                  "peak MiB", peak_f / mib, "CSV size", os.path.getsize(path) / mib,
                  note=f"{t_f:.1f} s, {events / t_f / 1e6:.2f}M events/s"),
        bench.Row(f"cohorts {events / 1e6:.1f}M events, 800k users, CSV {size:.1f} GiB",
                  "peak MiB", peak_c / mib, "CSV size", os.path.getsize(path) / mib,
                  note=f"{t_c:.1f} s, {events / t_c / 1e6:.2f}M events/s"),
    ]


CASES = [("logs", logs_case)]
