#!/usr/bin/env bash
# Seals N one-page PDFs (default 1000) with `signet sign --out-dir` on
# SoftHSM2, RSA-2048 and P-256, serial (--jobs 1) and parallel (--jobs 2),
# in one run, and prints documents/s, peak RSS and parallel/serial.
#
# Usage: scripts/bench-batch.sh [documents] [runs]   (defaults 1000, 3: best of)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
runs=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/signet" .
mkdir "$work/in" "$work/tokens" "$work/out"
go run ./internal/testkit pdf -pages 1 "$work/in/doc.pdf"
for i in $(seq 2 "$n"); do cp "$work/in/doc.pdf" "$work/in/doc$i.pdf"; done
eval "$(go run ./internal/testkit token "$work/tokens")"
export SOFTHSM2_CONF
printf '%s\n' "$PIN" >"$work/pin"
chmod 600 "$work/pin"

jobs_flag() { "$work/signet" sign --help | grep -q -- '--jobs' && echo "--jobs $1"; }

declare -A rate
printf '%-28s %12s %10s\n' "key, jobs" "documents/s" "peak RSS"
for key in "RSA-2048 signing" "P-256 signing"; do
	for j in 1 2; do
		flag=$(jobs_flag "$j" || true)
		if [ "$j" = 2 ] && [ -z "$flag" ]; then continue; fi
		best=''
		mem=''
		for _ in $(seq "$runs"); do
			rm -rf "$work/out" && mkdir "$work/out"
			/usr/bin/time -f '%e %M' -o "$work/time" "$work/signet" --module "$MODULE" sign \
				--key "pkcs11:token=signet-test;object=$key" --pin-file "$work/pin" $flag \
				--out-dir "$work/out" "$work"/in/*.pdf >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
			read -r t m <"$work/time"
			if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
			if [ -z "$mem" ] || [ "$m" -lt "$mem" ]; then mem=$m; fi
		done
		[ "$(ls "$work/out" | wc -l)" = "$n" ] || { echo "not every document was signed" >&2; exit 1; }
		pdfsig "$work/out/doc.pdf" | grep -q 'Signature is Valid' || { echo "the output does not verify" >&2; exit 1; }
		r=$(awk "BEGIN{printf \"%.0f\", $n / $best}")
		rate["$key/$j"]=$r
		printf '%-28s %12s %7d MB\n' "$key, --jobs $j" "$r" $((mem / 1024))
	done
	if [ -n "${rate["$key/2"]:-}" ]; then
		printf '%-28s %12s\n' "$key, parallel/serial" "$(awk "BEGIN{printf \"%.2f×\", ${rate["$key/2"]} / ${rate["$key/1"]}}")"
	fi
done
printf '\n%d one-page PDFs (%s bytes each), SoftHSM2, %d CPUs; best of %d runs\n' "$n" "$(stat -c%s "$work/in/doc.pdf")" "$(nproc)" "$runs"
