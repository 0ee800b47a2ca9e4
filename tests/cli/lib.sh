# tests/cli/lib.sh: what the command-line tests share. Source it after
# `set -u` with the test's name: `. "$(dirname "$0")/lib.sh" kmeans_sweep`.
# It makes RETAIN absolute, sets PYTHON, creates a scratch folder $dir (the
# working directory; removed on exit) and defines
#   fail MESSAGE            count a failure and say it on stderr;
#   expect CODE "P1|P2" COMMAND ARGS...
#                           run COMMAND under a 60 s timeout; its exit code
#                           must be CODE and each |-separated fixed string
#                           must be in what it printed: stderr for a refusal
#                           (CODE > 0), stdout and stderr otherwise;
#   finish NAME             exit 1 if anything failed, else say NAME passed.
: "${RETAIN:?set RETAIN to the retain binary}"
PYTHON=${PYTHON:-/usr/bin/python3}
RETAIN=$(realpath "$RETAIN")
mkdir -p "${TMPROOT:-/tmp}"
dir=$(mktemp -d "${TMPROOT:-/tmp}/${1:-cli}.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

expect() {
    local want=$1 patterns=$2
    shift 2
    timeout 60 "$@" >out 2>err
    local rc=$?
    [ -n "${VERBOSE:-}" ] && { echo "== [$rc] $*"; cat err; }
    if [ "$rc" -ne "$want" ]; then
        fail "$*: exit code $rc, expected $want: $(head -c 500 err)"
        return
    fi
    [ "$want" -eq 0 ] && cat out >>err
    local IFS='|'
    for p in $patterns; do
        grep -qF -- "$p" err || fail "$*: output lacks '$p': $(head -c 500 err)"
    done
}

finish() {
    [ "$failures" -eq 0 ] || { echo "$failures check(s) failed" >&2; exit 1; }
    echo "ok: $1"
}
