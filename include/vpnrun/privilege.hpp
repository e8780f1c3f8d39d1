// Privilege, held in variables: which form vpnrun runs in (plain root, setuid
// root, or file capabilities), who called it, and whether effective privilege
// is on right now. Never inferred from geteuid() (bubblewrap CVE-2020-5291).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "vpnrun/error.hpp"

namespace vpnrun {

enum class PrivilegeForm { root, setuid, filecaps, none };
const char *to_string(PrivilegeForm f);

struct Caller {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary, as the caller had them
};

class Privilege {
 public:
  // The first call of main: decides the form from the real and saved ids and
  // the permitted capabilities, records the caller, and turns effective
  // privilege off. Also makes the process non-dumpable (no ptrace, no
  // /proc/PID/mem by the caller while privileged: bubblewrap CVE-2016-8659).
  static Result<Privilege> capture();

  PrivilegeForm form() const { return form_; }
  const Caller &caller() const { return caller_; }

  // Effective privilege on / off around the few steps that need it.
  Status raise();
  Status lower();

  // For good: bounding set emptied, ambient cleared, real/effective/saved uid
  // and gid set to the caller's (supplementary groups kept), then every
  // capability set cleared and checked empty. After this, raise() fails.
  Status drop();

  // For good, for handing over to a program that needs no privilege (the
  // admin commands of a caller who is not root): real, effective and saved
  // uid and gid set to the caller's, the ambient, inheritable, permitted and
  // effective capability sets cleared, then checked. Needs no privilege
  // raised. Not for the root form: it would leave root without capabilities.
  Status relinquish();

 private:
  // What drop() and relinquish() end with: ambient set cleared, real,
  // effective and saved gid and uid set to the caller's, the other capability
  // sets emptied, all of it checked. `op` names the failure.
  Status become_caller(const char *op);

  PrivilegeForm form_ = PrivilegeForm::none;
  Caller caller_;
  bool dropped_ = false;
};

// The permitted set of a file's capabilities (its security.capability
// attribute, any revision), as bits 1 << CAP_*; 0 when it has none.
Result<uint64_t> file_permitted_caps(int fd);

// After drop(): exec can never gain privilege again (setuid bits, file caps).
Status set_no_new_privs();
// Close every fd from `first` up (fd leaks into the program: runc CVE-2024-21626).
Status close_fds_from(int first);
// Empty signal mask, default dispositions.
Status reset_signals();
// The seccomp filter, loaded last: TIOCSTI and TIOCLINUX (also with high bits
// set in the request), setns, the mount family, kexec and module loading, and
// every syscall of a foreign architecture fail with EPERM. User namespaces stay
// allowed: browser sandboxes need them. The policy is seccomp_policy.hpp's,
// compiled to BPF at build time.
Status load_seccomp_filter();
// That BPF program, as bytes (struct sock_filter[]): the tests compare it with
// the policy built again by libseccomp.
std::string_view seccomp_filter_program();

}  // namespace vpnrun
