#include "vpnrun/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <toml++/toml.h>

#include "vpnrun/fd.hpp"
#include "vpnrun/toml_text.hpp"

namespace vpnrun {

const char *to_string(UplinkMode m) { return m == UplinkMode::veth ? "veth" : "tunnel"; }

const char *to_string(VpnType t) {
  switch (t) {
    case VpnType::openvpn: return "openvpn";
    case VpnType::wireguard: return "wireguard";
    default: return "none";
  }
}

IfName tunnel_ifname(const NetnsName &name, VpnType type) {
  return derived_ifname(type == VpnType::wireguard ? "wg-" : "tun-", name.str());
}

std::vector<IfPattern> NamespaceConfig::tunnel_patterns(const NetnsName &name) const {
  if (!vpn.tunnel.empty()) return vpn.tunnel;
  // A client vpnrun starts has its own device: exactly that one.
  if (vpn.type != VpnType::none) return {IfPattern::parse(tunnel_ifname(name, vpn.type).str()).value()};
  std::vector<IfPattern> out;
  if (vpn.type != VpnType::wireguard) out.push_back(IfPattern::parse("tun*").value());
  if (vpn.type != VpnType::openvpn) out.push_back(IfPattern::parse("wg*").value());
  return out;
}

std::string config_path(const NetnsName &name) {
  return std::string(kConfigDir) + "/" + name.str() + ".toml";
}

namespace {

class Parser {
 public:
  Parser(const std::string &source) : source_(source) {}

  Error fail(const toml::node &n, const std::string &key, const std::string &why) const {
    return make_error("parse config", source_,
                      "line " + std::to_string(n.source().begin.line) + ": " + key + ": " + why);
  }

  // Each section: a table whose keys must all be known.
  Status known_keys(const toml::table &t, const std::string &section,
                    std::initializer_list<std::string_view> keys) const {
    for (const auto &[k, v] : t) {
      bool ok = false;
      for (auto known : keys) ok = ok || k.str() == known;
      if (!ok) {
        std::string full = section.empty() ? std::string(k.str()) : section + "." + std::string(k.str());
        return make_error("parse config", source_,
                          "line " + std::to_string(k.source().begin.line) + ": unknown key '" +
                              full + "'");
      }
    }
    return {};
  }

  Result<std::string> str(const toml::node &n, const std::string &key) const {
    if (auto s = n.value<std::string>(); s && n.is_string()) return *s;
    return fail(n, key, "expected a string");
  }

  Result<bool> boolean(const toml::node &n, const std::string &key) const {
    if (!n.is_boolean()) return fail(n, key, "expected true or false");
    return *n.value<bool>();
  }

  Result<std::vector<std::string>> strings(const toml::node &n, const std::string &key) const {
    const toml::array *a = n.as_array();
    if (!a) return fail(n, key, "expected an array of strings");
    std::vector<std::string> out;
    for (const auto &e : *a) {
      if (!e.is_string()) return fail(e, key, "expected an array of strings");
      out.push_back(*e.value<std::string>());
    }
    return out;
  }

  template <class T, class F>
  Result<std::vector<T>> parsed_list(const toml::node &n, const std::string &key, F parse) const {
    VR_ASSIGN(auto items, strings(n, key));
    std::vector<T> out;
    for (const auto &s : items) {
      auto r = parse(s);
      if (!r) return fail(n, key, r.error().detail.empty() ? r.error().message() : "'" + s + "': " + r.error().detail);
      out.push_back(r.value());
    }
    return out;
  }

  Result<const toml::table *> section(const toml::table &root, const std::string &name) const {
    const toml::node *n = root.get(name);
    if (!n) return static_cast<const toml::table *>(nullptr);
    if (!n->is_table()) return fail(*n, name, "expected a table [" + name + "]");
    return n->as_table();
  }

