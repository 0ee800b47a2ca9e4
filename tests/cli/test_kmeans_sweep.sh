# tests/cli/test_kmeans_sweep.sh: `retain kmeans sweep` end to end. On four
# planted Gaussian segments (separation 10): the table has its header, one
# row per k and both suggestions, and the silhouette suggests the planted 4;
# --json carries every field, its suggestions are recomputed here (the best
# silhouette, and the elbow by the rule the output states); the silhouette's
# row count is as asked (--sample N, or all rows for --sample 0 and N above
# the rows) and said in the table; k = 1 shows "-" and null; --threads 1
# and 2 give the same numbers; progress goes to stderr as JSON events with
# --log-json and not at all with --quiet. Refusals: malformed -k ranges
# (5:2, 0:3, a:b, 3, 2:, none) exit 1 naming -k; k above the distinct rows,
# a dataset without rows and a file that is not HDF5 exit 2 naming the file;
# a missing file exits 3. --help shows an example. (Agreement of the metrics
# with scikit-learn: tests/ref/test_kmeans_metrics.py.)
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" kmeans_sweep

"$RETAIN" gen users --shape gaussian --separation 10 -k 4 -d 6 -n 6000 --seed 5 -q -o users.h5 ||
    { echo "FAIL: gen users" >&2; exit 1; }

"$RETAIN" kmeans sweep users.h5 -k 2:7 --sample 1000 --seed 2 >table.txt 2>/dev/null ||
    fail "kmeans sweep (table)"
grep -qE "^ +k +inertia +silhouette +calinski_harabasz +davies_bouldin +iterations +seconds$" table.txt ||
    fail "table header: $(head -3 table.txt)"
[ "$(grep -cE '^ +[2-7] +[0-9.e+]+ +-?[0-9.]+ +[0-9.e+]+ +[0-9.]+ +[0-9]+ +[0-9.]+$' table.txt)" -eq 6 ] ||
    fail "table: six rows for k 2..7 expected: $(cat table.txt)"
grep -qF "silhouette: on a sample of 1000 of 6000 rows" table.txt || fail "table: sample size not said"
grep -qE "^suggested k: 4 by silhouette" table.txt || fail "silhouette should suggest the planted 4: $(grep suggested table.txt)"
grep -qE "^suggested k: [2-7] by the elbow of inertia \(the k farthest below" table.txt ||
    fail "elbow suggestion and its rule: $(grep suggested table.txt)"

"$RETAIN" kmeans sweep users.h5 -k 1:3 --sample 0 >exact.txt 2>/dev/null || fail "kmeans sweep -k 1:3"
grep -qF "silhouette: exact, on all 6000 rows" exact.txt || fail "exact silhouette not said"
grep -qE "^ +1 +[0-9.e+]+ +- +- +- " exact.txt || fail "k = 1: metrics shown as -: $(cat exact.txt)"

for t in 1 2; do
    "$RETAIN" kmeans sweep users.h5 -k 2:7 --sample 1000 --seed 2 --json --threads $t >t$t.json ||
        fail "kmeans sweep --json --threads $t"
done
"$RETAIN" kmeans sweep users.h5 -k 1:3 --sample 10000 --json >big_sample.json || fail "--sample above rows"
"$RETAIN" kmeans sweep users.h5 -k 1:3 --sample 0 --json >all.json || fail "--sample 0 --json"

"$PYTHON" - <<'PY' || fail "--json checks"
import json
bad = []
one, two = json.load(open("t1.json")), json.load(open("t2.json"))
for key in ("command", "input", "n", "d", "k_min", "k_max", "scale", "seed", "sample",
            "silhouette_rows", "rows", "suggested_k_silhouette", "suggested_k_elbow",
            "elbow_rule", "isa", "threads", "seconds"):
    if key not in one: bad.append(f"--json lacks {key}")
if (one["command"], one["n"], one["d"], one["k_min"], one["k_max"]) != ("kmeans sweep", 6000, 6, 2, 7):
    bad.append("summary fields")
if one["silhouette_rows"] != 1000 or one["sample"] != 1000: bad.append("sample size")
rows = one["rows"]
if [r["k"] for r in rows] != list(range(2, 8)): bad.append("one row per k")
for r in rows:
    for key in ("inertia", "silhouette", "calinski_harabasz", "davies_bouldin",
                "silhouette_rows", "n_iter", "converged", "seconds"):
        if key not in r: bad.append(f"row k {r['k']} lacks {key}")
    if r["silhouette_rows"] != 1000: bad.append(f"row k {r['k']}: silhouette_rows")
    if not (-1 <= r["silhouette"] <= 1 and r["calinski_harabasz"] > 0 and r["davies_bouldin"] >= 0):
        bad.append(f"row k {r['k']}: metrics out of range")
