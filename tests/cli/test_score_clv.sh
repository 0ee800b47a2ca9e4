# tests/cli/test_score_clv.sh: `retain score --clv` on a generated purchase
# log of 40,000 customers through `features --with-clv`. /p_alive,
# /expected_purchases and /clv equal `clv predict`'s for the same users, date
# and horizon bit for bit (the same summary, read as the float64 it is
# stored as, and the same src/clv code); --threads 1 and 2 and a small
# --memory (several blocks) give identical files; the --json summary equals
# the bands and totals recomputed from the output; segment and churn models
# fitted without the clv_* columns still score the wider file (columns
# selected by name) with the answers they give on the plain file; --clv
# alone works, and without a spend model leaves /clv out. Refusals: a model
# in another time unit or counting other occasions, an input without the
# clv_* columns (exit 2, pointing at features --with-clv), a row that is no
# summary and a NaN (exit 2 naming the row; --skip-invalid scores the rest),
# and a failed run leaves an earlier OUT untouched and no temporary file.
set -u
. "$(dirname "$0")/lib.sh" score_clv

"$RETAIN" gen transactions -n 40000 --seed 11 -q -o log.csv || fail "gen transactions"
"$RETAIN" clv fit log.csv --calibration-end 2025-06-30 -q -o clv.h5 >/dev/null ||
    fail "clv fit"
"$RETAIN" clv fit log.csv --calibration-end 2025-06-30 --spend none -q -o nospend.h5 \
    >/dev/null || fail "clv fit --spend none"
"$RETAIN" clv fit log.csv --calibration-end 2025-06-30 --time-unit day -q -o days.h5 \
    >/dev/null || fail "clv fit --time-unit day"
"$RETAIN" clv fit log.csv --calibration-end 2025-06-30 --occasion order -q -o orders.h5 \
    >/dev/null || fail "clv fit --occasion order"
"$RETAIN" features log.csv --asof 2025-07-01 -q -o plain.h5 || fail "features"
"$RETAIN" features log.csv --asof 2025-07-01 --with-clv clv.h5 -q -o feat.h5 ||
    fail "features --with-clv"
"$RETAIN" kmeans fit plain.h5 -k 3 --seed 1 -q -o seg.h5 >/dev/null || fail "kmeans fit"
"$RETAIN" logreg fit plain.h5 --label /churned -q -o churn.h5 >/dev/null || fail "logreg fit"
"$RETAIN" clv predict clv.h5 log.csv --asof 2025-07-01 --horizon 39w -q -o pred.h5 ||
    fail "clv predict"

expect 0 "wrote all.h5|P(alive)|>= 0.9|total CLV over 39w" \
    "$RETAIN" score --segments seg.h5 --churn churn.h5 --clv clv.h5 --horizon 39w feat.h5 \
    -o all.h5
"$RETAIN" score --segments seg.h5 --churn churn.h5 plain.h5 -o models.h5 -q ||
    fail "score the plain file"
for t in 1 2; do
    "$RETAIN" score --segments seg.h5 --churn churn.h5 --clv clv.h5 --horizon 39w feat.h5 \
        -o t$t.h5 -q --threads $t || fail "--threads $t"
done
"$RETAIN" score --segments seg.h5 --churn churn.h5 --clv clv.h5 --horizon 39w feat.h5 \
    -o small.h5 --memory 56M --json >small.json || fail "--memory 56M"
"$RETAIN" score --clv clv.h5 --horizon 39w feat.h5 -o alone.h5 --json >alone.json ||
    fail "--clv alone"
expect 0 "no spend model|no /clv written" \
    "$RETAIN" score --clv nospend.h5 --horizon 39w feat.h5 -o nospend_out.h5

"$PYTHON" - <<'PY' || fail "score --clv outputs (see above)"
import json, sys
import h5py, numpy as np
bad = []
def read(path):
    with h5py.File(path) as f:
        return {k: f[k][()] for k in f if isinstance(f[k], h5py.Dataset)}, dict(f.attrs)
out, attrs = read("all.h5")
pred, _ = read("pred.h5")
models, _ = read("models.h5")
at = np.searchsorted(pred["user_id"], out["user_id"])
if not np.array_equal(pred["user_id"][at], out["user_id"]):
    bad.append("score's users are not all among clv predict's")
for name in ("p_alive", "expected_purchases", "clv"):
    if out[name].dtype != np.float64 or not np.array_equal(out[name], pred[name][at]):
        bad.append(f"/{name} differs from clv predict's")
for name in ("user_id", "segment", "segment_distance", "churn_probability", "churn_risk"):
    if not np.array_equal(out[name], models[name]):
        bad.append(f"/{name} differs from the score of the file without clv_* columns")
for other in ("t1.h5", "t2.h5", "small.h5"):
    o, _ = read(other)
    if sorted(o) != sorted(out) or any(not np.array_equal(o[k], out[k]) for k in o):
        bad.append(f"{other} differs from all.h5")
