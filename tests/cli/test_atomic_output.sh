# tests/cli/test_atomic_output.sh: outputs go through src/io/atomic.c, seen
# from the command line with `retain gen users`: a missing folder, a parent
# that is a regular file and (when not root) a read-only folder exit 3 naming
# the folder; a full disk (simulated with `ulimit -f`: retain ignores SIGXFSZ,
# so writes fail with EFBIG) exits 3 with an earlier output byte-identical
# and no temporary left; kill -9 in the middle of a large write leaves the
# earlier output intact, and the next run removes the dead process's
# temporary; SIGTERM removes the temporary at once. Output-equals-input is
# covered by tests/unit/test_atomic.c. A text output with a truth side file
# (gen baskets .dat) under a full disk leaves neither file behind.
set -u
: "${RETAIN:?set RETAIN to the retain binary}"
RETAIN=$(realpath "$RETAIN")
mkdir -p "${TMPROOT:-/tmp}"
dir=$(mktemp -d "${TMPROOT:-/tmp}/atomic_output.XXXXXX")
bg=
trap '[ -n "$bg" ] && kill -9 "$bg" 2>/dev/null; chmod -R u+w "$dir" 2>/dev/null; rm -rf "$dir"' EXIT
cd "$dir" || exit 1

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
temps() { ls -a | grep -c '^out\.h5\.tmp-' ; }

# expect CODE PATTERN ARGS...: retain gen users ARGS exits CODE, stderr has PATTERN.
expect() {
    local want=$1 pattern=$2
    shift 2
    timeout 60 "$RETAIN" gen users "$@" >out.txt 2>err.txt
    local rc=$?
    [ "$rc" -eq "$want" ] || { fail "gen users $* exited $rc, expected $want: $(cat err.txt)"; return; }
    grep -qF -- "$pattern" err.txt || fail "gen users $*: stderr lacks '$pattern': $(cat err.txt)"
}

small="-n 1000 -d 4 -k 2 --quiet"

# ---- destinations that cannot be written ------------------------------------------
expect 3 "no_such_folder" $small -o no_such_folder/out.h5
touch plain
expect 3 "not a folder" $small -o plain/out.h5
if [ "$(id -u)" -ne 0 ]; then
    mkdir ro && chmod 555 ro
    expect 3 "Permission denied" $small -o ro/out.h5
    [ -z "$(ls -A ro)" ] || fail "files left in the read-only folder: $(ls -A ro)"
    chmod 755 ro
else
    echo "note: running as root, where chmod 555 does not stop writes: read-only folder check skipped"
fi
mkdir adir.h5
expect 3 "folder" $small -o adir.h5

# ---- full disk: the earlier output stays byte-identical ------------------------------
"$RETAIN" gen users $small --seed 1 -o out.h5 || fail "first output"
before=$(sha256sum out.h5 | cut -d' ' -f1)
(
    ulimit -f 20000 # 20 MB; the new file would be about 130 MB
    exec "$RETAIN" gen users -n 2000000 -d 16 -k 4 --quiet -o out.h5
) >out.txt 2>err.txt
rc=$?
[ "$rc" -eq 3 ] || fail "full disk: exit $rc, expected 3: $(cat err.txt)"
grep -qF "out.h5" err.txt || fail "full disk: message does not name out.h5: $(cat err.txt)"
[ "$(sha256sum out.h5 | cut -d' ' -f1)" = "$before" ] || fail "full disk changed out.h5"
[ "$(temps)" -eq 0 ] || fail "full disk left a temporary: $(ls -a)"

# A text output with a truth side file (cli_write_outputs): a full disk
# leaves the earlier text file byte-identical and no truth file appears.
"$RETAIN" gen baskets -n 1000 --quiet -o out.dat || fail "first text output"
before_text=$(sha256sum out.dat | cut -d' ' -f1)
rm -f out.dat.truth.h5
(
    ulimit -f 20000 # 20 MB; the new file would be about 60 MB
    exec "$RETAIN" gen baskets -n 2000000 --quiet -o out.dat
) >out.txt 2>err.txt
rc=$?
[ "$rc" -eq 3 ] || fail "full disk, text: exit $rc, expected 3: $(cat err.txt)"
[ "$(sha256sum out.dat | cut -d' ' -f1)" = "$before_text" ] || fail "full disk changed out.dat"
[ -e out.dat.truth.h5 ] && fail "full disk left a truth file for an output never written"
ls -a | grep -q '\.tmp-' && fail "full disk, text: a temporary was left: $(ls -a)"

# ---- kill -9 mid-write, then the next run cleans up ----------------------------------
wait_for_temp() { # waits until a temporary holds > 1 MB (at most 20 s)
    for _ in $(seq 200); do
        for t in out.h5.tmp-*; do
            [ -f "$t" ] && [ "$(stat -c %s "$t")" -gt 1000000 ] && return 0
        done
        sleep 0.1
    done
    return 1
}
(ulimit -f 1000000; exec "$RETAIN" gen users -n 20000000 -d 16 -k 4 --quiet -o out.h5) \
    >/dev/null 2>&1 &
bg=$!
if wait_for_temp; then
    kill -9 "$bg"
    wait "$bg" 2>/dev/null
    bg=
    [ "$(sha256sum out.h5 | cut -d' ' -f1)" = "$before" ] || fail "kill -9 changed out.h5"
    [ "$(temps)" -eq 1 ] || fail "expected the killed run's temporary, found: $(ls -a)"
    stale=$(ls out.h5.tmp-*)
    "$RETAIN" gen users $small --seed 2 -o out.h5 || fail "run after kill -9"
    [ ! -e "$stale" ] || fail "the next run left the stale temporary $stale"
    [ "$(temps)" -eq 0 ] || fail "temporaries after the next run: $(ls -a)"
    [ "$(sha256sum out.h5 | cut -d' ' -f1)" != "$before" ] || fail "the next run did not replace out.h5"
else
    fail "no temporary appeared while writing a large file"
    kill -9 "$bg" 2>/dev/null
    bg=
fi

# ---- SIGTERM: the handler removes the temporary ----------------------------------
before=$(sha256sum out.h5 | cut -d' ' -f1)
(ulimit -f 1000000; exec "$RETAIN" gen users -n 20000000 -d 16 -k 4 --quiet -o out.h5) \
    >/dev/null 2>&1 &
bg=$!
if wait_for_temp; then
    kill -TERM "$bg"
    wait "$bg" 2>/dev/null
    rc=$?
    bg=
    [ "$rc" -eq 143 ] || fail "SIGTERM: exit $rc, expected 143 (killed by SIGTERM)"
    [ "$(temps)" -eq 0 ] || fail "SIGTERM left a temporary: $(ls -a)"
    [ "$(sha256sum out.h5 | cut -d' ' -f1)" = "$before" ] || fail "SIGTERM changed out.h5"
else
    fail "no temporary appeared (SIGTERM case)"
    kill -9 "$bg" 2>/dev/null
    bg=
fi

[ "$failures" -eq 0 ] && echo "atomic output: all checks passed"
[ "$failures" -eq 0 ]
