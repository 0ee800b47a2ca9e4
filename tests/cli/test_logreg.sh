# tests/cli/test_logreg.sh: `retain logreg fit|predict|eval` end to end, and
# every refusal with its exit code (1 usage, 2 bad data) and a message naming
# what is wrong. Fit on generated users: coefficient table, training and
# cross-validated metrics, --json fields; the model is byte-identical for
# --threads 1 and 2 (and with --cv); predict writes ids, probabilities and
# tiers by cut points and by top-percent bands; eval on the same rows gives
# the training metrics again. Bad input: labels other than 0/1 (the values
# found are listed), one class only, perfectly separable data without a
# penalty (a warning and a finite model), NaN/Inf features (row and column),
# a label of another length than the features, a negative sample weight,
# max-iter reached (warning in text and --json), a model of another kind,
# features that differ from the model's, damaged model files (newer format,
# missing or short coefficients, NaN, a zero scale, no kind, truncated, not
# HDF5), bad options. Refused runs leave no output behind.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" logreg

"$RETAIN" gen users -n 30000 -d 6 -k 3 --seed 3 -q -o users.h5 &&
"$RETAIN" kmeans fit users.h5 -k 2 -q -o kmeans.h5 || { echo "FAIL: setup" >&2; exit 1; }

# ---- fit, predict, eval ----------------------------------------------------
expect 0 "coef (scaled)|recency_days|intercept|training metrics|ROC AUC|cross-validation, 3 stratified folds|roc_auc|wrote model.h5" \
    "$RETAIN" logreg fit users.h5 --label /churned -o model.h5 --cv 3
expect 0 "" "$RETAIN" logreg fit users.h5 -o json.h5 --cv 3 --json --seed 9
"$PYTHON" - <<'PY' || fail "fit --json fields"
import json
s = json.loads(open("out").readline())
assert s["converged"] and s["warnings"] == [], s
assert len(s["coefficients"]) == 6 and s["d"] == 6 and s["n"] == 30000
sizes = [abs(c["coef"]) for c in s["coefficients"]]
assert sizes == sorted(sizes, reverse=True), "coefficients sorted by size"
assert 0.5 < s["train"]["roc_auc"] < 1 and len(s["train"]["deciles"]) == 10
assert len(s["train"]["calibration"]) == 10
cv = s["cv"]
assert cv["folds"] == 3 and len(cv["roc_auc"]["per_fold"]) == 3 and cv["roc_auc"]["sd"] >= 0
assert abs(cv["roc_auc"]["mean"] - s["train"]["roc_auc"]) < 0.02
PY
for t in 1 2; do
    "$RETAIN" logreg fit users.h5 -o t$t.h5 -q --threads $t --cv 3 --json >cv$t.json ||
        fail "fit --threads $t"
done
cmp -s t1.h5 t2.h5 || fail "models differ between --threads 1 and --threads 2"
"$PYTHON" -c "
import json
a, b = (json.load(open(f'cv{t}.json')) for t in (1, 2))
assert a['cv'] == b['cv'] and a['objective'] == b['objective']" ||
    fail "cross-validation or objective differ between --threads 1 and 2"

expect 0 "wrote scored.h5|tier 0|tier 2" "$RETAIN" logreg predict model.h5 users.h5 -o scored.h5
expect 0 "" "$RETAIN" logreg predict model.h5 users.h5 -o top.h5 --top-percent 5,20 -q
expect 0 "decile|cumulative gain|calibration|ROC AUC" "$RETAIN" logreg eval model.h5 users.h5
expect 0 "" "$RETAIN" logreg eval model.h5 users.h5 --json
"$PYTHON" - <<'PY' || fail "predict outputs / eval metrics"
import json, h5py, numpy as np
with h5py.File("scored.h5") as f, h5py.File("users.h5") as u, h5py.File("top.h5") as t:
    assert (f["user_id"][:] == u["user_id"][:]).all()
    p, risk = f["churn_probability"][:], f["churn_risk"][:]
    assert p.dtype == np.float32 and risk.dtype == np.int8 and len(p) == 30000
    assert (risk == (p >= 0.3).astype(int) + (p >= 0.6)).all(), "tiers from cut points 0.3,0.6"
    top = t["churn_risk"][:]
    assert (top == 2).sum() == 1500 and (top == 1).sum() == 4500, "top 5% and next 15%"
    assert p[top == 2].min() >= p[top == 0].max()
ev = json.loads(open("out").readline())["metrics"]
fit = json.load(open("cv1.json"))["train"]
for k in ("roc_auc", "pr_auc", "log_loss", "brier", "f1"):
    assert abs(ev[k] - fit[k]) <= 1e-12, (k, ev[k], fit[k])
PY

# ---- help ---------------------------------------------------------------------
for c in fit predict eval; do
    expect 0 "usage: retain logreg $c|example" "$RETAIN" logreg $c --help
done

# ---- bad input ------------------------------------------------------------------
"$PYTHON" - <<'PY' || { echo "FAIL: building fixtures" >&2; exit 1; }
import h5py, numpy as np
rng = np.random.default_rng(1)
x = rng.normal(size=(500, 3)).astype(np.float32)
y = (x[:, 0] + rng.normal(size=500) > 0).astype(np.int8)
def write(path, x, y):
    with h5py.File(path, "w") as f:
        f["features"] = x
        f["churned"] = y
write("ok.h5", x, y)
with h5py.File("ok.h5", "a") as f:
    w = np.ones(500, np.float32); w[4] = -1
    f["w"] = w
