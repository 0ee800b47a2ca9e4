# tests/cli/test_rules.sh: `retain rules` from the command line: every kind
# of bad input the issue lists (a non-numeric token in a .dat file with line
# and column, empty lines, empty input, support outside (0, 1], confidence
# outside [0, 1], --max-itemsets exceeded) and more (missing file, bad
# HDF5 CSR, bad options) gets its exit code and a message naming the file,
# position or option; a failed run leaves no output file behind and never
# replaces an earlier one. Then the outputs: CSV, JSON lines and HDF5 read
# back with Python, closed and maximal itemsets, --max-len, rule size
# limits, --max-basket-len reported, `retain gen baskets` HDF5 as input,
# the same output for 1 and 2 threads, and `retain rules recommend` for one
# basket and in batch, checked against brute force over every rule.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" rules

printf '1 2 3\n1 2\n2 3 4\n1 2 3 4\n' >good.dat
printf '1 2 3\n4 5 x7 6\n' >token.dat
printf '1 2 3\n\n\n1 2\n' >blank.dat
: >empty.dat
printf '\n\n' >blanks_only.dat
printf 'milk,bread,,\n,bread,eggs,,\n"a,b" ,milk\n' >names.csv
printf 'basket_id,item\n1,milk\n1,bread\n2,bread\n2\n' >long_bad.csv

R="$RETAIN rules"
expect 2 "token.dat|line 2, column 5|'x7'|not an item id" $R token.dat -s 0.5 -o o.csv
expect 0 "" $R blank.dat -s 0.5 -o blank.csv
expect 0 '"baskets":4|"empty_baskets":2|"itemsets":3' $R blank.dat -s 0.4 -o blank.csv --json
expect 2 "empty.dat|no baskets|empty" $R empty.dat -s 0.5 -o o.csv
expect 2 "blanks_only.dat|2 baskets but no item" $R blanks_only.dat -s 0.5 -o o.csv
expect 1 "--min-support|(0, 1]|got 0" $R good.dat -s 0 -o o.csv
expect 1 "--min-support|(0, 1]|got 1.5" $R good.dat -s 1.5 -o o.csv
expect 1 "--min-support|(0, 1]|got -0.1" $R good.dat --min-support=-0.1 -o o.csv
expect 1 "--min-support|number|'abc'" $R good.dat -s abc -o o.csv
expect 1 "--min-confidence|between 0 and 1|1.2" $R good.dat -s 0.5 -c 1.2 -o o.csv
expect 1 "--min-confidence|between 0 and 1|-0.5" $R good.dat -s 0.5 --min-confidence=-0.5 -o o.csv
expect 1 "--min-support|--min-count" $R good.dat -o o.csv
expect 1 "not both" $R good.dat -s 0.5 --min-count 2 -o o.csv
expect 1 "-o|.csv, .jsonl or .h5" $R good.dat -s 0.5 -o o.txt
expect 1 "--target|--itemsets-only" $R good.dat -s 0.5 --target closed -o o.csv
expect 1 "--sort-by|unknown metric 'gain'" $R good.dat -s 0.5 --sort-by gain -o o.csv
expect 3 "missing.dat|cannot open" $R missing.dat -s 0.5 -o o.csv
expect 2 "long_bad.csv|line 5|one field where two" $R long_bad.csv -s 0.5 -o o.csv
# the guard: good.dat has 15 itemsets at one basket (every subset of 1 2 3 4)
expect 2 "--max-itemsets 5|found|--min-support|--max-len" $R good.dat --min-count 1 \
    --max-itemsets 5 -o guard.csv
[ -e guard.csv ] && fail "a stopped run left guard.csv"
expect 0 '"itemsets":15' $R good.dat --min-count 1 --max-itemsets 15 --itemsets-only -o guard.csv --json
# the memory guard: 2^40 itemsets in two 40-item baskets, under 600 MB
"$PYTHON" -c "print(' '.join(map(str, range(40))) + '\n' + ' '.join(map(str, range(40))))" >long.dat
if ldd "$RETAIN" 2>/dev/null | grep -q libasan; then
    echo "note: sanitizer build reserves address space: ulimit -v check skipped"
else
    expect 2 "long.dat|40 items|frequent itemsets found|GiB|--min-support|--max-len" \
        bash -c 'ulimit -v 600000; exec "$0" rules long.dat --min-count 2 -o long.csv' "$RETAIN"
    [ -e long.csv ] && fail "the memory guard left long.csv"
    # 102,090 itemsets of up to 4 items make 1.4M rules at confidence 0
    expect 2 "rules found when generation stopped|GiB|--min-confidence" \
        bash -c 'ulimit -v 300000; exec "$0" rules long.dat --min-count 2 --max-len 4 -c 0 -o long.csv' "$RETAIN"
    [ -e long.csv ] && fail "the rule memory guard left long.csv"
