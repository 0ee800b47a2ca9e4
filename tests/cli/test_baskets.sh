# tests/cli/test_baskets.sh: `retain baskets` on a generated log against
# pandas: by order, every basket is the set of items bought in one
# (user, order) and every such set is a basket; by user-day the same for
# (user, UTC day). The CSR layout is the one `retain gen baskets` writes
# (indptr from 0, int32 ids increasing within a basket, item_names).
# CSV and HDF5 logs give the same file; bad input exits 2 or 1.
set -u
: "${RETAIN:?set RETAIN to the retain binary}"
PYTHON=${PYTHON:-/usr/bin/python3}
mkdir -p "${TMPROOT:-/tmp}"
dir=$(mktemp -d "${TMPROOT:-/tmp}/baskets.XXXXXX")
trap 'rm -rf "$dir"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

"$RETAIN" baskets --help >"$dir/help" || fail "--help exit code"
grep -q -- "--by order|user-day" "$dir/help" || fail "--help lacks --by"
"$RETAIN" gen transactions -n 3000 --days 120 --refund-rate 0.05 --seed 4 -q -o "$dir/log.csv" || fail gen
"$RETAIN" gen transactions -n 3000 --days 120 --refund-rate 0.05 --seed 4 -q -o "$dir/log.h5" || fail gen
"$RETAIN" baskets "$dir/log.csv" -q -o "$dir/order.h5" || fail "by order"
"$RETAIN" baskets "$dir/log.h5" -q -o "$dir/order_h5.h5" || fail "by order from HDF5"
"$RETAIN" baskets "$dir/log.csv" --by user-day --json -o "$dir/day.h5" >"$dir/json" || fail "by user-day"
"$PYTHON" - "$dir" <<'EOF' || fail "baskets differ from pandas"
import json, sys, h5py, numpy as np, pandas as pd
d = sys.argv[1]
log = pd.read_csv(f"{d}/log.csv")
log["day"] = pd.to_datetime(log.timestamp).astype("int64") // 10**9 // 86400
buys = log[log.amount > 0]

def baskets(path):
    with h5py.File(path, "r") as f:
        ptr, ids = f["baskets/indptr"][:], f["baskets/indices"][:]
        names = np.array([int(n) for n in f["baskets/item_names"][:]])
        users, keys = f["baskets/user_id"][:], f["baskets/key"][:]
        assert f["baskets/indices"].dtype == np.int32 and f["baskets/indptr"].dtype == np.int64
        assert ptr[0] == 0 and len(ptr) == len(users) + 1
        out = set()
        for i in range(len(users)):
            b = ids[ptr[i]:ptr[i + 1]]
            assert (np.diff(b) > 0).all(), "ids increase within a basket"
            out.add((int(users[i]), int(keys[i]), tuple(sorted(names[b]))))
        assert len(out) == len(users), "a basket twice"
        return out

for path, key in (("order.h5", "order_id"), ("day.h5", "day")):
    want = {(int(u), int(k), tuple(sorted(set(g.item))))
            for (u, k), g in buys.groupby(["user_id", key])}
    got = baskets(f"{d}/{path}")
    assert got == want, (path, len(got), len(want), list(got ^ want)[:3])
with h5py.File(f"{d}/order.h5") as a, h5py.File(f"{d}/order_h5.h5") as b:
    for n in ("indptr", "indices", "user_id", "key", "item_names"):
        assert np.array_equal(a["baskets/" + n][:], b["baskets/" + n][:]), n
j = json.load(open(f"{d}/json"))
assert j["baskets"] == buys.groupby(["user_id", "day"]).ngroups, j
EOF
printf 'user_id,timestamp,amount\n1,2024-01-01,1\n' >"$dir/noitem.csv"
"$RETAIN" baskets "$dir/noitem.csv" -o "$dir/x.h5" 2>"$dir/err"; rc=$?
[ $rc -eq 2 ] && grep -q "no column 'item'" "$dir/err" || fail "no item column: rc $rc $(cat "$dir/err")"
[ ! -e "$dir/x.h5" ] || fail "output left behind"
printf 'user_id,timestamp,amount,item,order_id\n1,2024-01-01,1,x,1\n' >"$dir/bad.csv"
"$RETAIN" baskets "$dir/bad.csv" -o "$dir/x.h5" 2>"$dir/err"; rc=$?
[ $rc -eq 2 ] && grep -q "bad.csv line 2, column 'item'" "$dir/err" || fail "bad item: rc $rc $(cat "$dir/err")"
"$RETAIN" baskets "$dir/log.csv" --by week -o "$dir/x.h5" 2>"$dir/err"; rc=$?
[ $rc -eq 1 ] || fail "--by week accepted"
echo "baskets: all checks passed"
