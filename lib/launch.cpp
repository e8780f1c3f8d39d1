#include "vpnrun/launch.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/nsfs.h>
#include <pwd.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "vpnrun/dns.hpp"
#include "vpnrun/fd.hpp"
#include "vpnrun/netns.hpp"

extern char **environ;

namespace vpnrun {

namespace {

// A file or directory vpnrun trusts, checked on the open fd: of the expected
// type (S_IFDIR, S_IFREG), root-owned, writable by no one else.
Status check_trusted(int fd, const std::string &path, mode_t type) {
  struct stat st;
  if (::fstat(fd, &st) < 0) return errno_error("stat", path);
  if ((st.st_mode & S_IFMT) != type || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
    return make_error("open", path, type == S_IFDIR ? "not a root-owned directory writable only by root"
                                                    : "not a root-owned regular file writable only by root");
  return {};
}

// The namespace must belong to vpnrun's own user namespace (the initial one,
// where setuid and file capabilities mean something): one made inside a
// user's own user namespace is theirs, not the administrator's.
Status check_owner_userns(int nsfd, const std::string &path) {
  int owner = ::ioctl(nsfd, NS_GET_USERNS);
  if (owner < 0) return errno_error("NS_GET_USERNS", path);
  UniqueFd o(owner);
  struct stat a, b;
  if (::fstat(o.get(), &a) < 0 || ::stat("/proc/thread-self/ns/user", &b) < 0)
    return errno_error("stat user namespace", path);
  if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
    return make_error("open namespace", path, "owned by another user namespace");
  return {};
}

bool in_groups(gid_t g, const Caller &c) {
  return g == c.gid || std::find(c.groups.begin(), c.groups.end(), g) != c.groups.end();
}

// After a failed exec: was PROGRAM there at all? execvp reports EACCES when any
// PATH directory is unreadable, even if PROGRAM exists nowhere; 127 means
// "not found", 126 "found but cannot run".
bool program_exists(const std::string &prog) {
  struct stat st;
  if (prog.find('/') != std::string::npos) return ::stat(prog.c_str(), &st) == 0;
  const char *path = ::getenv("PATH");
  std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  for (;;) {
    size_t colon = p.find(':', start);
    std::string dir = p.substr(start, colon == std::string::npos ? colon : colon - start);
    if (::stat(((dir.empty() ? "." : dir) + "/" + prog).c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) return true;
    if (colon == std::string::npos) return false;
    start = colon + 1;
  }
}

// The working directory by name. One without a name (deleted, or not below
// the root) is refused: it could only be carried across as it is, a handle on
// the host's mounts under the program's /etc overlay.
Result<std::string> current_dir() {
  char buf[PATH_MAX];
  if (!::getcwd(buf, sizeof buf) || buf[0] != '/') return errno_error("get working directory", ".");
  return std::string(buf);
}

}  // namespace

Status check_access(const NamespaceConfig &cfg, const Caller &caller, const NetnsName &name) {
  if (caller.uid == 0) return {};
  if (!cfg.access.users.empty()) {
    struct passwd pw, *res = nullptr;
    char buf[4096];
    if (::getpwuid_r(caller.uid, &pw, buf, sizeof buf, &res) == 0 && res &&
        std::find(cfg.access.users.begin(), cfg.access.users.end(), res->pw_name) != cfg.access.users.end())
      return {};
  }
  for (const auto &g : cfg.access.groups) {
    struct group gr, *res = nullptr;
    char buf[16384];
    if (::getgrnam_r(g.c_str(), &gr, buf, sizeof buf, &res) == 0 && res && in_groups(res->gr_gid, caller))
      return {};
  }
  return make_error("enter namespace", name.str(),
                    "uid " + std::to_string(caller.uid) + " is not allowed by [access] in " + config_path(name));
}

// The privileged sequence. Every step either succeeds or ends the launch
// before the program runs (fail closed). Effective privilege is on only
// between raise() and drop(); each comment says what the step blocks.
LaunchFailure launch(const LaunchRequest &req, Privilege &priv) {
  auto fail = [](Error e, int code = kExitLaunchFailed) { return LaunchFailure{std::move(e), code}; };
#define LTRY(expr)                              \
  do {                                          \
    auto r_ = (expr);                           \
    if (!r_.ok()) return fail(r_.error());      \
  } while (0)

  const std::string path = netns_path(req.name);
  // The working directory, by name, to enter again as the caller after the
  // mounts: never an fd carried across (runc CVE-2024-21626).
  auto cwd = current_dir();
  if (!cwd) return fail(cwd.error());

  // 1. The namespace, by handle: /run/netns must be root's, NAME is opened
  //    without following links, and the open object must be a network
  //    namespace of the initial user namespace (firejail CVE-2022-31214: a
  //    user-made file or namespace at that path is refused).
  auto dir = open_at(AT_FDCWD, kNetnsDir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (!dir) return fail(dir.error());
  LTRY(check_trusted(dir->get(), kNetnsDir, S_IFDIR));
  auto ns = open_at(dir->get(), req.name.str(), O_RDONLY | O_NOFOLLOW);
  if (!ns) {
    if (ns.error().err == ENOENT)
      return fail(make_error("open namespace", path, "no such namespace (is `vpnrun up " + req.name.str() + "` done?)"));
    return fail(ns.error());
  }
  LTRY(netns_verify(ns->get(), path));
  LTRY(check_owner_userns(ns->get(), path));

  // 2. Who may enter, from the namespace's root-owned config, against the real
  //    uid and groups. NSS runs here, with the host's files and effective
  //    privilege off, before any mount changes (sudo CVE-2025-32463).
  auto cfg = load_config(req.name);
  if (!cfg) return fail(cfg.error());
  LTRY(check_access(cfg.value(), priv.caller(), req.name));

  // 3. The namespace's DNS files, by handle: root's directories (/etc/netns
  //    too: whoever could write there could put another namespace's directory
  //    in NAME's place), root's files. A missing resolv.conf stops the
  //    launch: DNS would go to the host's.
  const std::string etc_dir = etc_netns_dir(req.name);
  auto etc_netns = open_at(AT_FDCWD, kEtcNetnsDir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (!etc_netns) return fail(etc_netns.error());
  LTRY(check_trusted(etc_netns->get(), kEtcNetnsDir, S_IFDIR));
  auto edir = open_at(etc_netns->get(), req.name.str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (!edir) return fail(make_error("open", etc_dir, edir.error().err));
  LTRY(check_trusted(edir->get(), etc_dir, S_IFDIR));
  std::vector<std::pair<std::string, std::string>> dns;  // name, content read by fd
  for (const char *f : kDnsFiles) {
    auto fd = open_at(edir->get(), f, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    if (!fd) {
      if (std::strcmp(f, "resolv.conf") == 0 || fd.error().err != ENOENT)
        return fail(make_error("open", etc_dir + "/" + f, fd.error().err));
      continue;
    }
    LTRY(check_trusted(fd->get(), etc_dir + "/" + f, S_IFREG));
    auto text = read_all(fd->get(), etc_dir + "/" + f);
    if (!text) return fail(text.error());
    dns.emplace_back(f, std::move(text).value());
  }

  // 4. Privilege on, for the mounts and setns only.
  LTRY(priv.raise());

  // 5. A private mount namespace: nothing below reaches the host's mount table.
  if (::unshare(CLONE_NEWNS) < 0) return fail(errno_error("unshare(CLONE_NEWNS)", "vpnrun"));
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) {
    if (errno == EINVAL)  // a chroot into a plain directory: its root is no mount of its own
      return fail(make_error("make mounts private", "/",
                             "the root directory is not a mount point (a chroot? bind-mount it onto itself)"));
    return fail(errno_error("make mounts private", "/"));
  }

  // 6. /etc with the namespace's files on top: one read-only overlay. Unlike a
  //    bind on /etc/resolv.conf it holds when that is a symlink
  //    (systemd-resolved) or is replaced later (a rename on the host would
  //    detach a bind mount here). The top layer is a private tmpfs holding
  //    what was read from the checked fds: /etc/netns/NAME itself cannot be a
  //    layer over /etc, which contains it. The tmpfs is mounted on
  //    /etc/netns/NAME, so the overlay covers it: the program cannot see it,
  //    and it needs no unmount (each unmount waits for an RCU grace period).
  if (::mount("vpnrun", etc_dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=1m") < 0)
    return fail(errno_error("mount tmpfs", etc_dir));
  for (const auto &[file, text] : dns) {
    auto out = open_at(AT_FDCWD, etc_dir + "/" + file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
    if (!out) return fail(out.error());
    LTRY(write_all(out->get(), text, file));
  }
  const std::string lower = "lowerdir=" + etc_dir + ":/etc";
  if (::mount("vpnrun", "/etc", "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, lower.c_str()) < 0)
    return fail(errno_error("mount overlay", "/etc"));

  // 7. Host resolver side doors hidden: nscd's socket and systemd-resolved's
  //    varlink socket would answer lookups outside the tunnel.
  for (const char *door : {"/run/nscd", "/run/systemd/resolve"}) {
    struct stat st;
    if (::lstat(door, &st) == 0 && S_ISDIR(st.st_mode) &&
        ::mount("vpnrun", door, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "mode=0755,size=4k") < 0)
      return fail(errno_error("hide", door));
  }

  // 8. Into the network namespace.
  if (::setns(ns->get(), CLONE_NEWNET) < 0) return fail(errno_error("setns", path));

  // 9. /sys for this namespace, so /sys/class/net shows its interfaces. It
  //    goes on top of the host's, which stays underneath, out of reach (no
  //    capability, no mount syscall), and is not unmounted first, for the
  //    same reason as the tmpfs above.
  if (::mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, nullptr) < 0)
    return fail(errno_error("mount sysfs", "/sys"));

  // 10. Privilege off for good: caller's ids and groups, every capability set
  //     empty, bounding set and ambient included (runc CVE-2022-29162).
  LTRY(priv.drop());

  // 11. No exec can gain privilege from here on (setuid or file-cap programs).
  LTRY(set_no_new_privs());

  // 12. As the caller: back to the working directory, by name.
  if (::chdir(cwd->c_str()) < 0) return fail(make_error("enter working directory", *cwd, errno));
  if (::setenv("VPNRUN_NETNS", req.name.str().c_str(), 1) < 0)
    return fail(errno_error("setenv", "VPNRUN_NETNS"));

  // 13. Nothing of vpnrun's reaches the program: fds above 2 (except those
  //     passed on purpose), signal mask and handlers.
  ns->reset();
  dir->reset();
  edir->reset();
  LTRY(close_fds_from(3 + req.preserve_fds));
  LTRY(reset_signals());

  // 14. Last, the seccomp filter; then exec, with PATH searched as the caller.
  LTRY(load_seccomp_filter());
  std::vector<char *> argv;
  for (const auto &a : req.argv) argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  int e = errno;
  if (!program_exists(req.argv[0])) return fail(make_error("run", req.argv[0], ENOENT), kExitNotFound);
  return fail(make_error("run", req.argv[0], e), kExitCannotRun);
#undef LTRY
}

}  // namespace vpnrun