 private:
  const std::string &source_;
};

// toml++ reads only ASCII text (toml_text.hpp says why).
Result<toml::table> parse_toml(std::string_view text, const std::string &source) {
  VR_ASSIGN(const std::string ascii, toml_ascii(text, source));
  try {
    return toml::parse(ascii, source);
  } catch (const toml::parse_error &e) {
    return make_error("parse config", source,
                      "line " + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
}

}  // namespace

Result<NamespaceConfig> parse_config(std::string_view text, const std::string &source) {
  VR_ASSIGN(toml::table root, parse_toml(text, source));
  Parser p(source);
  NamespaceConfig c;
  VR_TRY(p.known_keys(root, "", {"uplink", "vpn", "dns", "ipv6", "access", "containers"}));

  VR_ASSIGN(const toml::table *up, p.section(root, "uplink"));
  if (up) {
    VR_TRY(p.known_keys(*up, "uplink", {"mode", "interface", "subnet"}));
    if (const auto *n = up->get("mode")) {
      VR_ASSIGN(std::string m, p.str(*n, "uplink.mode"));
      if (m == "veth") c.uplink.mode = UplinkMode::veth;
      else if (m == "tunnel") c.uplink.mode = UplinkMode::tunnel;
      else return p.fail(*n, "uplink.mode", "'" + m + "' is not \"veth\" or \"tunnel\"");
    }
    if (const auto *n = up->get("interface")) {
      VR_ASSIGN(std::string s, p.str(*n, "uplink.interface"));
      if (s != "auto") {
        auto i = IfName::parse(s);
        if (!i) return p.fail(*n, "uplink.interface", i.error().detail);
        c.uplink.interface = i.value();
      }
    }
    if (const auto *n = up->get("subnet")) {
      VR_ASSIGN(std::string s, p.str(*n, "uplink.subnet"));
      if (s != "auto") {
        auto net = IpNet::parse(s);
        if (!net) return p.fail(*n, "uplink.subnet", net.error().detail);
        if (net->addr.family != AF_INET || (net->len != 30 && net->len != 31))
          return p.fail(*n, "uplink.subnet", "must be an IPv4 /30 or /31");
        c.uplink.subnet = net.value();
      }
    }
  }

  VR_ASSIGN(const toml::table *vpn, p.section(root, "vpn"));
  if (vpn) {
    VR_TRY(p.known_keys(*vpn, "vpn", {"type", "config", "endpoints", "tunnel"}));
    if (const auto *n = vpn->get("type")) {
      VR_ASSIGN(std::string t, p.str(*n, "vpn.type"));
      if (t == "none") c.vpn.type = VpnType::none;
      else if (t == "openvpn") c.vpn.type = VpnType::openvpn;
      else if (t == "wireguard") c.vpn.type = VpnType::wireguard;
      else return p.fail(*n, "vpn.type", "'" + t + "' is not \"openvpn\", \"wireguard\" or \"none\"");
    }
    if (const auto *n = vpn->get("config")) {
      VR_ASSIGN(c.vpn.config, p.str(*n, "vpn.config"));
      if (!c.vpn.config.empty() && c.vpn.config.front() != '/')
        return p.fail(*n, "vpn.config", "must be an absolute path");
    }
    if (c.vpn.type != VpnType::none && c.vpn.config.empty())
      return p.fail(*vpn, "vpn.config", std::string("required when type is \"") + to_string(c.vpn.type) + "\"");
    if (const auto *n = vpn->get("endpoints")) {
      VR_ASSIGN(c.vpn.endpoints, p.parsed_list<Endpoint>(*n, "vpn.endpoints", Endpoint::parse));
    }
    if (const auto *n = vpn->get("tunnel")) {
      std::vector<std::string> names;
      if (n->is_string()) names.push_back(*n->value<std::string>());
      else { VR_ASSIGN(names, p.strings(*n, "vpn.tunnel")); }
      if (names.empty()) return p.fail(*n, "vpn.tunnel", "empty; use \"auto\" or name the tunnel interface");
      if (!(names.size() == 1 && names[0] == "auto")) {
        for (const auto &s : names) {
          auto pat = IfPattern::parse(s);
          if (!pat) return p.fail(*n, "vpn.tunnel", pat.error().detail);
          c.vpn.tunnel.push_back(pat.value());
        }
      }
    }
  }

  VR_ASSIGN(const toml::table *dns, p.section(root, "dns"));
  if (dns) {
    VR_TRY(p.known_keys(*dns, "dns", {"servers"}));
    if (const auto *n = dns->get("servers")) {
      VR_ASSIGN(c.dns.servers, p.parsed_list<IpAddr>(*n, "dns.servers", IpAddr::parse));
    }
  }

  VR_ASSIGN(const toml::table *v6, p.section(root, "ipv6"));
  if (v6) {
    VR_TRY(p.known_keys(*v6, "ipv6", {"enable"}));
    if (const auto *n = v6->get("enable")) {
      if (n->is_boolean()) c.ipv6.enable = *n->value<bool>() ? Ipv6Mode::on : Ipv6Mode::off;
      else if (n->is_string() && *n->value<std::string>() == "auto") c.ipv6.enable = Ipv6Mode::automatic;
      else return p.fail(*n, "ipv6.enable", "expected \"auto\", true or false");
    }
  }

  VR_ASSIGN(const toml::table *acc, p.section(root, "access"));
  if (acc) {
    VR_TRY(p.known_keys(*acc, "access", {"users", "groups"}));
    if (const auto *n = acc->get("users")) { VR_ASSIGN(c.access.users, p.strings(*n, "access.users")); }
    if (const auto *n = acc->get("groups")) { VR_ASSIGN(c.access.groups, p.strings(*n, "access.groups")); }
  }

  VR_ASSIGN(const toml::table *ct, p.section(root, "containers"));
  if (ct) {
    VR_TRY(p.known_keys(*ct, "containers", {"enable", "subnet"}));
    if (const auto *n = ct->get("enable")) {
      VR_ASSIGN(c.containers.enable, p.boolean(*n, "containers.enable"));
    }
    if (const auto *n = ct->get("subnet")) {
      VR_ASSIGN(std::string s, p.str(*n, "containers.subnet"));
      auto net = IpNet::parse(s);
      if (!net) return p.fail(*n, "containers.subnet", net.error().detail);
      if (net->addr.family != AF_INET || net->len > 30)
        return p.fail(*n, "containers.subnet", "must be an IPv4 prefix of /30 or larger");
      c.containers.subnet = net.value();
    }
  }
  if (c.uplink.subnet && c.uplink.subnet->overlaps(c.containers.subnet))
    return make_error("parse config", source,
                      "uplink.subnet " + c.uplink.subnet->str() + " overlaps containers.subnet " +
                          c.containers.subnet.str());
  return c;
}

namespace {

// Neither others nor a group other than root's may write it.
bool only_root_writes(const struct stat &st) {
  return !(st.st_mode & S_IWOTH) && !((st.st_mode & S_IWGRP) && st.st_gid != 0);
}

// A root file by name in a directory already open: the same checks as
// read_root_file, on the fd.
Result<std::optional<std::string>> read_root_file_at(int dir, const std::string &name, const std::string &path) {
  int fd = ::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return errno_error("open config", path);
  }
  UniqueFd f(fd);
  struct stat st;
  if (::fstat(f.get(), &st) < 0) return errno_error("stat config", path);
  if (!S_ISREG(st.st_mode)) return make_error("open config", path, "not a regular file");
  if (st.st_uid != 0) return make_error("open config", path, "not owned by root");
  if (!only_root_writes(st)) return make_error("open config", path, "writable by users other than root");
  VR_ASSIGN(std::string text, read_all(f.get(), path));
  return std::optional<std::string>(std::move(text));
}

// A file of /etc/vpnrun, through the directory checked on its fd: with the
// directory writable by a user, that user could rename another namespace's
// root-owned config over this one's (and with it its [access]).
Result<std::optional<std::string>> read_vpnrun_file(const std::string &name) {
  const std::string path = std::string(kConfigDir) + "/" + name;
  int d = ::open(kConfigDir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (d < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return errno_error("open config", kConfigDir);
  }
  UniqueFd dir(d);
  struct stat st;
  if (::fstat(dir.get(), &st) < 0) return errno_error("stat config", kConfigDir);
  if (st.st_uid != 0 || !only_root_writes(st))
    return make_error("open config", kConfigDir, "not a root-owned directory writable only by root");
  return read_root_file_at(dir.get(), name, path);
}

}  // namespace

Result<std::optional<std::string>> read_root_file(const std::string &path) {
  return read_root_file_at(AT_FDCWD, path, path);
}

Result<NamespaceConfig> load_config(const NetnsName &name) {
  const std::string path = config_path(name);
  VR_ASSIGN(auto text, read_vpnrun_file(name.str() + ".toml"));
  if (!text) return NamespaceConfig{};
  return parse_config(*text, path);
}

Result<GlobalConfig> parse_global_config(std::string_view text, const std::string &source) {
  VR_ASSIGN(toml::table root, parse_toml(text, source));
  Parser p(source);
  GlobalConfig g;
  VR_TRY(p.known_keys(root, "", {"default_netns", "single_instance"}));
  if (const toml::node *n = root.get("default_netns")) {
    VR_ASSIGN(g.default_netns, p.str(*n, "default_netns"));
    auto name = NetnsName::parse(g.default_netns);
    if (!name) return p.fail(*n, "default_netns", name.error().detail);
  }
  if (const toml::node *n = root.get("single_instance")) {
    VR_ASSIGN(g.single_instance, p.strings(*n, "single_instance"));
    for (const auto &prog : g.single_instance)
      if (prog.empty() || prog.find('/') != std::string::npos)
        return p.fail(*n, "single_instance", "'" + prog + "' is not a program name");
  }
  return g;
}

Result<GlobalConfig> load_global_config() {
  VR_ASSIGN(auto text, read_vpnrun_file("vpnrun.toml"));
  if (!text) return GlobalConfig{};
  return parse_global_config(*text, kGlobalConfig);
}

}  // namespace vpnrun
