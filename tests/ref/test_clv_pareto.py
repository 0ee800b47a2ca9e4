"""tests/ref/test_clv_pareto.py: the Pareto/NBD model of src/clv (through
tests/tools/clv_tool) against the published CDNOW results of
../shared/datasets/REFERENCE.md and against the likelihood written here
with scipy (different code, same maths):
  - CDNOW: estimates within 1e-3 relative of r = 0.5533, alpha = 10.578,
    s = 0.6062, beta = 11.669 and the log-likelihood within 0.01 of
    -9594.98, from the customers and from their collapsed (x, t_x, T) rows;
  - log-likelihoods at fixed parameters equal the reference to 1e-10
    relative, where the reference evaluates the note's A0 (Fader, Hardie and
    Lee 2005) as the difference of two scipy.special.hyp2f1 terms, on the
    alpha >= beta or alpha < beta form as the note chooses, in logs; points
    with alpha > beta, alpha < beta and alpha = beta, on CDNOW and on a
    summary with x = 0 and t_x = 0 customers, large x (up to 300) and large
    T (up to 2000);
  - gradients equal a reference that integrates each derivative of the
    likelihood's integral with scipy.integrate.quad, to 1e-8 relative;
  - P(alive) and E[Y(t) | x, t_x, T] equal the reference formulas to 1e-9;
  - where alpha and beta are 500 to 10^8 times apart (scipy's hyp2f1 gives
    NaN or inf there, and retain integrates instead of summing its series),
    the same, with the reference's integral from scipy.integrate.quad.
Exit 77 (skip) without scipy; the CDNOW part skips when the data is absent."""
import os
import sys

from common import Checks, scratch, skip

try:
    import numpy as np
    from scipy.integrate import quad
    from scipy.special import digamma, gammaln, hyp2f1
except ImportError as e:
    skip(e)

from test_clv_cdnow import DATA, close, summary, tool  # noqa: E402

check = Checks()


def log_integral(r, al, s, be, x, tx, T):
    """ln(A0 / (r+s+x)) of the note: its two hypergeometric terms in logs."""
    m = r + s + x
    if al >= be:
        big, b2, d = al, s + 1, al - be
    else:
        big, b2, d = be, r + x, be - al
    l1 = np.log(hyp2f1(m, b2, m + 1, d / (big + tx))) - m * np.log(big + tx)
    l2 = np.log(hyp2f1(m, b2, m + 1, d / (big + T))) - m * np.log(big + T)
    return l1 + np.log(-np.expm1(l2 - l1)) - np.log(m)


def log_integral_quad(r, al, s, be, x, tx, T):
    """The same ln(A0 / (r+s+x)), as int_tx^T (al+u)^-(r+x) (be+u)^-(s+1) du
    by scipy.integrate.quad in w = ln(min(al, be) + u), over its largest
    value on a grid (so nothing underflows)."""
    q = min(al, be)

    def log_f(w):
        u = np.exp(w) - q
        return -(r + x) * np.log(al + u) - (s + 1) * np.log(be + u) + w
    lo, hi = np.log(q + tx), np.log(q + T)
    grid = np.linspace(lo, hi, 2001)
    top = np.max(log_f(grid))
    value = quad(lambda w: np.exp(log_f(w) - top), lo, hi, epsabs=0, epsrel=1e-13, limit=1000,
                 points=grid[200:-1:200])[0]
    return top + np.log(value)


def terms(p, x, tx, T, log_i=log_integral):
    r, al, s, be = p
    alive = -(r + x) * np.log(al + T) - s * np.log(be + T)
    gone = np.log(s) + log_i(r, al, s, be, x, tx, T) if tx < T else -np.inf
    return alive, gone


def ll_pareto(p, rows, log_i=log_integral):
    r, al, s, be = p
    total = 0.0
    for x, tx, T in rows:
        alive, gone = terms(p, x, tx, T, log_i)
        total += (gammaln(r + x) - gammaln(r) + r * np.log(al) + s * np.log(be) +
                  np.logaddexp(alive, gone))
    return total


def grad_pareto(p, rows, counts=None, log_i=log_integral):
    """The gradient with each derivative of the integral I by quadrature."""
    r, al, s, be = p
    g = np.zeros(4)
    for i, (x, tx, T) in enumerate(rows):
        w = 1.0 if counts is None else counts[i]
        alive, gone = terms(p, x, tx, T, log_i)
        lse = np.logaddexp(alive, gone)
        wa, wg = np.exp(alive - lse), np.exp(gone - lse)
        g += w * np.array([digamma(r + x) - digamma(r) + np.log(al) - wa * np.log(al + T),
              r / al - wa * (r + x) / (al + T),
              np.log(be) - wa * np.log(be + T),
              s / be - wa * s / (be + T)])
        if tx < T:
            def f(u, k):  # the integrand over its value at tx, times a factor k
                lf = -(r + x) * np.log((al + u) / (al + tx)) - (s + 1) * np.log((be + u) /
                                                                             (be + tx))
                return np.exp(lf) * k(u)
            opts = dict(epsabs=0, epsrel=1e-13, limit=500)
            base = quad(f, tx, T, args=(lambda u: 1.0,), **opts)[0]
            parts = [quad(f, tx, T, args=(k,), **opts)[0] / base for k in (
                lambda u: -np.log(al + u), lambda u: -(r + x) / (al + u),
                lambda u: -np.log(be + u), lambda u: -(s + 1) / (be + u))]
            parts[2] += 1 / s
            g += w * wg * np.array(parts)
    return g


