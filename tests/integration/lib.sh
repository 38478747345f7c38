# Helpers for integration scenarios; source it. Scenarios run inside the test
# VM (tools/vm/run) as root, with kipsec on PATH and $KIPSEC_KO set.
set -eu

scenario=$(basename "$0" .sh)
step_no=0

step() {
	step_no=$((step_no + 1))
	echo "[$scenario] $step_no. $*"
}

fail() {
	echo "[$scenario] FAIL at step $step_no: $*" >&2
	exit 1
}

# expect_ok CMD...: CMD must succeed; its stdout is in $out.
expect_ok() {
	local rc=0
	out=$("$@" 2>/tmp/stderr) || rc=$?
	[ "$rc" = 0 ] || fail "'$*' failed with $rc: $(cat /tmp/stderr)"
}

# expect_err STATUS PATTERN CMD...: CMD must fail with STATUS and print an
# error matching PATTERN (grep -E) on stderr.
expect_err() {
	local want=$1 pattern=$2 rc=0
	shift 2
	"$@" >/tmp/stdout 2>/tmp/stderr || rc=$?
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want; stderr: $(cat /tmp/stderr)"
	grep -Eq -- "$pattern" /tmp/stderr ||
		fail "'$*' error does not match /$pattern/: $(cat /tmp/stderr)"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

# json_get JSON EXPR: evaluate a Python expression on the parsed JSON (j).
json_get() {
	python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}
