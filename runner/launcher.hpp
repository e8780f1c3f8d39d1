// `vpnrun`, the launcher: the one privileged program (setuid root or file
// capabilities). It runs programs in a VPN namespace and nothing else; every
// admin command is handed to `vpnrun-admin`, which is never privileged.
#pragma once
#include "vpnrun/privilege.hpp"

namespace vpnrun::cli {

inline constexpr int kExitFailure = 1;
// The admin commands, as vpnrun-admin defines them (admin.cpp).
inline constexpr const char *kSubcommands[] = {"up", "down", "status", "list", "openvpn-up", "doctor", "gc"};

// An admin command, --help, --version, or nothing at all (help): vpnrun-admin's.
bool is_admin_invocation(int argc, char **argv);
// Everything else: `vpnrun [-n NAME] [--preserve-fds N] [-q] [--] PROGRAM [ARGS...]`.
int run_program(int argc, char **argv, Privilege &priv);
// Exec vpnrun-admin with argv unchanged, after a caller who is not root has
// given up every privilege for good. Returns only on failure.
int run_admin(char **argv, Privilege &priv);

// The environment variable that tells vpnrun-admin which launcher started it
// (`vpnrun doctor` reports that file's privilege form).
inline constexpr const char *kLauncherEnv = "VPNRUN_LAUNCHER";

}  // namespace vpnrun::cli
