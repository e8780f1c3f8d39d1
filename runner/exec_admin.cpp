// The hand-over to vpnrun-admin. The admin commands (CLI11, JSON, netlink,
// nftables, the VPN clients, doctor) never run in a privileged process image:
// a caller who is not root gives up every privilege before the exec, so no
// user can run vpnrun-admin, or anything else at its path, with privilege.
// Root runs it as root: the admin commands are root's.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "launcher.hpp"
#include "vpnrun/fd.hpp"

extern char **environ;

namespace vpnrun::cli {

namespace {

constexpr int kUntrusted = -1;

// Trusted as much as the launcher itself: owned by root, the caller or the
// launcher's owner, and writable by no one else. Root running a vpnrun from
// /tmp never runs a /tmp/vpnrun-admin that a user put there.
bool trusted(int fd, mode_t type, uid_t caller, uid_t launcher_owner) {
  struct stat st;
  return ::fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == type &&
         (st.st_uid == 0 || st.st_uid == caller || st.st_uid == launcher_owner) &&
         !(st.st_mode & (S_IWGRP | S_IWOTH));
}

// Exec DIR/NAME by handle: the directory and the file are checked on their
// fds, and the file checked is the file run (execveat). Returns the errno of
// the open or the exec, or kUntrusted.
int exec_trusted(const std::string &dir, const char *name, char **argv, uid_t caller, uid_t owner) {
  UniqueFd d(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!d.valid()) return errno;
  if (!trusted(d.get(), S_IFDIR, caller, owner)) return kUntrusted;
  UniqueFd f(::openat(d.get(), name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!f.valid()) return errno;
  if (!trusted(f.get(), S_IFREG, caller, owner)) return kUntrusted;
  ::syscall(SYS_execveat, f.get(), "", argv, environ, AT_EMPTY_PATH);
  return errno;  // read before the destructors' close can change it
}

}  // namespace

int run_admin(char **argv, Privilege &priv) {
  // For good, before anything else: ids to the real ones, every capability
  // set cleared, checked. exec would clear most of it anyway (the saved uid,
  // the permitted set of a file without capabilities); this is explicit and
  // does not depend on what the exec'd file is.
  if (priv.form() != PrivilegeForm::root) {
    if (auto st = priv.relinquish(); !st) {
      std::fprintf(stderr, "vpnrun: %s\n", st.error().message().c_str());
      return kExitFailure;
    }
  }
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  struct stat st;
  if (n < 0 || ::stat("/proc/self/exe", &st) < 0) {
    std::fprintf(stderr, "vpnrun: run the admin commands: /proc/self/exe: %s\n", std::strerror(errno));
    return kExitFailure;
  }
  self[n] = '\0';
  // Which launcher doctor checks: this one.
  if (::setenv(kLauncherEnv, self, 1) < 0) {
    std::fprintf(stderr, "vpnrun: run the admin commands: setenv: %s\n", std::strerror(errno));
    return kExitFailure;
  }
  // Beside this launcher (a build tree), else where it is installed, relative
  // to the launcher's directory: right for any install prefix, cpack's /usr
  // included. Only a missing file moves on to the next place.
  const char *slash = std::strrchr(self, '/');  // the kernel's path is absolute
  const std::string bindir(self, slash ? static_cast<size_t>(slash - self) : 0);
  std::string path;
  int err = ENOENT;
  for (const char *rel : {"", "/" VPNRUN_ADMIN_DIR_FROM_BINDIR}) {
    path = bindir + rel + "/vpnrun-admin";
    err = exec_trusted(bindir + rel, "vpnrun-admin", argv, priv.caller().uid, st.st_uid);  // only on failure
    if (err != ENOENT) break;
  }
  std::fprintf(stderr, "vpnrun: run the admin commands: %s: %s\n", path.c_str(),
               err == kUntrusted ? "it or its directory is writable by others or owned by another user"
                                 : std::strerror(err));
  return kExitFailure;
}

}  // namespace vpnrun::cli
