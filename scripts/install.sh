#!/usr/bin/env bash
# Installs what uvs needs on a fresh Debian machine (as root), then builds it.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  libpcap-dev    # cap (libpcap binding) builds against it
  iproute2       # ip netns, veth, routes, neighbours
  nftables       # the kernel guard
  ethtool        # offload checks
  tcpdump        # captures in tests
  curl           # HTTP client of the lab and tests
  tshark         # dissects what crossed a link (IPIP) in the TUN tests
  procps         # sysctl, pgrep
  netbase        # /etc/services: uvsadm -L names ports as ipvsadm does
  iputils-ping   # PING_CHECK
  openssl        # self-signed certificates for the SSL_GET tests
  chromium       # headless browser of the web view test (driven by playwright-core)
  docker-compose # validates docker/*/compose.yaml (config needs no Docker engine)
  util-linux     # flock (one uvsd per namespace), setpriv (uvsd unprivileged, in the tests)
  bsdutils       # logger: uvsd -S (syslog)
  passwd         # useradd: the least-privilege test's users
  socat          # a syslog socket for uvsd -S in the tests
  man-db         # man -l: the man pages' check
  systemd        # systemd-analyze verify: the units' check
  keepalived     # a real VRRP peer and keepalived -t on its samples (interop tests)
  hping3         # the spoofed SYN flood of the defences' test
  python3 make g++  # node-gyp for cap
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "uvs: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

echo "uvs: npm ci" >&2
npm ci --no-audit --no-fund
echo "uvs: build" >&2
npm run build

# The binaries on the PATH (symlinks into this tree: no npm link), their man pages, uvsadm's bash
# completion; the systemd units where systemd runs (see systemd/ and the README).
PREFIX=${PREFIX:-/usr/local}
echo "uvs: installing the commands in $PREFIX/bin, man pages, bash completion" >&2
mkdir -p "$PREFIX/bin" "$PREFIX/share/man/man1" "$PREFIX/share/man/man8"
for bin in uvsd uvsadm uvs-lab uvs-tun-endpoint uvs-genhash uvs-replay; do
  chmod 755 "dist/src/bin/$bin.js"
  ln -sfn "$PWD/dist/src/bin/$bin.js" "$PREFIX/bin/$bin"
done
for page in dist/man/man1/*.1; do install -m 644 "$page" "$PREFIX/share/man/man1/"; done
for page in dist/man/man8/*.8; do install -m 644 "$page" "$PREFIX/share/man/man8/"; done
COMPLETIONS=${COMPLETIONS:-/usr/share/bash-completion/completions}
mkdir -p "$COMPLETIONS"
install -m 644 dist/completion/uvsadm "$COMPLETIONS/uvsadm"
if [[ -d /run/systemd/system ]]; then
  getent group uvs >/dev/null || groupadd --system uvs
  getent passwd uvs >/dev/null ||
    useradd --system --gid uvs --no-create-home --shell /usr/sbin/nologin uvs
  install -m 644 systemd/uvsd.service systemd/uvsd@.service /etc/systemd/system/
  systemctl daemon-reload
  echo "uvs: systemd units installed: systemctl enable --now uvsd (or uvsd@<netns>)" >&2
fi
