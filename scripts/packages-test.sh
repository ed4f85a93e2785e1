#!/usr/bin/env bash
# make test's check of the packages (issue 32): builds the .deb and the
# .rpm twice and compares them byte for byte (reproducible builds), checks
# them with their ecosystems' tools (lintian, desktop-file-validate,
# appstreamcli, rpm), and, where it may (root, or CI=true on CI's
# throw-away machine), installs the .deb, tries what it brings and removes
# it again. A tool that is missing fails the test under CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "packages-test: $*" >&2; exit 1; }
need() {
	for t in "$@"; do
		command -v "$t" >/dev/null && continue
		[ "${CI:-}" = true ] && fail "$t is missing (scripts/deps.sh test installs it)"
		echo "packages-test: skipped: $t is missing"; exit 0
	done
}
need lintian desktop-file-validate appstreamcli rpm objdump dpkg-deb

DIST="$work/a" GO="$GO" scripts/packages.sh >/dev/null
DIST="$work/b" GO="$GO" scripts/packages.sh >/dev/null
deb=$(ls "$work"/a/*.deb) rpm=$(ls "$work"/a/*.rpm)
for f in "$deb" "$rpm"; do
	cmp -s "$f" "$work/b/$(basename "$f")" || fail "$(basename "$f") differs between two builds of one commit"
done
echo "packages-test: $(basename "$deb") and $(basename "$rpm") are the same bytes on two builds"

# lintian: no errors. Its warnings are listed (groff's "cannot adjust
# line" on long URLs and flag names in the man pages is the known one).
lintian --tag-display-limit 0 "$deb" > "$work/lintian" 2>&1 || true
if grep -q '^E: ' "$work/lintian"; then cat "$work/lintian" >&2; fail "lintian found errors"; fi
echo "packages-test: lintian: no errors, $(grep -c '^W: ' "$work/lintian" || true) warnings"

mkdir "$work/x"
dpkg-deb -x "$deb" "$work/x"
desktop-file-validate "$work/x/usr/share/applications/io.github.signet-sign.signet.desktop"
appstreamcli validate --no-net "$work/x/usr/share/metainfo/io.github.signet-sign.signet.metainfo.xml" >/dev/null
# The rpm's list is read whole into a file first: "rpm -qlp | grep -q"
# under pipefail fails when grep stops early and rpm dies of SIGPIPE.
rpm -qlp "$rpm" > "$work/rpm-files" 2>/dev/null || fail "rpm -qlp cannot read $(basename "$rpm")"
for want in /usr/bin/signet /usr/bin/signet-app /usr/share/man/man1/signet-sign.1.gz /usr/share/man/man1/signet-app.1.gz \
	/usr/share/bash-completion/completions/signet /usr/share/applications/io.github.signet-sign.signet.desktop \
	/usr/share/icons/hicolor/scalable/apps/io.github.signet-sign.signet.svg /usr/share/doc/signet/copyright; do
	grep -qx "$want" "$work/rpm-files" || fail "the rpm lacks $want"
	[ -e "$work/x$want" ] || fail "the deb lacks $want"
done
echo "packages-test: desktop file, metainfo and contents hold"

# Installed for real: only as root (CI's machine is thrown away after).
if [ "$(id -u)" != 0 ]; then
	[ "${CI:-}" = true ] && fail "installing the .deb needs root under CI"
	echo "packages-test: not root: the .deb is not installed"; exit 0
fi
if dpkg -s signet >/dev/null 2>&1; then
	fail "a signet package is installed already: the test would replace it"
fi
trap 'DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq signet >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >/dev/null
version=$(/usr/bin/signet --version) || fail "signet --version failed"
[[ $version == Signet\ * ]] || fail "signet --version says \"$version\""
need man
man -w signet-sign >/dev/null || fail "man -w signet-sign"
bash -c 'source /usr/share/bash-completion/completions/signet && complete -p signet' >/dev/null || fail "the bash completion"
cache=/usr/share/applications/mimeinfo.cache
for type in application/pdf application/vnd.etsi.asic-e+zip; do
	grep -q "^$type=.*io.github.signet-sign.signet.desktop" "$cache" || fail "$cache does not offer Signet for $type"
done
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq signet >/dev/null
[ ! -e /usr/bin/signet ] || fail "removing the package left /usr/bin/signet"
echo "packages-test: installed, tried (--version, man, completion, file types) and removed"
