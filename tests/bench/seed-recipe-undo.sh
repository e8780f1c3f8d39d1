#!/bin/bash
# Undo seed-recipe.sh, run in the namespace the recipe ran in (the post's
# "default"). Removes only what the recipe makes and is there; safe to run on a
# partial recipe. Exit status non-zero if something present could not be removed.
#
#   seed-recipe-undo.sh NS_NAME UPLINK [IP_FORWARD]
#
# IP_FORWARD: the value net.ipv4.ip_forward had before the recipe (default 0).
#
# The /run/netns/default link is removed first and never followed: once the
# recipe's shell has ended it points at a dead PID, which the kernel may give
# to a process in another namespace (the machine's, say).
set -uo pipefail
if [ "${VPNRUN_SANDBOX:-}" != 1 ]; then
  echo "seed-recipe-undo.sh: run it inside tests/sandbox" >&2
  exit 2
fi
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: seed-recipe-undo.sh NS_NAME UPLINK [IP_FORWARD]" >&2
  exit 2
fi
ns=$1 uplink=$2 fwd=${3:-0}
rc=0
try() { "$@" || { echo "seed-recipe-undo.sh: failed: $*" >&2; rc=1; }; }

if [ -L /run/netns/default ]; then try rm -f /run/netns/default; fi
rules=(
  "-t filter FORWARD -i veth2 -o $uplink -j ACCEPT"
  "-t filter FORWARD -o veth2 -i $uplink -j ACCEPT"
  "-t nat POSTROUTING -s 10.0.0.0/24 -o $uplink -j MASQUERADE"
)
for r in "${rules[@]}"; do
  read -ra a <<<"$r"
  # -C: is the rule there? (quietly false when its table does not exist yet)
  if iptables "${a[0]}" "${a[1]}" -C "${a[@]:2}" 2>/dev/null; then
    try iptables "${a[0]}" "${a[1]}" -D "${a[@]:2}"
  fi
done
# Deleting either end of a veth pair deletes both.
if ip link show dev veth2 >/dev/null 2>&1; then try ip link del dev veth2; fi
if [ -e "/run/netns/$ns" ]; then try ip netns del "$ns"; fi
try sysctl -q -w "net.ipv4.ip_forward=$fwd"
exit $rc
