#!/usr/bin/env bash
# Installs the Debian packages Signet needs, only those missing.
#
#   scripts/deps.sh test   what the test suite needs (real SoftHSM2 tokens,
#                          OpenSC's pkcs11-tool, validators, a C compiler
#                          and Fyne's OpenGL/X11 headers for cgo, and the
#                          smart-card stack a virtual eID card runs behind:
#                          pcscd, vsmartcard's vpcd reader driver,
#                          libcacard's card emulation, p11-kit's proxy; and
#                          Node.js with xadesjs, an independent XAdES
#                          implementation, in scripts/xadesjs; and the
#                          packages' checkers: lintian, rpm, appstream)
#   scripts/deps.sh run    what building and running the app needs
#   scripts/deps.sh packages  what make packages needs
#   scripts/deps.sh screenshots  the app under Xvfb, on SoftHSM2 tokens
#
# Uses apt-get (through sudo when not root). Does nothing when all is there,
# so it is cheap to call before every run.
set -euo pipefail

case "${1:-}" in
test) packages=(gcc libc6-dev libgl1-mesa-dev xorg-dev fonts-noto-core ca-certificates softhsm2 opensc opensc-pkcs11 poppler-utils qpdf libnss3-tools openssl xmlsec1 unzip chromium xvfb xauth dbus-daemon time
	pcscd vsmartcard-vpcd libcacard0 pcsc-tools p11-kit-modules util-linux mount desktop-file-utils
	lintian rpm appstream man-db binutils) ;;
packages) packages=(gcc libc6-dev libgl1-mesa-dev xorg-dev binutils) ;;
run) packages=(gcc libc6-dev libgl1-mesa-dev xorg-dev fonts-noto-core poppler-utils) ;;
screenshots) packages=(gcc libc6-dev libgl1-mesa-dev xorg-dev fonts-noto-core poppler-utils softhsm2 opensc xvfb xauth) ;;
*)
	echo "usage: $0 test|run|screenshots|packages" >&2
	exit 2
	;;
esac

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
# The tests' independent XAdES implementation (xadesjs) runs on Node.js;
# any node and npm will do (Debian's, or NodeSource's that bundles npm).
if [ "$1" = test ] && { ! command -v node >/dev/null || ! command -v npm >/dev/null; }; then
	missing+=(nodejs npm)
fi

# xadesjs and its dependencies, at the versions package-lock.json pins,
# into scripts/xadesjs/node_modules (npm ci), when missing or stale.
npm_modules() {
	[ "$1" = test ] || return 0
	local dir
	dir="$(dirname "$0")/xadesjs"
	if [ ! -d "$dir/node_modules/xadesjs" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
		echo "signet: installing xadesjs (npm ci in $dir)" >&2
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	fi
}

if [ ${#missing[@]} -eq 0 ]; then
	npm_modules "$1"
	exit 0
fi

if ! command -v apt-get >/dev/null; then
	echo "signet: missing packages ${missing[*]}; install them with your system's package manager" >&2
	exit 1
fi
sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo)
echo "signet: installing ${missing[*]}" >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
npm_modules "$1"