for key, want in (("clv_time_unit", "week"), ("clv_horizon", "39w"), ("clv_model", "clv.h5")):
    if attrs.get(key) != want:
        bad.append(f"attribute {key}: {attrs.get(key)!r}, expected {want!r}")
j = json.load(open("small.json"))
if j["block_rows"] * 2 > j["rows"]:
    bad.append(f"--memory 56M should give several blocks: {j['block_rows']} of {j['rows']} rows")
c = j["clv"]
p, e = out["p_alive"], out["expected_purchases"]
edges = [0.0, 0.1, 0.5, 0.9, 1.0]
for b, band in enumerate(c["p_alive_bands"]):
    sel = (p >= edges[b]) & ((p < edges[b + 1]) if b < 3 else True)
    if band["users"] != sel.sum() or abs(band["expected_purchases"] - e[sel].sum()) > 1e-9 * e.sum():
        bad.append(f"band {b}: {band}, the output has {sel.sum()} users")
if abs(c["expected_purchases"] - e.sum()) > 1e-9 * e.sum() or \
        abs(c["clv"] - out["clv"].sum()) > 1e-9 * out["clv"].sum():
    bad.append(f"totals {c['expected_purchases']}, {c['clv']} vs {e.sum()}, {out['clv'].sum()}")
a, _ = read("alone.h5")
ja = json.load(open("alone.json"))
if sorted(a) != ["clv", "expected_purchases", "p_alive", "user_id"] or \
        any(not np.array_equal(a[k], out[k]) for k in a) or "segments" in ja or \
        ja["clv"] != j["clv"]:
    bad.append(f"--clv alone: {sorted(a)}, summary {ja.get('clv')}")
n, _ = read("nospend_out.h5")
if sorted(n) != ["expected_purchases", "p_alive", "user_id"]:
    bad.append(f"--clv without a spend model wrote {sorted(n)}")
print("\n".join(bad), file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# Refusals, each leaving an earlier keep.h5 as it was and no temporary file.
cp all.h5 keep.h5
expect 2 "count time in weeks|fitted in days" \
    "$RETAIN" score --clv days.h5 feat.h5 -o keep.h5
expect 2 "count day occasions|fitted on order occasions" \
    "$RETAIN" score --clv orders.h5 feat.h5 -o keep.h5
expect 2 "plain.h5:/features lacks the columns --clv reads|retain features|--with-clv clv.h5" \
    "$RETAIN" score --segments seg.h5 --clv clv.h5 plain.h5 -o keep.h5
"$PYTHON" - <<'PY' || fail "making the damaged copies"
import shutil
import h5py, numpy as np
for name in ("bad.h5", "nan.h5", "nounit.h5"):
    shutil.copy("feat.h5", name)
    with h5py.File(name, "r+") as f:
        d = f["features"]
        names = [n.decode() if isinstance(n, bytes) else n for n in d.attrs["feature_names"]]
        row = d[30000]
        if name == "bad.h5":  # t_x beyond T: no customer's summary
            row[names.index("clv_t_x")] = row[names.index("clv_T")] + 1
        elif name == "nan.h5":
            row[names.index("clv_T")] = np.nan
        else:
            del f.attrs["clv_time_unit"]
        d[30000] = row
PY
expect 2 "no attribute clv_time_unit|--with-clv" \
    "$RETAIN" score --clv clv.h5 nounit.h5 -o keep.h5
expect 2 "bad.h5:/features row 30000 (counting from 0)|is not a customer summary|--skip-invalid" \
    "$RETAIN" score --churn churn.h5 --clv clv.h5 bad.h5 -o keep.h5 --memory 56M
expect 2 "nan.h5:/features row 30000 (counting from 0)|(clv_T) is NaN" \
    "$RETAIN" score --clv clv.h5 nan.h5 -o keep.h5 --memory 56M
cmp -s all.h5 keep.h5 || fail "a refused run changed keep.h5"
ls keep.h5.tmp* >/dev/null 2>&1 && fail "a refused run left a temporary file"
expect 0 "1 rows with NaN/Inf" \
    "$RETAIN" score --churn churn.h5 --clv clv.h5 --horizon 39w nan.h5 -o skipped.h5 \
    --skip-invalid
"$PYTHON" - <<'PY' || fail "--skip-invalid"
import sys
import h5py, numpy as np
with h5py.File("skipped.h5") as s, h5py.File("all.h5") as a:
    p, q = s["p_alive"][()], a["p_alive"][()]
    ok = np.isnan(p[30000]) and s["churn_risk"][30000] == -1 and \
        np.array_equal(np.delete(p, 30000), np.delete(q, 30000))
sys.exit(0 if ok else 1)
PY

expect 1 "--columns selects the features" \
    "$RETAIN" score --clv clv.h5 feat.h5 -o x.h5 --columns clv_x
expect 1 "--horizon expects a duration" \
    "$RETAIN" score --clv clv.h5 feat.h5 -o x.h5 --horizon soon
expect 1 "clv.h5" "$RETAIN" score --clv clv.h5 feat.h5 -o clv.h5
[ -e x.h5 ] && fail "a refused run wrote x.h5"

finish score_clv
