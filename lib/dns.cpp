#include "vpnrun/dns.hpp"

namespace vpnrun {

std::string etc_netns_dir(const NetnsName &name) {
  return std::string(kEtcNetnsDir) + "/" + name.str();
}

namespace {

// Each line, as std::getline reads them (no streams: the launcher, which
// links this file for etc_netns_dir, carries no iostreams).
template <typename F>
void for_each_line(std::string_view text, F f) {
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    f(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
}

// The next blank-separated word of `line` from `*pos`, as operator>> reads it.
std::string_view next_word(std::string_view line, size_t *pos) {
  constexpr std::string_view kBlank = " \t\r\v\f\n";
  size_t b = line.find_first_not_of(kBlank, *pos);
  if (b == std::string_view::npos) return *pos = line.size(), std::string_view();
  size_t e = line.find_first_of(kBlank, b);
  if (e == std::string_view::npos) e = line.size();
  *pos = e;
  return line.substr(b, e - b);
}

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
  for_each_line(resolv, [&](std::string_view line) {
    size_t pos = 0;
    std::string_view k = next_word(line, &pos), v = next_word(line, &pos);
    if (k != "nameserver" || v.empty()) return;
    if (auto a = IpAddr::parse(v)) out.push_back(a.value());
  });
  return out;
}

std::string container_resolv_conf(const NetnsName &name, const std::vector<IpAddr> &servers) {
  return "# Written by vpnrun-hook: the name servers of VPN namespace '" + name.str() + "'.\n" +
         nameservers(servers);
}

std::string nsswitch_conf(std::string_view host_nsswitch) {
  std::string out = "# Written by vpnrun: the host's databases, but host names from DNS only.\n";
  bool have_hosts = false;
  for_each_line(host_nsswitch, [&](std::string_view line) {
    // glibc reads "hosts", optional blanks, ':'; and the last such line wins.
    size_t i = line.find_first_not_of(" \t");
    size_t colon = i == std::string::npos ? i : line.find_first_not_of(" \t", i + 5);
    if (i != std::string::npos && line.compare(i, 5, "hosts") == 0 && colon != std::string::npos &&
        line[colon] == ':') {
      if (!have_hosts) out += "hosts:          files dns\n";
      have_hosts = true;
      return;
    }
    out.append(line).append("\n");
  });
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
