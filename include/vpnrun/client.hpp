// The VPN client vpnrun runs for a namespace: OpenVPN or WireGuard (the kernel's
// or wireguard-go), in the namespace (uplink mode "veth": it reaches its server
// through the veth and the host's NAT) or for it (mode "tunnel": the client's
// socket stays on the host and only its device is moved into the namespace).
//
// The device is vpnrun's ("wg-NAME", "tun-NAME"): vpnrun gives it its addresses,
// MTU and routes, and the namespace's default route goes through it and nowhere
// else, so when the client dies the namespace has no way out at all.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vpnrun/addr.hpp"
#include "vpnrun/config.hpp"
#include "vpnrun/error.hpp"
#include "vpnrun/journal.hpp"
#include "vpnrun/names.hpp"
#include "vpnrun/process.hpp"
#include "vpnrun/vpn.hpp"

namespace vpnrun {

struct ClientPlan {
  VpnType type = VpnType::none;
  std::string ifname;               // the client's device
  std::vector<Endpoint> endpoints;  // its servers, pinned
  std::vector<IpAddr> dns;          // known before it starts (WireGuard's DNS =)
  std::optional<WgQuick> wg;
  std::optional<OpenVpnConfig> ovpn;
  std::string config_dir;  // the client config's directory (OpenVPN's relative paths)
};

// Read the client's config (root-owned, like vpnrun's own) and pin its servers:
// resolve them on the host (IPv6 servers only in tunnel mode), or, for a
// client started again, take the addresses pinned at `up`, which the kill
// switch and the routes were made for.
Result<ClientPlan> plan_client(const NetnsName &name, const NamespaceConfig &cfg,
                               const std::optional<std::vector<Endpoint>> &pinned = std::nullopt);

// The pinned servers as the journal keeps them ("info pinned A:P/udp,..."), and back.
std::string pinned_token(const std::vector<Endpoint> &eps);
Result<std::vector<Endpoint>> parse_pinned_token(const std::string &token);

// Write-ahead journaling as `up` does it: the entry first, then the action.
using Recorder = std::function<Status(const JournalEntry &, const std::function<Status()> &)>;

// Start the client (again, after it died: `up` on a namespace whose client is
// gone), record it, and for WireGuard configure its device. `self` is vpnrun's
// own path, OpenVPN's --up helper. Does not wait for OpenVPN to connect.
Status start_client(const NetnsName &name, const NamespaceConfig &cfg, const ClientPlan &plan,
                    int netns_fd, const std::string &self, const Recorder &record);

// The client recorded in a journal (the last `process` entry), if any.
std::optional<ProcessId> journaled_client(const Journal &j);

// What vpnrun gives the tunnel device, inside the namespace.
struct TunnelSetup {
  std::string ifname;
  std::vector<IpNet> addresses;
  std::optional<unsigned> mtu;
  bool ipv6 = false;  // turn IPv6 on for this device and route IPv6 through it
};
Status configure_tunnel(int netns_fd, const std::string &netns_what, const TunnelSetup &t);

// OpenVPN's --up helper (`vpnrun openvpn-up NAME`, run by OpenVPN as root with
// its environment): move the device into the namespace (tunnel mode),
// configure it, and write the pushed DNS servers unless [dns] servers is set.
Status openvpn_up(const NetnsName &name, const std::map<std::string, std::string> &env);

// Ready: the device is in the namespace, up, with an IPv4 address.
bool tunnel_ready(int netns_fd, const std::string &ifname);

// The last line the client wrote to /run/vpnrun/NAME/client.log ("" if none).
std::string client_log_tail(const NetnsName &name);

struct ClientStatus {
  std::string type;
  std::string interface;
  pid_t pid = 0;  // 0: no process (kernel WireGuard)
  bool alive = false;
  bool interface_up = false;
  uint64_t rx_bytes = 0, tx_bytes = 0;
  long long handshake_age = -1;  // seconds since the last WireGuard handshake; -1 unknown/never
};
ClientStatus client_status(const Journal &j, int netns_fd);

}  // namespace vpnrun