fi
# a failed run keeps the earlier output
cp guard.csv before.csv
expect 2 "token.dat" $R token.dat -s 0.5 -o guard.csv
cmp -s guard.csv before.csv || fail "a failed run changed guard.csv"
ls ./*.tmp-* >/dev/null 2>&1 && fail "temporary files left behind"

"$PYTHON" - <<'EOF' || { echo "FAIL: building fixtures" >&2; exit 1; }
import h5py, numpy as np
with h5py.File("bad_indptr.h5", "w") as f:
    f["baskets/indptr"] = np.array([0, 3, 2, 4], dtype=np.int64)
    f["baskets/indices"] = np.array([1, 2, 3, 4], dtype=np.int32)
with h5py.File("bad_index.h5", "w") as f:
    f["baskets/indptr"] = np.array([0, 2, 4], dtype=np.int64)
    f["baskets/indices"] = np.array([0, 1, 1, 5], dtype=np.int32)
    f["baskets/item_names"] = np.array(["a", "b", "c"], dtype=h5py.string_dtype())
with h5py.File("no_csr.h5", "w") as f:
    f["features"] = np.zeros((3, 2))
with h5py.File("float_csr.h5", "w") as f:
    f["indptr"] = np.array([0, 1], dtype=np.int64)
    f["indices"] = np.array([0.5])
EOF
expect 2 "bad_indptr.h5|/baskets/indptr|decreases at row 2" $R bad_indptr.h5 -s 0.5 -o o.csv
expect 2 "bad_index.h5|/baskets/indices[3]|basket 1|item_names" $R bad_index.h5 -s 0.5 -o o.csv
expect 2 "no_csr.h5|indptr|--group|/features" $R no_csr.h5 -s 0.5 -o o.csv
expect 2 "float_csr.h5|/indices|float64|integers" $R float_csr.h5 -s 0.5 -o o.csv
printf 'not hdf5' >fake.h5
expect 2 "fake.h5" $R fake.h5 -s 0.5 -o o.csv

# outputs read back
expect 0 '"itemsets":' $R names.csv --min-count 1 --itemsets-only -o n.csv --json
expect 0 '"rules":' $R names.csv --min-count 1 -c 0 -o n.jsonl --json
expect 0 "" $R good.dat --min-count 2 -c 0.5 -o r.h5
expect 0 '"itemsets":5' $R good.dat --min-count 2 --itemsets-only --target closed -o c.csv --json
expect 0 '"itemsets":2' $R good.dat --min-count 2 --itemsets-only --target maximal -o m.csv --json
expect 0 '"itemsets":4|"longest_itemset":1' $R good.dat --min-count 1 --max-len 1 --itemsets-only -o l.csv --json
expect 0 '"baskets_left_out_longer_than_max_basket_len":1|"baskets_used":3' \
    $R good.dat --min-count 1 --max-basket-len 3 -o b.csv --json
expect 0 "left out 1 baskets" $R good.dat --min-count 1 --max-basket-len 3 -o b.csv
expect 0 "" $R good.dat --min-count 1 -c 0 --max-antecedent 1 --max-consequent 1 -o ac.csv
"$PYTHON" - <<'EOF' || fail "outputs read back"
import json, h5py, numpy as np, pandas as pd
n = pd.read_csv("n.csv", dtype={"items": str})
sets = {frozenset(s.split(",")): c for s, c in zip(n["items"], n["count"])}
# a name holding a comma is one quoted CSV field (ambiguous once split; .jsonl keeps it)
assert "a,b" in set(n["items"][n["size"] == 1]), n
assert sets[frozenset(["bread"])] == 2 and sets[frozenset(["milk", "bread"])] == 1, sets
rules = [json.loads(l) for l in open("n.jsonl")]
assert rules and all({"antecedent", "consequent", "lift", "zhangs_metric"} <= r.keys() for r in rules)
lifts = [r["lift"] for r in rules]
assert lifts == sorted(lifts, reverse=True), "sorted by lift"
with h5py.File("r.h5", "r") as f:
    items = [s.decode() for s in f["items"][:]]
    ip, it = f["itemsets/indptr"][:], f["itemsets/items"][:]
    got = {frozenset(items[i] for i in it[ip[k]:ip[k + 1]]): c
           for k, c in enumerate(f["itemsets/count"][:])}
    assert got[frozenset(["1", "2"])] == 3 and got[frozenset(["2", "3"])] == 3, got
    a_ip, a = f["rules/antecedent_indptr"][:], f["rules/antecedent"][:]
    c_ip, c = f["rules/consequent_indptr"][:], f["rules/consequent"][:]
    conf = f["rules/confidence"][:]
    assert len(conf) == len(a_ip) - 1 and len(conf) > 0 and (conf >= 0.5).all()
    for k in range(len(conf)):
        A = frozenset(items[i] for i in a[a_ip[k]:a_ip[k + 1]])
        C = frozenset(items[i] for i in c[c_ip[k]:c_ip[k + 1]])
        assert abs(conf[k] - got[A | C] / got[A]) < 1e-12
ac = pd.read_csv("ac.csv", dtype={"antecedent": str, "consequent": str})
assert len(ac) and (ac.antecedent.str.count(",") == 0).all() and (ac.consequent.str.count(",") == 0).all()
assert len(pd.read_csv("l.csv")) == 4
EOF

# HDF5 from retain gen baskets; the same rules for 1 and 2 threads
expect 0 "" "$RETAIN" gen baskets -n 5000 --items 200 --seed 3 -o gen.h5 --quiet
expect 0 "" $R gen.h5 -s 0.005 -c 0.3 -o g1.csv --threads 1
expect 0 "" $R gen.h5 -s 0.005 -c 0.3 -o g2.csv --threads 2
cmp -s g1.csv g2.csv || fail "1 and 2 threads wrote different rules"
[ "$(wc -l <g1.csv)" -gt 100 ] || fail "gen.h5 gave few rules: $(wc -l <g1.csv)"
expect 0 "--min-support|--max-itemsets|--max-basket-len|example" $R --help

# recommendations: one basket, a batch, and a brute-force check in Python
expect 0 "" $R gen.h5 -s 0.01 -c 0.2 -o gen_rules.h5
expect 0 "rank|(from rule)" $R recommend gen_rules.h5 item_0001 item_0002
expect 0 "'no_such_item' is in no rule" $R recommend gen_rules.h5 item_0001 no_such_item
expect 0 '"rule_count":|"recommendations":[' $R recommend gen_rules.h5 item_0001 --json -k 3
expect 0 '"basket_count":5000' $R recommend gen_rules.h5 --baskets gen.h5 -o recs.csv --by lift --json
expect 0 "" $R recommend gen_rules.h5 --baskets gen.h5 -o recs.jsonl -k 2
expect 1 "no basket" $R recommend gen_rules.h5
expect 1 "not both" $R recommend gen_rules.h5 item_0001 --baskets gen.h5 -o r.csv
expect 1 "-o OUT.csv" $R recommend gen_rules.h5 --baskets gen.h5
expect 1 "--by|unknown metric" $R recommend gen_rules.h5 item_0001 --by gain
expect 2 "gen.h5|not a rules file" $R recommend gen.h5 item_0001
expect 3 "missing.h5" $R recommend missing.h5 item_0001
"$PYTHON" - <<'EOF' || fail "recommendations differ from brute force"
import h5py, numpy as np, pandas as pd
with h5py.File("gen_rules.h5") as f:
    items = [s.decode() for s in f["items"][:]]
    ap, a = f["rules/antecedent_indptr"][:], f["rules/antecedent"][:]
    cp, c = f["rules/consequent_indptr"][:], f["rules/consequent"][:]
    lift = f["rules/lift"][:]
rules = [(set(a[ap[r]:ap[r + 1]]), list(c[cp[r]:cp[r + 1]]), lift[r]) for r in range(len(lift))]
with h5py.File("gen.h5") as f:
    ip, ix = f["baskets/indptr"][:], f["baskets/indices"][:]
    names = [s.decode() for s in f["baskets/item_names"][:]]
index = {nm: k for k, nm in enumerate(items)}
got = pd.read_csv("recs.csv", dtype={"item": str})
checked = 0
for b in range(0, len(ip) - 1, 7):
    basket = {index[names[i]] for i in ix[ip[b]:ip[b + 1]] if names[i] in index}
    best = {}
    for r, (A, C, score) in enumerate(rules):
        if A <= basket:
            for x in C:
                if x not in basket and (x not in best or score > best[x][0]):
                    best[x] = (score, r)
    want = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:10]
    mine = got[got.basket == b + 1]
    assert len(mine) == len(want), (b, len(mine), len(want))
    for (x, (score, r)), (_, row) in zip(want, mine.iterrows()):
        assert row["item"] == items[x] and abs(row["lift"] - score) <= 1e-9 * score, (b, row, items[x], score)
    checked += 1
assert checked > 500 and len(rules) > 50 and len(got) > 1000, (checked, len(rules), len(got))
EOF

finish "rules"
