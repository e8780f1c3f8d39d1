// IP addresses, prefixes and VPN endpoints, parsed strictly.
#pragma once
#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "vpnrun/error.hpp"

namespace vpnrun {

struct IpAddr {
  int family = AF_INET;            // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};  // network order; first 4 used for AF_INET

  static Result<IpAddr> parse(std::string_view s);
  static IpAddr v4(uint32_t host_order);
  uint32_t v4_host() const;  // AF_INET only
  size_t size() const { return family == AF_INET ? 4 : 16; }
  std::string str() const;
  bool operator==(const IpAddr &) const = default;
};

struct IpNet {
  IpAddr addr;
  uint8_t len = 0;

  // "10.250.0.0/30": the address must have no host bits set.
  static Result<IpNet> parse(std::string_view s);
  // An interface address with its prefix ("10.9.0.2/24", host bits kept);
  // without "/LENGTH" a single address (/32 or /128).
  static Result<IpNet> parse_interface(std::string_view s);
  bool contains(const IpAddr &a) const;
  bool overlaps(const IpNet &o) const;
  std::string str() const;
  bool operator==(const IpNet &) const = default;
};

enum class Proto { udp, tcp };

// "198.51.100.1:1194/udp", "[2001:db8::1]:51820/udp"; the protocol defaults to udp.
struct Endpoint {
  IpAddr addr;
  uint16_t port = 0;
  Proto proto = Proto::udp;

  static Result<Endpoint> parse(std::string_view s);
  std::string str() const;
  bool operator==(const Endpoint &) const = default;
};

const char *proto_name(Proto p);

}  // namespace vpnrun
