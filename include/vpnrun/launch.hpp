// `vpnrun [-n NAME] [--] PROGRAM [ARGS...]`: run PROGRAM inside a VPN namespace,
// as the caller, with the namespace's DNS, no capability, no_new_privs and a
// seccomp filter. The privileged sequence is one linear function (launch.cpp).
#pragma once
#include <string>
#include <vector>

#include "vpnrun/config.hpp"
#include "vpnrun/error.hpp"
#include "vpnrun/names.hpp"
#include "vpnrun/privilege.hpp"

namespace vpnrun {

// Exit statuses, as env(1) and podman use them.
inline constexpr int kExitLaunchFailed = 125;
inline constexpr int kExitCannotRun = 126;
inline constexpr int kExitNotFound = 127;

struct LaunchRequest {
  NetnsName name;
  std::vector<std::string> argv;  // PROGRAM ARGS..., passed untouched
  int preserve_fds = 0;           // keep fds 3 .. 3+N-1 open for the program
};

struct LaunchFailure {
  Error error;
  int exit_code = kExitLaunchFailed;
};

// Never returns on success: PROGRAM replaces vpnrun.
LaunchFailure launch(const LaunchRequest &req, Privilege &priv);

// Whether the caller may enter: root always; else the real uid is in
// [access] users or the real gid or a supplementary group is in [access] groups.
// Names are looked up with the host's NSS, before any mount changes.
Status check_access(const NamespaceConfig &cfg, const Caller &caller, const NetnsName &name);

}  // namespace vpnrun
