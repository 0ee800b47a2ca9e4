# tests/cli/test_kmeans_bad_input.sh: every refusal of `retain kmeans fit` and
# `kmeans predict`, with its exit code (1 usage, 2 bad data, 3 I/O) and a
# message naming what is wrong: k < 1, k above the number of distinct rows
# (the count given), NaN and Inf (row and column), bad --init/--scale/-o,
# outputs equal to an input (model, labels, predict output), --init-centroids
# of the wrong shape, negative sample weights, a model applied to a file
# with missing, extra or reordered features (the difference listed), a
# file that is no model, a model of another kind, a newer format, and a
# truncated model file; the fit refusals again with --algorithm minibatch,
# which streams the file, and its own options. Nothing is left behind by a
# refused run.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" kmeans_bad_input

"$RETAIN" gen users --shape gaussian -n 2000 -d 4 -k 3 --seed 1 -q -o users.h5 &&
"$RETAIN" kmeans fit users.h5 -k 3 -q -o model.h5 || { echo "FAIL: setup" >&2; exit 1; }
"$PYTHON" - <<'PY' || { echo "FAIL: building fixtures" >&2; exit 1; }
import h5py, numpy as np, shutil
x = np.array([[1, 2], [1, 2], [3, 4], [5, 6], [3, 4], [7, 8], [1, 2]], dtype=np.float32)
with h5py.File("dupes.h5", "w") as f:
    f["features"] = x
for name, value in (("finite.h5", 0), ("nan.h5", np.nan), ("inf.h5", np.inf)):
    y = np.arange(40, dtype=np.float64).reshape(10, 4)
    y[6, 2] = value
    with h5py.File(name, "w") as f:
        f["features"] = y
with h5py.File("users.h5") as u:
    x = u["features"][:]
    names = [n.decode() if isinstance(n, bytes) else n for n in u["features"].attrs["feature_names"]]
def write(path, cols, data):
    with h5py.File(path, "w") as f:
        d = f.create_dataset("features", data=data)
        d.attrs["feature_names"] = cols
write("missing.h5", names[:3], x[:, :3])
write("extra.h5", names + ["bonus"], np.hstack([x, x[:, :1]]))
write("reordered.h5", [names[1], names[0]] + names[2:], x[:, [1, 0, 2, 3]])
write("renamed.h5", names[:3] + ["other"], x)
with h5py.File("centroids_bad.h5", "w") as f:
    f["centroids"] = np.zeros((2, 4), dtype=np.float32)
with h5py.File("weights.h5", "w") as f:
    f["features"] = x
    w = np.ones(len(x)); w[17] = -1
    f["w"] = w
shutil.copy("model.h5", "logreg.h5")
with h5py.File("logreg.h5", "r+") as f:
    f["meta"].attrs["kind"] = "logreg"
shutil.copy("model.h5", "future.h5")
with h5py.File("future.h5", "r+") as f:
    f["meta"].attrs["format_version"] = 99
