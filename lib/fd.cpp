#include "vpnrun/fd.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

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

Result<FileLock> FileLock::acquire(const std::string &dir, int timeout_ms) {
  VR_ASSIGN(UniqueFd fd, open_at(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  // Blocking: `up` and `down` are short, and serialising them is the point.
  if (timeout_ms < 0) {
    while (::flock(fd.get(), LOCK_EX) < 0) {
      if (errno != EINTR) return errno_error("lock", dir);
    }
    return FileLock(std::move(fd));
  }
  // Bounded: poll with a growing pause (0.1 ms up to 10 ms) until the deadline.
  timespec start{};
  ::clock_gettime(CLOCK_MONOTONIC, &start);
  long pause_ns = 100000;
  for (;;) {
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return FileLock(std::move(fd));
    if (errno != EWOULDBLOCK && errno != EINTR) return errno_error("lock", dir);
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    long long waited_ms = (now.tv_sec - start.tv_sec) * 1000LL + (now.tv_nsec - start.tv_nsec) / 1000000;
    if (waited_ms >= timeout_ms)
      return make_error("lock", dir, "still held by another process after " + std::to_string(timeout_ms) + " ms");
    timespec p{0, pause_ns};
    ::nanosleep(&p, nullptr);
    pause_ns = std::min(pause_ns * 2, 10000000L);
  }
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
