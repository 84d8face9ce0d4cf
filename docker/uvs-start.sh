#!/bin/sh
# The start of every container of a uvs maquette, as uvs-lab builds hosts in namespaces:
#   UVS_IFNAMES  "SUBNET=NAME …": renames the interface on SUBNET (eth1, eth2 as the course)
#   UVS_GATEWAY  default route (real servers: the director in NAT, the router in DR/TUN)
#   UVS_ROUTES   "PREFIX=GATEWAY …": more routes
#   UVS_LO_VIP   the VIP on lo (LVS-DR and LVS-TUN real servers)
#   UVS_ADDRS    "ADDR/LEN …": more addresses, each on the interface of its subnet (the VIP)
# then by UVS_ROLE:
#   director  runs uvsd "$@" (e.g. -f /etc/uvs/keepalived.conf); /etc/uvs/rules, when present,
#             is loaded with uvsadm -R (what uvsadm -S prints)
#   server    serves UVS_PAGE on port 80 (uvs-lab serve-http); UVS_TUN_ENDPOINT=VIP also runs
#             uvs-tun-endpoint (LVS-TUN without the ipip module)
#   client, router  just wait (docker compose exec client curl http://VIP/)
# Offloads stay as veth has them, as in the lab: uvsd's AF_PACKET backend takes partial
# checksums and GSO super-frames whole.
set -eu

ifname_of_subnet() {
  ip -o -4 addr show | awk -v net="$1" '$4 ~ "^"net {print $2; exit}'
}

for pair in ${UVS_IFNAMES:-}; do
  subnet=${pair%%=*}
  name=${pair#*=}
  prefix=$(echo "$subnet" | cut -d. -f1-3).
  cur=$(ifname_of_subnet "$prefix")
  [ -z "$cur" ] || [ "$cur" = "$name" ] && continue
  # A free name first: the wanted one may belong to another interface for now.
  if ip link show "$name" >/dev/null 2>&1; then
    ip link set "$name" down && ip link set "$name" name "tmp-$name" && ip link set "tmp-$name" up
  fi
  ip link set "$cur" down && ip link set "$cur" name "$name" && ip link set "$name" up
done

for a in ${UVS_ADDRS:-}; do
  dev=$(ip -o route get "${a%/*}" | sed -n 's/.* dev \([^ ]*\).*/\1/p')
  ip addr add "$a" dev "$dev"
done
[ -n "${UVS_GATEWAY:-}" ] && ip route replace default via "$UVS_GATEWAY"
for r in ${UVS_ROUTES:-}; do ip route replace "${r%%=*}" via "${r#*=}"; done
[ -n "${UVS_LO_VIP:-}" ] && ip addr add "$UVS_LO_VIP/32" dev lo

case "${UVS_ROLE:-server}" in
  director)
    uvsd "$@" &
    pid=$!
    trap 'kill -TERM $pid' TERM INT
    tries=0
    until uvsadm -Ln >/dev/null 2>&1; do
      tries=$((tries + 1))
      [ $tries -gt 150 ] && { echo "uvs-start: uvsd does not answer" >&2; exit 1; }
      kill -0 $pid 2>/dev/null || exit 1
      sleep 0.1
    done
    [ -f /etc/uvs/rules ] && uvsadm -R < /etc/uvs/rules
    uvsadm -Ln
    wait $pid
    ;;
  server)
    if [ -n "${UVS_TUN_ENDPOINT:-}" ]; then uvs-tun-endpoint --vip "$UVS_TUN_ENDPOINT" & fi
    exec uvs-lab serve-http --port 80 --text "${UVS_PAGE:-$(hostname)}"
    ;;
  client | router)
    exec sleep infinity
    ;;
  *)
    echo "uvs-start: unknown UVS_ROLE ${UVS_ROLE}" >&2
    exit 2
    ;;
esac
