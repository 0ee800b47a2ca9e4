# tests/cli/test_isa.sh: the RETAIN_ISA cap. Each variant this CPU can run is
# selected and reported by `retain info`, a cap above what the CPU has falls
# back to the best it has, an unknown name is refused with exit 1 and a
# message naming RETAIN_ISA, and `retain info` on a file with NaN and Inf
# gives the same statistics, bit for bit, under every variant. The best
# variant is read with RETAIN_ISA unset, so an outer cap does not skew it.
set -u
: "${RETAIN:?set RETAIN to the retain binary}"
PYTHON=${PYTHON:-/usr/bin/python3}
mkdir -p "${TMPROOT:-/tmp}"
dir=$(mktemp -d "${TMPROOT:-/tmp}/isa.XXXXXX")
trap 'rm -rf "$dir"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

"$PYTHON" - "$dir/x.h5" <<'PY' || { echo "cannot make the fixture" >&2; exit 1; }
import sys, h5py, numpy as np
rng = np.random.default_rng(3)
x = rng.normal(size=(5003, 37)).astype(np.float32) * 100
x[rng.random(x.shape) < 0.01] = np.nan
x[rng.random(x.shape) < 0.005] = np.inf
x[rng.random(x.shape) < 0.005] = -np.inf
with h5py.File(sys.argv[1], "w") as f:
    f.create_dataset("features", data=x, chunks=(777, 37))
PY

best=$(env -u RETAIN_ISA "$RETAIN" info --json | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["isa"])')
echo "best variant on this CPU: $best"
for isa in scalar avx2 avx512; do
    got=$(RETAIN_ISA=$isa "$RETAIN" info --json | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["isa"])')
    case "$best:$isa" in
        scalar:avx2|scalar:avx512|avx2:avx512) want=$best ;;
        *) want=$isa ;;
    esac
    [ "$got" = "$want" ] || fail "RETAIN_ISA=$isa reported $got, expected $want"
    RETAIN_ISA=$isa "$RETAIN" info --json "$dir/x.h5" >"$dir/info.$isa.json" ||
        fail "retain info under RETAIN_ISA=$isa failed"
done
"$PYTHON" - "$dir" <<'PY' || fail "statistics differ between variants"
import json, sys
runs = {isa: json.load(open(f"{sys.argv[1]}/info.{isa}.json"))["features"]["columns"]
        for isa in ("scalar", "avx2", "avx512")}
assert runs["scalar"] == runs["avx2"] == runs["avx512"], "columns differ"
assert sum(c["nan"] for c in runs["scalar"]) > 0 and sum(c["inf"] for c in runs["scalar"]) > 0
PY

RETAIN_ISA=sse9 "$RETAIN" info >"$dir/out" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "unknown RETAIN_ISA gave exit $rc, expected 1"
grep -q "RETAIN_ISA must be one of scalar, avx2, avx512" "$dir/out" || fail "message: $(cat "$dir/out")"

[ $failures -eq 0 ] && echo "ok" || echo "$failures failure(s)"
exit $((failures > 0))
