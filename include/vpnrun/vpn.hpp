// The VPN clients' own config files, read for what vpnrun needs and rewritten
// for how vpnrun runs them. Pure text work, plus the one host-name lookup
// (`pin`), done once on the host at `up`.
//
// WireGuard: a wg-quick file. Its [Interface] Address, DNS and MTU are vpnrun's
// to apply; the rest goes to `wg setconf` with every Endpoint pinned to an
// address. OpenVPN: a client config whose `remote`s are pinned and whose
// device, scripts and routing are vpnrun's (see client.hpp).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vpnrun/addr.hpp"
#include "vpnrun/error.hpp"

namespace vpnrun {

// A server as the client's config names it, before pinning.
struct Remote {
  std::string host;  // a name or an address
  uint16_t port = 0;
  Proto proto = Proto::udp;
  bool operator==(const Remote &) const = default;
};

struct WgQuick {
  std::vector<IpNet> addresses;  // [Interface] Address (host bits kept)
  std::vector<IpAddr> dns;       // [Interface] DNS (search domains are ignored)
  std::optional<unsigned> mtu;   // [Interface] MTU
  std::vector<Remote> remotes;   // each [Peer] Endpoint, in order
  // The wg(8) lines, with each Endpoint as a placeholder "@N" for remotes[N].
  std::vector<std::string> lines;
  bool has_ipv6() const;
};
Result<WgQuick> parse_wg_quick(std::string_view text, const std::string &source);
// The `wg setconf` file, Endpoint N written as pinned[N].
std::string render_wg_setconf(const WgQuick &wg, const std::vector<Endpoint> &pinned);

struct OpenVpnConfig {
  std::vector<Remote> remotes;
  // Everything vpnrun keeps, in order; inline blocks (<ca>...</ca>) verbatim.
  std::vector<std::string> lines;
};
Result<OpenVpnConfig> parse_openvpn(std::string_view text, const std::string &source);
// The config vpnrun runs: the kept lines, the pinned remotes, then `extra`.
std::string render_openvpn(const OpenVpnConfig &c, const std::vector<Endpoint> &pinned,
                           const std::vector<std::string> &extra);

// Resolve a remote to one address (numeric hosts are taken as they are).
// IPv4 is preferred; IPv6 only when `allow_v6` and there is no IPv4 address.
Result<Endpoint> pin(const Remote &r, bool allow_v6);

}  // namespace vpnrun
