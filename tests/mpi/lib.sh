# tests/mpi/lib.sh: what the tests of runs under mpirun share. Source it
# after `set -u` with the test's name. It skips the test (exit 77, with a
# message) in a build without MPI, sources tests/cli/lib.sh (fail, expect,
# finish, scratch folder $dir) and defines
#   np P ARGS...           retain ARGS under mpirun with P ranks (oversubscribed,
#                          allowed as root, 120 s at most); "${mpirun[@]}" -np P
#                          "$RETAIN" ARGS is the same for `expect`;
#   REFERENCE              the one-process binary to compare with: the serial
#                          build's (RETAIN_SERIAL) when given, else this one;
#   same_model A B RTOL    every dataset and attribute of model files A and B
#                          equal, numbers within RTOL relative (0: exactly).
if [ "${RETAIN_MPI_BUILD:-OFF}" != "ON" ] || [ -z "${MPIRUN:-}" ]; then
    echo "SKIP: this build has no MPI (configure with -DRETAIN_MPI=ON; make check builds build-mpi)"
    exit 77
fi
. "$(dirname "$0")/../cli/lib.sh" "$1"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
REFERENCE=${RETAIN_SERIAL:-$RETAIN}
[ -x "$REFERENCE" ] || REFERENCE=$RETAIN

mpirun=("$MPIRUN" --oversubscribe --allow-run-as-root)
np() {
    local p=$1
    shift
    timeout 120 "${mpirun[@]}" -np "$p" "$RETAIN" "$@"
}

same_model() {
    "$PYTHON" - "$@" <<'PY'
import sys, h5py, numpy as np
a_path, b_path, rtol = sys.argv[1], sys.argv[2], float(sys.argv[3])
bad = []
def close(name, x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.shape != y.shape:
        bad.append(f"{name}: shapes {x.shape} and {y.shape}")
    elif x.dtype.kind in "fc":
        scale = np.maximum(np.abs(x), np.abs(y))
        over = np.abs(x - y) > rtol * scale
        if rtol == 0:
            over = ~((x == y) | (np.isnan(x) & np.isnan(y)))
        if over.any():
            bad.append(f"{name}: {x[over][:3]} vs {y[over][:3]} (rtol {rtol})")
    elif not np.array_equal(x, y):
        bad.append(f"{name}: {x.ravel()[:4]} vs {y.ravel()[:4]}")
with h5py.File(a_path) as a, h5py.File(b_path) as b:
    def walk(ga, gb, path):
        if sorted(ga.attrs) != sorted(gb.attrs) or sorted(ga) != sorted(gb):
            bad.append(f"{path}: different members or attributes")
            return
        for k in ga.attrs:
            close(f"{path}@{k}", ga.attrs[k], gb.attrs[k])
        for k in ga:
            if isinstance(ga[k], h5py.Group):
                walk(ga[k], gb[k], f"{path}{k}/")
            else:
                close(f"{path}{k}", ga[k][()], gb[k][()])
                walk_attrs = ga[k].attrs
                for at in walk_attrs:
                    close(f"{path}{k}@{at}", walk_attrs[at], gb[k].attrs[at])
    walk(a, b, "/")
if bad:
    print(f"{a_path} vs {b_path}:", *bad[:10], sep="\n  ", file=sys.stderr)
    sys.exit(1)
PY
}
