#!/usr/bin/env bash
# Signet.tar.xz: both programs (signet: the command line and the agent;
# signet-app: the window), the desktop file and the icon, with the
# Makefile Fyne's packager writes ('sudo make install' in the unpacked
# directory), taught to install signet beside signet-app.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-bin}
"${GO:-go}" tool fyne package -os linux --release --exe "$bin/signet-app" --name Signet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xJf Signet.tar.xz -C "$work"
install -Dm0755 "$bin/signet" "$work/usr/local/bin/signet"
# Each install and uninstall line of signet-app gets its twin for signet.
sed -i -e 's#^\(\tinstall -Dm00755 usr/local/bin/\)$(Exec) \(.*\)/$(Exec)$#&\n\1signet \2/signet#' \
	-e 's#^\(\t-rm .*/bin/\)$(Exec)$#&\n\1signet#' "$work/Makefile"
grep -q 'usr/local/bin/signet ' "$work/Makefile" || { echo "package: Fyne's Makefile changed; signet is not installed by it" >&2; exit 1; }
tar -cJf Signet.tar.xz -C "$work" .
echo "Signet.tar.xz: $(tar -tJf Signet.tar.xz | grep -c .) entries, signet and signet-app"
