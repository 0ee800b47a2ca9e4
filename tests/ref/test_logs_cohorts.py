"""tests/ref/test_logs_cohorts.py: `retain cohorts` against pandas and
scipy.stats on a generated purchase log (`retain gen transactions`) split
into three arms by a user-to-group file: the retention matrix, cohort sizes
and repeat counts for month, week and day periods equal a pandas group-by,
and every A/B row (difference, 95% interval, p-value) equals scipy.stats on
the same counts: the interval from norm.ppf(0.975) and the unpooled
standard error, the p-value from chi2_contingency without correction and
from the pooled z statistic. Exit 77 (skip) without pandas, scipy or h5py."""
import subprocess

from common import retain_binary, scratch, skip

try:
    import h5py
    import numpy as np
    import pandas as pd
    from scipy import stats
except ImportError as e:
    skip(e)

RETAIN = retain_binary()


def run(*args):
    subprocess.run([RETAIN, *args], check=True)


def periods(t, period):
    day = t // 86400
    if period == "day":
        return day
    if period == "week":
        return (day + 3) // 7
    d = pd.to_datetime(t, unit="s")
    return d.dt.year * 12 + d.dt.month - 1


def pandas_cohorts(log, arms, period):
    buys = log[log.amount > 0].copy()
    buys = buys[buys.user_id.isin(arms.user_id)]
    buys["p"] = periods(buys.t, period)
    last = periods(log[log.user_id.isin(arms.user_id)].t, period).max()
    first = buys.groupby("user_id").p.min().rename("cohort")
    buys = buys.join(first, on="user_id")
    buys["j"] = buys.p - buys.cohort
    users = first.to_frame().join(arms.set_index("user_id").group)
    orders = buys.groupby("user_id").order_id.nunique()
    users["repeat"] = (orders.reindex(users.index) >= 2).astype(int)
    active = buys.drop_duplicates(["user_id", "j"]).join(users.group, on="user_id")
    cells = active.groupby(["cohort", "group", "j"]).size()
    size = users.groupby(["cohort", "group"]).size()
    rep = users.groupby(["cohort", "group"]).repeat.sum()
    return users, cells, size, rep, last


def main():
    with scratch() as d:
        run("gen", "transactions", "-n", "3000", "--days", "200", "--acquisition-days", "120",
            "--seed", "5", "--refund-rate", "0.05", "-q", "-o", f"{d}/log.csv")
        log = pd.read_csv(f"{d}/log.csv")
        log["t"] = pd.to_datetime(log.timestamp).astype("int64") // 10**9
        rng = np.random.default_rng(1)
        ids = np.unique(log.user_id)
        keep = ids[rng.random(len(ids)) < 0.95]  # a few users are in no arm
        arms = pd.DataFrame({"user_id": keep,
                             "group": rng.choice(["control", "b", "c"], len(keep))})
        # the file names control first, so it is the control group
        arms = pd.concat([arms[arms.group == "control"].head(1), arms]).drop_duplicates()
        arms.to_csv(f"{d}/arms.csv", index=False)
        names = list(dict.fromkeys(arms.group))
        checked = 0
        for period in ("month", "week", "day"):
            out = f"{d}/{period}.csv"
            run("cohorts", f"{d}/log.csv", "--period", period, "--groups", f"{d}/arms.csv",
                "-q", "-o", out)
            got = pd.read_csv(out, float_precision="round_trip")
            users, cells, size, rep, last = pandas_cohorts(log, arms, period)
            assert len(got) == len(size), (period, len(got), len(size))
            for row in got.itertuples(index=False):
                key = (int(periods(pd.Series([pd.Timestamp(row.cohort).value // 10**9]),
                                   period).iloc[0]), row.group)
                assert row.users == size[key], (period, key, row.users, size[key])
                assert row.repeaters == rep[key], (period, key)
                for j in range(len(got.columns) - 5):
                    v = getattr(row, f"period_{j}")
                    if key[0] + j > last:
                        assert np.isnan(v), (period, key, j, v)
                        continue
                    want = cells.get((key[0], key[1], j), 0) / size[key]
                    assert v == want, (period, key, j, v, want)
                    checked += 1
            ab = pd.read_csv(f"{d}/{period}.ab.csv", float_precision="round_trip")
            assert set(ab.control) == {"control"}
            for j, rows in ab.groupby("offset"):
                ctl = rows[rows.group == "control"].iloc[0]
                for r in rows[rows.group != "control"].itertuples():
                    # the counts themselves, from pandas
                    ok = users[users.cohort + j <= last]
                    n1 = (ok.group == r.group).sum()
                    assert r.users == n1, (period, j, r.group, r.users, n1)
                    x1, x0, n0 = r.active, ctl.active, ctl.users
                    p1, p0 = x1 / n1, x0 / n0
                    se = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
                    z = stats.norm.ppf(0.975)
                    assert np.isclose(r.diff, p1 - p0, rtol=1e-12, atol=1e-15)
                    assert np.isclose(r.ci_low, p1 - p0 - z * se, rtol=1e-12, atol=1e-15)
                    assert np.isclose(r.ci_high, p1 - p0 + z * se, rtol=1e-12, atol=1e-15)
                    table = np.array([[x1, n1 - x1], [x0, n0 - x0]])
                    if 0 < x1 + x0 < n1 + n0:
                        chi2 = stats.chi2_contingency(table, correction=False)
                        assert np.isclose(r.p_value, chi2[1], rtol=1e-9, atol=1e-300), \
                            (period, j, r.group, r.p_value, chi2[1])
                        pool = (x1 + x0) / (n1 + n0)
                        zs = (p1 - p0) / np.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n0))
                        assert np.isclose(r.p_value, 2 * stats.norm.sf(abs(zs)), rtol=1e-9,
                                          atol=1e-300)
                    else:
                        assert r.p_value == 1.0
                    checked += 1
        print(f"{checked} cohort cells and A/B rows equal pandas and scipy.stats "
              f"(groups {names})")


main()
