# measure NAME COMMAND...: runs COMMAND $runs times (from the caller) and
# prints NAME, the best wall time and the lowest peak RSS (GNU time). The
# caller sets $runs and $work; a failing command stops the benchmark.
measure() {
	local name=$1
	shift
	local best_t='' best_m='' t m
	for _ in $(seq "$runs"); do
		rm -f "$work/out.pdf"
		/usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
			echo "$name failed:" >&2
			cat "$work/err" >&2
			return 1
		}
		read -r t m <"$work/time"
		if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; fi
		if [ -z "$best_m" ] || [ "$m" -lt "$best_m" ]; then best_m=$m; fi
	done
	printf '%-36s %8.2f s %9d KB\n' "$name" "$best_t" "$best_m"
}
