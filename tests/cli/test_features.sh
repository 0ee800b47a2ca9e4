# tests/cli/test_features.sh: `retain features` end to end on small logs:
# --help states the features and the tier rule; bad input (unparseable
# timestamp or amount with file, line and column; missing columns listed;
# an empty log; --asof before the first event; a log out of time order)
# exits 2 or 1 and leaves no output; events after --asof change nothing but
# the label; duplicate rows are reported; /churned only when the log covers
# the horizon; the output feeds `retain kmeans fit`.
set -u
: "${RETAIN:?set RETAIN to the retain binary}"
PYTHON=${PYTHON:-/usr/bin/python3}
mkdir -p "${TMPROOT:-/tmp}"
dir=$(mktemp -d "${TMPROOT:-/tmp}/features.XXXXXX")
trap 'rm -rf "$dir"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect CODE PATTERN LOG [options]: exit code, a phrase on stderr, no output
expect() {
    local want=$1 pattern=$2
    shift 2
    rm -f "$dir/out.h5"
    "$RETAIN" features "$@" -o "$dir/out.h5" >"$dir/stdout" 2>"$dir/err"
    local rc=$?
    [ "$rc" -eq "$want" ] || fail "features $* exited $rc, expected $want: $(cat "$dir/err")"
    grep -q -- "$pattern" "$dir/err" || fail "features $*: stderr lacks '$pattern': $(cat "$dir/err")"
    [ ! -e "$dir/out.h5" ] || fail "features $*: an output was left behind"
}

"$RETAIN" features --help >"$dir/help" || fail "--help exit code"
for word in --asof --window --horizon --user-col recency_days refund_share churned \
            "lost     recency_days > 180" "new      tenure_days <= 30" at_risk loyal; do
    grep -q -- "$word" "$dir/help" || fail "--help lacks '$word'"
done

cat >"$dir/log.csv" <<'CSV'
user_id,timestamp,amount,item,order_id
1,2024-01-05,10.00,5,1
2,2024-01-10T12:00:00,20,5,2
1,2024-02-01,30,6,3
1,2024-02-01,30,6,3
3,2024-02-20,4,7,4
2,2024-03-15,9,5,5
1,2024-04-20,12,5,6
CSV
head -6 "$dir/log.csv" >"$dir/before.csv"

"$RETAIN" features "$dir/log.csv" --asof 2024-03-01 --horizon 60d -o "$dir/a.h5" \
    >"$dir/stdout" 2>"$dir/err" || fail "features: $(cat "$dir/err")"
grep -q "1 duplicate rows left out (the first: .*log.csv line 5, equal to .*log.csv line 4)" \
    "$dir/err" || fail "duplicate not reported: $(cat "$dir/err")"
grep -q "no /churned written" "$dir/err" || fail "no note on the missing label: $(cat "$dir/err")"
"$RETAIN" features "$dir/before.csv" --asof 2024-03-01 --horizon 60d -q -o "$dir/b.h5" \
    || fail "features on the log cut at --asof"
"$RETAIN" features "$dir/log.csv" --asof 2024-03-01 --horizon 20d -q --json \
    -o "$dir/c.h5" >"$dir/json" || fail "features --horizon 20d"
"$PYTHON" - "$dir" <<'EOF' || fail "outputs"
import json, sys, h5py, numpy as np
d = sys.argv[1]
a, b, c = (h5py.File(f"{d}/{n}.h5", "r") for n in "abc")
# events after --asof change nothing but the label
for name in ("features", "user_id", "rfm_score", "tier"):
    assert np.array_equal(a[name][:], b[name][:]), name
    assert np.array_equal(a[name][:], c[name][:]), name
assert "churned" not in a and "churned" in c
assert list(c["churned"][:]) == [1, 0, 1], c["churned"][:]  # user 2 buys on 2024-03-15
assert list(a["user_id"][:]) == [1, 2, 3]
x = a["features"][:]
assert x.dtype == np.float64 and x.shape == (3, 11)
assert x[0, 0] == 29 and x[0, 1] == 56 and x[0, 2] == 2 and x[0, 3] == 40, x[0]
names = [n.decode() if isinstance(n, bytes) else n for n in a["features"].attrs["feature_names"]]
assert names[0] == "recency_days" and names[-1] == "refund_share", names
j = json.load(open(f"{d}/json"))
assert j["users"] == 3 and j["duplicates"] == 1 and j["events_after_asof"] == 2, j
assert j["churned_written"] and j["churners"] == 2, j
EOF
"$RETAIN" kmeans fit "$dir/c.h5" -k 2 -q -o "$dir/m.h5" || fail "kmeans fit on the features"

# bad input
printf 'user_id,timestamp,amount\n1,2024-01-01,1\n2,2024-02-30,2\n' >"$dir/badtime.csv"
expect 2 "badtime.csv line 3, column 'timestamp': cannot read '2024-02-30'" "$dir/badtime.csv" --asof 2024-03-01
printf 'user_id,timestamp,amount\n1,2024-01-01,1\n2,2024-02-03,1,5\n' >"$dir/ragged.csv"
expect 2 "ragged.csv line 3 has 4 fields" "$dir/ragged.csv" --asof 2024-03-01
printf 'user_id,timestamp,amount\n1,2024-01-01,1\n2,2024-02-03,12$\n' >"$dir/badamount.csv"
expect 2 "badamount.csv line 3, column 'amount': cannot read '12\$'" "$dir/badamount.csv" --asof 2024-03-01
printf 'customer,day,value\n1,2024-01-01,1\n' >"$dir/cols.csv"
expect 2 "has no column 'user_id' (the header line lists: 'customer', 'day', 'value')" "$dir/cols.csv" --asof 2024-03-01
"$RETAIN" features "$dir/cols.csv" --asof 2024-03-01 --user-col customer --time-col day \
    --amount-col value -q -o "$dir/renamed.h5" || fail "--user-col/--time-col/--amount-col"
printf 'user_id,timestamp,amount\n' >"$dir/header.csv"
expect 2 "no events" "$dir/header.csv" --asof 2024-03-01
: >"$dir/empty.csv"
expect 2 "empty.csv is empty" "$dir/empty.csv" --asof 2024-03-01
expect 1 "asof 2023-12-01 (the log's first event is at 2024-01-05T00:00:00)" "$dir/log.csv" --asof 2023-12-01
printf 'user_id,timestamp,amount\n1,2024-01-02,1\n1,2024-01-01,1\n' >"$dir/order.csv"
expect 2 "order.csv line 3 is earlier than .*order.csv line 2" "$dir/order.csv" --asof 2024-03-01
expect 1 "--asof expects" "$dir/log.csv" --asof 2024-3-1
expect 1 "--window expects" "$dir/log.csv" --asof 2024-03-01 --window 3x
expect 1 "--asof DATE is required" "$dir/log.csv"
expect 3 "cannot open" "$dir/none.csv" --asof 2024-03-01
"$RETAIN" features "$dir/log.csv" --asof 2024-03-01 -o "$dir/log.csv" 2>"$dir/err"
[ $? -eq 1 ] || fail "the log as output not refused"
echo "features: all checks passed"
