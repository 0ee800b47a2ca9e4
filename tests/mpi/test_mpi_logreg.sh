# tests/mpi/test_mpi_logreg.sh: `mpirun -np P retain logreg fit` on a
# generated file against one process: P = 1, 2, 4 give exactly the same
# model, every dataset and attribute (the ranks' span partials are added in
# one process's order); on 1.1M rows with 2 ranks, whose shares do not
# start on the reduction's spans, the ranks' totals are added in rank order
# instead: coefficients, scaler, objective and metrics within 1e-12
# relative, and the same bytes twice. Under mpirun --json reports the
# seconds in collectives. What is not distributed yet is refused.
set -u
. "$(dirname "$0")/lib.sh" mpi_logreg

# 30000 rows: 8 blocks of 4096, so 4 ranks hold 2 blocks each
"$REFERENCE" gen users -n 30000 -d 9 -k 4 --seed 5 --quiet -o users.h5 || fail "gen users"
"$REFERENCE" logreg fit users.h5 --label /churned -o one.h5 --quiet || fail "one-process fit"
for p in 1 2 4; do
    np "$p" logreg fit users.h5 --label /churned -o np$p.h5 --quiet ||
        fail "mpirun -np $p logreg fit exited $?"
    np "$p" logreg fit users.h5 --label /churned -o np$p.again.h5 --quiet ||
        fail "mpirun -np $p logreg fit (again) exited $?"
    cmp -s np$p.h5 np$p.again.h5 || fail "-np $p twice: the model files differ"
    same_model one.h5 np$p.h5 0 || fail "-np $p: not exactly the one-process model"
done
# the fit really ran on every row and did not come out trivial
"$PYTHON" - <<'PY' || fail "the -np 4 model"
import h5py
with h5py.File("np4.h5") as m:
    meta = m["meta"].attrs
    assert meta["train_rows"] == 30000, meta["train_rows"]
    assert 0.6 < meta["train_roc_auc"] < 1, meta["train_roc_auc"]
PY
# --json under mpirun reports the seconds in collectives; one process does not
np 2 logreg fit users.h5 -o json2.h5 --json >json2.json || fail "-np 2 logreg fit --json"
"$REFERENCE" logreg fit users.h5 -o json1.h5 --json >json1.json || fail "one-process --json"
"$PYTHON" - <<'PY' || fail "the mpi object of --json"
import json
one, two = json.load(open("json1.json")), json.load(open("json2.json"))
assert "mpi" not in one, one["mpi"]
m = two["mpi"]
assert m["ranks"] == 2, m
assert 0 < m["communication_seconds"] <= min(m["communication_seconds_max"], two["seconds"]), \
    (m, two["seconds"])
PY
# weighted and balanced fits meet the same sums
"$REFERENCE" logreg fit users.h5 --class-weight balanced --penalty l1 -o one_l1.h5 --quiet ||
    fail "one-process l1 fit"
np 2 logreg fit users.h5 --class-weight balanced --penalty l1 -o np2_l1.h5 --quiet ||
    fail "mpirun -np 2 logreg fit --penalty l1"
same_model one_l1.h5 np2_l1.h5 0 || fail "-np 2 --penalty l1: not exactly one process's"

# 269 blocks of rows: 2 ranks hold 135 and 134, the spans are 2 blocks each
"$REFERENCE" gen users -n 1100000 -d 4 -k 3 --seed 2 --quiet -o big.h5 || fail "gen big"
"$REFERENCE" logreg fit big.h5 -o big.one.h5 --quiet || fail "one-process fit of big.h5"
np 2 logreg fit big.h5 -o big.np2.h5 --quiet || fail "-np 2 fit of big.h5"
np 2 logreg fit big.h5 -o big.np2.again.h5 --quiet || fail "-np 2 fit of big.h5 (again)"
same_model big.one.h5 big.np2.h5 1e-12 || fail "big.h5: -np 2 beyond 1e-12 of one process"
cmp -s big.np2.h5 big.np2.again.h5 || fail "big.h5: -np 2 twice: the model files differ"

expect 1 "--cv does not run under MPI" \
    "${mpirun[@]}" -np 2 "$RETAIN" logreg fit users.h5 -o cv.h5 --cv 3
[ -e cv.h5 ] && fail "a refused --cv run wrote cv.h5"
expect 1 "does not run under MPI yet" "${mpirun[@]}" -np 2 "$RETAIN" gen users -n 100 -o gen.h5
[ -e gen.h5 ] && fail "a refused gen users wrote gen.h5"
# more ranks than row blocks
expect 1 "run on at most 8 ranks" "${mpirun[@]}" -np 9 "$RETAIN" logreg fit users.h5 -o many.h5
ls ./*.tmp-* >/dev/null 2>&1 && fail "temporary files left: $(ls ./*.tmp-*)"
finish mpi_logreg
