#!/usr/bin/env bash
# Pairs `signet verify` with poppler's `pdfsig` on a small signed PDF (one
# page, RSA-2048 signer under a test CA): runs interleaved (signet, pdfsig,
# signet, …) so that both see the same machine, and prints the median wall
# time of each and the ratio. This is what a script that verifies uploads
# one process per file pays per file.
#
# Usage: scripts/bench-verify-small.sh [runs]   (default 21)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
work=$(mktemp -d -p "${BENCH_TMPDIR:-/var/tmp}")
trap 'rm -rf "$work"' EXIT

go build -o "$work/signet" .
go run ./internal/testkit pdf -pages 1 "$work/doc.pdf"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out "$work/ca.pem" -subj "/CN=Bench Root CA" -days 2 \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/req.pem" -subj "/CN=Bench Signer" 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n' >"$work/ext"
openssl x509 -req -in "$work/req.pem" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 -extfile "$work/ext" -out "$work/cert.pem" 2>/dev/null
openssl pkcs12 -export -inkey "$work/key.pem" -in "$work/cert.pem" -certfile "$work/ca.pem" -out "$work/key.p12" -passout pass:pw
printf 'pw\n' >"$work/pw"
chmod 600 "$work/pw"
"$work/signet" sign --key "$work/key.p12" --pin-file "$work/pw" -o "$work/signed.pdf" "$work/doc.pdf" >/dev/null
# Valid, or valid but not fully checked (no revocation data: exit 3).
grep -qE '(✓ valid|\? valid, not fully checked) ' <<<"$("$work/signet" verify --trust "$work/ca.pem" "$work/signed.pdf" || true)" ||
	{ echo "signet verify does not find the signature valid" >&2; exit 1; }
grep -q 'Signature is Valid' <<<"$(pdfsig "$work/signed.pdf")" ||
	{ echo "pdfsig does not find the signature valid" >&2; exit 1; }

ms() { local s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; echo $((($(date +%s%N) - s) / 1000)); }
: >"$work/signet.t"
: >"$work/pdfsig.t"
: >"$work/help.t"
for _ in $(seq "$runs"); do
	ms "$work/signet" verify --trust "$work/ca.pem" "$work/signed.pdf" >>"$work/signet.t"
	ms pdfsig "$work/signed.pdf" >>"$work/pdfsig.t"
	ms "$work/signet" --help >>"$work/help.t"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
s=$(median "$work/signet.t")
p=$(median "$work/pdfsig.t")
printf '%-16s %8.1f ms\n' "signet verify" "$(awk "BEGIN{print $s/1000}")" "pdfsig" "$(awk "BEGIN{print $p/1000}")"
printf '%-16s %8.2f×   (median of %d interleaved runs; target ≤ 1.2×)\n' "ratio" "$(awk "BEGIN{print $s/$p}")" "$runs"
printf '%-16s %8.1f ms   (median; target ≤ 25 ms)\n' "signet --help" "$(awk "BEGIN{print $(median "$work/help.t")/1000}")"
