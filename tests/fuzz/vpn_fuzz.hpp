// Shared by the client-config fuzz targets: the addresses `pin` would give,
// without resolving anything (a fuzz target never asks a name server).
#pragma once
#include <vector>

#include "vpnrun/vpn.hpp"

namespace vpnrun::fuzz {

// Numeric hosts as they are; names as 198.51.100.N.
inline std::vector<Endpoint> pinned(const std::vector<Remote> &remotes) {
  std::vector<Endpoint> out;
  for (size_t i = 0; i < remotes.size(); ++i) {
    Endpoint e;
    auto a = IpAddr::parse(remotes[i].host);
    e.addr = a ? a.value() : IpAddr::v4(0xc6336400u + static_cast<uint32_t>(i % 256));
    e.port = remotes[i].port;
    e.proto = remotes[i].proto;
    out.push_back(e);
  }
  return out;
}

// The remotes a config rendered with `pinned` must name.
inline std::vector<Remote> as_remotes(const std::vector<Endpoint> &pinned) {
  std::vector<Remote> out;
  for (const auto &e : pinned) out.push_back(Remote{e.addr.str(), e.port, e.proto});
  return out;
}

}  // namespace vpnrun::fuzz
