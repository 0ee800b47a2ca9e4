# tests/cli/test_gen_transactions.sh: `retain gen transactions` end to end:
# CSV and HDF5 logs read back with pandas/h5py (header, ISO timestamps in
# time order, ties by user, order lines, refunds, the truth and its
# parameters), the same bytes for --threads 1 and 2, --json, and exit code
# 1 with the option named for bad options and unknown output suffixes.
set -u
: "${RETAIN:?set RETAIN to the retain binary}"
PYTHON=${PYTHON:-/usr/bin/python3}
mkdir -p "${TMPROOT:-/tmp}"
dir=$(mktemp -d "${TMPROOT:-/tmp}/gen_transactions.XXXXXX")
trap 'rm -rf "$dir"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

expect() {
    local want=$1 pattern=$2
    shift 2
    "$RETAIN" gen transactions "$@" >"$dir/out" 2>"$dir/err"
    local rc=$?
    [ "$rc" -eq "$want" ] || fail "gen transactions $* exited $rc, expected $want: $(cat "$dir/err")"
    grep -q -- "$pattern" "$dir/err" || fail "gen transactions $*: stderr lacks '$pattern': $(cat "$dir/err")"
}

"$RETAIN" gen transactions --help >"$dir/help" || fail "--help exit code"
for word in --users --r --alpha --spend-p --start --days --refund-rate REPEAT OUT.csv; do
    grep -q -- "$word" "$dir/help" || fail "--help lacks $word"
done

args="-n 3000 --days 365 --start 2023-03-01T06:00:00 --refund-rate 0.05 --seed 3 -q"
"$RETAIN" gen transactions $args --threads 1 -o "$dir/a.csv" || fail "csv, 1 thread"
"$RETAIN" gen transactions $args --threads 2 -o "$dir/b.csv" || fail "csv, 2 threads"
"$RETAIN" gen transactions $args --threads 1 -o "$dir/a.h5" || fail "h5, 1 thread"
"$RETAIN" gen transactions $args --threads 2 -o "$dir/b.h5" || fail "h5, 2 threads"
cmp -s "$dir/a.csv" "$dir/b.csv" || fail "CSV differs between --threads 1 and 2"
[ -f "$dir/a.csv.truth.h5" ] || fail "no side file a.csv.truth.h5"

"$PYTHON" - "$dir" <<'EOF' || fail "reading the outputs back"
import sys, h5py, numpy as np, pandas as pd
d = sys.argv[1]
a, b = h5py.File(f"{d}/a.h5", "r"), h5py.File(f"{d}/b.h5", "r")
cols = ["user_id", "timestamp", "amount", "item", "order_id"]
for name in cols + ["truth/lambda", "truth/p", "truth/nu", "truth/orders",
                    "truth/alive_at_end", "truth/first_purchase"]:
    assert np.array_equal(a[name][:], b[name][:]), f"{name} differs between thread counts"
with open(f"{d}/a.csv") as f:
    assert f.readline() == "user_id,timestamp,amount,item,order_id\n"
log = pd.read_csv(f"{d}/a.csv", dtype={"amount": str})
assert log.timestamp.str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d").all()
assert log.amount.str.fullmatch(r"-?\d+\.\d\d").all(), "amounts with 2 decimals"
cents = log.amount.str.replace(".", "", regex=False).astype(np.int64)
ts = pd.to_datetime(log.timestamp).astype("int64") // 10**9
# The CSV and the HDF5 log are the same events.
assert np.array_equal(ts.values, a["timestamp"][:])
assert np.array_equal(log.user_id.values, a["user_id"][:])
assert np.array_equal(log.item.values, a["item"][:])
assert np.array_equal(log.order_id.values, a["order_id"][:])
assert np.allclose(cents.values / 100, a["amount"][:], rtol=0, atol=1e-9)
for name, dtype in [("user_id", np.int64), ("timestamp", np.int64), ("amount", np.float64),
                    ("item", np.int32), ("order_id", np.int64)]:
    assert a[name].dtype == dtype, (name, a[name].dtype)
