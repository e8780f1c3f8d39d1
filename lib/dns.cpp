#include "vpnrun/dns.hpp"

#include <sstream>

namespace vpnrun {

std::string etc_netns_dir(const NetnsName &name) {
  return std::string(kEtcNetnsDir) + "/" + name.str();
}

namespace {
std::string nameservers(const std::vector<IpAddr> &servers) {
  std::string s;
  if (servers.empty()) s += "# No [dns] servers configured: name lookups in the namespace fail.\n";
  for (const auto &a : servers) s += "nameserver " + a.str() + "\n";
  return s;
}
}  // namespace

std::string resolv_conf(const NetnsName &name, const std::vector<IpAddr> &servers) {
  return "# Written by vpnrun for namespace '" + name.str() + "'; `vpnrun down " + name.str() +
         "` removes it.\n" + nameservers(servers);
}

std::vector<IpAddr> parse_nameservers(std::string_view resolv) {
  std::vector<IpAddr> out;
  std::istringstream in{std::string(resolv)};
  for (std::string line; std::getline(in, line);) {
    std::istringstream l(line);
    std::string k, v;
    if (!(l >> k >> v) || k != "nameserver") continue;
    if (auto a = IpAddr::parse(v)) out.push_back(a.value());
  }
  return out;
}

std::string container_resolv_conf(const NetnsName &name, const std::vector<IpAddr> &servers) {
  return "# Written by vpnrun-hook: the name servers of VPN namespace '" + name.str() + "'.\n" +
         nameservers(servers);
}

std::string nsswitch_conf(std::string_view host_nsswitch) {
  std::string out = "# Written by vpnrun: the host's databases, but host names from DNS only.\n";
  std::istringstream in{std::string(host_nsswitch)};
  bool have_hosts = false;
  for (std::string line; std::getline(in, line);) {
    // glibc reads "hosts", optional blanks, ':'; and the last such line wins.
    size_t i = line.find_first_not_of(" \t");
    size_t colon = i == std::string::npos ? i : line.find_first_not_of(" \t", i + 5);
    if (i != std::string::npos && line.compare(i, 5, "hosts") == 0 && colon != std::string::npos &&
        line[colon] == ':') {
      if (!have_hosts) out += "hosts:          files dns\n";
      have_hosts = true;
      continue;
    }
    out += line + "\n";
  }
  if (!have_hosts) out += "hosts:          files dns\n";
  return out;
}

std::string hosts_file() {
  return "127.0.0.1\tlocalhost\n"
         "::1\tlocalhost ip6-localhost ip6-loopback\n";
}

std::string dns_file_content(const std::string &file, const NetnsName &name,
                             const std::vector<IpAddr> &servers, std::string_view host_nsswitch) {
  if (file == "resolv.conf") return resolv_conf(name, servers);
  if (file == "nsswitch.conf") return nsswitch_conf(host_nsswitch);
  return hosts_file();
}

}  // namespace vpnrun
