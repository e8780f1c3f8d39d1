# Sourced by tests/e2e/containers and tests/bench/bench-hook: a Podman that is
# private to one run, inside tests/sandbox. Its storage, state, config, events
# and temporary files live in $work; containers go below the cgroup
# /$cg_parent (in every hierarchy); its network is always `none`.
#
#   work=DIR cg_parent=NAME hooks_dir=DIR; source tests/e2e/podman-env.sh
#   podman_env_setup           # cgroups, config files
#   podman_env_image BUSYBOX   # $IMG from a busybox-static root file system
#   pod run "${run_flags[@]}" ... "$IMG" ...
#   podman_env_cleanup         # from the caller's EXIT trap
# shellcheck shell=bash

IMG=localhost/vpnrun-e2e-busybox:latest
podman_env_ready=0 podman_env_cgroups=0

pod() {
  podman --root "$work/root" --runroot "$work/runroot" --runtime runc --cgroup-manager cgroupfs \
    --events-backend file --hooks-dir "$hooks_dir" "$@"
}
run_flags=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --cgroup-parent "/$cg_parent"
  --network none --pull never)

# The sandbox mounted a fresh /sys, without cgroups; runc and conmon need them.
# Mount the machine's hierarchies again, as its init has them (in this mount
# namespace only).
podman_env_cgroups() {
  if awk '$5 == "/sys/fs/cgroup" && $9 == "cgroup2" {found=1} END {exit !found}' /proc/1/mountinfo; then
    mount -t cgroup2 cgroup2 /sys/fs/cgroup
  else
    mount -t tmpfs -o mode=0755 cgroup-root /sys/fs/cgroup
    local controllers mp fstype opts sub name
    controllers="$(awk 'NR > 1 {print $1}' /proc/cgroups)"
    # mount point, fstype, super options of each hierarchy below /sys/fs/cgroup
    while read -r mp fstype opts; do
      mkdir -p "$mp"
      if [ "$fstype" = cgroup2 ]; then
        mount -t cgroup2 cgroup2 "$mp"
        continue
      fi
      # The hierarchy's controllers, or its name (a named one has none).
      sub="$(tr ',' '\n' <<<"$opts" | grep -xF "$controllers" | paste -sd, - || true)"
      name="$(tr ',' '\n' <<<"$opts" | grep '^name=' || true)"
      mount -t cgroup -o "${sub:-none}${name:+,$name}" cgroup "$mp"
    done < <(awk '{ for (i = 7; $i != "-"; i++); if (($(i+1) == "cgroup" || $(i+1) == "cgroup2") && $5 ~ "^/sys/fs/cgroup/") print $5, $(i+1), $(i+3) }' /proc/1/mountinfo)
  fi
  podman_env_cgroups=1
}

podman_env_setup() {
  podman_env_cgroups
  mkdir -p "$work/tmp" "$work/net"
  cat >"$work/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$work/events.log"
runtime = "runc"
tmp_dir = "$work/tmp/libpod"
static_dir = "$work/root/libpod"
volume_path = "$work/root/volumes"
image_copy_tmp_dir = "$work/tmp"
[network]
network_config_dir = "$work/net"
CONF
  cat >"$work/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$work/root"
runroot = "$work/runroot"
CONF
  : >"$work/registries.conf"
  export CONTAINERS_CONF="$work/containers.conf" CONTAINERS_STORAGE_CONF="$work/storage.conf"
  export CONTAINERS_REGISTRIES_CONF="$work/registries.conf" TMPDIR="$work/tmp"
  podman_env_ready=1
}

# $IMG from a root file system of busybox-static and its applets.
podman_env_image() {
  local rootfs="$work/rootfs" a
  mkdir -p "$rootfs"/{bin,etc,proc,sys,dev,tmp,m}
  cp "$1" "$rootfs/bin/busybox"
  for a in $("$1" --list); do [ "$a" = busybox ] || ln -s busybox "$rootfs/bin/$a"; done
  tar -C "$rootfs" -cf "$work/rootfs.tar" .
  # An image copy writes a blob-info cache to /var/lib/containers/cache
  # whatever --root says (Podman 4.3): give it an empty /var/lib of its own.
  unshare --mount --propagation private bash -c 'mount -t tmpfs -o size=16m podman-cache /var/lib && "$@"' \
    import-sh podman --root "$work/root" --runroot "$work/runroot" import -q "$work/rootfs.tar" "$IMG" >/dev/null
}

podman_env_cleanup() {
  if [ "$podman_env_ready" = 1 ]; then
    pod rm -a -f -t 0 >/dev/null 2>&1
    pod rmi -a -f >/dev/null 2>&1
  fi
  # Our cgroups, in every hierarchy, deepest first.
  if [ "$podman_env_cgroups" = 1 ]; then
    find /sys/fs/cgroup -depth -type d -path "*/$cg_parent*" -exec rmdir {} \; 2>/dev/null
  fi
  # Podman's storage mounts (shm) are in this mount namespace only; its files here.
  umount -R "$work/root" "$work/runroot" 2>/dev/null
  true
}
