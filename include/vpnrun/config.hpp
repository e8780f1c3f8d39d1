// /etc/vpnrun/NAME.toml -> a typed, validated NamespaceConfig.
// Every key is optional; an unknown key or a wrong type is an error naming the
// key and its line.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vpnrun/addr.hpp"
#include "vpnrun/error.hpp"
#include "vpnrun/names.hpp"

namespace vpnrun {

inline constexpr const char *kConfigDir = "/etc/vpnrun";

enum class UplinkMode { veth, tunnel };
enum class VpnType { none, openvpn, wireguard };
// IPv6 in the namespace: automatic = only through a tunnel that carries it
// (a client vpnrun starts); on = on (the client is someone else's); off = off.
enum class Ipv6Mode { automatic, on, off };

struct NamespaceConfig {
  struct {
    UplinkMode mode = UplinkMode::veth;
    std::optional<IfName> interface;  // nullopt = auto: the host's default route
    std::optional<IpNet> subnet;      // nullopt = auto: a free /30 in 10.250.0.0/16
  } uplink;
  struct {
    VpnType type = VpnType::none;
    std::string config;  // the client's own config file
    std::vector<Endpoint> endpoints;
    std::vector<IfPattern> tunnel;  // empty = auto (see tunnel_patterns)
  } vpn;
  struct {
    std::vector<IpAddr> servers;
  } dns;
  struct {
    Ipv6Mode enable = Ipv6Mode::automatic;
  } ipv6;
  struct {
    std::vector<std::string> users;
    std::vector<std::string> groups{"vpnrun"};
  } access;
  struct {
    bool enable = false;  // may vpnrun-hook attach containers? (`up` prepares the namespace)
    IpNet subnet = IpNet::parse("10.251.0.0/16").value();
  } containers;

  // The interfaces the kill switch lets traffic out of: the configured ones, or
  // for "auto" the device of the client vpnrun starts, or tun* and wg* for
  // type none.
  std::vector<IfPattern> tunnel_patterns(const NetnsName &name) const;
};

const char *to_string(UplinkMode m);
const char *to_string(VpnType t);

// Parse TOML text; `source` names it in errors.
Result<NamespaceConfig> parse_config(std::string_view text, const std::string &source);

// Load /etc/vpnrun/NAME.toml. An absent file means all defaults. The file must be
// a regular file owned by root and writable by no one else: it decides what
// root does.
Result<NamespaceConfig> load_config(const NetnsName &name);
std::string config_path(const NetnsName &name);

// The device of the client vpnrun runs for NAME: "wg-NAME" (WireGuard) or
// "tun-NAME" (OpenVPN), shortened with a hash as host_veth_name does.
IfName tunnel_ifname(const NetnsName &name, VpnType type);

// A root-owned regular file writable by no one else, read whole (O_NOFOLLOW);
// nullopt when it does not exist. It decides what root does.
Result<std::optional<std::string>> read_root_file(const std::string &path);

// vpnrun's own settings: /etc/vpnrun/vpnrun.toml (same ownership rule).
inline constexpr const char *kGlobalConfig = "/etc/vpnrun/vpnrun.toml";
struct GlobalConfig {
  std::string default_netns = "vpn";  // the launcher's namespace when -n is not given
  std::vector<std::string> single_instance;  // more programs to warn about (see instance.hpp)
};
Result<GlobalConfig> load_global_config();
Result<GlobalConfig> parse_global_config(std::string_view text, const std::string &source);

}  // namespace vpnrun
