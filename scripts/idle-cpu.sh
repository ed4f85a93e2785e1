#!/usr/bin/env bash
# What Signet costs while nothing happens, under Xvfb with a D-Bus
# session and one SoftHSM2 token: 10 s to settle, then user+system CPU
# over SECONDS (default 60) from /proc, as a percentage of one core, of a
# process and its children together; and its peak RSS (VmHWM).
#
#   signet agent   the tray agent waiting for pages (target <= 0.2% of a
#                  core, <= 30 MB): no window process runs meanwhile
#   signet-app     the window open
#   fyneidle       the smallest Fyne app (ui/cmd/fyneidle): the floor a
#                  window sets (Fyne's event and draw loops tick 60 times
#                  a second whatever happens)
#
# Usage: scripts/idle-cpu.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
work=$(mktemp -d -p "${BENCH_TMPDIR:-/var/tmp}")
trap 'rm -rf "$work"' EXIT

go build -o "$work/signet" .
go build -o "$work/signet-app" ./cmd/signet-app
go build -o "$work/fyneidle" ./ui/cmd/fyneidle
mkdir "$work/tokens"
eval "$(go run ./internal/testkit token "$work/tokens")"
printf 'pkcs11_modules = ["%s"]\n' "$MODULE" >"$work/config.toml"
mkdir -m 700 "$work/run"

cat >"$work/inner.sh" <<'INNER'
#!/usr/bin/env bash
set -euo pipefail
work=$1 secs=$2
hz=$(getconf CLK_TCK)
# ticks PID: user+system ticks of PID and its children.
ticks() {
	local t=0 p
	for p in "$1" $(pgrep -P "$1" || true); do
		[ -r "/proc/$p/stat" ] && t=$((t + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
	done
	echo "$t"
}
# idle NAME CMD...: starts CMD and prints its idle CPU and peak RSS.
idle() {
	local name=$1
	shift
	"$@" >"$work/log" 2>&1 &
	local pid=$!
	sleep 10
	kill -0 "$pid" 2>/dev/null || { echo "$name did not start:" >&2; cat "$work/log" >&2; exit 1; }
	local a b kids rss
	a=$(ticks "$pid")
	sleep "$secs"
	b=$(ticks "$pid")
	kids=$(pgrep -P "$pid" | wc -l || true)
	rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
	anon=$(awk '/RssAnon/ {print $2}' "/proc/$pid/status")
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	awk -v n="$name" -v a="$a" -v b="$b" -v hz="$hz" -v s="$secs" -v rss="$rss" -v anon="$anon" -v kids="$kids" 'BEGIN{
		cpu = (b - a) / hz
		printf "%-26s %.2f s over %d s = %.3f%% of a core, peak RSS %.1f MB (its own memory %.1f MB, the rest the program'"'"'s and its libraries'"'"' pages), %d child processes\n", n, cpu, s, 100 * cpu / s, rss / 1024, anon / 1024, kids }'
}
idle "signet agent (waiting)" "$work/signet" agent
idle "signet-app (window open)" "$work/signet-app"
idle "smallest Fyne app (floor)" "$work/fyneidle"
INNER
chmod +x "$work/inner.sh"
export SOFTHSM2_CONF SIGNET_CONFIG=$work/config.toml HOME=$work XDG_CONFIG_HOME=$work/config \
	XDG_RUNTIME_DIR=$work/run LANG=C.UTF-8
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$work/inner.sh" "$work" "$secs" 2> >(grep -v 'fd limit' >&2)
echo "targets: signet agent <= 0.2% of a core, <= 30 MB"
