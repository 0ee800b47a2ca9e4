# tests/mpi/test_mpi_faults.sh: a rank that fails stops every rank, with
# the failing rank's message and exit code and no output left behind.
#   - a NaN in rows only one rank reads, or a label that is not 0/1: every
#     rank exits 2, rank 0 says which rank, row and column;
#   - a rank killed (kill -9) in the middle of a fit: mpirun ends every
#     rank, exits non-zero and no model or temporary file remains.
set -u
. "$(dirname "$0")/lib.sh" mpi_faults

"$REFERENCE" gen users -n 30000 -d 9 -k 4 --seed 5 --quiet -o users.h5 || fail "gen users"
"$PYTHON" - <<'PY' || fail "writing nan.h5"
import h5py, numpy as np
with h5py.File("users.h5") as src, h5py.File("nan.h5", "w") as f:
    x = src["features"][:]
    x[20000, 3] = np.nan  # rank 1 of 2 and rank 2 of 4 read row 20000
    d = f.create_dataset("features", data=x)
    d.attrs["feature_names"] = src["features"].attrs["feature_names"]
    f["churned"] = src["churned"][:]
with h5py.File("users.h5") as src, h5py.File("label.h5", "w") as f:
    d = f.create_dataset("features", data=src["features"][:])
    d.attrs["feature_names"] = src["features"].attrs["feature_names"]
    y = src["churned"][:].astype(np.int8)
    y[20000] = 2
    f["churned"] = y
PY
expect 2 "rank 1 of 2|row 20000|column 3" \
    "${mpirun[@]}" -np 2 "$RETAIN" logreg fit nan.h5 -o nan2.h5
expect 2 "rank 2 of 4|row 20000" "${mpirun[@]}" -np 4 "$RETAIN" kmeans fit nan.h5 -k 3 -o nan4.h5
expect 2 "row 20000" "${mpirun[@]}" -np 4 "$RETAIN" logreg fit nan.h5 -o nan4.h5
expect 2 "rank 1 of 2|labels must be 0 or 1|first at row 20000" \
    "${mpirun[@]}" -np 2 "$RETAIN" logreg fit label.h5 -o y.h5
[ -e nan2.h5 ] || [ -e nan4.h5 ] || [ -e y.h5 ] && fail "a failed run left a model file"

# a long fit (no penalty, no tolerance: it runs its --max-iter passes)
"$REFERENCE" gen users -n 100000 -d 9 -k 4 --seed 6 --quiet -o big.h5 || fail "gen big"
timeout 120 "${mpirun[@]}" -np 2 "$RETAIN" logreg fit big.h5 --penalty none --tol 0 \
    --max-iter 20000 -o killed.h5 --quiet 2>kill.err &
job=$!
victim=""
for _ in $(seq 100); do
    sleep 0.1
    for pid in $(pgrep -f "retain logreg fit big.h5"); do
        tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1 &&
            victim=$pid
    done
    [ -n "$victim" ] && break
done
if [ -z "$victim" ]; then
    fail "did not find rank 1 of the long fit"
else
    sleep 1
    kill -9 "$victim"
fi
wait "$job"
rc=$?
[ "$rc" -ne 0 ] || fail "mpirun exited 0 after rank 1 was killed"
[ "$rc" -eq 124 ] && fail "mpirun hung after rank 1 was killed"
pgrep -f "retain logreg fit big.h5" >/dev/null && fail "ranks still running after mpirun ended"
[ -e killed.h5 ] && fail "the killed run left killed.h5"
ls ./*.tmp-* >/dev/null 2>&1 && fail "temporary files left: $(ls ./*.tmp-*)"
finish mpi_faults
