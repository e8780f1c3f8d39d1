#include "vpnrun/addr.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace vpnrun {

Result<IpAddr> IpAddr::parse(std::string_view s) {
  IpAddr a;
  std::string str(s);
  if (str.find(':') != std::string::npos) {
    a.family = AF_INET6;
    if (inet_pton(AF_INET6, str.c_str(), a.bytes.data()) == 1) return a;
  } else if (inet_pton(AF_INET, str.c_str(), a.bytes.data()) == 1) {
    return a;  // inet_pton takes only dotted quads: no "10.1", no octal
  }
  return make_error("parse address", str, "not an IPv4 or IPv6 address");
}

IpAddr IpAddr::v4(uint32_t host_order) {
  IpAddr a;
  uint32_t be = htonl(host_order);
  std::memcpy(a.bytes.data(), &be, 4);
  return a;
}

uint32_t IpAddr::v4_host() const {
  uint32_t be;
  std::memcpy(&be, bytes.data(), 4);
  return ntohl(be);
}

std::string IpAddr::str() const {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(family, bytes.data(), buf, sizeof buf);
  return buf;
}

namespace {

bool prefix_equal(const IpAddr &a, const IpAddr &b, unsigned len) {
  if (a.family != b.family) return false;
  unsigned full = len / 8, rest = len % 8;
  if (std::memcmp(a.bytes.data(), b.bytes.data(), full) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a.bytes[full] & mask) == (b.bytes[full] & mask);
}

template <class T>
bool parse_num(std::string_view s, T &out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

namespace {
Result<IpNet> parse_prefix(std::string_view s, bool host_bits_allowed) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos && !host_bits_allowed)
    return make_error("parse prefix", std::string(s), "expected ADDRESS/LENGTH");
  VR_ASSIGN(IpAddr addr, IpAddr::parse(s.substr(0, slash)));
  unsigned len = static_cast<unsigned>(addr.size() * 8);
  if (slash != std::string_view::npos && (!parse_num(s.substr(slash + 1), len) || len > addr.size() * 8))
    return make_error("parse prefix", std::string(s), "bad prefix length");
  IpNet n{addr, static_cast<uint8_t>(len)};
  if (host_bits_allowed) return n;
  IpAddr masked{};
  masked.family = addr.family;
  for (unsigned i = 0; i < addr.size(); ++i) {
    unsigned bits = len > i * 8 ? std::min(8u, len - i * 8) : 0;
    masked.bytes[i] = addr.bytes[i] & static_cast<uint8_t>(0xff00 >> bits);
  }
  if (!(masked == addr))
    return make_error("parse prefix", std::string(s),
                      "host bits set (did you mean " + IpNet{masked, n.len}.str() + "?)");
  return n;
}
}  // namespace

Result<IpNet> IpNet::parse(std::string_view s) { return parse_prefix(s, false); }

Result<IpNet> IpNet::parse_interface(std::string_view s) { return parse_prefix(s, true); }

bool IpNet::contains(const IpAddr &a) const { return prefix_equal(addr, a, len); }

bool IpNet::overlaps(const IpNet &o) const {
  return prefix_equal(addr, o.addr, std::min(len, o.len));
}

std::string IpNet::str() const { return addr.str() + "/" + std::to_string(len); }

const char *proto_name(Proto p) { return p == Proto::udp ? "udp" : "tcp"; }

Result<Endpoint> Endpoint::parse(std::string_view s) {
  Endpoint e;
  std::string_view rest = s;
  auto bad = [&](const char *why) { return make_error("parse endpoint", std::string(s), why); };
  if (auto slash = rest.rfind('/'); slash != std::string_view::npos) {
    auto p = rest.substr(slash + 1);
    if (p == "udp") e.proto = Proto::udp;
    else if (p == "tcp") e.proto = Proto::tcp;
    else return bad("protocol must be udp or tcp");
    rest = rest.substr(0, slash);
  }
  std::string_view host, port;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
      return bad("expected [IPV6]:PORT");
    host = rest.substr(1, close - 1);
    port = rest.substr(close + 2);
    if (host.find(':') == std::string_view::npos) return bad("brackets are for IPv6 addresses only");
  } else {
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return bad("expected ADDRESS:PORT[/udp|/tcp]");
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad("write IPv6 as [ADDRESS]:PORT");
  }
  auto a = IpAddr::parse(host);
  if (!a) return bad("not an IP address (host names are not resolved here)");
  e.addr = a.value();
  if (!parse_num(port, e.port) || e.port == 0) return bad("port must be 1-65535");
  return e;
}

std::string Endpoint::str() const {
  std::string h = addr.family == AF_INET6 ? "[" + addr.str() + "]" : addr.str();
  return h + ":" + std::to_string(port) + "/" + proto_name(proto);
}

}  // namespace vpnrun