best = max(rows, key=lambda r: r["silhouette"])["k"]
if one["suggested_k_silhouette"] != best: bad.append(f"silhouette suggestion {one['suggested_k_silhouette']}, best {best}")
# the elbow rule as stated: k and inertia scaled to [0, 1], the k farthest below the chord
ks, ys = [r["k"] for r in rows], [r["inertia"] for r in rows]
lo, hi = min(ys), max(ys)
xs = [(k - ks[0]) / (ks[-1] - ks[0]) for k in ks]
ys = [(y - lo) / (hi - lo) for y in ys]
gaps = [ys[0] + (ys[-1] - ys[0]) * x - y for x, y in zip(xs, ys)]
elbow = ks[max(range(1, len(ks) - 1), key=lambda i: gaps[i])]
if one["suggested_k_elbow"] != elbow: bad.append(f"elbow {one['suggested_k_elbow']}, by the rule {elbow}")
for a, b in zip(one["rows"], two["rows"]):
    for key in ("inertia", "silhouette", "calinski_harabasz", "davies_bouldin"):
        if a[key] != b[key]: bad.append(f"k {a['k']} {key} differs between --threads 1 and 2")
big, every = json.load(open("big_sample.json")), json.load(open("all.json"))
if big["silhouette_rows"] != 6000 or every["silhouette_rows"] != 6000: bad.append("all rows used")
k1 = every["rows"][0]
if (k1["k"], k1["silhouette"], k1["calinski_harabasz"], k1["davies_bouldin"]) != (1, None, None, None):
    bad.append(f"k = 1 should give null metrics: {k1}")
if every["suggested_k_silhouette"] == 1: bad.append("k = 1 suggested by silhouette")
for b in bad: print(b)
raise SystemExit(1 if bad else 0)
PY

"$RETAIN" kmeans sweep users.h5 -k 2:3 --sample 500 --log-json >/dev/null 2>progress.txt ||
    fail "kmeans sweep --log-json"
grep -qF '"event":"progress","phase":"k=3 (2/2) init"' progress.txt ||
    fail "--log-json: progress events expected: $(head -c 300 progress.txt)"
"$RETAIN" kmeans sweep users.h5 -k 2:3 --sample 500 --log-json --quiet >/dev/null 2>quiet.txt ||
    fail "kmeans sweep --quiet"
[ -s quiet.txt ] && fail "--quiet: stderr should be empty: $(head -c 300 quiet.txt)"

"$PYTHON" - <<'PY' || { echo "FAIL: building fixtures" >&2; exit 1; }
import h5py, numpy as np
x = np.array([[1, 2], [1, 2], [3, 4], [5, 6], [3, 4], [1, 2]], dtype=np.float32)
with h5py.File("dupes.h5", "w") as f:
    f["features"] = x
with h5py.File("empty.h5", "w") as f:
    f.create_dataset("features", shape=(0, 3), dtype="f4")
open("zero.h5", "w").close()
PY

for range in 5:2 0:3 a:b 3 2: -1:4; do
    expect 1 "-k $range" "$RETAIN" kmeans sweep users.h5 -k "$range"
done
expect 1 "-k is missing" "$RETAIN" kmeans sweep users.h5
expect 1 "--scale" "$RETAIN" kmeans sweep users.h5 -k 2:3 --scale log
expect 1 "--sample" "$RETAIN" kmeans sweep users.h5 -k 2:3 --sample -5
expect 2 "dupes.h5|-k 2:5|only 3 distinct rows|use -k 2:3" "$RETAIN" kmeans sweep dupes.h5 -k 2:5
expect 2 "empty.h5|no rows|-k 2:3" "$RETAIN" kmeans sweep empty.h5 -k 2:3
expect 2 "zero.h5|not an HDF5 file" "$RETAIN" kmeans sweep zero.h5 -k 2:3
expect 3 "missing.h5" "$RETAIN" kmeans sweep missing.h5 -k 2:3

"$RETAIN" kmeans sweep --help | grep -q "example: retain kmeans sweep" || fail "sweep --help example"
"$RETAIN" --help | grep -qE "^  kmeans sweep " || fail "kmeans sweep missing from retain --help"

finish "kmeans sweep"
