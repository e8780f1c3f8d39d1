// Move-only owners of kernel handles. Every fd vpnrun opens is O_CLOEXEC.
#pragma once
#include <string>
#include <utility>

#include "vpnrun/error.hpp"

namespace vpnrun {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd &operator=(UniqueFd &&o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd &) = delete;
  UniqueFd &operator=(const UniqueFd &) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// openat(dirfd, path, flags | O_CLOEXEC), the error naming `path`.
Result<UniqueFd> open_at(int dirfd, const std::string &path, int flags, unsigned mode = 0);

// An exclusive flock held for the object's lifetime.
class FileLock {
 public:
  // Wait for the lock as long as it takes, or at most `timeout_ms` (ETIMEDOUT).
  static Result<FileLock> acquire(const std::string &dir, int timeout_ms = -1);
  FileLock(FileLock &&) = default;
  FileLock &operator=(FileLock &&) = default;

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

// Whole-file helpers over an open fd.
Result<std::string> read_all(int fd, const std::string &what);
Status write_all(int fd, const std::string &data, const std::string &what);

}  // namespace vpnrun
