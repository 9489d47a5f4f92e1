#!/usr/bin/env bash
# Installs the Debian packages heartcheck needs, skipping the apt run
# entirely when everything is already there.
#
#   scripts/deps.sh           what building and running heartcheck needs
#   scripts/deps.sh --test    that, and what the tests and benchmarks need:
#                             compilers and sanitizer runtimes, the peers
#                             they probe (GnuTLS, OpenSSL 3, nmap, sslscan,
#                             OpenVPN) and the real STARTTLS servers of
#                             tests/e2e/starttls/real.sh
#
# The plain form never installs a server: it is what runs on a host that is
# being audited.
set -euo pipefail

pkgs=(
  gcc meson ninja-build pkg-config
  libuv1-dev libseccomp-dev libjansson-dev nettle-dev
)
if [ "${1:-}" = --test ]; then
  pkgs+=(
    clang clang-format libclang-rt-14-dev libcmocka-dev
    python3 openssl gnutls-bin iproute2 procps util-linux bsdutils
    nmap sslscan rpm time openvpn
    postfix dovecot-imapd dovecot-pop3d dovecot-managesieved slapd
    mariadb-server postgresql xrdp vsftpd
  )
fi

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
