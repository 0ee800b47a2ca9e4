# tests/cli/test_kmeans_fit.sh: `retain kmeans fit` and `kmeans predict` end to
# end. The same data, options and seed give byte-identical model and label
# files for --threads 1 and 2, on small (d 8, k 6) and wide data (d 512,
# k 128), with k-means++, with random init and n-init 3, and with
# --algorithm minibatch (which streams the file; its summary and model
# attributes are checked too);
# predict on the training file reproduces --labels-out; outputs have the
# documented layout (/user_id copied, /segment int32, /segment_distance
# float32, attributes naming model and input); the --json summary carries
# its fields; a model reloads and scores a pandas frame with string ids;
# --help shows an example. (Agreement with scikit-learn and recovery of
# planted segments: tests/ref/test_kmeans_*.py.)
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" kmeans_fit

"$RETAIN" gen users --shape gaussian --separation 10 -k 6 -d 8 -n 30000 --seed 5 -q -o small.h5 &&
"$RETAIN" gen users --shape gaussian -k 8 -d 512 -n 4000 --seed 6 -q -o wide.h5 ||
    { echo "FAIL: gen users" >&2; exit 1; }

# same bits for any thread count
for spec in "small.h5 -k 6" "wide.h5 -k 128 --max-iter 10" "small.h5 -k 9 --init random --n-init 3 --scale minmax" \
    "small.h5 -k 6 --algorithm minibatch --batch-size 5000" "wide.h5 -k 16 --algorithm minibatch --max-iter 3"; do
    for t in 1 2; do
        # the same names in both runs: outputs record the paths they came from
        mkdir -p t$t
        # shellcheck disable=SC2086
        (cd t$t && "$RETAIN" kmeans fit ../$spec --seed 3 --threads $t -q -o model.h5 \
            --labels-out labels.h5) || fail "kmeans fit $spec --threads $t"
    done
    cmp -s t1/model.h5 t2/model.h5 || fail "kmeans fit $spec: models differ between --threads 1 and 2"
    cmp -s t1/labels.h5 t2/labels.h5 || fail "kmeans fit $spec: labels differ between --threads 1 and 2"
    rm -rf t1 t2
done

"$RETAIN" kmeans fit small.h5 -k 6 --seed 1 -o model.h5 --labels-out labels.h5 --json >fit.json ||
    fail "kmeans fit --json"
"$RETAIN" kmeans fit wide.h5 -k 128 --max-iter 5 --seed 1 -o wide_model.h5 --json >wide.json ||
    fail "kmeans fit wide --json"
"$RETAIN" kmeans predict model.h5 small.h5 -o scored.h5 -q || fail "kmeans predict"
"$RETAIN" kmeans fit small.h5 -k 6 --algorithm minibatch --batch-size 512 --seed 1 -o mb_model.h5 \
    --labels-out mb_labels.h5 --json >mb.json || fail "kmeans fit --algorithm minibatch --json"
"$RETAIN" kmeans predict mb_model.h5 small.h5 -o mb_scored.h5 -q || fail "kmeans predict (minibatch model)"
"$RETAIN" kmeans fit small.h5 -k 6 --seed 1 -o text_model.h5 >profile.txt || fail "kmeans fit (table)"
grep -qE "segment +size +share +recency_days" profile.txt || fail "profile table header: $(head -3 profile.txt)"
[ "$(grep -cE '^ +[0-9]+ +[0-9]+ +[0-9.]+%' profile.txt)" -eq 6 ] || fail "profile table: six segment rows expected"
"$RETAIN" kmeans fit --help | grep -q "example: retain kmeans fit" || fail "fit --help example"
"$RETAIN" kmeans predict --help | grep -q "example: retain kmeans predict" || fail "predict --help example"

"$PYTHON" - <<'PY' || fail "output checks"
import json, sys, h5py, numpy as np, pandas as pd
bad = []
fit = json.load(open("fit.json")); wide = json.load(open("wide.json"))
for key in ("inertia", "n_iter", "converged", "seconds", "seconds_per_iteration", "algorithm",
            "isa", "k", "n", "d", "segments"):
    if key not in fit: bad.append(f"--json lacks {key}")
if (fit["k"], fit["n"], fit["d"]) != (6, 30000, 8): bad.append(f"k n d {fit['k']} {fit['n']} {fit['d']}")
if (wide["k"], wide["d"], len(wide["segments"])) != (128, 512, 128): bad.append("wide summary")
# --algorithm auto: plain Lloyd for 6 x 8, Hamerly's bounds for 128 x 512
if (fit["algorithm"], wide["algorithm"]) != ("lloyd", "hamerly"):
    bad.append(f"algorithms {fit['algorithm']} / {wide['algorithm']}")
