# tests/mpi/test_mpi_logreg.sh: `mpirun -np P retain logreg fit` on a
# generated file against one process: P = 1, 2, 4 give the same model
# (coefficients, scaler, objective, training metrics within 1e-12
# relative; P = 1 exactly), the same P twice gives the same bytes, and
# what is not distributed yet is refused with a message.
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
    same_model one.h5 np$p.h5 1e-12 || fail "-np $p differs from one process beyond 1e-12"
done
same_model one.h5 np1.h5 0 || fail "-np 1 is not exactly the one-process model"
# the fit really ran on every row and did not come out trivial
"$PYTHON" - <<'PY' || fail "the -np 4 model"
import h5py
with h5py.File("np4.h5") as m:
    meta = m["meta"].attrs
    assert meta["train_rows"] == 30000, meta["train_rows"]
    assert 0.6 < meta["train_roc_auc"] < 1, meta["train_roc_auc"]
PY
# weighted and balanced fits meet the same sums
"$REFERENCE" logreg fit users.h5 --class-weight balanced --penalty l1 -o one_l1.h5 --quiet ||
    fail "one-process l1 fit"
np 2 logreg fit users.h5 --class-weight balanced --penalty l1 -o np2_l1.h5 --quiet ||
    fail "mpirun -np 2 logreg fit --penalty l1"
same_model one_l1.h5 np2_l1.h5 1e-12 || fail "-np 2 --penalty l1 differs from one process"

expect 1 "--cv does not run under MPI" "${mpirun[@]}" -np 2 "$RETAIN" logreg fit users.h5 -o cv.h5 --cv 3
[ -e cv.h5 ] && fail "a refused --cv run wrote cv.h5"
expect 1 "does not run under MPI yet" "${mpirun[@]}" -np 2 "$RETAIN" gen users -n 100 -o gen.h5
[ -e gen.h5 ] && fail "a refused gen users wrote gen.h5"
# more ranks than row blocks
expect 1 "run on at most 8 ranks" "${mpirun[@]}" -np 9 "$RETAIN" logreg fit users.h5 -o many.h5
ls ./*.tmp-* >/dev/null 2>&1 && fail "temporary files left: $(ls ./*.tmp-*)"
finish mpi_logreg