data = open("model.h5", "rb").read()
open("truncated.h5", "wb").write(data[: len(data) // 2])
PY

# fit: options and data
expect 1 "--segments must be between 1" "$RETAIN" kmeans fit users.h5 -k 0 -o m.h5
expect 1 "got -3" "$RETAIN" kmeans fit users.h5 -k -3 -o m.h5
expect 2 "k = 5 segments|only 4 distinct rows|dupes.h5" "$RETAIN" kmeans fit dupes.h5 -k 5 -o m.h5
expect 0 "" "$RETAIN" kmeans fit dupes.h5 -k 4 -q -o m4.h5
expect 0 "" "$RETAIN" kmeans fit finite.h5 -k 2 -q -o finite_model.h5
expect 2 "nan.h5|row 6|column 2" "$RETAIN" kmeans fit nan.h5 -k 2 -o m.h5
expect 2 "inf.h5|row 6|column 2" "$RETAIN" kmeans fit inf.h5 -k 2 -o m.h5
expect 1 "--init must be k-means++ or random" "$RETAIN" kmeans fit users.h5 -k 3 --init best -o m.h5
expect 1 "--algorithm must be auto, lloyd, hamerly or minibatch" "$RETAIN" kmeans fit users.h5 -k 3 --algorithm elkan -o m.h5
expect 1 "--scale must be standard, minmax or none" "$RETAIN" kmeans fit users.h5 -k 3 --scale log -o m.h5
expect 1 "no output file" "$RETAIN" kmeans fit users.h5 -k 3
expect 1 "-o m.csv" "$RETAIN" kmeans fit users.h5 -k 3 -o m.csv
expect 1 "is the input file users.h5" "$RETAIN" kmeans fit users.h5 -k 3 -o users.h5
expect 1 "is the input file users.h5" "$RETAIN" kmeans fit users.h5 -k 3 -o m.h5 --labels-out users.h5
expect 1 "both m.h5" "$RETAIN" kmeans fit users.h5 -k 3 -o m.h5 --labels-out m.h5
expect 1 "exclude each other" "$RETAIN" kmeans fit users.h5 -k 2 --init random --init-centroids centroids_bad.h5 -o m.h5
expect 2 "centroids_bad.h5|2 x 4|3 x 4" "$RETAIN" kmeans fit users.h5 -k 3 --init-centroids centroids_bad.h5 -o m.h5
expect 1 "is the input file centroids_bad.h5" "$RETAIN" kmeans fit users.h5 -k 2 --init-centroids centroids_bad.h5 -o centroids_bad.h5
expect 2 "row 17|-1" "$RETAIN" kmeans fit weights.h5 -k 3 --sample-weight /w -o m.h5
expect 3 "nowhere.h5" "$RETAIN" kmeans fit nowhere.h5 -k 3 -o m.h5
# fit --algorithm minibatch: the same refusals while streaming the file
expect 1 "--batch-size must be between 1" "$RETAIN" kmeans fit users.h5 -k 3 --algorithm minibatch --batch-size 0 -o m.h5
expect 1 "--max-no-improvement" "$RETAIN" kmeans fit users.h5 -k 3 --algorithm minibatch --max-no-improvement -1 -o m.h5
expect 2 "dupes.h5|k = 5 segments|only 4 distinct rows" "$RETAIN" kmeans fit dupes.h5 -k 5 --algorithm minibatch -o m.h5
expect 2 "dupes.h5|k = 8 segments|only 7 rows" "$RETAIN" kmeans fit dupes.h5 -k 8 --algorithm minibatch -o m.h5
expect 0 "" "$RETAIN" kmeans fit dupes.h5 -k 4 --algorithm minibatch -q -o m4.h5
expect 2 "nan.h5|row 6|column 2" "$RETAIN" kmeans fit nan.h5 -k 2 --algorithm minibatch -o m.h5
expect 2 "weights.h5|row 17|-1" "$RETAIN" kmeans fit weights.h5 -k 3 --sample-weight /w --algorithm minibatch -o m.h5
expect 2 "centroids_bad.h5|2 x 4|3 x 4" "$RETAIN" kmeans fit users.h5 -k 3 --algorithm minibatch --init-centroids centroids_bad.h5 -o m.h5
[ -e m.h5 ] && fail "a refused fit left m.h5 behind"
ls ./*.tmp-* >/dev/null 2>&1 && fail "temporary files left behind: $(ls ./*.tmp-*)"

# predict: features that differ from the model's
expect 2 "missing.h5|model.h5|missing: avg_order_value|extra: none|--columns" "$RETAIN" kmeans predict model.h5 missing.h5 -o p.h5
expect 2 "extra.h5|missing: none|extra: bonus" "$RETAIN" kmeans predict model.h5 extra.h5 -o p.h5
expect 2 "reordered|the input has frequency, recency_days|model expects recency_days, frequency" "$RETAIN" kmeans predict model.h5 reordered.h5 -o p.h5
expect 2 "missing: avg_order_value|extra: other" "$RETAIN" kmeans predict model.h5 renamed.h5 -o p.h5
expect 2 "nan.h5|row 6|column 2" "$RETAIN" kmeans predict finite_model.h5 nan.h5 -o p.h5
# predict: models that are not, or not for us
expect 2 "users.h5 is not a retain model file" "$RETAIN" kmeans predict users.h5 users.h5 -o p.h5
expect 2 "logreg.h5 holds a logreg model, not a k-means model" "$RETAIN" kmeans predict logreg.h5 users.h5 -o p.h5
expect 2 "future.h5|format 99|newer" "$RETAIN" kmeans predict future.h5 users.h5 -o p.h5
expect 2 "truncated.h5" "$RETAIN" kmeans predict truncated.h5 users.h5 -o p.h5
expect 3 "absent.h5" "$RETAIN" kmeans predict absent.h5 users.h5 -o p.h5
expect 1 "is the input file users.h5" "$RETAIN" kmeans predict model.h5 users.h5 -o users.h5
expect 1 "is the input file model.h5" "$RETAIN" kmeans predict model.h5 users.h5 -o model.h5
expect 1 "missing argument" "$RETAIN" kmeans predict model.h5 -o p.h5
[ -e p.h5 ] && fail "a refused predict left p.h5 behind"
expect 0 "" "$RETAIN" kmeans predict model.h5 users.h5 -q -o p.h5

finish "kmeans bad input"
