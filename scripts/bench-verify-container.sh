#!/usr/bin/env bash
# Pairs `signet verify` of an ASiC-E container with `xmlsec1 --verify` of
# its signature (a two-file container, RSA-2048 signer under a test CA):
# interleaved runs, the median wall time of each and the ratio. xmlsec1
# checks less (references and SignedInfo; no container, no XAdES, no
# chain) and is given the files unpacked: it is the floor a container
# verifier is measured against.
#
# Usage: scripts/bench-verify-container.sh [runs]   (default 21)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
work=$(mktemp -d -p "${BENCH_TMPDIR:-/var/tmp}")
trap 'rm -rf "$work"' EXIT

go build -o "$work/signet" .
go run ./internal/testkit pdf -pages 1 "$work/ligums.pdf"
printf 'a;b\n1;2\n' >"$work/tabula.csv"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out "$work/ca.pem" -subj "/CN=Bench Root CA" -days 2 \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/req.pem" -subj "/CN=Bench Signer" 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n' >"$work/ext"
openssl x509 -req -in "$work/req.pem" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 -extfile "$work/ext" -out "$work/cert.pem" 2>/dev/null
openssl pkcs12 -export -inkey "$work/key.pem" -in "$work/cert.pem" -certfile "$work/ca.pem" -out "$work/key.p12" -passout pass:pw
printf 'pw\n' >"$work/pw"
chmod 600 "$work/pw"
"$work/signet" sign --key "$work/key.p12" --pin-file "$work/pw" --container asice -o "$work/c.asice" "$work/ligums.pdf" "$work/tabula.csv" >/dev/null
# Valid, or valid but not fully checked (no revocation data: exit 3).
grep -qE '(✓ valid|\? valid, not fully checked) ' <<<"$("$work/signet" verify --trust "$work/ca.pem" "$work/c.asice" || true)" ||
	{ echo "signet verify does not find the container valid" >&2; exit 1; }
mkdir "$work/x"
(cd "$work/x" && unzip -q ../c.asice && cp META-INF/signatures0.xml .)
xsec() { (cd "$work/x" && xmlsec1 --verify --enabled-reference-uris empty,same-doc,local,remote \
	--id-attr:Id http://uri.etsi.org/01903/v1.3.2#:SignedProperties --enabled-key-data x509 --insecure signatures0.xml); }
{ xsec >"$work/xsec.log" 2>&1 || true; grep -q 'SignedInfo References (ok/all): 3/3' "$work/xsec.log"; } ||
	{ echo "xmlsec1 does not verify the signature:" >&2; cat "$work/xsec.log" >&2; exit 1; }

ms() { local s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; echo $((($(date +%s%N) - s) / 1000)); }
: >"$work/signet.t"
: >"$work/xmlsec.t"
for _ in $(seq "$runs"); do
	ms "$work/signet" verify --trust "$work/ca.pem" "$work/c.asice" >>"$work/signet.t"
	ms xsec >>"$work/xmlsec.t"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
s=$(median "$work/signet.t")
x=$(median "$work/xmlsec.t")
printf '%-22s %8.1f ms\n' "signet verify .asice" "$(awk "BEGIN{print $s/1000}")" "xmlsec1 --verify" "$(awk "BEGIN{print $x/1000}")"
printf '%-22s %8.2f×   (median of %d interleaved runs)\n' "ratio" "$(awk "BEGIN{print $s/$x}")" "$runs"
