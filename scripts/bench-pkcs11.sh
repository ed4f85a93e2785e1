#!/usr/bin/env bash
# Compares signing through Signet's pkcs11 layer with bare miekg/pkcs11
# C_SignInit + C_Sign on the same SoftHSM2 keys, in one run, and prints the
# difference with benchstat (p-values: "~" means no significant difference).
# Also prints the Go-side cost of Signet's layer alone, free of token noise.
#
# Usage: scripts/bench-pkcs11.sh [count]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -run '^$' -bench 'BenchmarkSign$|BenchmarkLayerCost' -benchmem -count "$count" ./pkcs11 | tee "$out" >/dev/null
echo "== Signet layer vs raw miekg/pkcs11 (same SoftHSM2 key, same run)"
grep -v LayerCost "$out" | go tool benchstat -col /impl -
echo
echo "== Go-side cost of Signet's layer per signature (no token)"
grep -v 'BenchmarkSign/' "$out" | go tool benchstat -
