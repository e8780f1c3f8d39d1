#include "vpnrun/fd.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace vpnrun {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Result<UniqueFd> open_at(int dirfd, const std::string &path, int flags, unsigned mode) {
  int fd = ::openat(dirfd, path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return errno_error("open", path);
  return UniqueFd(fd);
}

Result<FileLock> FileLock::acquire(const std::string &dir) {
  VR_ASSIGN(UniqueFd fd, open_at(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  // Blocking: `up` and `down` are short, and serialising them is the point.
  while (::flock(fd.get(), LOCK_EX) < 0) {
    if (errno != EINTR) return errno_error("lock", dir);
  }
  return FileLock(std::move(fd));
}

Result<std::string> read_all(int fd, const std::string &what) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("read", what);
    }
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

Status write_all(int fd, const std::string &data, const std::string &what) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write", what);
    }
    off += static_cast<size_t>(n);
  }
  return {};
}

}  // namespace vpnrun
