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
  // IPv6 may leave through the tunnels (never through the uplink); when false
  // every IPv6 packet is dropped.
  bool ipv6 = false;
  bool containers = false;  // [containers] enable: forward container veths into the tunnels
};

// The VPN namespace's side of each container's veth (vpnrun-hook) starts with
// this. The kill switch matches the prefix, so attaching a container never
// changes the ruleset: IPv4 from a container veth is forwarded into a tunnel
// only, masqueraded, and only replies come back; nothing else from a container
// is forwarded or reaches the namespace itself.
inline constexpr const char *kContainerVethPrefix = "vc-";
std::string killswitch_ruleset(const KillSwitchSpec &s);

// On the host: one table for every VPN namespace, created by the first `up`
// and deleted by the last `down`. Its rules match on the "vr-" interface prefix
// and on sets; a namespace adds and removes only set elements, so the cost of
// `up` does not grow with the number of namespaces (libnftables reads the
// whole ruleset of every table it may touch).
inline constexpr const char *kHostFamily = "ip";
inline constexpr const char *kHostTable = "vpnrun";
inline constexpr const char *kHostVethPrefix = "vr-";

// `create table ip vpnrun { ... }`: masquerade (address . uplink) pairs in @nat,
// forward only (veth . uplink . address . proto . port) in @allowed out of a
// vpnrun veth, nothing unsolicited back in, and for each uplink in @guarded
// (its forwarding was off before vpnrun) nothing forwarded but vpnrun's traffic.
std::string host_table_ruleset();

// One element of a host-table set, kept in the journal as one token: its fields
// joined by ','. Sets and fields: allowed (veth, uplink, address, proto, port),
// nat (namespace address, uplink), guarded (uplink). Every field is validated.
struct HostElement {
  std::string set;
  std::vector<std::string> fields;

  static Result<HostElement> parse(const std::string &set, const std::string &token);
  std::string token() const;
  std::string nft() const;  // the element in nft syntax; only valid once parsed
  bool operator==(const HostElement &) const = default;
};
// A namespace's own elements: @nat for its veth address (the only source that
// leaves through the veth), and @allowed for each IPv4 endpoint.
std::vector<HostElement> host_elements(const IfName &veth, const IfName &uplink,
                                       const IpAddr &ns_addr, const std::vector<Endpoint> &eps);
HostElement guard_element(const IfName &uplink);
std::string add_elements(const std::vector<HostElement> &els);
std::string delete_element(const HostElement &el);

// Create a table with its contents in one transaction; fails if it exists.
std::string create_table(const std::string &family, const std::string &table,
                         const std::string &body);

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
