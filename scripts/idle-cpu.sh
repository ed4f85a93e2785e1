#!/usr/bin/env bash
# Measures the app's CPU use while nothing happens: the real signet under
# Xvfb with one SoftHSM2 token, 10 s to settle, then user+system CPU over
# SECONDS (default 60) from /proc, as a percentage of one core; and, the
# same way, the smallest Fyne app (ui/cmd/fyneidle): the floor Fyne
# itself sets (its event and draw loops tick 60 times a second whatever
# happens). Target: ≤ 0.2%.
#
# Usage: scripts/idle-cpu.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
work=$(mktemp -d -p "${BENCH_TMPDIR:-/var/tmp}")
pid=''
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/signet" .
go build -o "$work/fyneidle" ./ui/cmd/fyneidle
mkdir "$work/tokens"
eval "$(go run ./internal/testkit token "$work/tokens")"
export SOFTHSM2_CONF
export SIGNET_CONFIG=$work/config.toml
printf 'pkcs11_modules = ["%s"]\n' "$MODULE" >"$SIGNET_CONFIG"
export HOME=$work XDG_CONFIG_HOME=$work/config LANG=C.UTF-8

hz=$(getconf CLK_TCK)
# idle NAME BINARY: starts BINARY under Xvfb and prints its idle CPU.
idle() {
	xvfb-run -a -s "-screen 0 1280x800x24" "$2" >"$work/log" 2>&1 &
	sleep 10
	pid=$(pgrep -n -f "^$2$" || true)
	[ -n "$pid" ] || { echo "$1 did not start:" >&2; cat "$work/log" >&2; exit 1; }
	a=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	sleep "$secs"
	b=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	kill "$pid"
	wait 2>/dev/null || true
	awk -v n="$1" -v a="$a" -v b="$b" -v hz="$hz" -v s="$secs" 'BEGIN{
		cpu = (b - a) / hz
		printf "%-28s %.2f s over %d s = %.2f%% of a core\n", n, cpu, s, 100 * cpu / s }'
}
idle "signet (idle, one token)" "$work/signet"
idle "smallest Fyne app (floor)" "$work/fyneidle"
echo "target: signet <= 0.2% of a core"
