#include "vpnrun/netns.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace vpnrun {

std::string netns_path(const NetnsName &name) { return std::string(kNetnsDir) + "/" + name.str(); }

namespace {

// Make /run/netns a mount point with shared propagation, as iproute2 does, so that
// removing a name in one mount namespace removes it in all of them and the
// namespace can be freed.
Status prepare_netns_dir() {
  if (::mkdir(kNetnsDir, 0755) < 0 && errno != EEXIST) return errno_error("mkdir", kNetnsDir);
  bool made_mount = false;
  while (::mount("", kNetnsDir, "none", MS_SHARED | MS_REC, nullptr) < 0) {
    if (errno != EINVAL || made_mount) return errno_error("make shared mount", kNetnsDir);
    // EINVAL: not a mount point yet. Bind it onto itself and try again.
    if (::mount(kNetnsDir, kNetnsDir, "none", MS_BIND | MS_REC, nullptr) < 0)
      return errno_error("bind mount", kNetnsDir);
    made_mount = true;
  }
  return {};
}

Result<UniqueFd> current_netns() {
  return open_at(AT_FDCWD, "/proc/thread-self/ns/net", O_RDONLY);
}

}  // namespace

Status netns_verify(int fd, const std::string &what) {
  struct statfs sfs;
  if (::fstatfs(fd, &sfs) < 0) return errno_error("fstatfs", what);
  if (static_cast<unsigned long>(sfs.f_type) != NSFS_MAGIC)
    return make_error("open namespace", what, "not a namespace (not on nsfs)");
  int type = ::ioctl(fd, NS_GET_NSTYPE);
  if (type < 0) return errno_error("NS_GET_NSTYPE", what);
  if (type != CLONE_NEWNET) return make_error("open namespace", what, "not a network namespace");
  return {};
}

Result<UniqueFd> netns_create(const NetnsName &name) {
  VR_TRY(prepare_netns_dir());
  const std::string path = netns_path(name);
  VR_ASSIGN(UniqueFd dir, open_at(AT_FDCWD, kNetnsDir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  {
    // The mount point. O_EXCL: a name that exists is never taken over.
    int fd = ::openat(dir.get(), name.str().c_str(), O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
    if (fd < 0) return errno_error("create", path);
    ::close(fd);
  }
  auto undo_file = [&] { ::unlinkat(dir.get(), name.str().c_str(), 0); };
  auto saved = current_netns();
  if (!saved) {
    undo_file();
    return saved.error();
  }
  if (::unshare(CLONE_NEWNET) < 0) {
    Error e = errno_error("unshare(CLONE_NEWNET)", path);
    undo_file();
    return e;
  }
  auto fresh = current_netns();
  Status bound;
  if (fresh) {
    // Bind the namespace by fd through /proc/self/fd: the exact object, no lookup.
    std::string src = "/proc/self/fd/" + std::to_string(fresh->get());
    if (::mount(src.c_str(), path.c_str(), "none", MS_BIND, nullptr) < 0)
      bound = errno_error("bind mount namespace", path);
  }
  // Back to where we were before anything else can happen in the new namespace.
  if (::setns(saved->get(), CLONE_NEWNET) < 0) {
    std::perror("vpnrun: setns back to the original namespace");
    std::abort();
  }
  if (!fresh) {
    undo_file();
    return fresh.error();
  }
  if (!bound) {
    undo_file();
    return bound.error();
  }
  return std::move(fresh).value();
}

Result<UniqueFd> netns_open(const NetnsName &name) {
  const std::string path = netns_path(name);
  VR_ASSIGN(UniqueFd dir, open_at(AT_FDCWD, kNetnsDir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  VR_ASSIGN(UniqueFd fd, open_at(dir.get(), name.str(), O_RDONLY | O_NOFOLLOW));
  VR_TRY(netns_verify(fd.get(), path));
  return fd;
}

Status netns_delete(const NetnsName &name) {
  const std::string path = netns_path(name);
  // MNT_DETACH as iproute2 does: processes still inside keep the namespace alive,
  // but the name is gone at once.
  int um = ::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW);
  int um_errno = errno;
  if (::unlink(path.c_str()) < 0) {
    if (errno == ENOENT && um < 0) return make_error("delete namespace", path, ENOENT);
    if (errno != ENOENT) return errno_error("unlink", path);
  }
  if (um < 0 && um_errno != EINVAL && um_errno != ENOENT)
    return make_error("unmount", path, um_errno);
  return {};
}

Result<ino_t> netns_inode(int fd) {
  struct stat st;
  if (::fstat(fd, &st) < 0) return errno_error("fstat", "namespace");
  return st.st_ino;
}

Result<ScopedNetns> ScopedNetns::enter(int netns_fd, const std::string &what) {
  VR_ASSIGN(UniqueFd saved, current_netns());
  if (::setns(netns_fd, CLONE_NEWNET) < 0) return errno_error("setns", what);
  return ScopedNetns(std::move(saved));
}

ScopedNetns::~ScopedNetns() {
  if (!saved_.valid()) return;
  if (::setns(saved_.get(), CLONE_NEWNET) < 0) {
    std::perror("vpnrun: setns back to the original namespace");
    std::abort();
  }
}

}  // namespace vpnrun
