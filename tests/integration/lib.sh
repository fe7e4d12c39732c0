# The harness the integration scripts share, sourced after setting NAME:
#	NAME=cli; . "${MESHPROV_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
# It sets BIN (the binary: $MESHPROV, as `make check` exports it), SRC (the
# source tree), T (a temporary directory, removed at exit unless KEEP is set)
# and the counters, and defines ok, ko, check and finish.
# Knobs, set before a call: KO_SHOW (the file of $T that a failure shows,
# "out" by default) and KO_LINES (how many of its lines, 20); CHECK_TEXT=1
# makes check parse only stdout's lines that start with "{" as JSON (a
# command whose output is text); without it every non-empty line must be one.
BIN=${MESHPROV:-./meshprov}
SRC=${MESHPROV_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d "/tmp/meshprov-${NAME:-test}.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
pass=0 fail=0
KO_SHOW=out KO_LINES=20 CHECK_TEXT=

ok() { pass=$((pass + 1)); echo "PASS: $1"; }
ko() {
	fail=$((fail + 1)); echo "FAIL: $1"
	[ -f "$T/$KO_SHOW" ] && sed 's/^/    /' "$T/$KO_SHOW" | head -"$KO_LINES"
}

# check NAME EXPECTED_RC PYTHON_ASSERTIONS -- ARGS...: run the binary with
# ARGS, check its exit status, then the assertions (Python, given: lines,
# the JSON lines of stdout; err, stderr; ev(NAME), the lines of one event)
check() {
	name=$1 want=$2 py=$3; shift 4
	"$BIN" "$@" > "$T/out" 2> "$T/err"; rc=$?
	if [ "$rc" != "$want" ]; then
		echo "    exit $rc, expected $want; stderr:"; sed 's/^/    /' "$T/err" | head -5
		ko "$name"; return
	fi
	if [ -n "$CHECK_TEXT" ]; then keep='l.startswith("{")'; else keep='l.strip()'; fi
	if [ -n "$py" ] && ! python3 - "$T/out" "$T/err" <<PYEOF
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if $keep]
err = open(sys.argv[2]).read()
ev = lambda name: [l for l in lines if l["event"] == name]
$py
PYEOF
	then ko "$name"; return; fi
	ok "$name"
}

# finish [PREFIX]: the counts, and the exit status (0: nothing failed)
finish() {
	echo "${1:-}$pass passed, $fail failed"
	[ "$fail" = 0 ]
}
