#!/bin/bash
# The seed blog post's recipe ("VPNs and Network Namespaces", shared/seeds/),
# its 16 numbered lines as a script: the peer vpnrun is measured against.
#
#   seed-recipe.sh NS_NAME UPLINK HOST_IP
#
# NS_NAME  the namespace to make (the post: vpn)
# UPLINK   the host's interface to the internet (the post hard-codes eth0)
# HOST_IP  that interface's address, the namespace's next hop (the post: 192.168.1.2)
#
# Faithful to the post: one process per line, the same commands in the same
# order, lines 4-15 in a shell inside the new namespace, veth1/veth2 and
# 10.0.0.0/24 hard-coded. Where it departs, the line says so:
#  - line 3: the post writes `ip netns exec "$SHELL"` (no namespace name; it
#    would fail); the name is given, and the shell (/bin/bash, whatever the
#    caller's $SHELL) runs the lines 4-15 below instead of reading a keyboard.
#  - line 4: the post links /proc/1/ns/net, the namespace of PID 1, which is the
#    machine's. Here it is the namespace this script runs in ($$ is the outer
#    shell, alive until the recipe ends), so inside tests/sandbox it names the
#    sandbox's own namespace and nothing reaches the machine's.
#  - line 16: the post runs it in the shell of line 3, i.e. in the new
#    namespace, where it is of no use (its systemd version sets it from
#    /etc/sysctl.d on the host). Here it runs in the host namespace, after the
#    shell of line 3 has ended: same command, same cost, and the NAT works.
# Undo with seed-recipe-undo.sh.
set -euo pipefail
if [ "${VPNRUN_SANDBOX:-}" != 1 ]; then
  echo "seed-recipe.sh: run it inside tests/sandbox (it changes the network of the namespace it runs in)" >&2
  exit 2
fi
if [ $# -ne 3 ]; then
  echo "usage: seed-recipe.sh NS_NAME UPLINK HOST_IP" >&2
  exit 2
fi

NS_NAME=$1                                                           #  1
ip netns add "$NS_NAME"                                              #  2
ip netns exec "$NS_NAME" /bin/bash -euc '                            #  3
  host_ns=$1 uplink=$2 host_ip=$3
  ln -s "$host_ns" /var/run/netns/default                            #  4
  ip link add dev veth1 mtu 1500 type veth peer name veth2 mtu 1500  #  5
  ip link set dev veth2 netns default                                #  6
  ip addr add dev veth1 10.0.0.1/24                                  #  7
  ip link set veth1 up                                               #  8
  ip netns exec default ip link set veth2 up                         #  9
  ip route add "$host_ip/32" dev veth1                               # 10
  ip route add default via "$host_ip"                                # 11
  ip netns exec default ip route add 10.0.0.0/24 dev veth2           # 12
  ip netns exec default iptables -A FORWARD -i veth2 -o "$uplink" -j ACCEPT  # 13
  ip netns exec default iptables -A FORWARD -o veth2 -i "$uplink" -j ACCEPT  # 14
  ip netns exec default iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -o "$uplink" -j MASQUERADE  # 15
' seed-shell "/proc/$$/ns/net" "$2" "$3"
sysctl -w net.ipv4.ip_forward=1                                      # 16
