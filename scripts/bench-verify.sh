#!/usr/bin/env bash
# Verifies a signed 100 MB PDF in one run with:
#   signet verify       (trusting the signing certificate)
#   pdfsig              (poppler, the same file)
#   the floor: sha256sum of the file
# and prints wall time and peak RSS (GNU time), best of RUNS (default 3).
#
# Usage: scripts/bench-verify.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/signet" .
go run ./internal/testkit pdf -pages 1 -pad 104857600 "$work/big.pdf"
# A self-signed PKCS#12 key: verification cost does not depend on where
# the key lived.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -subj "/CN=Bench Signer" -days 2 \
	-addext basicConstraints=critical,CA:FALSE -addext keyUsage=critical,digitalSignature,nonRepudiation 2>/dev/null
openssl pkcs12 -export -inkey "$work/key.pem" -in "$work/cert.pem" -out "$work/key.p12" -passout pass:pw
printf 'pw\n' >"$work/pw"
chmod 600 "$work/pw"
"$work/signet" sign --key "$work/key.p12" --pin-file "$work/pw" -o "$work/signed.pdf" "$work/big.pdf" >/dev/null

. scripts/lib/measure.sh

# Valid, or valid but not fully checked (no revocation data: exit 3).
grep -qE '(✓ valid|\? valid, not fully checked) ' <<<"$("$work/signet" verify --trust "$work/cert.pem" "$work/signed.pdf" || true)" ||
	{ echo "signet verify does not find the signature valid" >&2; exit 1; }
grep -q 'Signature is Valid' <<<"$(pdfsig "$work/signed.pdf")" ||
	{ echo "pdfsig does not find the signature valid" >&2; exit 1; }

printf '%-36s %10s %12s\n' "signed.pdf: tool" "wall (best)" "peak RSS"
measure "signet verify" "$work/signet" verify --trust "$work/cert.pem" "$work/signed.pdf"
measure "pdfsig" pdfsig "$work/signed.pdf"
measure "floor: sha256sum" sha256sum "$work/signed.pdf"
printf '\nsigned.pdf: %s bytes\n' "$(stat -c%s "$work/signed.pdf")"
