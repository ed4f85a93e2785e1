#!/usr/bin/env bash
# Seals N one-page PDFs (default 1000) with `signet sign --out-dir` on
# SoftHSM2, RSA-2048 and P-256, serial (--jobs 1) and parallel (--jobs 2),
# in one run, and prints documents/s, peak RSS and parallel/serial; and,
# for scale, the file system's floor: the same number of files of the same
# size written as Signet writes an output (temporary file, fsync, rename)
# with nothing else to do.
#
# Usage: scripts/bench-batch.sh [documents] [runs]   (defaults 1000, 3: best of)
#
# The work directory is under $BENCH_TMPDIR (default /var/tmp). On this
# machine /tmp's ext4 block group is so full that creating a file there
# costs 0.3-0.6 ms of kernel time (measured; /var/tmp: ~0.02 ms), which
# would be most of a document's cost; the floor line shows what the file
# system allows wherever it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
runs=${2:-3}
work=$(mktemp -d -p "${BENCH_TMPDIR:-/var/tmp}")
trap 'rm -rf "$work"' EXIT

go build -o "$work/signet" .
go build -o "$work/testkit" ./internal/testkit
mkdir "$work/in" "$work/tokens"
"$work/testkit" pdf -pages 1 "$work/in/doc.pdf"
for i in $(seq 2 "$n"); do cp "$work/in/doc.pdf" "$work/in/doc$i.pdf"; done
eval "$("$work/testkit" token "$work/tokens")"
export SOFTHSM2_CONF
printf '%s\n' "$PIN" >"$work/pin"
chmod 600 "$work/pin"
size=$(($(stat -c%s "$work/in/doc.pdf") + 7000)) # about a signed copy's size

declare -A rate
printf '%-32s %12s %10s\n' "what, jobs" "documents/s" "peak RSS"
for j in 1 2; do
	best=0
	for _ in $(seq "$runs"); do
		rm -rf "$work/out" && mkdir "$work/out"
		r=$("$work/testkit" floor "$work/out" "$n" "$size" "$j")
		if [ "$r" -gt "$best" ]; then best=$r; fi
	done
	printf '%-32s %12s\n' "file system floor, $j at once" "$best"
done
for key in "RSA-2048 signing" "P-256 signing"; do
	for j in 1 2; do
		best=''
		mem=''
		for _ in $(seq "$runs"); do
			rm -rf "$work/out" && mkdir "$work/out"
			/usr/bin/time -f '%e %M' -o "$work/time" "$work/signet" --module "$MODULE" sign \
				--key "pkcs11:token=signet-test;object=$key" --pin-file "$work/pin" --jobs "$j" \
				--out-dir "$work/out" "$work"/in/*.pdf >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
			read -r t m <"$work/time"
			if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
			if [ -z "$mem" ] || [ "$m" -lt "$mem" ]; then mem=$m; fi
		done
		[ "$(find "$work/out" -name '*.pdf' | wc -l)" = "$n" ] || { echo "not every document was signed" >&2; exit 1; }
		pdfsig "$work/out/doc.pdf" | grep 'Signature is Valid' >/dev/null || { echo "the output does not verify" >&2; exit 1; }
		r=$(awk "BEGIN{printf \"%.0f\", $n / $best}")
		rate["$key/$j"]=$r
		printf '%-32s %12s %7d MB\n' "$key, --jobs $j" "$r" $((mem / 1024))
	done
	printf '%-32s %12s\n' "$key, parallel/serial" "$(awk "BEGIN{printf \"%.2f×\", ${rate["$key/2"]} / ${rate["$key/1"]}}")"
done
printf '\n%d one-page PDFs (%s bytes each), SoftHSM2, %d CPUs, in %s (%s); best of %d runs\n' \
	"$n" "$(stat -c%s "$work/in/doc.pdf")" "$(nproc)" "$work" "$(df -T "$work" | awk 'NR==2{print $2}')" "$runs"
