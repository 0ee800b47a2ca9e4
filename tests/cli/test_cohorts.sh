# tests/cli/test_cohorts.sh: `retain cohorts` end to end on a small log:
# the table (no colour codes when stdout is not a terminal), --json, the
# CSV and HDF5 outputs with a group column of the log, --groups files, and
# bad input: unparseable fields (file, line, column), missing columns
# listed, an empty log, a conflicting group file, bad options; no output
# left behind on failure.
set -u
: "${RETAIN:?set RETAIN to the retain binary}"
PYTHON=${PYTHON:-/usr/bin/python3}
mkdir -p "${TMPROOT:-/tmp}"
dir=$(mktemp -d "${TMPROOT:-/tmp}/cohorts.XXXXXX")
trap 'rm -rf "$dir"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

expect() {
    local want=$1 pattern=$2
    shift 2
    rm -f "$dir/out.csv"
    "$RETAIN" cohorts "$@" -o "$dir/out.csv" >"$dir/stdout" 2>"$dir/err"
    local rc=$?
    [ "$rc" -eq "$want" ] || fail "cohorts $* exited $rc, expected $want: $(cat "$dir/err")"
    grep -q -- "$pattern" "$dir/err" || fail "cohorts $*: stderr lacks '$pattern': $(cat "$dir/err")"
    [ ! -e "$dir/out.csv" ] || fail "cohorts $*: an output was left behind"
}

"$RETAIN" cohorts --help >"$dir/help" || fail "--help exit code"
for word in --period --group --groups --control "95% Wald" "two-proportion z test" OUT.ab.csv; do
    grep -q -- "$word" "$dir/help" || fail "--help lacks '$word'"
done

cat >"$dir/log.csv" <<'CSV'
user_id,timestamp,amount,order_id,arm
1,2024-01-05,10,1,A
2,2024-01-20,5,2,B
1,2024-02-03,7,3,A
3,2024-02-10,4,4,B
2,2024-03-01,9,5,B
1,2024-03-02,1,6,A
3,2024-03-03,-4,7,B
CSV
"$RETAIN" cohorts "$dir/log.csv" >"$dir/table" || fail "cohorts"
grep -q "3 users in 2 cohorts by month; repeat purchase rate 66.7%" "$dir/table" || fail "summary: $(cat "$dir/table")"
grep -q "^2024-01 .* 2  100.0%  100.0%   50.0%  100.0%" "$dir/table" || fail "January row: $(cat "$dir/table")"
grep -q $'\033' "$dir/table" && fail "colour codes written to a file"
"$RETAIN" cohorts "$dir/log.csv" --group arm --json -o "$dir/arm.h5" >"$dir/json" || fail "--group --json"
"$RETAIN" cohorts "$dir/log.csv" --group arm --control B -q -o "$dir/arm.csv" || fail "--control B"
printf 'user_id,group\n1,A\n2,B\n3,B\n' >"$dir/arms.csv"
"$RETAIN" cohorts "$dir/log.csv" --groups "$dir/arms.csv" --control B -q -o "$dir/file.csv" || fail "--groups"
cmp -s "$dir/arm.csv" "$dir/file.csv" || fail "--group and --groups differ"
cmp -s "$dir/arm.ab.csv" "$dir/file.ab.csv" || fail "--group and --groups A/B differ"
"$PYTHON" - "$dir" <<'EOF' || fail "outputs"
import json, sys, h5py, numpy as np, pandas as pd
d = sys.argv[1]
j = json.load(open(f"{d}/json"))
assert j["users"] == 3 and j["cohorts"] == 3 and j["control"] == "A", j
assert [(r["offset"], r["group"], r["users"], r["active"]) for r in j["ab"]] == \
    [(0, "B", 2, 2), (1, "B", 2, 0), (2, "B", 1, 1)], j["ab"]
f = h5py.File(f"{d}/arm.h5", "r")
assert list(f["users"][:]) == [1, 1, 1]
assert f["active"][:].tolist() == [[1, 1, 1], [1, 0, 1], [1, 0, -1]], f["active"][:]
assert np.isnan(f["retention"][2, 2])
c = pd.read_csv(f"{d}/arm.csv")
assert list(c.columns) == ["cohort", "group", "users", "repeaters", "repeat_rate",
                           "period_0", "period_1", "period_2"], c.columns
ab = pd.read_csv(f"{d}/arm.ab.csv")
assert set(ab.control) == {"B"} and ab[ab.group == "A"]["diff"].notna().all()
EOF

# bad input
printf 'user_id,timestamp,amount\n1,2024-01-01,1\n2,yesterday,2\n' >"$dir/badtime.csv"
expect 2 "badtime.csv line 3, column 'timestamp': cannot read 'yesterday'" "$dir/badtime.csv"
printf 'user_id,timestamp,amount\n1,2024-01-01,1\n2,2024-01-02,1.2.3\n' >"$dir/badamount.csv"
expect 2 "badamount.csv line 3, column 'amount'" "$dir/badamount.csv"
expect 2 "has no column 'channel' (the header line lists: 'user_id', 'timestamp', 'amount', 'order_id', 'arm')" "$dir/log.csv" --group channel
printf 'user_id,timestamp,amount\n' >"$dir/header.csv"
expect 2 "no events" "$dir/header.csv"
printf 'user_id,timestamp,amount\n1,2024-01-01,-3\n' >"$dir/refunds.csv"
expect 2 "no purchase" "$dir/refunds.csv"
printf 'user_id,group\n1,A\n1,B\n' >"$dir/conflict.csv"
expect 2 "conflict.csv line 3 puts user 1 in group 'B', an earlier line in 'A'" "$dir/log.csv" --groups "$dir/conflict.csv"
expect 1 "--period must be day, week or month" "$dir/log.csv" --period year
expect 1 "--control Z is not one of" "$dir/log.csv" --group arm --control Z
expect 1 "choose one" "$dir/log.csv" --group arm --groups "$dir/arms.csv"
echo "cohorts: all checks passed"