def expected(p, t, x, tx, T, log_i=log_integral):
    r, al, s, be = p
    alive, gone = terms(p, x, tx, T, log_i)
    p_alive = 1 / (1 + np.exp(gone - alive))
    e = ((r + x) * (be + T) / ((al + T) * (s - 1)) *
         (1 - ((be + T) / (be + T + t)) ** (s - 1)) * p_alive)
    return p_alive, e


def write(path, rows):
    np.savetxt(path, np.column_stack([rows, np.zeros(len(rows)), np.ones(len(rows))]),
               fmt="%.17g")


def cdnow(d):
    if not os.path.exists(DATA):
        print(f"skip (CDNOW part): {DATA} is absent")
        return
    s, _ = summary()
    rows = s[["x", "tx", "T"]].values
    distinct, counts = np.unique(rows, axis=0, return_counts=True)
    path = os.path.join(d, "cdnow.txt")
    write(path, rows)
    want = [0.5533, 10.578, 0.6062, 11.669]
    for how in ((), ("collapse",)):
        f = tool("fit", "pareto", path, *how)
        check(all(close(g, w, 1e-3) for g, w in zip(f["params"], want)) and f["converged"] and
              abs(f["loglik"] + 9594.98) <= 0.01,
              f"Pareto/NBD on CDNOW ({f['rows']} rows): {np.round(f['params'], 5).tolist()} "
              f"vs {want}, log-likelihood {f['loglik']:.4f} vs -9594.98")
    for p in ([0.5533, 10.578, 0.6062, 11.669], [0.4, 15.0, 0.9, 6.0], [1.2, 3.0, 0.3, 3.0]):
        got = tool("loglik", "pareto", path, *p)
        ref = ll_pareto(p, rows)
        check(close(got["loglik"], ref, 1e-10), f"CDNOW log-likelihood at {p}: "
              f"{got['loglik']:.10f} vs scipy {ref:.10f}")
        g = grad_pareto(p, distinct, counts)
        rel = np.max(np.abs(np.array(got["grad"]) - g) / np.maximum(np.abs(g), 1e-3))
        check(rel <= 1e-8, f"CDNOW gradient at {p} vs quadrature ({rel:.1e}): "
              f"{np.round(got['grad'], 6).tolist()}")


EXTREME_ROWS = np.array([[0, 0, 0], [0, 0, 39], [0, 0, 2000], [1, 0, 5], [1, 30, 30],
                         [3, 12.5, 40], [12, 38, 39], [40, 100, 300], [60, 5, 2000],
                         [150, 700, 2000], [300, 1990, 2000], [300, 20, 2000], [7, 2, 1500]],
                        dtype=float)


def extremes(d, points, log_i, what):
    rows = EXTREME_ROWS
    path = os.path.join(d, "extremes.txt")
    write(path, rows)
    for p in points:
        got = tool("loglik", "pareto", path, *p)
        ref = ll_pareto(p, rows, log_i)
        check(close(got["loglik"], ref, 1e-10), f"log-likelihood of x = 0..300, T to 2000 at "
              f"{p}: {got['loglik']:.10f} vs {what} {ref:.10f}")
        g = grad_pareto(p, rows, log_i=log_i)
        rel = np.max(np.abs(np.array(got["grad"]) - g) / np.abs(g))
        check(rel <= 1e-8, f"gradient at {p} vs quadrature ({rel:.1e}): "
              f"{np.round(got['grad'], 6).tolist()}")
        for x, tx, T in rows[[1, 4, 5, 7, 9]]:
            e = tool("predict", "pareto", 39, x, tx, T, *p)
            pa, ey = expected(p, 39, x, tx, T, log_i)
            check(close(e["p_alive"], pa, 1e-9) and close(e["expected"], ey, 1e-9),
                  f"P(alive), E[Y(39)] of ({x:g}, {tx:g}, {T:g}) at {p}: {e['p_alive']:.8f}, "
                  f"{e['expected']:.8f} vs {pa:.8f}, {ey:.8f}")


def main():
    with scratch() as d:
        cdnow(d)
        extremes(d, ([0.55, 10.6, 0.61, 11.7], [0.3, 40.0, 1.4, 2.5], [2.0, 1.5, 0.7, 60.0],
                     [0.8, 5.0, 0.5, 5.0]), log_integral, "scipy hyp2f1")
        extremes(d, ([0.5, 2.0, 2.0, 20000.0], [0.6, 74.0, 0.3, 1e6], [1.5, 3e5, 0.8, 20.0],
                     [0.4, 0.05, 1.2, 900.0], [0.3, 1e-3, 0.5, 50.0], [0.7, 1e-4, 0.9, 1e4]),
                 log_integral_quad, "scipy quad")
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
