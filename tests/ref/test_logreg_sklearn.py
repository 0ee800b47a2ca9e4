"""tests/ref/test_logreg_sklearn.py: `retain logreg fit` against scikit-learn's
LogisticRegression on the same standardised data (retain standardises inside
the fit; sklearn gets StandardScaler output of the same float32 values):

  * L2 (C 1 and C 0.05, and class_weight "balanced") at tight tolerance:
    objective C * sum log-loss + 0.5 ||w||^2 within 1e-7 relative of sklearn's
    lbfgs (both evaluated here in float64 from the coefficients, and retain's
    own reported objective too) and never above it beyond round-off;
    coefficients and intercept within 1e-4 relative of sklearn's solution
    (newton-cholesky at tol 1e-14: lbfgs stops on its ftol of 64 eps first,
    around 1e-10 from the optimum, which leaves small coefficients off by
    more than 1e-4 of their size), for float32 and float64 input files and
    every instruction set (RETAIN_ISA=scalar|avx2|avx512);
  * L1 and elastic net against sklearn's saga at tight tolerance: the same
    non-zero pattern and the objective within 1e-6 relative;
  * no penalty, sample weights (--sample-weight, with class weights too),
    and --scale none on pre-scaled data;
  * coefficients reported in input units equal the scaled ones mapped back
    through the stored scaler, and `logreg predict` probabilities equal
    sklearn's predict_proba to float32 rounding.
Exit 77 (skip) without scikit-learn or h5py."""
import json
import os
import subprocess
import sys
import warnings

from common import Checks, retain_binary, scratch, skip

try:
    import h5py
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
except ImportError as e:
    skip(e)

RETAIN = retain_binary()

check = Checks()


def isas():
    found = []
    for isa in ("scalar", "avx2", "avx512"):
        out = subprocess.run([RETAIN, "--version"], env=dict(os.environ, RETAIN_ISA=isa),
                             capture_output=True, text=True)
        if f"isa {isa}" in out.stdout or isa == "scalar":
            found.append(isa)
    return found


def make_data(rng, n, d, informative):
    """Features on varied scales and offsets; label from a known logistic model."""
    scale = rng.uniform(0.5, 50, size=d)
    offset = rng.uniform(-100, 300, size=d)
    z = rng.normal(size=(n, d))
    z[:, 1] += 0.6 * z[:, 0]  # correlated columns
    x = offset + scale * z
    beta = np.zeros(d)
    beta[:informative] = rng.normal(0, 1.0, size=informative)
    logit = -1.2 + z @ beta
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    return x, y


def write(path, x, y, dtype):
    with h5py.File(path, "w") as f:
        f.create_dataset("features", data=x.astype(dtype))
        f.create_dataset("churned", data=y)


def objective(w, b, z, y, C, penalty, l1_ratio=0.5, cw=None, sw=None):
    m = b + z @ w
    t = np.where(y == 1, -m, m)
    loss = np.logaddexp(0, t)
    if cw is not None:
        loss = loss * np.where(y == 1, cw[1], cw[0])
    if sw is not None:
        loss = loss * sw
    f = C * loss.sum()
    if penalty == "l2":
        f += 0.5 * w @ w
    elif penalty == "l1":
        f += np.abs(w).sum()
    elif penalty == "elasticnet":
        f += l1_ratio * np.abs(w).sum() + 0.5 * (1 - l1_ratio) * w @ w
    return f


