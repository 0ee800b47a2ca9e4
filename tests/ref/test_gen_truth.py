"""tests/ref/test_gen_truth.py: the purchase log of `retain gen transactions`
fitted back with the standard likelihoods, written here with scipy from the
papers (the `lifetimes` package implements the same ones): BG/NBD (Fader,
Hardie and Lee 2005, eq. 6) on each user's (x, t_x, T) from the CSV, and
Gamma-Gamma on each user's order count and mean order value. The fitted
parameters must land near the ones the truth file says generated the log;
the tolerances are several times the spread seen across seeds. The basket
truth is checked the same way: the heaviest planted patterns are the most
supported itemsets of their size. Exit 77 (skip) without scipy, pandas or
h5py."""
import os
import subprocess
import sys
import tempfile

try:
    import h5py
    import numpy as np
    import pandas as pd
    from scipy.optimize import minimize
    from scipy.special import gammaln
except ImportError as e:
    print(f"skip: {e}")
    sys.exit(77)

RETAIN = os.environ.get("RETAIN")
if not RETAIN:
    print("skip: RETAIN is not set")
    sys.exit(77)


def bgnbd_nll(params, x, tx, T):
    r, alpha, a, b = np.exp(params)
    ln_a1 = -(r + x) * np.log(alpha + T)
    ln_a2 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
                     - (r + x) * np.log(alpha + tx), -np.inf)
    ll = (gammaln(r + x) - gammaln(r) + r * np.log(alpha) + gammaln(a + b) + gammaln(b + x)
          - gammaln(b) - gammaln(a + b + x) + np.logaddexp(ln_a1, ln_a2))
    return -ll.sum()


def gamma_gamma_nll(params, x, m):
    p, q, g = np.exp(params)
    ll = (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(g)
          + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(g + m * x))
    return -ll.sum()


def fit(nll, start, *data):
    res = minimize(nll, np.log(start), args=data, method="Nelder-Mead",
                   options={"maxiter": 20000, "xatol": 1e-6, "fatol": 1e-6})
    return np.exp(res.x)


def main():
    tmp = os.environ.get("TMPROOT", tempfile.gettempdir())
    os.makedirs(tmp, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tmp) as d:
        log_path = os.path.join(d, "log.csv")
        subprocess.run([RETAIN, "gen", "transactions", "-n", "40000", "--seed", "17",
                        "--refund-rate", "0", "-q", "-o", log_path], check=True)
        truth = h5py.File(log_path + ".truth.h5", "r")["truth"]
        log = pd.read_csv(log_path)
        end = truth.attrs["start_epoch"] + truth.attrs["days"] * 86400
        ts = pd.to_datetime(log.timestamp).astype("int64") // 10**9
        log = log.assign(t=ts.values)
        orders = log.groupby("order_id").agg(user_id=("user_id", "first"), t=("t", "first"),
                                            value=("amount", "sum"))
        per_user = orders.groupby("user_id").agg(n=("t", "size"), first=("t", "min"),
                                                 last=("t", "max"), mean=("value", "mean"))
        x = (per_user.n - 1).values.astype(float)
        tx = ((per_user["last"] - per_user["first"]) / 86400).values
        T = ((end - per_user["first"]) / 86400).values
        r, alpha, a, b = fit(bgnbd_nll, [0.5, 10.0, 1.0, 1.0], x, tx, T)
        want = {k: float(truth.attrs[k]) for k in ["r", "alpha", "a", "b", "p", "q", "gamma"]}
        print(f"BG/NBD fit r={r:.4f} alpha={alpha:.3f} a={a:.4f} b={b:.4f}; truth {want}")
        failures = []
        for name, got, tol in [("r", r, 0.1), ("alpha", alpha, 0.15), ("a", a, 0.25),
                               ("b", b, 0.3)]:
            if abs(got / want[name] - 1) > tol:
                failures.append(f"BG/NBD {name} fitted {got:.4f}, generated with {want[name]}")
        n = per_user.n.values.astype(float)
        p, q, g = fit(gamma_gamma_nll, [1.0, 1.0, 1.0], n, per_user["mean"].values)
        print(f"Gamma-Gamma fit p={p:.4f} q={q:.4f} gamma={g:.4f}")
        # p, q and gamma trade off; the implied mean order value is the sharp quantity.
        mean_fit, mean_true = p * g / (q - 1), want["p"] * want["gamma"] / (want["q"] - 1)
        if abs(p / want["p"] - 1) > 0.2:
            failures.append(f"Gamma-Gamma p fitted {p:.4f}, generated with {want['p']}")
        if abs(mean_fit / mean_true - 1) > 0.05:
            failures.append(f"Gamma-Gamma mean order value {mean_fit:.3f}, truth {mean_true:.3f}")

        bask = os.path.join(d, "b.h5")
        subprocess.run([RETAIN, "gen", "baskets", "-n", "50000", "--seed", "17", "-q",
                        "-o", bask], check=True)
        f = h5py.File(bask, "r")
        ip, ix = f["baskets/indptr"][:], f["baskets/indices"][:]
        pi, px, w = f["patterns/indptr"][:], f["patterns/indices"][:], f["patterns/weight"][:]
        items = int(f.attrs["items"])
        rows = np.repeat(np.arange(len(ip) - 1), np.diff(ip))
        # Pair supports through a dense incidence product on the 100 most common items.
        common = np.argsort(-np.bincount(ix, minlength=items))[:100]
        pos = -np.ones(items, int)
        pos[common] = np.arange(100)
        keep = pos[ix] >= 0
        inc = np.zeros((len(ip) - 1, 100), np.float32)
        inc[rows[keep], pos[ix[keep]]] = 1
        pairs = inc.T @ inc
        np.fill_diagonal(pairs, 0)
        freq = np.diag(inc.T @ inc) / (len(ip) - 1)
        lift = pairs / (len(ip) - 1) / np.maximum(np.outer(freq, freq), 1e-12)
        # Pairs inside a planted pattern have lifts far above pairs that are not.
        planted = np.zeros((100, 100), bool)
        for k in range(len(w)):
            ids = [pos[i] for i in px[pi[k]:pi[k + 1]] if pos[i] >= 0]
            for i in ids:
                for j in ids:
                    planted[i, j] = i != j
        off = ~planted & ~np.eye(100, dtype=bool)
        print(f"median lift: planted pairs {np.median(lift[planted]):.2f}, "
              f"others {np.median(lift[off]):.2f}")
        if not np.median(lift[planted]) > 3 * np.median(lift[off]):
            failures.append("planted pairs do not stand out by lift")
    for msg in failures:
        print("FAIL:", msg)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
