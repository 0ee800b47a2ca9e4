# tests/mpi/test_mpi_score.sh: `mpirun -np P retain score` writes one file
# together, each rank its own rows: P = 1, 2, 4 give the one-process file's
# datasets exactly and its attributes (but the time), and its summary within
# 1e-12, also when some ranks have no rows; --skip-invalid finds the same
# first skipped row (on rank 1 or 2) and the same counts; a NaN in one
# rank's rows without it stops every rank and leaves no output; string ids
# are refused.
set -u
. "$(dirname "$0")/lib.sh" mpi_score

"$REFERENCE" gen users -n 30000 -d 9 -k 4 --seed 5 --quiet -o users.h5 || fail "gen users"
"$REFERENCE" kmeans fit users.h5 -k 5 -o seg.h5 --quiet || fail "kmeans fit"
"$REFERENCE" logreg fit users.h5 -o churn.h5 --quiet || fail "logreg fit"
"$PYTHON" - <<'PY' || fail "writing nan.h5 and names.h5"
import h5py, numpy as np
with h5py.File("users.h5") as src:
    x = src["features"][:]
    names = src["features"].attrs["feature_names"]
    ids = src["user_id"][:]
x[[20000, 29999], 2] = np.nan  # rank 1 of 2; ranks 2 and 3 of 4
for path, user_id in (("nan.h5", ids), ("names.h5", np.array([b"u%d" % i for i in ids]))):
    with h5py.File(path, "w") as f:
        d = f.create_dataset("features", data=x if path == "nan.h5" else np.nan_to_num(x))
        d.attrs["feature_names"] = names
        f["user_id"] = user_id
PY

same_scores() { # the one-process file, a file of the ranks: datasets and attributes
    "$PYTHON" - "$@" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1]) as a, h5py.File(sys.argv[2]) as b:
    assert sorted(a) == sorted(b), (list(a), list(b))
    for k in a:
        assert np.array_equal(a[k][:], b[k][:], equal_nan=True), k
    for k in a.attrs:
        if k != "seconds":
            assert np.array_equal(a.attrs[k], b.attrs[k]), (k, a.attrs[k], b.attrs[k])
PY
}
same_summary() { # two --json summaries: every number within 1e-12 relative
    "$PYTHON" - "$@" <<'PY'
import sys, json, math
def walk(a, b, at):
    if isinstance(a, dict):
        for k in a:
            if k not in ("seconds", "output", "block_rows"):
                walk(a[k], b[k], f"{at}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), at
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{at}[{i}]")
    elif isinstance(a, float):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300), (at, a, b)
    else:
        assert a == b, (at, a, b)
walk(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), "")
PY
}

"$REFERENCE" score --segments seg.h5 --churn churn.h5 users.h5 -o one.h5 --json >one.json ||
    fail "one-process score"
for p in 1 2 4; do
    np "$p" score --segments seg.h5 --churn churn.h5 users.h5 -o np$p.h5 --json >np$p.json ||
        fail "mpirun -np $p score exited $?"
    same_scores one.h5 np$p.h5 || fail "-np $p: the scored file differs"
    same_summary one.json np$p.json || fail "-np $p: the summary differs"
done

# 5000 rows are 2 blocks: with 4 ranks two have no rows and still take part
"$REFERENCE" gen users -n 5000 -d 9 -k 4 --seed 6 --quiet -o small.h5 || fail "gen small"
"$REFERENCE" score --segments seg.h5 --churn churn.h5 small.h5 -o small.one.h5 --quiet ||
    fail "one-process score of small.h5"
np 4 score --segments seg.h5 --churn churn.h5 small.h5 -o small.np4.h5 --quiet ||
    fail "-np 4 score of small.h5"
same_scores small.one.h5 small.np4.h5 || fail "small.h5: -np 4 differs"

"$REFERENCE" score --churn churn.h5 nan.h5 -o skip1.h5 --skip-invalid --json >skip1.json ||
    fail "one-process --skip-invalid"
np 4 score --churn churn.h5 nan.h5 -o skip4.h5 --skip-invalid --json >skip4.json ||
    fail "-np 4 --skip-invalid"
same_scores skip1.h5 skip4.h5 || fail "--skip-invalid: the scored files differ"
same_summary skip1.json skip4.json || fail "--skip-invalid: the summaries differ"
"$PYTHON" -c 'import json; assert json.load(open("skip4.json"))["first_skipped_row"] == 20000' ||
    fail "-np 4: the first skipped row is not 20000"

expect 2 "rank 1 of 2|row 20000|--skip-invalid" \
    "${mpirun[@]}" -np 2 "$RETAIN" score --churn churn.h5 nan.h5 -o failed.h5
expect 1 "string user ids" "${mpirun[@]}" -np 2 "$RETAIN" score --churn churn.h5 names.h5 \
    -o names_out.h5
[ -e failed.h5 ] || [ -e names_out.h5 ] && fail "a failed run left its output"
ls ./*.tmp-* >/dev/null 2>&1 && fail "temporary files left: $(ls ./*.tmp-*)"
finish mpi_score
