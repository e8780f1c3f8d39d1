// nftables through libnftables: the namespace's kill switch and the host's NAT,
// each in a table of vpnrun's own. No other table is read or touched.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vpnrun/addr.hpp"
#include "vpnrun/error.hpp"
#include "vpnrun/names.hpp"

struct nft_ctx;

namespace vpnrun {

// An nftables context bound to the network namespace current at open().
class Nft {
 public:
  static Result<Nft> open();
  // Run commands as one transaction: all of them apply, or none.
  Status run(const std::string &cmds, const std::string &what);
  // Run a listing command and return its JSON output.
  Result<std::string> run_json(const std::string &cmd, const std::string &what);

 private:
  struct Freer {
    void operator()(nft_ctx *c) const;
  };
  explicit Nft(nft_ctx *c) : ctx_(c) {}
  std::unique_ptr<nft_ctx, Freer> ctx_;
};

// Inside the VPN namespace: traffic leaves through the tunnel, or through the
// uplink to a VPN endpoint, or not at all.
inline constexpr const char *kKillSwitchFamily = "inet";
inline constexpr const char *kKillSwitchTable = "vpnrun";

struct KillSwitchSpec {
  std::string uplink;  // the namespace side of the veth; empty in tunnel mode
  std::vector<Endpoint> endpoints;
  std::vector<IfPattern> tunnels;
  bool ipv6 = false;
};
std::string killswitch_ruleset(const KillSwitchSpec &s);

// On the host: masquerade the transit net out of the uplink, forward only the
// namespace's endpoint traffic, and nothing unsolicited back in.
inline constexpr const char *kHostFamily = "ip";
inline constexpr const char *kHostVethPrefix = "vr-";

struct HostNatSpec {
  std::string table;
  IfName host_veth;
  IfName uplink;
  IpNet transit;
  std::vector<Endpoint> endpoints;  // IPv4 only
  // The uplink did not forward before vpnrun: keep it from forwarding anything
  // but vpnrun's own traffic now that its forwarding is on.
  bool guard_uplink = false;
};
std::string host_table_name(const NetnsName &name);  // "vpnrun-NAME"
std::string host_ruleset(const HostNatSpec &s);

// Replace a table atomically (creating it when absent).
std::string replace_table(const std::string &family, const std::string &table,
                          const std::string &body);
// Delete a table; succeeds when it is already gone.
Status delete_table(Nft &nft, const std::string &family, const std::string &table);

struct Counter {
  std::string name;
  uint64_t packets = 0;
  uint64_t bytes = 0;
};
// Named counters of a table; ENOENT when the table is not there.
Result<std::vector<Counter>> table_counters(Nft &nft, const std::string &family,
                                            const std::string &table);
// Parse `list counters` JSON output (exposed for tests).
Result<std::vector<Counter>> parse_counters_json(const std::string &json);

}  // namespace vpnrun
