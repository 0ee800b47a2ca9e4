# tests/cli/test_device.sh: --device on kmeans fit, kmeans predict,
# logreg fit and score. Always runs. Without a usable GPU (or without CUDA in the
# build): --device cuda fails with exit code 4 and says why, and --device
# auto runs on the CPU, says so, and gives byte-identical model, label and
# score outputs to --device cpu. With a GPU, --device cuda must run instead (GPU
# against CPU answers: tests/ref/test_gpu.py). A bad value is a usage error.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" device

"$RETAIN" gen users --shape gaussian -k 4 -d 6 -n 5000 --seed 2 -q -o users.h5 ||
    { echo "FAIL: gen users" >&2; exit 1; }

expect 1 "--device must be cpu, cuda or auto, got 'gpu'" \
    "$RETAIN" kmeans fit users.h5 -k 4 -o m.h5 --device gpu
for h in "kmeans fit" "kmeans predict" "logreg fit" "score"; do
    # shellcheck disable=SC2086
    expect 0 "--device cpu|cuda|auto|exit code 4" "$RETAIN" $h --help
done

if "$RETAIN" info | grep -q "^gpu: none\|no cuda\|^gpu: not built"; then
    expect 4 "device cuda: no usable GPU|device cpu or auto" \
        "$RETAIN" kmeans fit users.h5 -k 4 -o m.h5 --device cuda
    [ -e m.h5 ] && fail "kmeans fit --device cuda left m.h5"
    expect 4 "retain logreg fit: error: device cuda" \
        "$RETAIN" logreg fit users.h5 -o churn.h5 --device cuda
    "$RETAIN" kmeans fit users.h5 -k 4 --seed 1 -q -o cpu.h5 --labels-out cpu_l.h5 ||
        fail "kmeans fit --device cpu"
    expect 4 "device cuda" "$RETAIN" kmeans predict cpu.h5 users.h5 -o p.h5 --device cuda
    # auto: the CPU, said on stderr, the CPU's bits (outputs record their
    # own names, so each run writes the same names in its own folder)
    mkdir -p a c
    (cd a && "$RETAIN" kmeans fit ../users.h5 -k 4 --seed 1 -o m.h5 --labels-out l.h5 \
        --device auto 2>../auto.err) || fail "kmeans fit --device auto"
    grep -qF "device: cpu (--device auto: " auto.err || fail "auto does not say it took the CPU"
    (cd c && "$RETAIN" kmeans fit ../users.h5 -k 4 --seed 1 -q -o m.h5 --labels-out l.h5) ||
        fail "kmeans fit --device cpu (second)"
    cmp -s a/l.h5 c/l.h5 || fail "--device auto labels differ from --device cpu"
    "$RETAIN" logreg fit users.h5 -q --json -o a/churn.h5 --device auto >a/lr.json &&
        "$RETAIN" logreg fit users.h5 -q --json -o c/churn.h5 >c/lr.json ||
        fail "logreg fit --device auto/cpu"
    grep -o '"objective":[^,]*' a/lr.json >a/obj && grep -o '"objective":[^,]*' c/lr.json >c/obj &&
        cmp -s a/obj c/obj || fail "--device auto objective differs from --device cpu"
    expect 0 "" "$RETAIN" kmeans predict cpu.h5 users.h5 -o auto_p.h5 --device auto
    expect 4 "retain score: error: device cuda" \
        "$RETAIN" score --segments cpu.h5 users.h5 -o s.h5 --device cuda
    [ -e s.h5 ] && fail "score --device cuda left s.h5"
    (cd a && "$RETAIN" score --segments ../cpu.h5 ../users.h5 -q --json -o s.h5 \
        --device auto >score.json) && (cd c && "$RETAIN" score --segments ../cpu.h5 \
        ../users.h5 -q -o s.h5) || fail "score --device auto/cpu"
    grep -qF '"device":"cpu"' a/score.json || fail "score --json does not name the device"
    "$PYTHON" -c '
import h5py, numpy as np
a, c = h5py.File("a/s.h5"), h5py.File("c/s.h5")
for name in ("segment", "segment_distance"):
    assert np.array_equal(a[name][:], c[name][:], equal_nan=True), name
' || fail "score --device auto segments differ from --device cpu"
else
    expect 0 "device: cuda" "$RETAIN" kmeans fit users.h5 -k 4 -o m.h5 --device cuda
    expect 0 "device: cuda" "$RETAIN" logreg fit users.h5 -o churn.h5 --device cuda
    expect 0 "device: cuda" "$RETAIN" score --segments m.h5 users.h5 -o s.h5 --device cuda
fi
finish device