# Time order, ties by user, inside the period.
start = pd.Timestamp("2023-03-01T06:00:00").value // 10**9
t, u = ts.values, log.user_id.values
assert (np.diff(t) >= 0).all() and (np.diff(u)[np.diff(t) == 0] >= 0).all()
assert t.min() >= start and t.max() < start + 365 * 86400
# Orders: lines positive, numbered 1.. in order of appearance; refunds are a
# later line of the same order and item with the negative amount.
sales, refunds = log[cents > 0], log[cents < 0]
assert (cents != 0).all() and len(refunds) > 0
first_seen = sales.order_id.drop_duplicates().values
assert np.array_equal(first_seen, np.arange(1, len(first_seen) + 1))
assert (sales.groupby("order_id").user_id.nunique() == 1).all()
m = refunds.reset_index().merge(sales.reset_index(), on=["order_id", "item", "user_id"],
                                suffixes=("_r", "_s"))
assert len(m) == len(refunds)
assert (cents[m.index_r].values == -cents[m.index_s].values).all()
assert (ts[m.index_r].values > ts[m.index_s].values).all()
# The truth: parameters, per-user orders and first purchases agree with the log.
tr = h5py.File(f"{d}/a.csv.truth.h5", "r")["truth"]
for key, value in [("r", 0.243), ("alpha", 4.414 * 7), ("a", 0.793), ("b", 2.426),
                   ("p", 6.25), ("q", 3.74), ("gamma", 15.44), ("days", 365), ("seed", 3),
                   ("users", 3000), ("start_epoch", start)]:
    assert abs(tr.attrs[key] - value) < 1e-9, (key, tr.attrs[key])
assert tr.attrs["time_unit"] == "day" and tr.attrs["start"] == "2023-03-01T06:00:00"
assert np.array_equal(tr["user_id"][:], np.arange(1, 3001))
orders = sales.groupby("user_id").order_id.nunique().reindex(range(1, 3001), fill_value=0)
assert np.array_equal(orders.values, tr["orders"][:])
first = pd.Series(t, index=u).groupby(level=0).min().reindex(range(1, 3001))
assert np.array_equal(first.values, tr["first_purchase"][:])
alive = tr["alive_at_end"][:]
assert alive.dtype == np.int8 and 0.3 < alive.mean() < 0.95
assert (tr["p"][:] > 0).all() and (tr["p"][:] < 1).all() and (tr["lambda"][:] > 0).all()
h = a["truth"]
assert h.attrs["time_unit"] == "day" and np.array_equal(h["orders"][:], tr["orders"][:])
assert "patterns" in h and abs(h["patterns/weight"][:].sum() - 1) < 1e-9
EOF

"$RETAIN" gen transactions -n 500 --json -o "$dir/j.csv" >"$dir/json" || fail "--json run"
"$PYTHON" -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["command"] == "gen transactions" and j["users"] == 500 and j["seconds"] >= 0, j
assert j["events"] >= j["orders"] >= 500 and 0 < j["alive_share"] <= 1, j
' "$dir/json" || fail "--json is not the expected single JSON object"

expect 1 "--users" -n 0 -o "$dir/x.csv"
expect 1 "--r" -n 10 --r 0 -o "$dir/x.csv"
expect 1 "--alpha" -n 10 --alpha -2 -o "$dir/x.csv"
expect 1 "--spend-q" -n 10 --spend-q nan -o "$dir/x.csv"
expect 1 "--days" -n 10 --days 0 -o "$dir/x.csv"
expect 1 "--start" -n 10 --start 2024-02-30 -o "$dir/x.csv"
expect 1 "--start" -n 10 --start yesterday -o "$dir/x.csv"
expect 1 "--acquisition-days" -n 10 --days 30 --acquisition-days 60 -o "$dir/x.csv"
expect 1 "--refund-rate" -n 10 --refund-rate 1.5 -o "$dir/x.csv"
expect 1 "--avg-len" -n 10 --items 5 --avg-len 9 -o "$dir/x.csv"
expect 1 ".csv" -n 10 -o "$dir/x.parquet"
expect 1 ".h5" -n 10 -o "$dir/x.dat"
expect 1 "--compress" -n 10 --compress 3 -o "$dir/x.csv"
expect 3 "$dir/missing" -n 10 -o "$dir/missing/x.csv"
[ ! -e "$dir/x.csv" ] && [ ! -e "$dir/x.csv.truth.h5" ] || fail "a refused run left a file"
ls "$dir" | grep -q "tmp-" && fail "temporary files left behind: $(ls "$dir")"
exit 0
