"""tests/ref/test_logs_features.py: `retain features` against the same
columns computed with a pandas group-by on a generated purchase log
(`retain gen transactions`, refunds included): every user, every feature,
the churn label, the RFM scores and the tiers must agree (floats to 1e-9
relative, counts and scores exactly). The HDF5 form of the same log must
give the same bits as the CSV. Exit 77 (skip) without pandas or h5py."""
import os
import subprocess

from common import retain_binary, scratch, skip

try:
    import h5py
    import numpy as np
    import pandas as pd
except ImportError as e:
    skip(e)

RETAIN = retain_binary()

DAY = 86400
ASOF = "2024-08-01"
WINDOW, HORIZON = 180, 60


def run(*args):
    subprocess.run([RETAIN, *args], check=True)


def pandas_features(csv, asof):
    log = pd.read_csv(csv, float_precision="round_trip")
    log["t"] = pd.to_datetime(log.timestamp).astype("int64") // 10**9
    before = log[log.t < asof]
    buys = before[before.amount > 0]
    users = np.sort(buys.user_id.unique())
    w0 = asof - WINDOW * DAY
    win = before[before.t >= w0]
    wbuys = win[win.amount > 0]
    out = pd.DataFrame(index=pd.Index(users, name="user_id"))
    out["recency_days"] = (asof - buys.groupby("user_id").t.max()) / DAY
    out["tenure_days"] = (asof - buys.groupby("user_id").t.min()) / DAY
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
    recent = orders[orders.t >= asof - WINDOW * DAY // 2].groupby("user_id").size()
    out["trend"] = ((2 * recent.reindex(users, fill_value=0) - out.frequency) / f).fillna(0.0)
    out["distinct_items"] = wbuys.groupby("user_id").item.nunique()
    out["basket_size_mean"] = (wbuys.groupby("user_id").size() / f)
    bought = wbuys.groupby("user_id").amount.sum()
    refunded = -win[win.amount < 0].groupby("user_id").amount.sum()
    out["refund_share"] = (refunded.reindex(users, fill_value=0.0) / bought)
    out = out.fillna(0.0)
    after = log[(log.t >= asof) & (log.t < asof + HORIZON * DAY) & (log.amount > 0)]
    churned = (~pd.Index(users).isin(after.user_id.unique())).astype(np.int8)
    n = len(users)
    r = 1 + (5 * (n - out.recency_days.rank(method="max"))) // n
    fs = 1 + (5 * (out.frequency.rank(method="min") - 1)) // n
    ms = 1 + (5 * (out.monetary_total.rank(method="min") - 1)) // n
    rfm = np.stack([r, fs, ms], axis=1).astype(np.int8)
    rec, ten = out.recency_days.values, out.tenure_days.values
    tier = np.select([rec > 180, ten <= 30, rec > 90, (fs.values >= 4) & (ms.values >= 4)],
                     [4, 0, 3, 2], 1).astype(np.int8)
    return users, out, churned, rfm, tier


def main():
    with scratch() as d:
        os.makedirs(d, exist_ok=True)
        gen = ["gen", "transactions", "-n", "4000", "--days", "365", "--start", "2024-01-01",
               "--refund-rate", "0.05", "--acquisition-days", "300", "--seed", "11", "-q"]
        run(*gen, "-o", f"{d}/log.csv")
        run(*gen, "-o", f"{d}/log.h5")
        for src in ("csv", "h5"):
            run("features", f"{d}/log.{src}", "--asof", ASOF, "--window", f"{WINDOW}d",
                "--horizon", f"{HORIZON}d", "-q", "-o", f"{d}/feat_{src}.h5")
        asof = int(pd.Timestamp(ASOF).value // 10**9)
        users, want, churned, rfm, tier = pandas_features(f"{d}/log.csv", asof)
        with h5py.File(f"{d}/feat_csv.h5", "r") as a, h5py.File(f"{d}/feat_h5.h5", "r") as b:
            for name in ("features", "user_id", "churned", "rfm_score", "tier"):
                assert np.array_equal(a[name][:], b[name][:]), f"{name}: CSV and HDF5 differ"
            names = [x.decode() if isinstance(x, bytes) else x
                     for x in a["features"].attrs["feature_names"]]
            assert names == list(want.columns), names
            assert np.array_equal(a["user_id"][:], users), "user ids"
            x = a["features"][:]
            for j, name in enumerate(names):
                w = want[name].values
                bad = ~np.isclose(x[:, j], w, rtol=1e-9, atol=1e-9)
                assert not bad.any(), (f"{name}: {bad.sum()} users differ, e.g. user "
                                       f"{users[bad][0]}: {x[bad, j][0]} vs {w[bad][0]}")
            assert np.array_equal(a["churned"][:], churned), "churned"
            assert np.array_equal(a["rfm_score"][:], rfm), "RFM scores"
            assert np.array_equal(a["tier"][:], tier), "tiers"
            counts = np.bincount(tier, minlength=5)
            assert (counts > 0).all(), f"tiers hardly exercised: {counts}"
        print(f"features of {len(users)} users equal pandas; churn rate "
              f"{churned.mean():.3f}; tiers {counts.tolist()}")


main()
