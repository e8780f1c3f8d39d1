#include "vpnrun/privilege.hpp"

#include <endian.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/xattr.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <iterator>

namespace vpnrun {

namespace {

// The three capability sets of this process, through capget/capset directly:
// a library would read /proc/self/status at each step (docs/performance.md).
struct CapSets {
  uint64_t effective = 0, permitted = 0, inheritable = 0;
};

constexpr uint64_t cap_bit(int cap) { return uint64_t{1} << cap; }

Result<CapSets> get_caps() {
  __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3]{};
  if (::syscall(SYS_capget, &h, d) < 0) return errno_error("capget", "vpnrun");
  auto join = [](uint32_t lo, uint32_t hi) { return uint64_t{lo} | uint64_t{hi} << 32; };
  return CapSets{join(d[0].effective, d[1].effective), join(d[0].permitted, d[1].permitted),
                 join(d[0].inheritable, d[1].inheritable)};
}

Status set_caps(const CapSets &c) {
  __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3]{};
  for (int i = 0; i < 2; ++i) {
    d[i].effective = static_cast<uint32_t>(c.effective >> (32 * i));
    d[i].permitted = static_cast<uint32_t>(c.permitted >> (32 * i));
    d[i].inheritable = static_cast<uint32_t>(c.inheritable >> (32 * i));
  }
  if (::syscall(SYS_capset, &h, d) < 0) return errno_error("capset", "vpnrun");
  return {};
}

// Set the effective set, keeping permitted (the way back for raise()).
Status set_effective(uint64_t effective) {
  VR_ASSIGN(CapSets c, get_caps());
  c.effective = effective;
  return set_caps(c);
}

}  // namespace

const char *to_string(PrivilegeForm f) {
  switch (f) {
    case PrivilegeForm::root: return "root";
    case PrivilegeForm::setuid: return "setuid";
    case PrivilegeForm::filecaps: return "file capabilities";
    default: return "none";
  }
}

Result<Privilege> Privilege::capture() {
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) return errno_error("prctl(PR_SET_DUMPABLE)", "vpnrun");
  Privilege p;
  uid_t ruid, euid, suid;
  gid_t rgid, egid, sgid;
  if (::getresuid(&ruid, &euid, &suid) < 0 || ::getresgid(&rgid, &egid, &sgid) < 0)
    return errno_error("getresuid", "vpnrun");
  p.caller_.uid = ruid;
  p.caller_.gid = rgid;
  int n = ::getgroups(0, nullptr);
  if (n < 0) return errno_error("getgroups", "vpnrun");
  p.caller_.groups.resize(static_cast<size_t>(n));
  if (n > 0 && ::getgroups(n, p.caller_.groups.data()) < 0) return errno_error("getgroups", "vpnrun");

  VR_ASSIGN(const CapSets caps, get_caps());
  if (ruid == 0) {
    p.form_ = PrivilegeForm::root;
  } else if (euid == 0 || suid == 0) {
    p.form_ = PrivilegeForm::setuid;
    // Effective privilege off: the saved uid keeps the way back for raise().
    if (::setresuid(ruid, ruid, 0) < 0) return errno_error("setresuid", "vpnrun");
  } else if (caps.permitted & cap_bit(CAP_SYS_ADMIN)) {
    p.form_ = PrivilegeForm::filecaps;
    VR_TRY(set_effective(0));
  } else {
    p.form_ = PrivilegeForm::none;
  }
  return p;
}

Status Privilege::raise() {
  if (dropped_) return make_error("raise privilege", "vpnrun", "privilege was dropped for good");
  switch (form_) {
    case PrivilegeForm::setuid:
      if (::setresuid(static_cast<uid_t>(-1), 0, static_cast<uid_t>(-1)) < 0) return errno_error("setresuid", "vpnrun");
      return {};
    case PrivilegeForm::filecaps: return set_effective(cap_bit(CAP_SYS_ADMIN) | cap_bit(CAP_SETPCAP));
    case PrivilegeForm::root: return {};
    default:
      return make_error("raise privilege", "vpnrun",
                        "not installed setuid root or with file capabilities (see vpnrun(1))");
  }
}

Status Privilege::lower() {
  switch (form_) {
    case PrivilegeForm::setuid:
      if (::setresuid(static_cast<uid_t>(-1), caller_.uid, static_cast<uid_t>(-1)) < 0) return errno_error("setresuid", "vpnrun");
      return {};
    case PrivilegeForm::filecaps: return set_effective(0);
    default: return {};
  }
}

