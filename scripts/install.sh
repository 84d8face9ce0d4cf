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
