# tests/cli/test_bad_input.sh: every kind of bad input to the HDF5 feature
# reader and `retain info` gets one check of the exit code (2 bad data, 3 I/O,
# 1 usage) and of the message, which must name the file, the dataset, the
# row and column or the option at fault. Inputs: missing file, folder, wrong
# --dataset (the message lists what exists), no features at all, 1-D, 3-D and
# 10-D datasets, strings, a pandas string column, a pandas table-format
# frame, NaN/+Inf/-Inf (first bad row and column), a float64 too large for
# float32, unknown and repeated --columns, unequal column lengths, bad labels,
# truncated, corrupt and non-HDF5 files (no crash, no hang: under timeout), a
# compression filter this HDF5 cannot decode (h5py's LZF), a
# dimension claim far beyond what the file stores and one that overflows 64
# bits (refused before allocating; `retain info` describes it and returns),
# and a matrix larger than the memory limit (ulimit -v) read whole.
# Uses READ_FEATURES (tests/tools/read_features) and RETAIN.
set -u
: "${RETAIN:?set RETAIN to the retain binary}"
: "${READ_FEATURES:?set READ_FEATURES to tests/tools/read_features}"
PYTHON=${PYTHON:-/usr/bin/python3}
RETAIN=$(realpath "$RETAIN")
RF=$(realpath "$READ_FEATURES")
mkdir -p "${TMPROOT:-/tmp}"
dir=$(mktemp -d "${TMPROOT:-/tmp}/bad_input.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1

failures=0
checks=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect CODE "PATTERN|PATTERN..." COMMAND ARGS...: runs the command under a
# 30 s timeout; checks the exit code and that stdout+stderr hold every
# |-separated pattern (fixed strings).
expect() {
    local want=$1 patterns=$2
    shift 2
    local cmd="$*"
    checks=$((checks + 1))
    timeout 30 "$@" >"$dir/out" 2>"$dir/err"
    local rc=$?
    cat "$dir/err" >>"$dir/out"
    [ -n "${VERBOSE:-}" ] && { echo "== [$rc] $cmd"; tail -c 700 "$dir/err"; }
    if [ "$rc" -eq 124 ]; then
        fail "$*: hung (killed after 30 s)"
        return
    fi
    if [ "$rc" -ne "$want" ]; then
        fail "$*: exit code $rc, expected $want: $(head -c 600 "$dir/err")"
        return
    fi
    local IFS='|'
    for p in $patterns; do
        [ -z "$p" ] && continue
        grep -qF -- "$p" "$dir/out" || fail "$cmd: output lacks '$p': $(head -c 600 "$dir/out")"
    done
}

"$PYTHON" - <<'EOF' || { echo "FAIL: building fixtures" >&2; exit 1; }
import numpy as np, h5py, pandas as pd
rng = np.random.default_rng(1)

def h5(name):
    return h5py.File(name, "w")

with h5("good.h5") as f:
    d = f.create_dataset("features", data=rng.standard_normal((2000, 6)).astype("f4"),
                         chunks=(100, 6), compression="gzip", shuffle=True)
    d.attrs["feature_names"] = [f"c{i}" for i in range(6)]
    f.create_dataset("user_id", data=np.arange(2000))
    f.create_dataset("short_label", data=np.zeros(1999, dtype="i1"))
    f.create_dataset("text_label", data=[b"yes"] * 2000)
    f.create_dataset("float_ids", data=np.zeros(2000))
    f.create_dataset("nan_label", data=np.r_[np.zeros(10), np.nan, np.zeros(1989)])
    chunk3 = d.id.get_chunk_info(3)
open("chunk3", "w").write(f"{chunk3.byte_offset} {chunk3.size}\n")
with h5("noframe.h5") as f:
    f.create_dataset("alpha", data=np.zeros((10, 3)))
    f.create_dataset("beta/gamma", data=np.zeros(10))
with h5("one_d.h5") as f:
    f.create_dataset("features", data=np.zeros(100))
with h5("three_d.h5") as f:
    f.create_dataset("features", data=np.zeros((10, 4, 3)))
with h5("ten_d.h5") as f:
    f.create_dataset("features", data=np.zeros((1,) * 9 + (2,)))
with h5("strings.h5") as f:
    f.create_dataset("features", data=np.array([[b"a", b"b"], [b"c", b"d"]]))
pd.DataFrame({"x": [1.0, 2.0], "name": ["ann", "bob"]}).to_hdf(
    "pandas_str.h5", key="df", mode="w", format="fixed")
pd.DataFrame({"x": [1.0, 2.0], "y": [3, 4]}).to_hdf(
    "table.h5", key="df", mode="w", format="table")

names = ["a", "b", "c", "d"]
def matrix(name, dtype, cells):
    v = rng.standard_normal((300, 4)).astype(dtype)
    for (i, j), x in cells.items():
        v[i, j] = x
    with h5(name) as f:
        f.create_dataset("features", data=v, chunks=(64, 4)).attrs["feature_names"] = names
matrix("nan.h5", "f8", {(137, 2): np.nan})
matrix("pinf.h5", "f4", {(5, 0): np.inf})
matrix("ninf.h5", "f4", {(9, 3): -np.inf, (200, 0): np.nan})
matrix("order.h5", "f8", {(100, 3): np.nan, (100, 1): np.inf, (150, 0): np.nan})
matrix("late.h5", "f4", {(299, 3): np.nan})
matrix("ovf.h5", "f8", {(7, 1): 1e39, (8, 1): np.nan})
with h5("colnan.h5") as f:
    f.create_dataset("cols/a", data=np.ones(50))
    b = np.ones(50)
    b[42] = np.nan
    f.create_dataset("cols/b", data=b)
with h5("unequal.h5") as f:
    f.create_dataset("g/a", data=np.ones(100))
    f.create_dataset("g/b", data=np.ones(99))
with h5("huge.h5") as f:
    f.create_dataset("features", shape=(10 ** 12, 1000), dtype="f4", chunks=(1024, 1000))
    f.create_dataset("user_id", data=np.arange(10))
with h5("overflow.h5") as f:
    f.create_dataset("features", shape=(2 ** 62, 4), dtype="f4", chunks=(1, 4))
with h5("bigmem.h5") as f:
    f.create_dataset("features", data=np.ones((100000, 300), dtype="f4"),
                     chunks=(1000, 300), compression="gzip", compression_opts=1, shuffle=True)
with h5("lzf.h5") as f:  # LZF is h5py's own filter: plain libhdf5 lacks it
    f.create_dataset("features", data=np.ones((100, 3)), compression="lzf")
    f.create_dataset("user_id", data=np.arange(100))
open("notes.csv", "w").write("user,spend\n1,2.5\n")
open("noise.bin", "wb").write(bytes(rng.integers(0, 256, 5000, dtype=np.uint8)))
EOF

# ---- files that cannot be opened --------------------------------------------------
expect 3 "missing.h5|No such file" "$RF" missing.h5
expect 3 "missing.h5|No such file" "$RETAIN" info missing.h5
mkdir -p afolder
expect 3 "afolder|is a folder" "$RF" afolder
expect 2 "notes.csv|not an HDF5 file" "$RF" notes.csv
expect 2 "noise.bin|not an HDF5 file" "$RF" noise.bin
expect 2 "noise.bin|neither HDF5 nor text" "$RETAIN" info noise.bin
if [ "$(id -u)" -ne 0 ]; then
    cp good.h5 locked.h5 && chmod 000 locked.h5
    expect 3 "locked.h5|Permission denied" "$RF" locked.h5
    chmod 644 locked.h5
else
    echo "note: running as root, which reads any file: unreadable-file check skipped"
fi

# ---- where the features are -------------------------------------------------
expect 2 "good.h5|/nope|--dataset|/features|/user_id" "$RF" good.h5 --dataset /nope
expect 2 "good.h5|/nope|/features|/user_id" "$RETAIN" info good.h5 --dataset /nope
expect 2 "noframe.h5|no /features|--dataset|/alpha|/beta/gamma" "$RF" noframe.h5
expect 0 "features: none found|/alpha|/beta/gamma" "$RETAIN" info noframe.h5
expect 2 "one_d.h5|/features|1-D|2-D" "$RF" one_d.h5
expect 2 "three_d.h5|/features|3-D|10 x 4 x 3|2-D" "$RF" three_d.h5
expect 2 "ten_d.h5|/features|10-D|2-D" "$RF" ten_d.h5
expect 0 "/features" "$RETAIN" info ten_d.h5
expect 2 "strings.h5|/features|string|numeric" "$RF" strings.h5
expect 2 "pandas_str.h5|/df|'name'|string|--columns" "$RF" pandas_str.h5 --columns x,name
expect 2 "table.h5|/df|format=\"table\"|format=\"fixed\"" "$RF" table.h5 --dataset /df
expect 2 "good.h5|'zz'|c0, c1, c2, c3, c4, c5" "$RF" good.h5 --columns c0,zz
expect 2 "pandas_str.h5|'zz'|x, name" "$RF" pandas_str.h5 --columns zz
expect 2 "colnan.h5|'zz'|a, b" "$RF" colnan.h5 --dataset /cols --columns a,zz
expect 1 "'c1' twice" "$RF" good.h5 --columns c1,c2,c1
expect 1 "empty name" "$RF" good.h5 --columns c1,,c2
expect 2 "unequal.h5|/g/b|99 rows|/g/a|100|equal length" "$RF" unequal.h5 --dataset /g

# ---- labels and ids -----------------------------------------------------------
expect 2 "good.h5|/short_label|label|1999|2000 rows" "$RF" good.h5 --label /short_label
expect 2 "good.h5|/text_label|label|string" "$RF" good.h5 --label /text_label
expect 2 "good.h5|/no_label|label|--label" "$RF" good.h5 --label /no_label
expect 2 "good.h5|/float_ids|float64|integers or strings" "$RF" good.h5 --user-id /float_ids
expect 2 "good.h5|/nan_label|row 10|NaN" "$RF" good.h5 --label /nan_label
expect 1 "good.h5|rows 1990..2009|2000 rows" "$RF" good.h5 --first 1990 --count 20

# ---- values: first bad row and column -----------------------------------------------
expect 2 "nan.h5|/features|row 137|column 2 (c)|NaN|fill or drop the row" "$RF" nan.h5
expect 2 "pinf.h5|/features|row 5|column 0 (a)|+Inf" "$RF" pinf.h5
expect 2 "ninf.h5|/features|row 9|column 3 (d)|-Inf" "$RF" ninf.h5
expect 2 "order.h5|row 100|column 1 (b)|+Inf" "$RF" order.h5
expect 2 "late.h5|row 299|column 3 (d)|NaN" "$RF" late.h5 --first 290 --count 10 --block 3
expect 0 "" "$RF" late.h5 --first 0 --count 299
expect 0 "" "$RF" nan.h5 --allow-nonfinite
expect 2 "colnan.h5|/cols/b|row 42|column 1 (b)|NaN" "$RF" colnan.h5 --dataset /cols
expect 2 "ovf.h5|row 7|column 1 (b)|1e+39|float32|rescale" "$RF" ovf.h5
expect 2 "ovf.h5|row 7|column 1 (b)|float32" "$RETAIN" info ovf.h5
expect 0 '"nan":1' "$RETAIN" info --json nan.h5

# ---- damaged files: exit 2, a message naming the file, no crash, no hang ---------------
size=$(stat -c %s good.h5)
for cut in 4 100 1000 20000 $((size / 2)) $((size - 100)) $((size - 1)); do
    head -c "$cut" good.h5 >cut.h5
    if [ "$cut" -lt 8 ]; then
        expect 2 "cut.h5|not an HDF5 file" "$RF" cut.h5
    else
        expect 2 "cut.h5|truncated or corrupt" "$RF" cut.h5
        expect 2 "cut.h5|truncated or corrupt" "$RETAIN" info cut.h5
    fi
done
cp good.h5 super.h5
printf '\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377' |
    dd of=super.h5 bs=1 seek=24 conv=notrunc status=none
expect 2 "super.h5|truncated or corrupt" "$RF" super.h5
expect 2 "super.h5|truncated or corrupt" "$RETAIN" info super.h5
cp good.h5 superv.h5
printf '\007' | dd of=superv.h5 bs=1 seek=8 conv=notrunc status=none
expect 2 "superv.h5|truncated or corrupt" "$RF" superv.h5
read -r off len <chunk3
cp good.h5 chunk.h5
head -c 64 /dev/zero | tr '\0' '\125' |
    dd of=chunk.h5 bs=1 seek=$((off + len / 3)) conv=notrunc status=none
expect 2 "chunk.h5|/features|rows 300..399|damaged" "$RF" chunk.h5 --all
expect 0 "" "$RF" chunk.h5 --first 0 --count 300
expect 0 "" "$RF" chunk.h5 --first 400 --count 1600
expect 2 "chunk.h5|/features|rows 300..399" "$RETAIN" info chunk.h5

expect 2 "lzf.h5|/features|filter 32000|lzf|plugin" "$RF" lzf.h5
expect 0 "lzf.h5|not read|filter 32000|/user_id" "$RETAIN" info lzf.h5

# ---- impossible sizes: refused before allocating ---------------------------------------
expect 2 "huge.h5|/features|1000000000000 x 1000|3.6 PiB|stores only 0 B" "$RF" huge.h5 --all
expect 2 "huge.h5|/features|claims" "$RF" huge.h5 --first 0 --count 10
expect 0 "huge.h5|features: none found|claims|not read" "$RETAIN" info huge.h5
expect 0 "\"note\"" "$RETAIN" info --json huge.h5
expect 2 "huge.h5|/features|claims" "$RETAIN" info huge.h5 --dataset /features
expect 2 "overflow.h5|/features|4611686018427387904 x 4|overflows" "$RF" overflow.h5 --all
expect 0 "overflows" "$RETAIN" info overflow.h5
if ldd "$RF" 2>/dev/null | grep -q 'libasan\|libtsan\|libmsan'; then
    echo "note: sanitizer build reserves address space: ulimit -v check skipped"
else
    # 100000 x 300 float32 = 114 MiB, more than an 80 MiB address-space limit
    expect 2 "bigmem.h5|/features|100000 x 300|114.4 MiB|available|row ranges" \
        bash -c 'ulimit -v 80000; exec "$0" bigmem.h5 --all' "$RF"
    expect 0 "" bash -c 'ulimit -v 80000; exec "$0" bigmem.h5 --first 5000 --count 20000 >/dev/null' \
        "$RF"
fi

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ]
