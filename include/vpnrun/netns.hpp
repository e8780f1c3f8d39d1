// Named network namespaces, the iproute2 way: a bind mount of the namespace on
// /run/netns/NAME, so `ip netns list` shows it and `ip netns exec NAME` enters it.
#pragma once
#include <sys/types.h>

#include <string>

#include "vpnrun/fd.hpp"
#include "vpnrun/names.hpp"

namespace vpnrun {

inline constexpr const char *kNetnsDir = "/run/netns";

std::string netns_path(const NetnsName &name);

// Create a new network namespace named NAME and return an fd to it. The caller's
// own namespace is unchanged. EEXIST when the name is taken.
Result<UniqueFd> netns_create(const NetnsName &name);

// Open /run/netns/NAME without following links and check that it is a network
// namespace (nsfs, CLONE_NEWNET). ENOENT when there is no such namespace.
Result<UniqueFd> netns_open(const NetnsName &name);

// Check an open fd: nsfs and a network namespace.
Status netns_verify(int fd, const std::string &what);

// Unmount and remove /run/netns/NAME. ENOENT when it is not there.
Status netns_delete(const NetnsName &name);

// The inode number of a namespace fd (what `ls -i` and /proc/PID/ns/net show).
Result<ino_t> netns_inode(int fd);

// setns into a namespace for the object's lifetime; back on destruction.
// Failing to return is fatal: continuing in the wrong namespace is never safe.
class ScopedNetns {
 public:
  static Result<ScopedNetns> enter(int netns_fd, const std::string &what);
  ScopedNetns(ScopedNetns &&o) noexcept : saved_(std::move(o.saved_)) {}
  ScopedNetns &operator=(ScopedNetns &&) = delete;
  ~ScopedNetns();

 private:
  explicit ScopedNetns(UniqueFd saved) : saved_(std::move(saved)) {}
  UniqueFd saved_;
};

}  // namespace vpnrun