yb = y.astype(np.float64); yb[7] = 2; yb[9] = -1; yb[11] = 0.5
write("labels.h5", x, yb)
write("oneclass.h5", x, np.ones(500, np.int8))
write("short.h5", x, y[:499])
xs = x.copy(); ys = (xs[:, 1] > 0).astype(np.int8)
write("separable.h5", xs, ys)
for name, v in (("nan.h5", np.nan), ("inf.h5", np.inf)):
    xn = x.copy(); xn[123, 2] = v
    write(name, xn, y)
with h5py.File("fewer.h5", "w") as f:
    f["features"] = x[:, :2]
PY
expect 2 "labels must be 0 or 1|2, -1, 0.5|first at row 7" "$RETAIN" logreg fit labels.h5 -o m.h5
expect 2 "one class only|every row is 1" "$RETAIN" logreg fit oneclass.h5 -o m.h5
expect 2 "/churned|499|500 rows" "$RETAIN" logreg fit short.h5 -o m.h5
expect 2 "row 123|column 2" "$RETAIN" logreg fit nan.h5 -o m.h5
expect 2 "row 123|column 2" "$RETAIN" logreg fit inf.h5 -o m.h5
expect 2 "/nolabel" "$RETAIN" logreg fit ok.h5 --label /nolabel -o m.h5
expect 2 "sample weight /w row 4 is -1" "$RETAIN" logreg fit ok.h5 --sample-weight /w -o m.h5
[ -e m.h5 ] && fail "a refused fit left m.h5"
expect 0 "warning|perfectly separable|--penalty none" \
    "$RETAIN" logreg fit separable.h5 --penalty none --max-iter 50 -o sep.h5
expect 0 "" "$RETAIN" logreg fit separable.h5 --penalty none --max-iter 50 -o sep.h5 --json
"$PYTHON" - <<'PY' || fail "separable: warnings in --json and finite coefficients"
import json, math, h5py
s = json.loads(open("out").readline())
assert "separable" in s["warnings"], s["warnings"]
assert all(math.isfinite(c["coef"]) for c in s["coefficients"])
with h5py.File("sep.h5") as m:
    assert all(math.isfinite(v) for v in m["coef"][:])
PY
expect 0 "warning|--max-iter 2" "$RETAIN" logreg fit ok.h5 --max-iter 2 -o m2.h5
expect 0 "\"warnings\":[\"max_iter\"]|\"converged\":false" \
    "$RETAIN" logreg fit ok.h5 --max-iter 2 -o m2.h5 --json
expect 1 "--penalty|l2, l1, elasticnet or none" "$RETAIN" logreg fit ok.h5 --penalty l3 -o m.h5
expect 1 "--class-weight" "$RETAIN" logreg fit ok.h5 --class-weight 1 -o m.h5
expect 1 "--scale" "$RETAIN" logreg fit ok.h5 --scale minmax -o m.h5
expect 1 "-C" "$RETAIN" logreg fit ok.h5 -C 0 -o m.h5
expect 1 "--cuts|increase" "$RETAIN" logreg predict model.h5 users.h5 --cuts 0.6,0.3 -o p.h5
expect 1 "exclude each other" "$RETAIN" logreg predict model.h5 users.h5 --cuts 0.5 \
    --top-percent 10 -o p.h5
expect 2 "kmeans model, not a logistic-regression model" \
    "$RETAIN" logreg predict kmeans.h5 users.h5 -o p.h5
expect 2 "does not have the features|missing" "$RETAIN" logreg predict model.h5 fewer.h5 -o p.h5
expect 2 "labels must be 0 or 1" "$RETAIN" logreg eval m2.h5 labels.h5

# damaged or foreign model files
"$PYTHON" - <<'PY' || { echo "FAIL: building damaged models" >&2; exit 1; }
import shutil, h5py, numpy as np
for name in ("future", "nocoef", "shortcoef", "nancoef", "badscale", "nokind"):
    shutil.copy("m2.h5", name + ".h5")
with h5py.File("future.h5", "a") as f:
    f["meta"].attrs["format_version"] = 99
with h5py.File("nocoef.h5", "a") as f:
    del f["coef"]
with h5py.File("shortcoef.h5", "a") as f:
    del f["coef"]; f["coef"] = np.zeros(2)
with h5py.File("nancoef.h5", "a") as f:
    f["coef"][1] = np.nan
with h5py.File("badscale.h5", "a") as f:
    f["scaler/scale"][0] = 0
with h5py.File("nokind.h5", "a") as f:
    del f["meta"].attrs["kind"]
data = open("m2.h5", "rb").read()
open("truncated.h5", "wb").write(data[: len(data) // 2])
open("text.h5", "w").write("not a model\n")
PY
expect 2 "future.h5|format 99|newer" "$RETAIN" logreg predict future.h5 ok.h5 -o p.h5
expect 2 "nocoef.h5|damaged|/coef" "$RETAIN" logreg predict nocoef.h5 ok.h5 -o p.h5
expect 2 "shortcoef.h5|damaged" "$RETAIN" logreg eval shortcoef.h5 ok.h5
expect 2 "nancoef.h5|NaN" "$RETAIN" logreg predict nancoef.h5 ok.h5 -o p.h5
expect 2 "badscale.h5|scale <= 0" "$RETAIN" logreg predict badscale.h5 ok.h5 -o p.h5
expect 2 "nokind.h5|no kind" "$RETAIN" logreg predict nokind.h5 ok.h5 -o p.h5
expect 2 "truncated.h5" "$RETAIN" logreg predict truncated.h5 ok.h5 -o p.h5
expect 2 "text.h5" "$RETAIN" logreg eval text.h5 ok.h5
[ -e p.h5 ] && fail "a refused predict left p.h5"

finish "logreg fit/predict/eval"
