#!/usr/bin/env bash
# fuzz_test.sh — fuzz.sh passes Go's end-of-run coordinator race and
# nothing else: three stand-ins for "go" print what each case prints.
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fake() { # name exit-status output
	printf '#!/usr/bin/env bash\nprintf %%s %q\nexit %s\n' "$3" "$2" >"$dir/$1"
	chmod +x "$dir/$1"
}
fake race 1 $'fuzz: elapsed: 10s, execs: 69507 (7537/sec)\n--- FAIL: FuzzX (10.10s)\n    context deadline exceeded\nFAIL\nexit status 1\n'
fake finding 1 $'--- FAIL: FuzzX (0.10s)\n    --- FAIL: FuzzX (0.00s)\n        x_test.go:9: boom\n    Failing input written to testdata/fuzz/FuzzX/1f\n    To re-run:\n    go test -run=FuzzX/1f\nFAIL\n'
fake hung 1 $'--- FAIL: FuzzX (10.10s)\n    fuzzing process hung or terminated unexpectedly: exit status 2\nFAIL\n'
fake ok 0 $'fuzz: elapsed: 10s, execs: 100 (10/sec)\nPASS\n'
failed=0
for case in race:0 finding:1 hung:1 ok:0; do
	name=${case%:*} want=${case#*:}
	GO="$dir/$name" "$(dirname "$0")/fuzz.sh" 10s FuzzX ./x >/dev/null 2>&1
	got=$?
	[ "$got" -ne 0 ] && got=1
	if [ "$got" != "$want" ]; then
		echo "fuzz_test.sh: case $name: exit $got, want $want" >&2
		failed=1
	fi
done
exit $failed
