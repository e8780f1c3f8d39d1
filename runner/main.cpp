// vpnrun, the launcher. Kept small on purpose: it starts at every launch of a
// program, and it is the only privileged program (docs/performance.md,
// "Launch"; docs/security.md, "Privilege model"). No CLI11, no JSON, no
// netlink, no <iostream>: the admin commands live in vpnrun-admin.
#include <cstdio>

#include "launcher.hpp"
#include "vpnrun/launch.hpp"

int main(int argc, char **argv) {
  using namespace vpnrun::cli;
  // argc == 0: argv[1] would be the environment (pkexec CVE-2021-4034). Linux
  // 5.18+ passes an empty argv[0] instead; that is refused the same way.
  if (argc < 1 || !argv[0] || !argv[0][0]) return vpnrun::kExitLaunchFailed;
  // First: non-dumpable, effective privilege off, caller recorded.
  auto priv = vpnrun::Privilege::capture();
  if (!priv) {
    std::fprintf(stderr, "vpnrun: %s\n", priv.error().message().c_str());
    return vpnrun::kExitLaunchFailed;
  }
  if (is_admin_invocation(argc, argv)) return run_admin(argv, priv.value());
  return run_program(argc, argv, priv.value());
}
