# tests/cli/test_score_faults.sh: what `retain score` does when things go
# wrong. kill -9 while it streams a 2,000,000-row compressed input (once
# its temporary holds written blocks) leaves an earlier OUT byte-identical and nothing
# but the dead run's temporary, which the next run removes; a full disk
# (`ulimit -f`: retain ignores SIGXFSZ, so the write fails with EFBIG)
# exits 3 with OUT byte-identical and no temporary; a truncated model file
# is refused (exit 2) naming it; an input with NaN/Inf rows stops at the
# first one (exit 2, row and column named) or, with --skip-invalid, scores
# the others exactly as on clean data and marks the skipped rows.
set -u
. "$(dirname "$0")/lib.sh" score_faults
bg=
trap '[ -n "$bg" ] && kill -9 "$bg" 2>/dev/null; rm -rf "$dir"' EXIT
temps() { ls -a | grep -c '^out\.h5\.tmp-'; }

"$RETAIN" gen users -n 20000 -d 8 -k 3 --seed 5 -q -o train.h5 || fail "gen train"
"$RETAIN" kmeans fit train.h5 -k 512 --max-iter 3 -q -o seg.h5 >/dev/null || fail "kmeans fit"
"$RETAIN" logreg fit train.h5 -q -o churn.h5 >/dev/null || fail "logreg fit"
"$RETAIN" gen users -n 2000000 -d 8 -k 3 --seed 6 --compress 6 -q -o big.h5 || fail "gen big"
"$RETAIN" score --segments seg.h5 --churn churn.h5 train.h5 -o out.h5 -q || fail "first output"
before=$(sha256sum out.h5 | cut -d' ' -f1)

# ---- kill -9 in the middle -------------------------------------------------------
"$RETAIN" score --segments seg.h5 --churn churn.h5 big.h5 -o out.h5 -q --threads 1 \
    --memory 56M >/dev/null 2>&1 &
bg=$!
for _ in $(seq 100000); do # polls without sleeping: the run takes about a second
    for t in out.h5.tmp-*; do # killed once blocks are being written (> 2 MB of 42)
        [ -f "$t" ] && [ "$(stat -c %s "$t")" -gt 2000000 ] && break 2
    done
    kill -0 "$bg" 2>/dev/null || break
done
kill -9 "$bg" 2>/dev/null
wait "$bg" 2>/dev/null
rc=$?
bg=
if [ "$rc" -ne 137 ]; then
    fail "the score finished (exit $rc) before it could be killed: make the input larger"
else
    [ "$(sha256sum out.h5 | cut -d' ' -f1)" = "$before" ] || fail "kill -9 changed out.h5"
    [ "$(temps)" -eq 1 ] || fail "expected the killed run's temporary, found: $(ls -a)"
    stale=$(ls out.h5.tmp-* 2>/dev/null)
    "$RETAIN" score --segments seg.h5 --churn churn.h5 train.h5 -o other.h5 -q ||
        fail "run after kill -9"
    [ -n "$stale" ] && [ -e "$stale" ] ||
        fail "a run writing another output removed out.h5's temporary"
    "$RETAIN" score --churn churn.h5 train.h5 -o out.h5 -q || fail "run after kill -9"
    [ -n "$stale" ] && [ -e "$stale" ] && fail "the next run left the stale temporary $stale"
    [ "$(temps)" -eq 0 ] || fail "temporaries after the next run: $(ls -a)"
    [ "$(sha256sum out.h5 | cut -d' ' -f1)" != "$before" ] ||
        fail "the next run did not replace out.h5"
    "$RETAIN" score --segments seg.h5 --churn churn.h5 train.h5 -o out.h5 -q || fail "restore"
    before=$(sha256sum out.h5 | cut -d' ' -f1)
fi

