#include "vpnrun/vpn.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <sstream>

namespace vpnrun {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The blanks of the C locale's isspace() but the newline, which ends lines:
// what words() splits on, so a trimmed line that is not empty has a word.
constexpr const char *kBlanks = " \t\r\v\f";

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(kBlanks);
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(kBlanks);
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split_list(const std::string &v) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(v);
  while (std::getline(in, item, ',')) {
    item = trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool parse_port(const std::string &s, uint16_t &out) {
  if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  unsigned long v = std::stoul(s);
  if (v == 0 || v > 65535) return false;
  out = static_cast<uint16_t>(v);
  return true;
}

// "host:port" or "[v6]:port".
Result<Remote> parse_host_port(const std::string &v) {
  Remote r;
  size_t colon;
  if (!v.empty() && v[0] == '[') {
    size_t close = v.find(']');
    if (close == std::string::npos || close + 1 >= v.size() || v[close + 1] != ':')
      return make_error("parse endpoint", v, "expected [ADDRESS]:PORT");
    r.host = v.substr(1, close - 1);
    colon = close + 1;
  } else {
    colon = v.rfind(':');
    if (colon == std::string::npos || colon == 0) return make_error("parse endpoint", v, "expected HOST:PORT");
    r.host = v.substr(0, colon);
  }
  if (!parse_port(v.substr(colon + 1), r.port)) return make_error("parse endpoint", v, "port must be 1-65535");
  return r;
}

}  // namespace

bool WgQuick::has_ipv6() const {
  return std::any_of(addresses.begin(), addresses.end(),
                     [](const IpNet &n) { return n.addr.family == AF_INET6; });
}

Result<WgQuick> parse_wg_quick(std::string_view text, const std::string &source) {
  WgQuick wg;
  std::string section;
  std::istringstream in{std::string(text)};
  int lineno = 0;
  auto fail = [&](const std::string &why) {
    return make_error("parse WireGuard config", source, "line " + std::to_string(lineno) + ": " + why);
  };
  bool interface_seen = false;
  for (std::string raw; std::getline(in, raw);) {
    ++lineno;
    std::string line = trim(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    if (line.front() == '[') {
      section = lower(line);
      if (section != "[interface]" && section != "[peer]") return fail("unknown section " + line);
      if (section == "[interface]") {
        if (interface_seen) return fail("a second [Interface]");
        interface_seen = true;
      }
      wg.lines.push_back(section == "[interface]" ? "[Interface]" : "[Peer]");
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string::npos) return fail("expected KEY = VALUE");
    const std::string key = lower(trim(line.substr(0, eq)));
    const std::string value = trim(line.substr(eq + 1));
    if (section.empty()) return fail("'" + key + "' outside a section");
    if (section == "[interface]") {
      if (key == "address") {
        for (const auto &a : split_list(value)) {
          auto n = IpNet::parse_interface(a);
          if (!n) return fail("Address '" + a + "': " + n.error().detail);
          wg.addresses.push_back(n.value());
        }
      } else if (key == "dns") {
        for (const auto &d : split_list(value))
          if (auto a = IpAddr::parse(d); a) wg.dns.push_back(a.value());
      } else if (key == "mtu") {
        if (value.empty() || value.size() > 5 || value.find_first_not_of("0123456789") != std::string::npos ||
            std::stoul(value) < 1280 || std::stoul(value) > 65535)
          return fail("MTU must be 1280-65535");
        wg.mtu = static_cast<unsigned>(std::stoul(value));
      } else if (key == "privatekey" || key == "listenport" || key == "fwmark") {
        wg.lines.push_back(raw.substr(0, raw.find('#')));
      } else if (key == "table" || key == "preup" || key == "postup" || key == "predown" ||
                 key == "postdown" || key == "saveconfig") {
        // wg-quick's routing and hooks: vpnrun routes the namespace itself and
        // runs no scripts from a client config.
        return fail("'" + key + "' is wg-quick's and not supported by vpnrun; remove it");
      } else {
        return fail("unknown key '" + key + "' in [Interface]");
      }
    } else {
      if (key == "endpoint") {
        auto r = parse_host_port(value);
        if (!r) return fail(r.error().detail + ": '" + value + "'");
        wg.lines.push_back("Endpoint = @" + std::to_string(wg.remotes.size()));
        wg.remotes.push_back(r.value());
      } else if (key == "publickey" || key == "presharedkey" || key == "allowedips" ||
                 key == "persistentkeepalive") {
        wg.lines.push_back(raw.substr(0, raw.find('#')));
      } else {
        return fail("unknown key '" + key + "' in [Peer]");
      }
    }
  }
  if (!interface_seen) return make_error("parse WireGuard config", source, "no [Interface] section");
  if (wg.addresses.empty()) return make_error("parse WireGuard config", source, "[Interface] has no Address");
  if (wg.remotes.empty()) return make_error("parse WireGuard config", source, "no [Peer] has an Endpoint");
  return wg;
}

std::string render_wg_setconf(const WgQuick &wg, const std::vector<Endpoint> &pinned) {
  std::string out;
  for (const auto &l : wg.lines) {
    if (l.rfind("Endpoint = @", 0) == 0) {
      size_t i = std::stoul(l.substr(12));
      const Endpoint &e = pinned.at(i);
      out += "Endpoint = " + (e.addr.family == AF_INET6 ? "[" + e.addr.str() + "]" : e.addr.str()) + ":" +
             std::to_string(e.port) + "\n";
    } else {
      out += l + "\n";
    }
  }
  return out;
}

namespace {

// OpenVPN directives vpnrun decides for itself (device, scripts, routing,
// process handling, where it runs); the client config's own are dropped.
bool replaced_by_vpnrun(const std::string &d) {
  static const char *const kReplaced[] = {
      "remote", "dev", "dev-type", "dev-node", "up", "down", "route-up", "route-pre-down",
      "ipchange", "script-security", "daemon", "log", "log-append", "syslog", "ifconfig-noexec",
      "route-noexec", "up-restart", "up-delay", "writepid", "cd", "chroot", "user", "group",
      "down-pre", "iproute",
      "route-nopull"};
  return std::find_if(std::begin(kReplaced), std::end(kReplaced),
                      [&](const char *r) { return d == r; }) != std::end(kReplaced);
}

Result<Proto> ovpn_proto(const std::string &p) {
  if (p == "udp" || p == "udp4" || p == "udp6") return Proto::udp;
  if (p == "tcp" || p == "tcp-client" || p == "tcp4" || p == "tcp4-client" || p == "tcp6" ||
      p == "tcp6-client")
    return Proto::tcp;
  return make_error("parse OpenVPN config", p, "unknown proto");
}

std::vector<std::string> words(const std::string &line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

Result<OpenVpnConfig> parse_openvpn(std::string_view text, const std::string &source) {
  OpenVpnConfig c;
  std::istringstream in{std::string(text)};
  int lineno = 0;
  auto fail = [&](const std::string &why) {
    return make_error("parse OpenVPN config", source, "line " + std::to_string(lineno) + ": " + why);
  };
  uint16_t default_port = 1194;
  Proto default_proto = Proto::udp;
  struct Pending {
    std::string host, port, proto;
    int line;
  };
  std::vector<Pending> pending;
  std::string block;  // inside <tag>...</tag>
  for (std::string raw; std::getline(in, raw);) {
    ++lineno;
    std::string line = trim(raw);
    if (!block.empty()) {
      c.lines.push_back(raw);
      if (lower(line) == "</" + block + ">") block.clear();
      continue;
    }
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '<') {
      if (line.back() != '>' || line.size() < 3 || line[1] == '/') return fail("unexpected " + line);
      block = lower(line.substr(1, line.size() - 2));
      if (block == "connection") return fail("<connection> blocks are not supported; use remote lines");
      c.lines.push_back(raw);
      continue;
    }
    auto w = words(line);
    std::string d = lower(w[0]);
    if (d.rfind("--", 0) == 0) d.erase(0, 2);
    if (d == "port" || d == "rport") {
      if (w.size() < 2 || !parse_port(w[1], default_port)) return fail(d + " must be 1-65535");
    } else if (d == "proto") {
      if (w.size() < 2) return fail("proto needs a value");
      auto p = ovpn_proto(lower(w[1]));
      if (!p) return fail("unknown proto '" + w[1] + "'");
      default_proto = p.value();
    } else if (d == "remote") {
      if (w.size() < 2) return fail("remote needs a host");
      pending.push_back({w[1], w.size() > 2 ? w[2] : "", w.size() > 3 ? lower(w[3]) : "", lineno});
      continue;
    } else if (d == "server" || d == "mode" || d == "tls-server") {
      return fail("'" + d + "' is a server directive; vpnrun runs OpenVPN as a client");
    } else if (d == "tls-verify" || d == "auth-user-pass-verify" || d == "learn-address" ||
               d == "client-connect" || d == "client-disconnect") {
      // Checks a script would make: dropping them silently would weaken the
      // connection; running them is not vpnrun's to do.
      return fail("'" + d + "' runs a script, which vpnrun does not do; remove it");
    }
    if (!replaced_by_vpnrun(d)) c.lines.push_back(raw);
  }
  if (!block.empty()) return make_error("parse OpenVPN config", source, "<" + block + "> is not closed");
  for (const auto &p : pending) {
    lineno = p.line;
    Remote r{p.host, default_port, default_proto};
    if (!p.port.empty() && !parse_port(p.port, r.port)) return fail("remote port must be 1-65535");
    if (!p.proto.empty()) {
      auto pr = ovpn_proto(p.proto);
      if (!pr) return fail("unknown proto '" + p.proto + "'");
      r.proto = pr.value();
    }
    c.remotes.push_back(r);
  }
  if (c.remotes.empty()) return make_error("parse OpenVPN config", source, "no remote");
  return c;
}

std::string render_openvpn(const OpenVpnConfig &c, const std::vector<Endpoint> &pinned,
                           const std::vector<std::string> &extra) {
  std::string out = "# Written by vpnrun from the client config; regenerated at each `vpnrun up`.\n";
  for (const auto &l : c.lines) out += l + "\n";
  for (const auto &e : pinned)
    out += "remote " + e.addr.str() + " " + std::to_string(e.port) + " " +
           (e.proto == Proto::udp ? "udp" : "tcp-client") + "\n";
  for (const auto &l : extra) out += l + "\n";
  return out;
}

Result<Endpoint> pin(const Remote &r, bool allow_v6) {
  Endpoint e;
  e.port = r.port;
  e.proto = r.proto;
  if (auto a = IpAddr::parse(r.host); a) {
    if (a->family == AF_INET6 && !allow_v6)
      return make_error("pin endpoint", r.host, "an IPv6 server cannot be reached through the veth uplink (IPv4 NAT)");
    e.addr = a.value();
    return e;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = r.proto == Proto::udp ? SOCK_DGRAM : SOCK_STREAM;
  addrinfo *res = nullptr;
  int rc = ::getaddrinfo(r.host.c_str(), nullptr, &hints, &res);
  if (rc != 0) return make_error("resolve", r.host, gai_strerror(rc));
  std::unique_ptr<addrinfo, void (*)(addrinfo *)> guard(res, ::freeaddrinfo);
  std::optional<IpAddr> v4, v6;
  for (auto *ai = res; ai; ai = ai->ai_next) {
    IpAddr a;
    if (ai->ai_family == AF_INET && !v4) {
      a.family = AF_INET;
      std::memcpy(a.bytes.data(), &reinterpret_cast<sockaddr_in *>(ai->ai_addr)->sin_addr, 4);
      v4 = a;
    } else if (ai->ai_family == AF_INET6 && !v6) {
      a.family = AF_INET6;
      std::memcpy(a.bytes.data(), &reinterpret_cast<sockaddr_in6 *>(ai->ai_addr)->sin6_addr, 16);
      v6 = a;
    }
  }
  if (v4) e.addr = *v4;
  else if (v6 && allow_v6) e.addr = *v6;
  else return make_error("resolve", r.host, allow_v6 ? "no address" : "no IPv4 address");
  return e;
}

}  // namespace vpnrun
