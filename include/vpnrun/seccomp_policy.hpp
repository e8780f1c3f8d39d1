// The launcher's seccomp policy, written with libseccomp. It is compiled to a
// BPF program at build time (lib/seccomp_gen.cpp writes it into the build
// tree) and vpnrun loads that program as is (load_seccomp_filter in
// privilege.hpp): no libseccomp in vpnrun, no filter built at each launch.
// The unit tests build the policy again and compare the two programs.
#pragma once
#include <string>

#include "vpnrun/error.hpp"

namespace vpnrun {

// The policy, exported as raw BPF (an array of struct sock_filter), for the
// architecture vpnrun is built for.
//
// Everything is allowed but: TIOCSTI and TIOCLINUX (also with high bits set in
// the request), setns, the mount family, kexec and module loading, which fail
// with EPERM; so does every syscall of a foreign architecture (i386, x32).
// User namespaces stay allowed: browser sandboxes need them.
Result<std::string> launch_policy_bpf();

}  // namespace vpnrun