# ---- full disk ------------------------------------------------------------------
(
    ulimit -f 8000 # 8 MB; the output would be about 42 MB
    exec "$RETAIN" score --segments seg.h5 --churn churn.h5 big.h5 -o out.h5 -q
) >out.txt 2>err.txt
rc=$?
[ "$rc" -eq 3 ] || fail "full disk: exit $rc, expected 3: $(cat err.txt)"
grep -qF "out.h5 was not written" err.txt || fail "full disk: message: $(cat err.txt)"
grep -q "HDF5-DIAG" err.txt && fail "full disk: HDF5's own error stack was printed"
[ "$(sha256sum out.h5 | cut -d' ' -f1)" = "$before" ] || fail "full disk changed out.h5"
[ "$(temps)" -eq 0 ] || fail "full disk left a temporary: $(ls -a)"

# ---- a truncated model ------------------------------------------------------------
head -c 4000 seg.h5 >cut.h5
expect 2 "cut.h5|truncated" "$RETAIN" score --segments cut.h5 --churn churn.h5 train.h5 -o out.h5
head -c "$(($(stat -c %s churn.h5) / 2))" churn.h5 >cut.h5
expect 2 "cut.h5" "$RETAIN" score --segments seg.h5 --churn cut.h5 train.h5 -o out.h5
[ "$(sha256sum out.h5 | cut -d' ' -f1)" = "$before" ] || fail "a refused model changed out.h5"

# ---- NaN and Inf rows -------------------------------------------------------------
"$PYTHON" - <<'PY' || fail "writing nan.h5"
import h5py, numpy as np
with h5py.File("train.h5") as src, h5py.File("nan.h5", "w") as f:
    x = src["features"][:]
    x[1234, 2] = np.nan
    x[5000, 0] = np.inf
    x[19999, 7] = -np.inf
    d = f.create_dataset("features", data=x)
    d.attrs["feature_names"] = src["features"].attrs["feature_names"]
    f["user_id"] = src["user_id"][:]
PY
expect 2 "row 1234|column 2|NaN|--skip-invalid" \
    "$RETAIN" score --segments seg.h5 --churn churn.h5 nan.h5 -o out.h5
[ "$(sha256sum out.h5 | cut -d' ' -f1)" = "$before" ] || fail "a NaN input changed out.h5"
expect 0 "3 rows with NaN/Inf|row 1234" \
    "$RETAIN" score --segments seg.h5 --churn churn.h5 nan.h5 -o skipped.h5 --skip-invalid
"$RETAIN" score --segments seg.h5 --churn churn.h5 nan.h5 -o skipped.json.h5 --skip-invalid \
    --json >skip.json 2>/dev/null || fail "--skip-invalid --json"
"$PYTHON" - <<'PY' || fail "--skip-invalid output (see above)"
import json, sys
import h5py, numpy as np
bad = []
with h5py.File("skipped.h5") as s, h5py.File("out.h5") as c:
    rows = np.array([1234, 5000, 19999])
    keep = np.ones(len(c["segment"]), bool)
    keep[rows] = False
    for k in ("user_id", "segment", "segment_distance", "churn_probability", "churn_risk"):
        if not np.array_equal(s[k][:][keep], c[k][:][keep]):
            bad.append(f"{k}: scored rows differ from the clean input's")
    if not (np.all(s["segment"][:][rows] == -1) and np.all(s["churn_risk"][:][rows] == -1)
            and np.all(np.isnan(s["churn_probability"][:][rows]))
            and np.all(np.isnan(s["segment_distance"][:][rows]))):
        bad.append("skipped rows are not marked -1 / NaN")
    if not np.array_equal(s["user_id"][:][rows], c["user_id"][:][rows]):
        bad.append("skipped rows lost their user ids")
    if s.attrs["skipped_rows"] != 3:
        bad.append(f"skipped_rows attribute {s.attrs['skipped_rows']}")
j = json.load(open("skip.json"))
if j["skipped_rows"] != 3 or j["first_skipped_row"] != 1234:
    bad.append(f"--json: {j['skipped_rows']} skipped, first {j.get('first_skipped_row')}")
if sum(seg["users"] for seg in j["segments"]) != 20000 - 3:
    bad.append("--json: the summary counts skipped rows")
print("\n".join(bad), file=sys.stderr)
sys.exit(1 if bad else 0)
PY

finish score_faults
