#!/usr/bin/env bash
# dist/signet_<version>_amd64.deb and dist/signet-<version>.x86_64.rpm from
# packaging/nfpm.yaml: both programs, built reproducibly (-trimpath, the
# last commit's time as SOURCE_DATE_EPOCH), with the man pages,
# completions and icons internal/cmd/gendocs writes.
#
# The version is the tag's (v1.2.3 → 1.2.3) when HEAD is tagged, else
# 0.0.0-<commit date>-<commit>. The dependencies are what the programs
# link (their ELF NEEDED entries) plus the X libraries GLFW, under Fyne,
# opens at run time; the Debian names come from dpkg, the RPM ones are the
# sonames (RPM's own way to require a library).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
out=${DIST:-dist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
export SOURCE_DATE_ISO=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
if tag=$(git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null); then
	export SIGNET_VERSION=${tag#v}
else
	export SIGNET_VERSION="0.0.0-$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d%H%M%S)-$(git rev-parse --short=12 HEAD)"
fi
export SIGNET_LICENSE=LicenseRef-Signet-undecided # see packaging/copyright
export SIGNET_BIN=$work/bin SIGNET_FILES=$work/files

# -trimpath: no build directory in the binaries; the VCS stamp gives
# --version its commit and date; PIE as Debian's hardening asks;
# stripped (-s -w: no symbol table or DWARF) as packages ship programs.
flags=(-trimpath -buildvcs=true -buildmode=pie "-ldflags=-s -w -buildid=")
"$GO" build "${flags[@]}" -o "$SIGNET_BIN/signet" .
"$GO" build "${flags[@]}" -o "$SIGNET_BIN/signet-app" ./cmd/signet-app
"$GO" run ./internal/cmd/gendocs -out "$SIGNET_FILES"

# What the programs link, and what GLFW dlopens.
dlopened=(libXcursor.so.1 libXrandr.so.2 libXinerama.so.1 libXi.so.6 libXxf86vm.so.1)
mapfile -t needed < <(for b in "$SIGNET_BIN"/*; do objdump -p "$b" | awk '/NEEDED/ {print $2}'; done | sort -u)
libs=("${needed[@]}" "${dlopened[@]}")
debs=() rpms=()
for lib in "${libs[@]}"; do
	path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ && !f {print $NF; f = 1}')
	[ -n "$path" ] || { echo "packages: $lib is not installed here: its package cannot be named" >&2; exit 1; }
	# The package owning the library's file (under /usr on a merged /usr).
	pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | sed -n '1s/:.*//p') || true
	[ -n "$pkg" ] || pkg=$(dpkg -S "$path" | sed -n '1s/:.*//p')
	debs+=("$pkg")
	rpms+=("$lib()(64bit)")
done
list() { printf '%s\n' "$@" | sort -u | paste -sd, | sed 's/,/, /g'; }
export SIGNET_DEB_DEPENDS="[$(list "${debs[@]}")]"
export SIGNET_RPM_DEPENDS="[$(printf '"%s"\n' "${rpms[@]}" | sort -u | paste -sd, | sed 's/,/, /g')]"
# nfpm expands ${…} in some strings only (not in lists, paths or dates):
# every field is filled in here.
perl -pe 's/\$\{(\w+)\}/defined $ENV{$1} ? $ENV{$1} : die "packages: \$$1 is not set\n"/ge' packaging/nfpm.yaml > "$work/nfpm.yaml"

mkdir -p "$out"
"$GO" tool nfpm package --config "$work/nfpm.yaml" --packager deb --target "$out/"
"$GO" tool nfpm package --config "$work/nfpm.yaml" --packager rpm --target "$out/"
ls -l "$out"/signet[_-]"$SIGNET_VERSION"*
