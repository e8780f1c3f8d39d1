// Host resources several VPN namespaces rely on at once: the uplink's
// forwarding sysctl, the host nft table, an uplink's guard, /etc/netns.
// /run/vpnrun/_shared lists each resource's holders and the value it had
// before the first of them changed it; the last holder to leave restores it.
// One small file read per `up` or `down`, whatever the number of namespaces.
// Its name is not a namespace name, so it is never a journal's directory.
// Callers hold the /run/vpnrun lock.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "vpnrun/error.hpp"
#include "vpnrun/names.hpp"

namespace vpnrun {

class SharedIndex {
 public:
  static std::string path();
  static std::string tmp_path();  // save()'s new text, renamed over path()
  static Result<SharedIndex> load();

  // The original value recorded by another holder of `key`, if any holds it.
  std::optional<std::string> held_elsewhere(const std::string &key, const NetnsName &self) const;
  // Record `self` as a holder of `key` (written before the resource is touched).
  Status join(const std::string &key, const std::string &original, const NetnsName &self);
  // Drop every row of `self` except those for `keep` (resources it could not release).
  Status forget(const NetnsName &self, const std::vector<std::string> &keep = {});

 private:
  struct Row {
    std::string key, original, holder;
  };
  Status save();
  std::vector<Row> rows_;
};

}  // namespace vpnrun
