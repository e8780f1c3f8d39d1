// `up` and `down`: build a VPN namespace from its config, journaled step by step,
// and remove exactly what the journal lists.
#pragma once
#include <string>
#include <vector>

#include "vpnrun/addr.hpp"
#include "vpnrun/error.hpp"
#include "vpnrun/names.hpp"

namespace vpnrun {

// The namespace side of the veth pair.
inline constexpr const char *kNsUplink = "uplink";

// The host side of the veth pair: "vr-NAME", or for names over 12 characters
// "vr-" + 7 characters + "+" + 4 hex digits of a hash of the whole name.
IfName host_veth_name(const NetnsName &name);

// The steps of `up`, in order; each is a fault-injection point in test builds.
const std::vector<std::string> &up_steps();
// The steps of `down` (and of a rollback): down-KIND before the undo of each
// journal entry of that kind, then the shared index and the journal itself.
const std::vector<std::string> &down_steps();

struct UpOutcome {
  bool already_up = false;  // nothing was changed
  bool repaired = false;    // a broken or interrupted namespace was removed first
  std::string uplink;
  std::string host_veth;
  std::string transit;
  bool client_restarted = false;  // it was up but its VPN client had died
};
Result<UpOutcome> up(const NetnsName &name);

struct DownOutcome {
  bool was_up = false;
};
Result<DownOutcome> down(const NetnsName &name);

}  // namespace vpnrun