with h5py.File("wide_model.h5") as wm:
    if wm["meta"].attrs["algorithm"] != "hamerly": bad.append("wide model algorithm attribute")
# --algorithm minibatch: its summary and model attributes; predict agrees
mb = json.load(open("mb.json"))
if (mb["algorithm"], mb["batch_size"], mb["k"]) != ("minibatch", 512, 6) or mb["n_steps"] < 1:
    bad.append(f"minibatch summary {mb.get('algorithm')} {mb.get('batch_size')} {mb.get('n_steps')}")
with h5py.File("mb_model.h5") as mm, h5py.File("mb_labels.h5") as ml, h5py.File("mb_scored.h5") as ms:
    a = mm["meta"].attrs
    if (a["algorithm"], a["batch_size"], a["n_steps"], a["max_iter"]) != ("minibatch", 512, mb["n_steps"], 100):
        bad.append(f"minibatch model attributes {dict(a)}")
    if not np.array_equal(ml["segment"][:], ms["segment"][:]): bad.append("minibatch: predict != labels-out")
    if sorted(mm["segment_sizes"][:], reverse=True) != list(mm["segment_sizes"][:]) or \
            mm["segment_sizes"][:].sum() != 30000:
        bad.append("minibatch segment sizes")
sizes = [s["size"] for s in fit["segments"]]
if sizes != sorted(sizes, reverse=True) or sum(sizes) != 30000: bad.append(f"sizes {sizes}")
with h5py.File("small.h5") as u, h5py.File("labels.h5") as l, h5py.File("scored.h5") as s, \
        h5py.File("model.h5") as m:
    for f in (l, s):
        if f["segment"].dtype != np.int32 or f["segment_distance"].dtype != np.float32:
            bad.append("segment / segment_distance types")
        if not np.array_equal(f["user_id"][:], u["user_id"][:]): bad.append("user_id not copied")
        if f.attrs["model"] != "model.h5" or f.attrs["input"] != "small.h5": bad.append("attrs")
    if not np.array_equal(l["segment"][:], s["segment"][:]): bad.append("predict != labels-out")
    if not np.array_equal(np.bincount(s["segment"][:]), m["segment_sizes"][:]): bad.append("sizes vs predict")
    meta = m["meta"].attrs
    for key, want in (("kind", "kmeans"), ("format_version", 1), ("k", 6), ("scale", "standard"),
                      ("init", "k-means++"), ("max_iter", 300), ("n_iter", fit["n_iter"]),
                      ("algorithm", "lloyd")):
        if meta[key] != want: bad.append(f"meta {key} = {meta[key]!r}, want {want!r}")
    if list(meta["feature_names"]) != list(u["features"].attrs["feature_names"]): bad.append("feature_names")
    if abs(meta["inertia"] - fit["inertia"]) > 1e-9 * fit["inertia"]: bad.append("meta inertia")
    # the distance is the Euclidean one in scaled units
    x = u["features"][:].astype(np.float64)
    z = (x - m["scaler/mean"][:]) / m["scaler/scale"][:]
    c = m["centroids_scaled"][:].astype(np.float64)
    seg = s["segment"][:]
    want = np.sqrt(((z - c[seg]) ** 2).sum(axis=1))
    if np.abs(s["segment_distance"][:] - want).max() > 1e-4 * (1 + want.max()): bad.append("segment_distance")
    if np.abs(m["centroids"][:] - (c * m["scaler/scale"][:] + m["scaler/mean"][:])).max() > 1e-3:
        bad.append("centroids in input units")
    # a pandas frame with string ids, the model's columns among others
    names = list(u["features"].attrs["feature_names"])
    df = pd.DataFrame(x[:500].astype(np.float32), columns=names)
    df.insert(0, "note", 1.5)
    df.index = [f"u{i}" for i in range(500)]
    df.to_hdf("frame.h5", key="df", format="fixed")
if bad:
    print("\n".join(bad)); sys.exit(1)
PY
"$RETAIN" kmeans predict model.h5 frame.h5 -o frame_scored.h5 -q \
    --columns recency_days,frequency,monetary,avg_order_value,tenure_days,sessions_30d,support_tickets,discount_share ||
    fail "predict on a pandas frame"
"$PYTHON" - <<'PY' || fail "pandas frame scoring"
import h5py, numpy as np
with h5py.File("frame_scored.h5") as f, h5py.File("scored.h5") as s:
    ids = [v.decode() if isinstance(v, bytes) else v for v in f["user_id"][:]]
    assert ids == [f"u{i}" for i in range(500)], ids[:3]
    assert np.array_equal(f["segment"][:], s["segment"][:500])
PY

finish "kmeans fit/predict"
