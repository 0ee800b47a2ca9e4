# tests/mpi/test_mpi_kmeans.sh: `mpirun -np P retain kmeans fit` on a
# generated file against one process: P = 1, 2, 4 give exactly the
# one-process model (every dataset and attribute: centroids, scaler, sizes,
# inertia)
# and the same labels (kmeans predict with each model), the same P twice
# gives the same bytes; k-means++, Hamerly, given centroids with one far from every
# row (an empty cluster is relocated), sample weights and minmax scaling;
# the distinct-rows check counts rows across ranks; what is not
# distributed yet is refused.
set -u
. "$(dirname "$0")/lib.sh" mpi_kmeans

"$REFERENCE" gen users -n 30000 -d 9 -k 4 --seed 5 --quiet -o users.h5 || fail "gen users"
"$PYTHON" - <<'PY' || fail "writing the centroid and distinct-row files"
import h5py, numpy as np
with h5py.File("users.h5") as f:
    x = f["features"][:]
    names = f["features"].attrs["feature_names"]
c = x[[5, 100, 2000, 25000, 29000]].copy()
c[4] = 1e6  # nearest to no row: its cluster is empty after the first step
with h5py.File("init.h5", "w") as g:
    g["centroids"] = c
# rows 0..16383 (rank 0 of 2) all one row; the others alternate two more
few = np.repeat(x[:1], 20000, axis=0)
few[16384::2] = x[1]
few[16385::2] = x[2]
with h5py.File("few.h5", "w") as g:
    d = g.create_dataset("features", data=few)
    d.attrs["feature_names"] = names
PY

check() { # name, the rank counts, then the fit's options: fits against one process
    local name=$1 counts=$2
    shift 2
    "$REFERENCE" kmeans fit users.h5 "$@" -o $name.one.h5 --quiet || fail "$name: one process"
    "$REFERENCE" kmeans predict $name.one.h5 users.h5 -o $name.one.labels.h5 --quiet ||
        fail "$name: predict"
    for p in $counts; do
        np "$p" kmeans fit users.h5 "$@" -o $name.np$p.h5 --quiet ||
            fail "$name: mpirun -np $p exited $?"
        same_model $name.one.h5 $name.np$p.h5 0 || fail "$name: -np $p: not one process's model"
        "$REFERENCE" kmeans predict $name.np$p.h5 users.h5 -o $name.np$p.labels.h5 --quiet ||
            fail "$name: predict -np $p"
        "$PYTHON" - $name.one.labels.h5 $name.np$p.labels.h5 <<'PY' || fail "$name: -np $p labels"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1]) as a, h5py.File(sys.argv[2]) as b:
    assert np.array_equal(a["segment"][:], b["segment"][:]), "labels differ"
PY
    done
}
check plusplus "1 2 4" -k 5
check hamerly 4 -k 20 --algorithm hamerly
check given "2 4" -k 5 --init-centroids init.h5
check weighted 4 -k 6 --sample-weight /churned
check minmax 2 -k 4 --scale minmax --seed 9
np 2 kmeans fit users.h5 -k 5 -o plusplus.again.h5 --quiet || fail "-np 2 again"
cmp -s plusplus.np2.h5 plusplus.again.h5 || fail "-np 2 twice: the model files differ"
# the rows' segments written by every rank into one file
np 4 kmeans fit users.h5 -k 5 -o labels.model.h5 --labels-out labels.np4.h5 --quiet ||
    fail "-np 4 --labels-out"
np 2 kmeans predict plusplus.one.h5 users.h5 -o predict.np2.h5 --quiet ||
    fail "-np 2 kmeans predict"
"$PYTHON" - <<'PY' || fail "--labels-out or kmeans predict under mpirun"
import h5py, numpy as np
with h5py.File("plusplus.one.labels.h5") as a:
    for path in ("labels.np4.h5", "predict.np2.h5"):
        with h5py.File(path) as b:
            assert sorted(a) == sorted(b), (path, list(b))
            for k in a:
                assert np.array_equal(a[k][:], b[k][:]), (path, k)
PY
"$PYTHON" - <<'PY' || fail "the relocated cluster"
import h5py, numpy as np
with h5py.File("given.np4.h5") as m:
    sizes = m["segment_sizes"][:]
    assert np.all(sizes > 0) and sizes.sum() == 30000, sizes
PY

expect 2 "only 3 distinct rows" "$REFERENCE" kmeans fit few.h5 -k 4 -o few.h5.out.h5
expect 2 "only 3 distinct rows" "${mpirun[@]}" -np 2 "$RETAIN" kmeans fit few.h5 -k 4 -o few2.h5
np 2 kmeans fit few.h5 -k 3 -o few3.h5 --quiet || fail "-np 2 on 3 distinct rows, k 3"

for opt in "--algorithm minibatch" "--init random"; do
    # shellcheck disable=SC2086
    expect 1 "does not run under MPI yet" "${mpirun[@]}" -np 2 "$RETAIN" kmeans fit users.h5 \
        -k 3 -o refused.h5 $opt
done
expect 1 "does not run under MPI yet" "${mpirun[@]}" -np 2 "$RETAIN" kmeans sweep users.h5 \
    -k 2:3
[ -e refused.h5 ] && fail "a refused run wrote a file"
ls ./*.tmp-* >/dev/null 2>&1 && fail "temporary files left: $(ls ./*.tmp-*)"
finish mpi_kmeans