Status Privilege::drop() {
  // Needs CAP_SETPCAP in effect to empty the bounding set.
  VR_TRY(raise());
  // Every capability the running kernel knows, which may be more than this
  // build's headers do: PR_CAPBSET_DROP answers EINVAL past the last one.
  int last = -1;
  for (int c = 0; c < 64; ++c) {
    if (::prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == 0) {
      last = c;
      continue;
    }
    if (errno == EINVAL) break;
    return errno_error("prctl(PR_CAPBSET_DROP)", "vpnrun");
  }
  if (last < CAP_SETPCAP) return make_error("drop privilege", "vpnrun", "the bounding set could not be emptied");
  // The caller's groups, as they were, before the ids (setgroups needs root).
  // With file capabilities the ids were never changed, and setgroups would
  // need CAP_SETGID, which that form does not hold.
  if (form_ != PrivilegeForm::filecaps &&
      ::setgroups(caller_.groups.size(), caller_.groups.data()) < 0)
    return errno_error("setgroups", "vpnrun");
  // Every set, inheritable included (runc CVE-2022-29162): a root caller keeps
  // uid 0 but no capability at all. Then the bounding set checked empty too.
  VR_TRY(become_caller("drop privilege"));
  for (int c = 0; c <= last; ++c)
    if (::prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 0)
      return make_error("drop privilege", "vpnrun", "capabilities remain in the bounding set");
  return {};
}

Status Privilege::relinquish() {
  if (form_ == PrivilegeForm::root) return make_error("relinquish privilege", "vpnrun", "the caller is root");
  // An unprivileged process may set its ids to any of its real, effective and
  // saved ones: the setuid form lowered only the effective uid, so this ends
  // root (and the kernel clears the capability sets with it).
  return become_caller("relinquish privilege");
}

Status Privilege::become_caller(const char *op) {
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
    return errno_error("prctl(PR_CAP_AMBIENT_CLEAR_ALL)", "vpnrun");
  // gid, then uid (last: it ends root).
  if (::setresgid(caller_.gid, caller_.gid, caller_.gid) < 0) return errno_error("setresgid", "vpnrun");
  if (::setresuid(caller_.uid, caller_.uid, caller_.uid) < 0) return errno_error("setresuid", "vpnrun");
  dropped_ = true;
  VR_TRY(set_caps(CapSets{}));
  VR_ASSIGN(const CapSets left, get_caps());
  if (left.effective || left.permitted || left.inheritable)
    return make_error(op, "vpnrun", "capabilities remain after giving them up");
  uid_t r, e, s;
  gid_t rg, eg, sg;
  if (::getresuid(&r, &e, &s) < 0 || ::getresgid(&rg, &eg, &sg) < 0 || r != caller_.uid || e != r || s != r ||
      rg != caller_.gid || eg != rg || sg != rg)
    return make_error(op, "vpnrun", "user or group ids are not the caller's after giving up privilege");
  return {};
}

Result<uint64_t> file_permitted_caps(int fd) {
  vfs_ns_cap_data v{};  // the largest revision; 1 and 2 are prefixes of it
  ssize_t n = ::fgetxattr(fd, XATTR_NAME_CAPS, &v, sizeof v);
  if (n < 0) {
    if (errno == ENODATA || errno == ENOTSUP) return uint64_t{0};
    return errno_error("read file capabilities", "security.capability");
  }
  const uint32_t rev = le32toh(v.magic_etc) & VFS_CAP_REVISION_MASK;
  const bool ok = (rev == VFS_CAP_REVISION_1 && n == XATTR_CAPS_SZ_1) ||
                  (rev == VFS_CAP_REVISION_2 && n == XATTR_CAPS_SZ_2) ||
                  (rev == VFS_CAP_REVISION_3 && n == XATTR_CAPS_SZ_3);
  if (!ok) return make_error("read file capabilities", "security.capability", "unknown format");
  uint64_t permitted = le32toh(v.data[0].permitted);
  if (rev != VFS_CAP_REVISION_1) permitted |= uint64_t{le32toh(v.data[1].permitted)} << 32;
  return permitted;
}

Status set_no_new_privs() {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return errno_error("prctl(PR_SET_NO_NEW_PRIVS)", "vpnrun");
  return {};
}

Status close_fds_from(int first) {
  if (::close_range(static_cast<unsigned>(first), ~0U, 0) < 0) return errno_error("close_range", "vpnrun");
  return {};
}

Status reset_signals() {
  sigset_t none;
  sigemptyset(&none);
  if (::sigprocmask(SIG_SETMASK, &none, nullptr) < 0) return errno_error("sigprocmask", "vpnrun");
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s) ::sigaction(s, &dfl, nullptr);  // EINVAL for KILL/STOP: fine
  return {};
}

namespace {
#include "launch_seccomp.inc"  // kLaunchSeccompProgram, from lib/seccomp_policy.cpp
}  // namespace

std::string_view seccomp_filter_program() {
  return {reinterpret_cast<const char *>(kLaunchSeccompProgram), sizeof kLaunchSeccompProgram};
}

Status load_seccomp_filter() {
  // Built at build time (seccomp_policy.hpp); loaded as libseccomp's
  // seccomp_load() would, with no flags. no_new_privs is already set.
  sock_fprog prog{static_cast<unsigned short>(std::size(kLaunchSeccompProgram)),
                  const_cast<sock_filter *>(kLaunchSeccompProgram)};
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
    return errno_error("seccomp(SECCOMP_SET_MODE_FILTER)", "vpnrun");
  return {};
}

}  // namespace vpnrun
