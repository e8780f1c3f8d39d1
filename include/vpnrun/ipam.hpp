// Container addresses for one VPN namespace, leased from its [containers]
// subnet. The first host address is the gateway (the namespace's side of every
// container veth); each other address is leased to one container by a file
// made with O_EXCL, addr/ADDRESS, that names the container. Records of what
// the hook attached, ctr/ID, live beside the leases. Everything happens under
// an flock of the directory, waited for a bounded time. Leasing is O(1) in the
// number of containers: the search starts after the last address leased.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vpnrun/addr.hpp"
#include "vpnrun/error.hpp"
#include "vpnrun/fd.hpp"
#include "vpnrun/names.hpp"

namespace vpnrun {

// /run/vpnrun/_containers: not a valid namespace name, so never a journal's directory.
inline constexpr const char *kContainersDir = "/run/vpnrun/_containers";
// How long an attach or teardown waits for another one on the same namespace.
inline constexpr int kIpamLockWaitMs = 5000;

std::string ipam_dir(const NetnsName &name);

class Ipam {
 public:
  // Create DIR (and its parents) if needed, and take its lock.
  static Result<Ipam> open(const std::string &dir, int lock_wait_ms = kIpamLockWaitMs);

  const std::string &dir() const { return dir_; }
  // The pool's first host address, the gateway of every container.
  static IpAddr gateway(const IpNet &pool);
  // How many containers a pool holds: all but the network, gateway and broadcast addresses.
  static uint32_t capacity(const IpNet &pool);

  // Whether the holder of a lease in the way is gone; the callback releases
  // whatever else the holder had (its record) before saying true.
  using StaleCheck = std::function<Result<bool>(const std::string &holder)>;
  // A free address for `id`, searched from after the last one leased (an
  // address found already leased to `id` is returned as it is). Fails when
  // every address is held by a live container.
  Result<IpAddr> lease(const IpNet &pool, const ContainerId &id, const StaleCheck &stale);
  // Release ADDRESS if `holder` (as leases() shows it) holds it; an address
  // not leased counts as released.
  Status release(const IpAddr &addr, const std::string &holder);
  // Every lease: address and the holder as written (maybe damaged).
  Result<std::vector<std::pair<IpAddr, std::string>>> leases();

  // Records: one small text file per container id.
  Result<std::optional<std::string>> read_record(const ContainerId &id);
  Status write_record(const ContainerId &id, const std::string &text);
  Status remove_record(const ContainerId &id);  // absent counts as removed
  // Every record's id; a record's unfinished new text (its writer died) is removed.
  Result<std::vector<ContainerId>> records();

  // Which container attached the network namespace with this inode, for the
  // containers that share it (a CRI-O pod's, a Podman pod's): netns/INODE.
  Result<std::optional<std::string>> netns_holder(unsigned long inode);
  Status index_netns(unsigned long inode, const ContainerId &id);
  Status unindex_netns(unsigned long inode, const ContainerId &id);  // only if `id` holds it
  // An entry whose holder is empty or not a container id: its writer died
  // between creating and writing it (writers hold the lock the caller holds).
  Status drop_damaged_netns_entry(unsigned long inode);
  Result<std::vector<std::pair<unsigned long, std::string>>> netns_index();
  // Remove the directory and everything in it (a namespace that is down).
  Status remove();

 private:
  Ipam(std::string dir, FileLock lock, UniqueFd dfd, UniqueFd addr, UniqueFd ctr, UniqueFd netns)
      : dir_(std::move(dir)), lock_(std::move(lock)), dfd_(std::move(dfd)), addr_(std::move(addr)),
        ctr_(std::move(ctr)), netns_(std::move(netns)) {}
  Status unlink_netns_entry(unsigned long inode);
  std::optional<std::string> holder(const std::string &file);

  std::string dir_;
  FileLock lock_;
  UniqueFd dfd_, addr_, ctr_, netns_;
};

}  // namespace vpnrun
