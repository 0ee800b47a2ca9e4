"""tests/ref/test_rules_reference.py: `retain rules` against published and
independent numbers. (1) Every row of ../shared/datasets/REFERENCE.md:
frequent itemset counts on retail.dat and T10I4D100K.dat, rule counts at
two confidences, and the highest-lift rule on retail.dat with its support,
confidence and lift; skipped with a message when the folder is absent.
(2) groceries.csv (item names, padded with empty fields) against a
level-wise Apriori written here over Python sets: every frequent itemset
and its count, and every rule with all six measures recomputed with
numpy from those counts. (3) The same baskets given as .dat, long CSV and
HDF5 CSR (h5py) give the same itemsets as the names file. Exit 77 (skip)
without numpy, pandas or h5py."""
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile

from common import Checks, retain_binary, skip

try:
    import h5py
    import numpy as np
    import pandas as pd
except ImportError as e:
    skip(e)

RETAIN = retain_binary()
SHARED = os.environ.get("SHARED", os.path.join(os.path.dirname(__file__), "../../../shared"))
DATA = os.path.join(SHARED, "datasets")
if not os.path.isdir(DATA):
    skip(f"{DATA} is absent; the reference data sets are not on this machine")

check = Checks()


def rules(path, out, *args):
    r = subprocess.run([RETAIN, "rules", path, "-o", out, "--json", "--quiet", *map(str, args)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"retain rules {path} {args} failed: {r.stderr}")
    return json.loads(r.stdout)


def items_of(field):
    return frozenset(str(field).split(","))


tmp = tempfile.mkdtemp(dir=os.environ.get("TMPROOT"))

# (1) REFERENCE.md
itemset_rows = [("retail.dat", 0.01, 159), ("retail.dat", 0.001, 7589),
                ("retail.dat", 0.0005, 19242), ("retail.dat", 0.0001, 240852),
                ("T10I4D100K.dat", 0.01, 385), ("T10I4D100K.dat", 0.001, 27532),
                ("T10I4D100K.dat", 0.0001, 411365)]
for name, s, want in itemset_rows:
    path = os.path.join(DATA, name)
    if not os.path.exists(path):
        print(f"skip: {path} absent")
        continue
    out = os.path.join(tmp, "sets.csv")
    j = rules(path, out, "--min-support", s, "--itemsets-only")
    lines = sum(1 for _ in open(out)) - 1
    check(j["itemsets"] == want and lines == want,
          f"{name} at {s:g}: {j['itemsets']} itemsets, {lines} lines; REFERENCE.md {want}")

rule_rows = [("retail.dat", 0.001, 0.5, 6192), ("retail.dat", 0.001, 0.8, 727),
             ("T10I4D100K.dat", 0.001, 0.5, 333757), ("T10I4D100K.dat", 0.001, 0.8, 277263)]
for name, s, c, want in rule_rows:
    path = os.path.join(DATA, name)
    if not os.path.exists(path):
        continue
    out = os.path.join(tmp, "rules.csv")
    j = rules(path, out, "--min-support", s, "--min-confidence", c)
    check(j["rules"] == want, f"{name} at {s:g} / {c}: {j['rules']} rules; REFERENCE.md {want}")
    if name == "retail.dat" and c == 0.5:
        top = pd.read_csv(out, nrows=1, dtype={"antecedent": str, "consequent": str})
        r = top.iloc[0]
        check(items_of(r.antecedent) == {"3311", "795"} and items_of(r.consequent) == {"1818", "1819"}
              and round(r.support, 6) == 0.001089 and round(r.confidence, 6) == 0.653061
              and round(r.lift, 4) == 397.0702,
              f"highest-lift rule {r.antecedent} -> {r.consequent} support {r.support:.6f} "
              f"confidence {r.confidence:.6f} lift {r.lift:.4f}")

# (2) groceries.csv against Apriori over Python sets
groceries = os.path.join(DATA, "groceries.csv")
baskets = []
with open(groceries) as f:
    for line in f:
        baskets.append(frozenset(x.strip() for x in line.rstrip("\n").split(",") if x.strip()))
n = len(baskets)
min_support = 0.01
min_count = next(c for c in range(1, n + 1) if c / n >= min_support)
counts = {}
level = {}
for b in baskets:
    for i in b:
        level[frozenset([i])] = level.get(frozenset([i]), 0) + 1
level = {k: v for k, v in level.items() if v >= min_count}
while level:
    counts.update(level)
    keys = list(level)
    cands = {a | b for a, b in itertools.combinations(keys, 2) if len(a | b) == len(a) + 1}
    cands = {c for c in cands if all(c - {i} in level for i in c)}
    nxt = {c: 0 for c in cands}
    for b in baskets:
        for c in cands:
            if c <= b:
                nxt[c] += 1
    level = {k: v for k, v in nxt.items() if v >= min_count}

out = os.path.join(tmp, "g.csv")
j = rules(groceries, out, "--min-support", min_support, "--itemsets-only")
got = pd.read_csv(out, dtype={"items": str})
mine = {items_of(r["items"]): r["count"] for _, r in got.iterrows()}
check(j["baskets"] == n == 9835, f"groceries: {j['baskets']} baskets, Python {n}")
check(mine == counts, f"groceries at 1%: {len(mine)} itemsets = Apriori's {len(counts)}, same counts")
check(np.allclose(got.support, got["count"] / n, rtol=0, atol=1e-12), "support = count / baskets")

out = os.path.join(tmp, "gr.jsonl")
j = rules(groceries, out, "--min-support", min_support, "--min-confidence", 0.1,
          "--sort-by", "confidence")
want = []
for x, cx in counts.items():
    for k in range(1, len(x)):
        for a in map(frozenset, itertools.combinations(sorted(x), k)):
            c = x - a
            sa, sc, sac = counts[a] / n, counts[c] / n, cx / n
            if sac / sa >= 0.1:
                want.append((a, c, sa, sc, sac))
got = [json.loads(line) for line in open(out)]
check(len(got) == len(want) == j["rules"], f"groceries rules at 0.1: {len(got)}, Python {len(want)}")
ref = {(a, c): (sa, sc, sac) for a, c, sa, sc, sac in want}
worst = 0.0
conf_prev = 2.0
ok_keys = True
for r in got:
    key = (frozenset(r["antecedent"]), frozenset(r["consequent"]))
    if key not in ref:
        ok_keys = False
        continue
    sa, sc, sac = ref[key]
    conf = sac / sa
    lift = conf / sc
    lev = sac - sa * sc
    conv = np.inf if conf >= 1 else (1 - sc) / (1 - conf)
    den = max(sac * (1 - sa), sa * (sc - sac))
    zhang = 0.0 if den == 0 else lev / den
    exp = [sa, sc, sac, conf, lift, lev, conv, zhang]
    gotv = [r["antecedent_support"], r["consequent_support"], r["support"], r["confidence"],
            r["lift"], r["leverage"], r["conviction"] if r["conviction"] is not None else np.inf,
            r["zhangs_metric"]]
    for e, g in zip(exp, gotv):
        if np.isfinite(e):
            worst = max(worst, abs(e - g) / max(abs(e), 1e-300))
    ok_keys &= r["confidence"] <= conf_prev + 1e-15
    conf_prev = r["confidence"]
check(ok_keys, "every rule is one Python finds, sorted by confidence")
check(worst < 1e-9, f"six measures as Python computes them (worst relative error {worst:.2e})")

# (3) one basket set in four formats
names = sorted({i for b in baskets for i in b})
ids = {nm: k for k, nm in enumerate(names)}
dat = os.path.join(tmp, "g.dat")
with open(dat, "w") as f:
    for b in baskets:
        f.write(" ".join(str(ids[i]) for i in b) + "\n")
long_csv = os.path.join(tmp, "g_long.csv")
pd.DataFrame([(bi, i) for bi, b in enumerate(baskets) for i in b],
             columns=["basket_id", "item"]).sample(frac=1, random_state=1).to_csv(long_csv, index=False)
h5 = os.path.join(tmp, "g.h5")
indptr = np.cumsum([0] + [len(b) for b in baskets]).astype(np.int64)
indices = np.array([ids[i] for b in baskets for i in sorted(b)], dtype=np.int32)
with h5py.File(h5, "w") as f:
    f["baskets/indptr"] = indptr
    f["baskets/indices"] = indices
    f["baskets/item_names"] = np.array(names, dtype=h5py.string_dtype())
for path, to_name in [(dat, lambda s: names[int(s)]), (long_csv, str), (h5, str)]:
    out = os.path.join(tmp, "fmt.csv")
    rules(path, out, "--min-support", min_support, "--itemsets-only")
    got = pd.read_csv(out, dtype={"items": str})
    other = {frozenset(map(to_name, str(r["items"]).split(","))): r["count"] for _, r in got.iterrows()}
    check(other == counts, f"{os.path.basename(path)}: the same {len(other)} itemsets and counts")

shutil.rmtree(tmp, ignore_errors=True)
sys.exit(check.exit_code())
