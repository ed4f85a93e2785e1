#!/usr/bin/env bash
# Opens three files with signet verify and signet sign, and with the peer
# pdfsig (poppler) on the same files, in one run, and prints wall time and
# peak RSS (GNU time), best of RUNS (default 3):
#   (a) the 100 MB synthetic PDF (a real document: signed, then verified)
#   (b) a 16 MB file whose xref stream lists size/2 objects
#   (c) a 6 KB file whose page-tree kids sit in object streams
#       Flate-compressed twice, ~60 MB each when decoded
# Targets: (a) as before (≤ 64 MB RSS); (b) and (c) ≤ 128 MB and ≤ 2 s.
# (b) and (c) must be refused: a failing run counts here.
#
# Usage: scripts/bench-open.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/signet" .
go run ./internal/testkit pdf -pages 1 -pad 104857600 "$work/big.pdf"
go run ./internal/testkit hostile "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -subj "/CN=Bench Signer" -days 2 \
	-addext basicConstraints=critical,CA:FALSE -addext keyUsage=critical,digitalSignature,nonRepudiation 2>/dev/null
openssl pkcs12 -export -inkey "$work/key.pem" -in "$work/cert.pem" -out "$work/key.p12" -passout pass:pw
printf 'pw\n' >"$work/pw"
chmod 600 "$work/pw"
"$work/signet" sign --key "$work/key.p12" --pin-file "$work/pw" -o "$work/big-signed.pdf" "$work/big.pdf" >/dev/null

. scripts/lib/measure.sh

# refused NAME COMMAND...: like measure, for a command that must fail
# (exit 1 or 2) with an error that names the problem.
refused() {
	local name=$1
	shift
	local best_t='' best_m='' t m code
	for _ in $(seq "$runs"); do
		code=0
		/usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>"$work/err" || code=$?
		if [ "$code" -ne 1 ] && [ "$code" -ne 2 ]; then
			echo "$name: exit $code, want a refusal (1 or 2):" >&2
			cat "$work/out" "$work/err" >&2
			return 1
		fi
		if grep -q 'panic\|fatal error' "$work/err"; then
			cat "$work/err" >&2
			return 1
		fi
		read -r t m < <(tail -1 "$work/time")
		if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; fi
		if [ -z "$best_m" ] || [ "$m" -lt "$best_m" ]; then best_m=$m; fi
	done
	printf '%-36s %8.2f s %9d KB   %s\n' "$name" "$best_t" "$best_m" "$(cat "$work/out" "$work/err" | grep -o 'damaged PDF.*\|safety limits.*' | head -1 | cut -c1-70)"
}

# peer NAME COMMAND...: like measure, whatever the exit status (pdfsig
# exits 2 on a file it cannot read), within 60 s.
peer() {
	local name=$1
	shift
	local best_t='' best_m='' t m
	for _ in $(seq "$runs"); do
		/usr/bin/time -f '%e %M' -o "$work/time" timeout 60 "$@" >/dev/null 2>&1 || true
		read -r t m < <(tail -1 "$work/time")
		if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; fi
		if [ -z "$best_m" ] || [ "$m" -lt "$best_m" ]; then best_m=$m; fi
	done
	printf '%-36s %8.2f s %9d KB\n' "$name" "$best_t" "$best_m"
}

printf '%-36s %10s %12s\n' "file: command" "wall (best)" "peak RSS"
measure "(a) 100 MB: signet verify" "$work/signet" verify --trust "$work/cert.pem" "$work/big-signed.pdf"
peer "(a) 100 MB: pdfsig" pdfsig "$work/big-signed.pdf"
measure "(a) 100 MB: signet sign" "$work/signet" sign --key "$work/key.p12" --pin-file "$work/pw" --force -o "$work/out.pdf" "$work/big.pdf"
refused "(b) 16 MB xref stream: verify" "$work/signet" verify "$work/xref-stream-huge.pdf"
peer "(b) 16 MB xref stream: pdfsig" pdfsig "$work/xref-stream-huge.pdf"
refused "(b) 16 MB xref stream: sign" "$work/signet" sign --key "$work/key.p12" --pin-file "$work/pw" --force -o "$work/out.pdf" "$work/xref-stream-huge.pdf"
refused "(c) 6 KB double Flate: verify" "$work/signet" verify "$work/double-flate-6k.pdf"
peer "(c) 6 KB double Flate: pdfsig" pdfsig "$work/double-flate-6k.pdf"
refused "(c) 6 KB double Flate: sign" "$work/signet" sign --key "$work/key.p12" --pin-file "$work/pw" --force -o "$work/out.pdf" "$work/double-flate-6k.pdf"
printf '\nsizes: (a) %s, (b) %s, (c) %s bytes\n' "$(stat -c%s "$work/big.pdf")" "$(stat -c%s "$work/xref-stream-huge.pdf")" "$(stat -c%s "$work/double-flate-6k.pdf")"
