#!/usr/bin/env bash
# Signs a generated 100 MB PDF and a 1,000-page PDF in one run with:
#   signet sign          (SoftHSM2 RSA-2048 key, PAdES B-B)
#   pdfsig -add-signature (poppler; the same RSA-2048 key, in its NSS db)
#   the floor: sha256sum + cp of the file
# and prints wall time and peak RSS (GNU time), best of RUNS (default 3).
#
# Usage: scripts/bench-sign.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/signet" .
go run ./internal/testkit pdf -pages 1 -pad 104857600 "$work/big.pdf"
go run ./internal/testkit pdf -pages 1000 "$work/pages.pdf"

# One RSA-2048 key, put where each tool signs from: a SoftHSM2 token for
# Signet, the NSS database for pdfsig. (pdfsig 22.12 cannot use SoftHSM2
# through NSS: it logs in to every slot and SoftHSM2's spare uninitialized
# slot refuses.) The key operation is ~1 ms of each run; hashing is the rest.
MODULE=$(go run ./internal/testkit module)
PIN=123456
export SOFTHSM2_CONF=$work/softhsm2.conf
mkdir "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" >"$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label bench --so-pin 12345678 --pin "$PIN" >/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -subj "/CN=Bench Signer" -days 2 \
	-addext basicConstraints=critical,CA:FALSE -addext keyUsage=critical,digitalSignature,nonRepudiation 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$work/key.pem" -outform DER -out "$work/key.der"
openssl x509 -in "$work/cert.pem" -outform DER -out "$work/cert.der"
for obj in "privkey key.der --usage-sign" "cert cert.der"; do
	set -- $obj
	pkcs11-tool --module "$MODULE" --token-label bench --login --pin "$PIN" \
		--write-object "$work/$2" --type "$1" --id 01 --label bench ${3:-} >/dev/null 2>&1
done
mkdir "$work/nss"
certutil -N --empty-password -d "sql:$work/nss"
openssl pkcs12 -export -inkey "$work/key.pem" -in "$work/cert.pem" -name bench -out "$work/bench.p12" -passout pass:pw
pk12util -i "$work/bench.p12" -d "sql:$work/nss" -W pw >/dev/null
printf '%s\n' "$PIN" >"$work/pin"
chmod 600 "$work/pin"

key='pkcs11:token=bench;object=bench'

. scripts/lib/measure.sh

printf '%-36s %10s %12s\n' "file: tool" "wall (best)" "peak RSS"
for f in big pages; do
	in="$work/$f.pdf"
	measure "$f.pdf: signet sign" "$work/signet" --module "$MODULE" sign --key "$key" --pin-file "$work/pin" --force -o "$work/out.pdf" "$in"
	# A fast result only counts if it is a valid signature.
	grep -q 'Signature is Valid' <<<"$(pdfsig "$work/out.pdf")" || { echo "signet output for $f.pdf does not verify" >&2; exit 1; }
	measure "$f.pdf: pdfsig -add-signature" pdfsig -add-signature -nssdir "sql:$work/nss" -nick bench "$in" "$work/out.pdf"
	measure "$f.pdf: floor (sha256sum + cp)" sh -c "sha256sum '$in' && cp '$in' '$work/out.pdf'"
done
printf '\nbig.pdf: %s bytes; pages.pdf: %s bytes, 1000 pages\n' "$(stat -c%s "$work/big.pdf")" "$(stat -c%s "$work/pages.pdf")"
