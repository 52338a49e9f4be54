#!/bin/sh
# Installs the Debian/Ubuntu packages Kontor needs to build and test, if any is
# missing. When everything is present it does nothing and asks for nothing.
set -eu
PKGS="build-essential pkg-config libncurses-dev libpq-dev libsodium-dev libiniparser-dev
libcmocka-dev postgresql postgresql-contrib pgbouncer tmux ncurses-term procps"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "kontor: missing packages:$missing — install them with your package manager" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "kontor: need root or sudo to install:$missing" >&2; exit 1; }
    SUDO=sudo
fi
echo "kontor: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# The server package must not start a system-wide cluster: Kontor runs its own.
# pgbouncer may start a system-wide service on port 6432: harmless, as the
# tests run their own (tests/pooler.sh: own config, TCP port >= 20000 on
# loopback, no Unix socket) and use only the binary.
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
