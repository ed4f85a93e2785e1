#!/usr/bin/env bash
# Measures the app's CPU use while nothing happens: the real signet under
# Xvfb with one SoftHSM2 token (and the agent on, as a tray app runs all
# day), 10 s to settle, then user+system CPU over SECONDS (default 60)
# from /proc, as a percentage of one core. Target: ≤ 0.2%.
#
# Usage: scripts/idle-cpu.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
work=$(mktemp -d -p "${BENCH_TMPDIR:-/var/tmp}")
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/signet" .
mkdir "$work/tokens"
eval "$(go run ./internal/testkit token "$work/tokens")"
export SOFTHSM2_CONF
export SIGNET_CONFIG=$work/config.toml
printf 'pkcs11_modules = ["%s"]\n' "$MODULE" >"$SIGNET_CONFIG"
export HOME=$work XDG_CONFIG_HOME=$work/config LANG=C.UTF-8

xvfb-run -a -s "-screen 0 1280x800x24" "$work/signet" >"$work/log" 2>&1 &
sleep 10
pid=$(pgrep -n -f "^$work/signet$" || true)
[ -n "$pid" ] || { echo "the app did not start:" >&2; cat "$work/log" >&2; exit 1; }
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
a=$(ticks)
sleep "$secs"
b=$(ticks)
awk -v a="$a" -v b="$b" -v hz="$hz" -v s="$secs" 'BEGIN{
	cpu = (b - a) / hz
	printf "idle CPU: %.2f s over %d s = %.2f%% of a core (target <= 0.2%%)\n", cpu, s, 100 * cpu / s }'
