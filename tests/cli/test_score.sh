# tests/cli/test_score.sh: `retain score` on a generated 200,000-user file.
# Its datasets equal those of `kmeans predict` and `logreg predict` bit for
# bit (the same readers and model code); two runs, --threads 1 and 2, and a
# small --memory (many blocks) give identical datasets; the --json summary
# equals the counts and probability sums recomputed from the output; either
# model alone works; an input with more columns than the models' is scored
# on the models' columns, selected by name (as kmeans predict --columns);
# refusals: models fitted on different features (exit 2, the difference
# listed), an input without the models' features (exit 2),
# --memory too small or malformed, bad --cuts, no model (exit 1).
set -u
. "$(dirname "$0")/lib.sh" score

"$RETAIN" gen users -n 200000 -d 8 -k 4 --seed 7 -q -o users.h5 || fail "gen users"
"$RETAIN" kmeans fit users.h5 -k 4 --seed 1 -q -o seg.h5 >/dev/null || fail "kmeans fit"
"$RETAIN" logreg fit users.h5 -q -o churn.h5 >/dev/null || fail "logreg fit"
"$RETAIN" kmeans predict seg.h5 users.h5 -q -o kp.h5 || fail "kmeans predict"
"$RETAIN" logreg predict churn.h5 users.h5 -q -o lp.h5 || fail "logreg predict"

expect 0 "wrote out.h5|segment|medium|exp.churners" \
    "$RETAIN" score --segments seg.h5 --churn churn.h5 users.h5 -o out.h5
"$RETAIN" score --segments seg.h5 --churn churn.h5 users.h5 -o again.h5 -q || fail "second run"
for t in 1 2; do
    "$RETAIN" score --segments seg.h5 --churn churn.h5 users.h5 -o t$t.h5 -q --threads $t ||
        fail "--threads $t"
done
"$RETAIN" score --segments seg.h5 --churn churn.h5 users.h5 -o small.h5 --json \
    --memory 56M --threads 2 >small.json || fail "--memory 56M"
"$RETAIN" score --segments seg.h5 users.h5 -o segonly.h5 -q || fail "--segments alone"
"$RETAIN" score --churn churn.h5 users.h5 -o churnonly.h5 --json >churnonly.json ||
    fail "--churn alone"

"$PYTHON" - <<'PY' || fail "score outputs (see above)"
import json, sys
import h5py, numpy as np
bad = []
def read(path):
    with h5py.File(path) as f:
        return {k: f[k][:] for k in f}, dict(f.attrs)
out, attrs = read("out.h5")
kp, _ = read("kp.h5")
lp, _ = read("lp.h5")
for name, ref in (("user_id", kp), ("segment", kp), ("segment_distance", kp),
                  ("churn_probability", lp), ("churn_risk", lp)):
    if out[name].dtype != ref[name].dtype or not np.array_equal(out[name], ref[name]):
        bad.append(f"{name} differs from the predict command's")
for other in ("again.h5", "t1.h5", "t2.h5", "small.h5"):
    o, _ = read(other)
    if sorted(o) != sorted(out) or any(not np.array_equal(o[k], out[k], equal_nan=True) for k in o):
        bad.append(f"{other} differs from out.h5")
for key in ("segments_model_id", "segments_model_trained_at", "churn_model_id",
            "churn_model_trained_at", "input_bytes", "engine_version", "seconds"):
    if key not in attrs:
        bad.append(f"attribute {key} missing")
if attrs.get("rows") != 200000:
    bad.append(f"rows attribute {attrs.get('rows')}")
j = json.load(open("small.json"))
if j["block_rows"] >= 200000 / 4:
    bad.append(f"--memory 56M should give several blocks, got {j['block_rows']} rows a block")
seg, p, risk = out["segment"], out["churn_probability"].astype(np.float64), out["churn_risk"]
for s in j["segments"]:
    g = seg == s["segment"]
    if s["users"] != g.sum():
        bad.append(f"segment {s['segment']}: {s['users']} users, the output has {g.sum()}")
    if abs(s["expected_churners"] - p[g].sum()) > 1e-4 * max(1, p[g].sum()):
        bad.append(f"segment {s['segment']}: expected churners {s['expected_churners']}")
    for t, cell in enumerate(s["risk"]):
        c = g & (risk == t)
        if cell["users"] != c.sum() or abs(cell["share"] - c.sum() / len(seg)) > 1e-12:
            bad.append(f"segment {s['segment']} tier {t}: {cell}")
        if c.sum() and abs(cell["mean_churn_probability"] - p[c].mean()) > 1e-6:
            bad.append(f"segment {s['segment']} tier {t}: mean p {cell}")
s, _ = read("segonly.h5")
if sorted(s) != ["segment", "segment_distance", "user_id"]:
    bad.append(f"--segments alone wrote {sorted(s)}")
c, _ = read("churnonly.h5")
if sorted(c) != ["churn_probability", "churn_risk", "user_id"]:
    bad.append(f"--churn alone wrote {sorted(c)}")
jc = json.load(open("churnonly.json"))
if len(jc["segments"]) != 1 or jc["segments"][0]["users"] != 200000:
    bad.append(f"--churn alone: summary {jc['segments']}")
print("\n".join(bad), file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# Models that disagree, and an input without the models' features.
"$RETAIN" gen users -n 20000 -d 10 -k 3 --seed 8 -q -o wide.h5 || fail "gen wide"
"$RETAIN" logreg fit wide.h5 -q -o churn10.h5 >/dev/null || fail "logreg fit wide"
expect 2 "fitted on different features|extra: email_open_rate" \
    "$RETAIN" score --segments seg.h5 --churn churn10.h5 users.h5 -o x.h5
expect 2 "users.h5 does not have the features|missing: email_open_rate" \
    "$RETAIN" score --churn churn10.h5 users.h5 -o x.h5
[ -e x.h5 ] && fail "a refused run wrote x.h5"
# An input with more columns than the models': theirs are read by name.
names=$("$PYTHON" -c 'import h5py; print(",".join(n.decode() if isinstance(n, bytes) else n
    for n in h5py.File("users.h5")["features"].attrs["feature_names"]))')
"$RETAIN" score --segments seg.h5 --churn churn.h5 wide.h5 -o wide_out.h5 -q ||
    fail "score an input with extra columns"
"$RETAIN" kmeans predict seg.h5 wide.h5 --columns "$names" -q -o wide_kp.h5 ||
    fail "kmeans predict --columns"
"$PYTHON" -c '
import sys, h5py, numpy as np
a, b = h5py.File("wide_out.h5"), h5py.File("wide_kp.h5")
sys.exit(0 if all(np.array_equal(a[k][()], b[k][()]) for k in ("segment", "segment_distance"))
         and a["churn_probability"].shape == (20000,) else 1)' ||
    fail "extra columns: the segments differ from kmeans predict --columns"

expect 1 "--memory 10.0 MiB is too small|give --memory 50M or more" \
    "$RETAIN" score --segments seg.h5 users.h5 -o x.h5 --memory 10M
expect 1 "--memory 12Q" "$RETAIN" score --segments seg.h5 users.h5 -o x.h5 --memory 12Q
expect 1 "--cuts 0.6,0.3" "$RETAIN" score --churn churn.h5 users.h5 -o x.h5 --cuts 0.6,0.3
expect 1 "--segments" "$RETAIN" score users.h5 -o x.h5
expect 1 "users.h5" "$RETAIN" score --segments seg.h5 users.h5 -o users.h5
expect 0 "example: retain score" "$RETAIN" score --help

finish score
