// Helpers for integration tests. They run as root inside tests/sandbox (a fresh
// network namespace and private mounts), drive the real `vpnrun` binary, and
// inspect the sandbox with iproute2 and nft (tests may use them; the product may not).
#pragma once
#include <string>
#include <vector>

namespace vt {

struct Out {
  int code = -1;
  std::string out, err;
};

// bash -c CMD, capturing stdout and stderr. `env` is prepended ("A=1 B=2 ").
Out sh(const std::string &cmd);
// The vpnrun binary under test, with arguments.
Out run(const std::string &args, const std::string &env = "");

// Everything vpnrun may change in the sandbox: links, addresses, routes, rules,
// the nft ruleset, net sysctls, mounts, and the files under the paths it owns.
std::string snapshot();
// Residue, all of it: snapshot() plus the links, addresses, routes, rules and
// nft ruleset of every named namespace, the files under /run/wireguard, and the
// processes of VPN clients and of vpnrun itself in this sandbox.
std::string residue();
// residue() once it no longer changes by itself (as at the sandbox's start).
std::string settled_residue();
// A readable diff of two snapshots (empty when equal).
std::string diff(const std::string &a, const std::string &b);

void write_config(const std::string &name, const std::string &toml, unsigned mode = 0644);
void remove_config(const std::string &name);

// A root-owned 0755 directory under /tmp holding the installed forms of the
// launcher and the programs the launcher tests run inside: vpnrun-setuid
// (4755), vpnrun-caps (cap_sys_admin,cap_setpcap+p), probe, id-setuid (a
// setuid-root id), grep-ep and grep-p (cap_net_raw+ep, +p). Empty on failure.
std::string install_forms();
// `up` of namespace NAME from TOML and install_forms(): the forms' directory.
std::string up_with_forms(const std::string &name, const std::string &toml);
// The reverse: `down NAME`, its config and the directory gone.
void down_with_forms(const std::string &name, const std::string &dir);

// A process that is `sleep 1000` run through WRAPPER (e.g. "unshare --net":
// a container's process in a network namespace of its own), in a session of
// its own; returned once sleep runs. The caller kills and reaps it.
int spawn_sleeper(const std::string &wrapper);
// SIGKILL and reap each of PIDS; empties it.
void reap(std::vector<int> &pids);
// An OCI bundle in a new directory /tmp/PREFIX-XXXXXX: config.json with
// root.path "rootfs", and rootfs/etc. Empty on failure.
std::string make_bundle(const std::string &prefix);

}  // namespace vt
