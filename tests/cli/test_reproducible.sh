# tests/cli/test_reproducible.sh: same seed and inputs give the same bytes.
# Every generator, HDF5 and text outputs, run at different times with
# --threads 1 and 2, must produce identical files (HDF5 objects carry no
# modification times); another seed must change them. Also checks `gen
# users` against its own truth: segment shares match the stored weights
# within 5 binomial standard errors, and gzip output holds the same data.
set -u
: "${RETAIN:?set RETAIN to the retain binary}"
PYTHON=${PYTHON:-/usr/bin/python3}
mkdir -p "${TMPROOT:-/tmp}"
dir=$(mktemp -d "${TMPROOT:-/tmp}/repro.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

for spec in "users -n 30000 -d 9 -k 4:h5" "baskets -n 20000:h5" "baskets -n 20000:dat" \
            "transactions -n 3000:h5" "transactions -n 3000:csv"; do
    args=${spec%:*}
    ext=${spec##*:}
    # shellcheck disable=SC2086
    "$RETAIN" gen $args --seed 11 --threads 1 --quiet -o one.$ext || fail "gen $args failed"
    sleep 1.1
    # shellcheck disable=SC2086
    "$RETAIN" gen $args --seed 11 --threads 2 --quiet -o two.$ext || fail "gen $args failed"
    # shellcheck disable=SC2086
    "$RETAIN" gen $args --seed 12 --threads 2 --quiet -o other.$ext || fail "gen $args failed"
    cmp -s one.$ext two.$ext || fail "gen $args ($ext): --threads 1 and 2 differ"
    cmp -s one.$ext other.$ext && fail "gen $args ($ext): --seed 11 and 12 gave the same file"
    if [ -f one.$ext.truth.h5 ]; then
        cmp -s one.$ext.truth.h5 two.$ext.truth.h5 || fail "gen $args: truth files differ"
    fi
    rm -f one.* two.* other.*
done

"$RETAIN" gen users -n 60000 -d 6 -k 5 --seed 3 --quiet -o plain.h5 &&
"$RETAIN" gen users -n 60000 -d 6 -k 5 --seed 3 --compress 6 --quiet -o gz.h5 ||
    fail "gen users failed"
"$PYTHON" - <<'PY' || fail "gen users truth checks"
import h5py, numpy as np
with h5py.File("plain.h5") as p, h5py.File("gz.h5") as g:
    assert g["features"].compression == "gzip" and g["features"].shuffle
    for k in ("features", "user_id", "segment_true", "churned"):
        assert np.array_equal(p[k][:], g[k][:]), k
    seg = p["segment_true"][:]
    w = p["segment_true"].attrs["weights"]
    n = len(seg)
    assert abs(w.sum() - 1) < 1e-12 and len(w) == 5
    share = np.bincount(seg, minlength=5) / n
    se = np.sqrt(w * (1 - w) / n)
    assert np.all(np.abs(share - w) < 5 * se), (share, w)
    names = [s.decode() if isinstance(s, bytes) else s for s in p["features"].attrs["feature_names"]]
    assert names[:3] == ["recency_days", "frequency", "monetary"], names
    x = p["features"][:]
    assert np.isfinite(x).all() and (x[:, 0] > 0).all()
PY

[ $failures -eq 0 ] && echo ok || echo "$failures failure(s)"
exit $((failures > 0))
