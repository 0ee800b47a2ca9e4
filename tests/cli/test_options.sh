# tests/cli/test_options.sh: the command line every command shares
# (src/cli/options.c, main.c): help and exit codes, unknown commands and
# options, missing and malformed values, ranges, --opt=value and k/M/G
# suffixes, --json as one valid JSON object, --log-json errors as JSON
# lines, and --threads/--quiet accepted everywhere.
set -u
: "${RETAIN:?set RETAIN to the retain binary}"
PYTHON=${PYTHON:-/usr/bin/python3}
mkdir -p "${TMPROOT:-/tmp}"
dir=$(mktemp -d "${TMPROOT:-/tmp}/options.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
failures=0
checks=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect CODE "PATTERN|PATTERN" ARGS...: exit code and fixed strings in
# stdout+stderr.
expect() {
    local want=$1 patterns=$2
    shift 2
    checks=$((checks + 1))
    timeout 30 "$RETAIN" "$@" >out 2>err
    local rc=$?
    cat err >>out
    [ $rc -eq "$want" ] || { fail "retain $* exited $rc, expected $want: $(head -3 out)"; return; }
    local IFS='|'
    for p in $patterns; do
        [ -z "$p" ] || grep -qF -- "$p" out || fail "retain $*: output lacks '$p': $(head -3 out)"
    done
}

expect 1 "usage: retain COMMAND"
expect 0 "usage: retain COMMAND|gen users|gen transactions" --help
expect 0 "retain 0." --version
expect 1 "unknown command 'frobnicate'" frobnicate
expect 1 "needs a subcommand: users, baskets, transactions" gen
expect 1 "unknown subcommand 'nonsense'|users, baskets, transactions" gen nonsense
for cmd in "info" "gen users" "gen baskets" "gen transactions"; do
    # shellcheck disable=SC2086
    expect 0 "usage: retain $cmd|--threads|--seed|--json|exit codes" $cmd --help
    # shellcheck disable=SC2086
    expect 1 "unknown option '--bogus'|retain $cmd --help" $cmd --bogus
done
expect 1 "--rows needs a value" gen users -o u.h5 -n
expect 1 "--rows expects a whole number|'abc'" gen users -o u.h5 -n abc
expect 1 "--rows expects a whole number|'2.5'" gen users -o u.h5 -n 2.5
expect 1 "--rows must be between 1" gen users -o u.h5 -n 0
expect 1 "--separation expects a number|'far'" gen users -o u.h5 --separation far
expect 1 "--churn-rate must be between" gen users -o u.h5 --churn-rate 1.5
expect 1 "--threads must be between 0" gen users -o u.h5 --threads -2
expect 1 "--quiet takes no value" gen users -o u.h5 --quiet=yes
expect 1 "--shape must be realistic or gaussian|'round'" gen users -o u.h5 --shape round
expect 1 "no output file|-o" gen users -n 10
expect 1 "-o u.csv|name it .h5" gen users -n 10 -o u.csv
expect 1 "unexpected argument 'extra'" gen users -n 10 -o u.h5 extra
expect 1 "more segments than rows" gen users -n 3 -k 5 -o u.h5

# --opt=value, suffixes and exponents give the same file as plain numbers
expect 0 "" gen users --rows=2k --dims=3 -k 2 --seed=7 --threads 1 --quiet -o a.h5
expect 0 "" gen users -n 2000 -d 3 -k 2 --seed 7 --threads 2 --quiet -o b.h5
cmp -s a.h5 b.h5 || "$PYTHON" - <<'PY' || fail "2k / --opt=value gave another file"
import h5py, numpy as np
with h5py.File("a.h5") as a, h5py.File("b.h5") as b:
    for k in ("features", "user_id", "segment_true", "churned"):
        assert np.array_equal(a[k][:], b[k][:]), k
PY
expect 0 "" gen users -n 1e3 -d 2 -k 2 --quiet -o c.h5
"$PYTHON" -c "import h5py; assert h5py.File('c.h5')['features'].shape == (1000, 2)" ||
    fail "-n 1e3 did not give 1000 rows"

# --quiet prints nothing; --json prints one object and nothing else
"$RETAIN" gen users -n 100 -d 2 -k 2 --quiet -o q.h5 >out 2>err
[ -s out ] || [ -s err ] && fail "--quiet printed: $(cat out err)"
"$RETAIN" gen users -n 100 -d 2 -k 2 --json -o j.h5 >out 2>/dev/null
"$PYTHON" -c "import json,sys; d=json.load(open('out')); assert d['rows']==100 and d['output']=='j.h5', d" ||
    fail "--json output: $(cat out)"
"$RETAIN" info --json j.h5 >out 2>/dev/null
"$PYTHON" -c "import json; d=json.load(open('out')); assert d['features']['rows']==100" ||
    fail "info --json output: $(head -c 300 out)"

# --log-json: errors as one JSON event on stderr, exit code kept
"$RETAIN" info --log-json missing.h5 >out 2>err
rc=$?
[ $rc -eq 3 ] || fail "--log-json missing file exit $rc"
"$PYTHON" -c "
import json
e = json.loads(open('err').read().strip().splitlines()[-1])
assert e['event'] == 'error' and e['status'] == 'io' and 'missing.h5' in e['message'], e
" || fail "--log-json error event: $(cat err)"

echo "$checks checks, $failures failures"
exit $((failures > 0))
