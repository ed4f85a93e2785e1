#!/usr/bin/env bash
# Signet beside unzip -t and xmlsec1 on the hostile containers of the test
# suite (issue 27): wall time, peak RSS and exit status of each, one line a
# file. Peers read what they can: unzip tests the zip; xmlsec1 verifies the
# first signature document (extracted, at most 64 MB), its references to
# data files left unresolved.
set -uo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=1 go build -o "$work/signet" . || exit 1
go run ./internal/cmd/hostilegen -out "$work/files" || exit 1
measure() { # label, command…
	local label=$1; shift
	/usr/bin/time -f "%e %M %x" -o "$work/t" timeout 60 "$@" >/dev/null 2>&1
	read -r secs kb code < <(tail -n 1 "$work/t") || true
	printf '%-12s %6ss %6d MB exit %s' "$label" "$secs" "$((kb / 1024))" "${code:-?}"
}
printf '%-26s | %-34s | %-34s | %s\n' file "signet verify" "unzip -t" "xmlsec1 --verify"
for f in "$work"/files/*.asice; do
	name=$(basename "$f" .asice)
	sig="$work/sig.xml"
	unzip -p "$f" META-INF/signatures0.xml 2>/dev/null | head -c $((64 << 20)) >"$sig"
	printf '%-26s | %s | %s | ' "$name" "$(measure signet "$work/signet" verify "$f")" "$(measure unzip unzip -t "$f")"
	if [ -s "$sig" ]; then
		measure xmlsec1 xmlsec1 --verify --enabled-reference-uris empty,same-doc "$sig"
	else
		printf 'no signature document'
	fi
	echo
done
