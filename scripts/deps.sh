#!/usr/bin/env bash
# Installs the Debian packages heartcheck needs to build and test, skipping
# the apt run entirely when everything is already there.
set -euo pipefail

pkgs=(
  gcc clang clang-format libclang-rt-14-dev meson ninja-build pkg-config
  libuv1-dev libseccomp-dev libjansson-dev libcmocka-dev
  python3 openssl gnutls-bin iproute2 procps
  nmap sslscan rpm time openvpn
  # real STARTTLS servers for tests/e2e/starttls/real.sh
  postfix dovecot-imapd dovecot-pop3d dovecot-managesieved slapd
  mariadb-server postgresql xrdp vsftpd util-linux bsdutils
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "heartcheck: installing ${missing[*]}" >&2
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
