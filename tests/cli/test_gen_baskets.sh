# tests/cli/test_gen_baskets.sh: `retain gen baskets` end to end: HDF5 CSR
# and FIMI .dat outputs read back with h5py, the same bits for --threads 1
# and 2, the truth in /patterns or the side file, --json, and exit code 1
# with the option named for bad options and unknown output suffixes.
set -u
: "${RETAIN:?set RETAIN to the retain binary}"
PYTHON=${PYTHON:-/usr/bin/python3}
mkdir -p "${TMPROOT:-/tmp}"
dir=$(mktemp -d "${TMPROOT:-/tmp}/gen_baskets.XXXXXX")
trap 'rm -rf "$dir"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect CODE PATTERN ARGS...: exit code CODE and PATTERN in stderr.
expect() {
    local want=$1 pattern=$2
    shift 2
    "$RETAIN" gen baskets "$@" >"$dir/out" 2>"$dir/err"
    local rc=$?
    [ "$rc" -eq "$want" ] || fail "gen baskets $* exited $rc, expected $want: $(cat "$dir/err")"
    grep -q -- "$pattern" "$dir/err" || fail "gen baskets $*: stderr lacks '$pattern': $(cat "$dir/err")"
}

"$RETAIN" gen baskets --help >"$dir/help" || fail "--help exit code"
for word in --items --avg-len --patterns --pattern-len --seed --threads --json OUT.dat; do
    grep -q -- "$word" "$dir/help" || fail "--help lacks $word"
done

args="-n 30000 --items 1000 --avg-len 8 --patterns 40 --seed 9 -q"
"$RETAIN" gen baskets $args --threads 1 -o "$dir/a.h5" || fail "h5, 1 thread"
"$RETAIN" gen baskets $args --threads 2 -o "$dir/b.h5" || fail "h5, 2 threads"
"$RETAIN" gen baskets $args --threads 1 -o "$dir/a.dat" || fail "dat, 1 thread"
"$RETAIN" gen baskets $args --threads 2 -o "$dir/b.dat" || fail "dat, 2 threads"
cmp -s "$dir/a.dat" "$dir/b.dat" || fail ".dat differs between --threads 1 and 2"
[ -f "$dir/a.dat.truth.h5" ] || fail "no side file a.dat.truth.h5"
"$RETAIN" gen baskets $args --seed 10 -o "$dir/c.dat" || fail "dat, other seed"
cmp -s "$dir/a.dat" "$dir/c.dat" && fail "another seed gave the same baskets"

"$PYTHON" - "$dir" <<'EOF' || fail "reading the outputs back"
import sys, h5py, numpy as np
d = sys.argv[1]
a, b = h5py.File(f"{d}/a.h5", "r"), h5py.File(f"{d}/b.h5", "r")
for name in ["baskets/indptr", "baskets/indices", "patterns/indptr", "patterns/indices",
             "patterns/weight", "patterns/corruption"]:
    assert np.array_equal(a[name][:], b[name][:]), f"{name} differs between thread counts"
ip, ix = a["baskets/indptr"][:], a["baskets/indices"][:]
assert a["baskets/indptr"].dtype == np.int64 and a["baskets/indices"].dtype == np.int32
assert len(ip) == 30001 and ip[0] == 0 and ip[-1] == len(ix) and (np.diff(ip) >= 1).all()
assert ix.min() >= 0 and ix.max() < 1000
names = a["baskets/item_names"][:]
assert len(names) == 1000 and names[0] == b"item_0000" and names[999] == b"item_0999"
for i in range(0, 30000, 97):
    row = ix[ip[i]:ip[i + 1]]
    assert (np.diff(row) > 0).all(), f"basket {i} not sorted/distinct: {row}"
mean = len(ix) / 30000
assert abs(mean - 8) < 0.1, f"mean length {mean}"
for key, value in [("items", 1000), ("patterns", 40), ("seed", 9), ("baskets", 30000),
                   ("avg_len", 8.0)]:
    assert a.attrs[key] == value, f"attribute {key} = {a.attrs[key]}"
# .dat holds the same baskets as the HDF5 file.
lines = open(f"{d}/a.dat").read().split("\n")
assert lines[-1] == "" and len(lines) == 30001
for i in range(0, 30000, 53):
    assert [int(v) for v in lines[i].split(" ")] == list(ix[ip[i]:ip[i + 1]]), f"line {i}"
t = h5py.File(f"{d}/a.dat.truth.h5", "r")
assert np.array_equal(t["patterns/indices"][:], a["patterns/indices"][:])
assert abs(t["patterns/weight"][:].sum() - 1) < 1e-9 and t.attrs["seed"] == 9
# The heaviest planted pattern is far more frequent than independent items give.
pi, px, w = a["patterns/indptr"][:], a["patterns/indices"][:], a["patterns/weight"][:]
k = int(np.argmax(w))
pat = px[pi[k]:pi[k + 1]]
freq = np.bincount(ix, minlength=1000) / 30000
sets = [set(ix[ip[i]:ip[i + 1]]) for i in range(30000)]
support = sum(set(pat) <= s for s in sets)
chance = 30000 * np.prod(freq[pat])
assert support > 20 * chance and support > 100, (support, chance)
EOF

"$RETAIN" gen baskets -n 1000 --json -o "$dir/j.h5" >"$dir/json" || fail "--json run"
"$PYTHON" -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["command"] == "gen baskets" and j["baskets"] == 1000 and j["seconds"] >= 0, j
assert j["item_occurrences"] > 1000 and j["format"] == "hdf5", j
' "$dir/json" || fail "--json is not the expected single JSON object"

expect 1 "--items" -n 10 --items 1 -o "$dir/x.h5"
expect 1 "--avg-len" -n 10 --avg-len 0.5 -o "$dir/x.h5"
expect 1 "--avg-len" -n 10 --items 10 --avg-len 20 -o "$dir/x.h5"
expect 1 "--patterns" -n 10 --patterns 0 -o "$dir/x.h5"
expect 1 "--pattern-len" -n 10 --pattern-len 1 -o "$dir/x.h5"
expect 1 "--baskets" -n lots -o "$dir/x.h5"
expect 1 "--corruption" -n 10 --corruption 2 -o "$dir/x.h5"
expect 1 "--threads" -n 10 --threads -1 -o "$dir/x.h5"
expect 1 ".dat" -n 10 -o "$dir/x.txt"
expect 1 ".h5" -n 10 -o "$dir/x.csv"
expect 1 "-o" -n 10
expect 1 "--compress" -n 10 --compress 5 -o "$dir/x.dat"
expect 1 "unknown option" -n 10 --frobnicate -o "$dir/x.h5"
expect 3 "$dir/missing" -n 10 -o "$dir/missing/x.h5"
[ ! -e "$dir/x.h5" ] && [ ! -e "$dir/x.txt" ] || fail "a refused run left a file"
ls "$dir" | grep -q "tmp-" && fail "temporary files left behind: $(ls "$dir")"
exit 0
