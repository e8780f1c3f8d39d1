// What is up and what is broken, read from the journal and the kernel; never
// changes anything.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "vpnrun/client.hpp"
#include "vpnrun/error.hpp"
#include "vpnrun/firewall.hpp"
#include "vpnrun/names.hpp"

namespace vpnrun {

enum class NamespaceState { up, degraded, down };
const char *to_string(NamespaceState s);

struct TunnelInterface {
  std::string name;
  bool up = false;
};

struct ProcessInfo {
  pid_t pid = 0;
  std::string comm;
};

struct NamespaceStatus {
  std::string name;
  NamespaceState state = NamespaceState::down;
  bool configured = false;  // /etc/vpnrun/NAME.toml exists
  std::string mode;
  std::string netns_path;
  unsigned long netns_inode = 0;
  std::string uplink;  // host interface carrying the NAT
  std::string host_veth;
  bool host_veth_up = false;
  std::string host_address, ns_address, transit;
  std::vector<std::string> tunnel_patterns;
  std::vector<TunnelInterface> tunnels;
  bool default_route = false;
  std::string default_via, default_dev;
  bool killswitch = false;
  std::vector<Counter> counters;
  bool host_nat = false;
  std::vector<std::string> dns_servers;
  std::vector<ProcessInfo> processes;
  ClientStatus client;
  // Why it is not `up`: what `up` must rebuild (problems), and what a running
  // or restarted VPN client mends (tunnel_problems).
  std::vector<std::string> problems;
  std::vector<std::string> tunnel_problems;
};

Result<NamespaceStatus> inspect(const NetnsName &name);

// Names known to vpnrun: with a journal (up or broken) or a config file.
std::vector<std::string> known_namespaces();

// The documented, stable JSON form (docs/vpnrun.1, STATUS JSON).
nlohmann::json to_json(const NamespaceStatus &s);

}  // namespace vpnrun