def fit(tmp, data, isa, args):
    model = os.path.join(tmp, "model.h5")
    cmd = [RETAIN, "logreg", "fit", data, "-o", model, "--json", *args]
    out = subprocess.run(cmd, env=dict(os.environ, RETAIN_ISA=isa), capture_output=True,
                         text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {out.stderr}")
    summary = json.loads(out.stdout)
    with h5py.File(model) as m:
        coef = m["coef"][:]
        coef_orig = m["coef_original"][:]
        mean, scale = m["scaler/mean"][:], m["scaler/scale"][:]
        b = m["meta"].attrs["intercept"]
        b_orig = m["meta"].attrs["intercept_original"]
    return summary, coef, b, coef_orig, b_orig, mean, scale


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


def coef_close(ours, theirs, tol):
    """Every coefficient within tol relative (of the largest for tiny ones)."""
    floor = tol * np.max(np.abs(theirs)) * 1e-2
    return bool(np.all(np.abs(ours - theirs) <= tol * np.abs(theirs) + floor))


def l2_cases(tmp, rng):
    x, y = make_data(rng, 4000, 9, 7)
    x32 = x.astype(np.float32).astype(np.float64)
    z = StandardScaler().fit_transform(x32)
    for dtype in (np.float32, np.float64):
        data = os.path.join(tmp, f"l2_{np.dtype(dtype).name}.h5")
        write(data, x, y, dtype)
        for C, balanced in ((1.0, False), (0.05, False), (1.0, True)):
            weight = "balanced" if balanced else None
            sk = LogisticRegression(C=C, tol=1e-12, max_iter=100000, class_weight=weight)
            sk.fit(z, y)
            exact = LogisticRegression(C=C, tol=1e-14, max_iter=1000, class_weight=weight,
                                       solver="newton-cholesky").fit(z, y)
            cw = None
            if balanced:
                cw = len(y) / (2 * np.bincount(y))
            f_sk = objective(sk.coef_[0], sk.intercept_[0], z, y, C, "l2", cw=cw)
            args = ["-C", repr(C), "--tol", "1e-10", "--max-iter", "1000"]
            if balanced:
                args += ["--class-weight", "balanced"]
            for isa in isas():
                tag = f"L2 C={C}{' balanced' if balanced else ''} {np.dtype(dtype).name} {isa}"
                s, w, b, _, _, _, _ = fit(tmp, data, isa, args)
                f_ours = objective(w, b, z, y, C, "l2", cw=cw)
                check(s["isa"] == isa, f"{tag}: ran the {s['isa']} kernels")
                check(s["converged"] and not s["warnings"], f"{tag}: converged, no warning")
                check(rel(f_ours, f_sk) <= 1e-7 and f_ours <= f_sk * (1 + 1e-12),
                      f"{tag}: objective {f_ours:.12g} vs sklearn lbfgs {f_sk:.12g} "
                      f"(rel {rel(f_ours, f_sk):.2e})")
                check(rel(s["objective"], f_sk) <= 1e-7,
                      f"{tag}: reported objective {s['objective']:.12g} "
                      f"(rel {rel(s['objective'], f_sk):.2e})")
                ref = np.append(exact.coef_[0], exact.intercept_[0])
                ours = np.append(w, b)
                check(coef_close(ours, ref, 1e-4),
                      f"{tag}: coefficients within 1e-4 relative (largest relative "
                      f"difference {np.max(np.abs(ours - ref) / np.abs(ref)):.2e})")


def l1_cases(tmp, rng):
    x, y = make_data(rng, 1500, 10, 4)
    x32 = x.astype(np.float32).astype(np.float64)
    z = StandardScaler().fit_transform(x32)
    data = os.path.join(tmp, "l1.h5")
    write(data, x, y, np.float32)
    for penalty, C, ratio in (("l1", 0.02, 1.0), ("l1", 0.2, 1.0), ("elasticnet", 0.02, 0.5)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sk = LogisticRegression(penalty=penalty, C=C, solver="saga", tol=1e-12,
                                    max_iter=200000,
                                    l1_ratio=ratio if penalty == "elasticnet" else None)
            sk.fit(z, y)
        f_sk = objective(sk.coef_[0], sk.intercept_[0], z, y, C, penalty, ratio)
        args = ["--penalty", penalty, "-C", repr(C), "--tol", "1e-10", "--max-iter", "5000"]
        if penalty == "elasticnet":
            args += ["--l1-ratio", repr(ratio)]
        for isa in isas():
            tag = f"{penalty} C={C} {isa}"
            s, w, b, _, _, _, _ = fit(tmp, data, isa, args)
            check(s["isa"] == isa, f"{tag}: ran the {s['isa']} kernels")
            f_ours = objective(w, b, z, y, C, penalty, ratio)
            zeros_sk = np.abs(sk.coef_[0]) < 1e-8
            check(np.array_equal(w == 0, zeros_sk),
                  f"{tag}: non-zero pattern {(w != 0).astype(int).tolist()} vs saga "
                  f"{(~zeros_sk).astype(int).tolist()}")
            check(0 < zeros_sk.sum() < len(w) or penalty == "elasticnet",
                  f"{tag}: the case has both zero and non-zero coefficients")
            check(rel(f_ours, f_sk) <= 1e-6 and f_ours <= f_sk * (1 + 1e-9),
                  f"{tag}: objective {f_ours:.12g} vs saga {f_sk:.12g} "
                  f"(rel {rel(f_ours, f_sk):.2e})")


def other_cases(tmp, rng):
    x, y = make_data(rng, 3000, 6, 6)
    x32 = x.astype(np.float32).astype(np.float64)
    z = StandardScaler().fit_transform(x32)
    data = os.path.join(tmp, "none.h5")
    write(data, x, y, np.float32)
    sk = LogisticRegression(penalty=None, tol=1e-14, max_iter=1000,
                            solver="newton-cholesky").fit(z, y)
    f_sk = objective(sk.coef_[0], sk.intercept_[0], z, y, 1.0, "none")
    s, w, b, w0, b0, mean, scale = fit(tmp, data, "avx512" if "avx512" in isas() else "scalar",
                                       ["--penalty", "none", "--tol", "1e-10",
                                        "--max-iter", "1000"])
    f_ours = objective(w, b, z, y, 1.0, "none")
    check(rel(f_ours, f_sk) <= 1e-7, f"no penalty: objective rel {rel(f_ours, f_sk):.2e}")
    check(coef_close(w, sk.coef_[0], 1e-4), "no penalty: coefficients within 1e-4")
    check(np.allclose(w0, w / scale, rtol=1e-14, atol=0) and
          abs(b0 - (b - (w / scale) @ mean)) <= 1e-12 * max(1, abs(b0)),
          "coefficients in input units = scaled ones through the stored scaler")
    # probabilities of `logreg predict` against sklearn's on the same rows
    model = os.path.join(tmp, "model.h5")
    scored = os.path.join(tmp, "scored.h5")
    subprocess.run([RETAIN, "logreg", "predict", model, data, "-o", scored, "--quiet"],
                   check=True)
    with h5py.File(scored) as f:
        p = f["churn_probability"][:]
    p_own = 1 / (1 + np.exp(-(b0 + x32 @ w0)))
    check(np.max(np.abs(p - p_own)) <= 1e-6, f"predict: probabilities of the stored model "
          f"(max diff {np.max(np.abs(p - p_own)):.2e})")
    p_sk = sk.predict_proba(z)[:, 1]
    check(np.max(np.abs(p - p_sk)) <= 1e-5, f"predict vs sklearn predict_proba: max diff "
          f"{np.max(np.abs(p - p_sk)):.2e}")
    # sample weights, alone and with balanced class weights
    sw = rng.uniform(0, 3, size=len(y)).astype(np.float32)
    sw[::17] = 0
    with h5py.File(data, "a") as f:
        f.create_dataset("weight", data=sw)
    for balanced in (False, True):
        weight = "balanced" if balanced else None
        sk = LogisticRegression(C=0.3, tol=1e-14, max_iter=1000, solver="newton-cholesky",
                                class_weight=weight).fit(z, y, sample_weight=sw.astype(float))
        cw = len(y) / (2 * np.bincount(y)) if balanced else None
        f_sk = objective(sk.coef_[0], sk.intercept_[0], z, y, 0.3, "l2", cw=cw, sw=sw)
        args = ["-C", "0.3", "--tol", "1e-10", "--sample-weight", "/weight"]
        if balanced:
            args += ["--class-weight", "balanced"]
        s, w, b, _, _, _, _ = fit(tmp, data, "scalar", args)
        f_ours = objective(w, b, z, y, 0.3, "l2", cw=cw, sw=sw)
        tag = f"sample weights{' + balanced' if balanced else ''}"
        check(rel(f_ours, f_sk) <= 1e-7 and rel(s["objective"], f_sk) <= 1e-7,
              f"{tag}: objective rel {rel(f_ours, f_sk):.2e}")
        check(coef_close(np.append(w, b), np.append(sk.coef_[0], sk.intercept_[0]), 1e-4),
              f"{tag}: coefficients within 1e-4")
    # --scale none on data standardised beforehand
    pre = os.path.join(tmp, "prescaled.h5")
    write(pre, z, y, np.float64)
    z32 = z.astype(np.float32).astype(np.float64)
    sk = LogisticRegression(C=0.5, tol=1e-14, max_iter=1000, solver="newton-cholesky").fit(z32, y)
    f_sk = objective(sk.coef_[0], sk.intercept_[0], z32, y, 0.5, "l2")
    s, w, b, _, _, _, _ = fit(tmp, pre, "scalar", ["--scale", "none", "-C", "0.5",
                                                   "--tol", "1e-10"])
    check(rel(objective(w, b, z32, y, 0.5, "l2"), f_sk) <= 1e-7 and
          coef_close(w, sk.coef_[0], 1e-4), "--scale none: objective and coefficients")


def main():
    rng = np.random.default_rng(5)
    with scratch() as tmp:
        l2_cases(tmp, rng)
        l1_cases(tmp, rng)
        other_cases(tmp, rng)
    sys.exit(check.exit_code())


main()
