// config: TOML text -> NamespaceConfig; every error names the key and its line.
#include "vpnrun/config.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vpnrun {
namespace {

const char *kSource = "/etc/vpnrun/test.toml";

const char *kFull = R"([uplink]
mode = "veth"
interface = "auto"
subnet = "auto"
[vpn]
type = "none"
config = ""
endpoints = ["198.51.100.1:1194/udp"]
tunnel = "auto"
[dns]
servers = ["198.51.100.53"]
[ipv6]
enable = false
[access]
users = []
groups = ["vpnrun"]
[containers]
enable = false
subnet = "10.251.0.0/16"
)";

std::vector<std::string> strs(const std::vector<IfPattern> &v) {
  std::vector<std::string> out;
  for (const auto &p : v) out.push_back(p.str());
  return out;
}

// The whole message of a config that must be refused.
std::string error_of(const std::string &text) {
  auto c = parse_config(text, kSource);
  if (c.ok()) return "<accepted>";
  EXPECT_EQ(c.error().op, "parse config");
  EXPECT_EQ(c.error().object, kSource);
  return c.error().detail;
}

// ---- good files -------------------------------------------------------------

TEST(Config, FullFile) {
  auto r = parse_config(kFull, kSource);
  ASSERT_TRUE(r.ok()) << r.error().message();
  const NamespaceConfig &c = r.value();
  EXPECT_EQ(c.uplink.mode, UplinkMode::veth);
  EXPECT_FALSE(c.uplink.interface.has_value());
  EXPECT_FALSE(c.uplink.subnet.has_value());
  EXPECT_EQ(c.vpn.type, VpnType::none);
  EXPECT_EQ(c.vpn.config, "");
  ASSERT_EQ(c.vpn.endpoints.size(), 1u);
  EXPECT_EQ(c.vpn.endpoints[0], Endpoint::parse("198.51.100.1:1194/udp").value());
  EXPECT_TRUE(c.vpn.tunnel.empty());
  ASSERT_EQ(c.dns.servers.size(), 1u);
  EXPECT_EQ(c.dns.servers[0].str(), "198.51.100.53");
  EXPECT_EQ(c.ipv6.enable, Ipv6Mode::off);
  EXPECT_TRUE(c.access.users.empty());
  EXPECT_EQ(c.access.groups, std::vector<std::string>{"vpnrun"});
  EXPECT_EQ(c.containers.subnet.str(), "10.251.0.0/16");
  EXPECT_FALSE(c.containers.enable);
}

TEST(Config, ContainersEnable) {
  auto r = parse_config("[containers]\nenable = true\n", kSource);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->containers.enable);
  EXPECT_EQ(r->containers.subnet.str(), "10.251.0.0/16");
  EXPECT_FALSE(parse_config("", kSource)->containers.enable) << "off by default";
  EXPECT_EQ(error_of("[containers]\nenable = \"yes\"\n"), "line 2: containers.enable: expected true or false");
}

TEST(Config, EmptyMeansDefaults) {
  auto r = parse_config("", kSource);
  ASSERT_TRUE(r.ok()) << r.error().message();
  const NamespaceConfig &c = r.value();
  EXPECT_EQ(c.uplink.mode, UplinkMode::veth);
  EXPECT_FALSE(c.uplink.interface.has_value());
  EXPECT_FALSE(c.uplink.subnet.has_value());
  EXPECT_EQ(c.vpn.type, VpnType::none);
  EXPECT_EQ(c.vpn.config, "");
  EXPECT_TRUE(c.vpn.endpoints.empty());
  EXPECT_TRUE(c.vpn.tunnel.empty());
  EXPECT_TRUE(c.dns.servers.empty());
  EXPECT_EQ(c.ipv6.enable, Ipv6Mode::automatic);
  EXPECT_TRUE(c.access.users.empty());
  EXPECT_EQ(c.access.groups, std::vector<std::string>{"vpnrun"});
  EXPECT_EQ(c.containers.subnet, IpNet::parse("10.251.0.0/16").value());
  EXPECT_EQ(c.containers.subnet.str(), "10.251.0.0/16");
}

TEST(Config, CommentsAndEmptyTablesAreDefaults) {
  auto r = parse_config("# nothing here\n[uplink]\n[vpn]\n", kSource);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->uplink.mode, UplinkMode::veth);
  EXPECT_EQ(r->vpn.type, VpnType::none);
  EXPECT_EQ(r->access.groups, std::vector<std::string>{"vpnrun"});
}

TEST(Config, ExplicitValues) {
  auto r = parse_config(R"([uplink]
mode = "tunnel"
interface = "eth1"
subnet = "10.250.7.0/30"
[vpn]
type = "wireguard"
config = "/etc/wireguard/wg0.conf"
endpoints = ["[2001:db8::1]:51820/udp", "203.0.113.5:443/tcp"]
tunnel = ["wg0", "tun*"]
[dns]
servers = ["198.51.100.53", "2001:db8::53"]
[ipv6]
enable = true
[access]
users = ["alice", "bob"]
groups = []
[containers]
subnet = "10.99.0.0/24"
)",
                        kSource);
  ASSERT_TRUE(r.ok()) << r.error().message();
  const NamespaceConfig &c = r.value();
  EXPECT_EQ(c.uplink.mode, UplinkMode::tunnel);
  ASSERT_TRUE(c.uplink.interface.has_value());
  EXPECT_EQ(c.uplink.interface->str(), "eth1");
  ASSERT_TRUE(c.uplink.subnet.has_value());
  EXPECT_EQ(c.uplink.subnet->str(), "10.250.7.0/30");
  EXPECT_EQ(c.vpn.type, VpnType::wireguard);
  EXPECT_EQ(c.vpn.config, "/etc/wireguard/wg0.conf");
  ASSERT_EQ(c.vpn.endpoints.size(), 2u);
  EXPECT_EQ(c.vpn.endpoints[0].str(), "[2001:db8::1]:51820/udp");
  EXPECT_EQ(c.vpn.endpoints[1].str(), "203.0.113.5:443/tcp");
  EXPECT_EQ(strs(c.vpn.tunnel), (std::vector<std::string>{"wg0", "tun*"}));
  ASSERT_EQ(c.dns.servers.size(), 2u);
  EXPECT_EQ(c.dns.servers[1].str(), "2001:db8::53");
  EXPECT_EQ(c.ipv6.enable, Ipv6Mode::on);
  EXPECT_EQ(c.access.users, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_TRUE(c.access.groups.empty());
  EXPECT_EQ(c.containers.subnet.str(), "10.99.0.0/24");
}

TEST(Config, SlashThirtyOneUplinkSubnet) {
  auto r = parse_config("[uplink]\nsubnet = \"10.250.0.0/31\"\n", kSource);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->uplink.subnet->len, 31);
}

TEST(Config, ToStringNames) {
  EXPECT_STREQ(to_string(UplinkMode::veth), "veth");
  EXPECT_STREQ(to_string(UplinkMode::tunnel), "tunnel");
  EXPECT_STREQ(to_string(VpnType::none), "none");
  EXPECT_STREQ(to_string(VpnType::openvpn), "openvpn");
  EXPECT_STREQ(to_string(VpnType::wireguard), "wireguard");
}

TEST(Config, ConfigPath) {
  EXPECT_EQ(config_path(NetnsName::parse("vpn").value()), "/etc/vpnrun/vpn.toml");
}

// ---- bad files: the key and the line --------------------------------------

TEST(Config, UnknownTopLevelTable) {
  EXPECT_EQ(error_of("[uplink]\nmode = \"veth\"\n[bogus]\nx = 1\n"),
            "line 3: unknown key 'bogus'");
}

TEST(Config, UnknownTopLevelKey) {
  EXPECT_EQ(error_of("\nname = \"vpn\"\n"), "line 2: unknown key 'name'");
}

TEST(Config, UnknownKeyInUplink) {
  EXPECT_EQ(error_of("[uplink]\nmode = \"veth\"\ninterfaces = \"eth0\"\n"),
            "line 3: unknown key 'uplink.interfaces'");
}

TEST(Config, UnknownKeyInEachSection) {
  EXPECT_EQ(error_of("[vpn]\nendpoint = []\n"), "line 2: unknown key 'vpn.endpoint'");
  EXPECT_EQ(error_of("[dns]\n\nserver = []\n"), "line 3: unknown key 'dns.server'");
  EXPECT_EQ(error_of("[ipv6]\nenabled = true\n"), "line 2: unknown key 'ipv6.enabled'");
  EXPECT_EQ(error_of("[access]\nuser = []\n"), "line 2: unknown key 'access.user'");
  EXPECT_EQ(error_of("[containers]\nsubnets = []\n"), "line 2: unknown key 'containers.subnets'");
}

TEST(Config, SectionThatIsNotATable) {
  EXPECT_EQ(error_of("uplink = \"eth0\"\n"), "line 1: uplink: expected a table [uplink]");
}

TEST(Config, WrongTypes) {
  EXPECT_EQ(error_of("[ipv6]\nenable = \"yes\"\n"), "line 2: ipv6.enable: expected \"auto\", true or false");
  EXPECT_EQ(error_of("[ipv6]\nenable = 1\n"), "line 2: ipv6.enable: expected \"auto\", true or false");
  EXPECT_EQ(error_of("[uplink]\n\nmode = 1\n"), "line 3: uplink.mode: expected a string");
  EXPECT_EQ(error_of("[uplink]\ninterface = true\n"),
            "line 2: uplink.interface: expected a string");
  EXPECT_EQ(error_of("[vpn]\ntype = [\"none\"]\n"), "line 2: vpn.type: expected a string");
  EXPECT_EQ(error_of("[vpn]\nendpoints = \"198.51.100.1:1194\"\n"),
            "line 2: vpn.endpoints: expected an array of strings");
  EXPECT_EQ(error_of("[access]\nusers = \"alice\"\n"),
            "line 2: access.users: expected an array of strings");
  EXPECT_EQ(error_of("[access]\ngroups = [\"a\",\n  5]\n"),
            "line 3: access.groups: expected an array of strings");
  EXPECT_EQ(error_of("[dns]\nservers = [1]\n"), "line 2: dns.servers: expected an array of strings");
  EXPECT_EQ(error_of("[containers]\nsubnet = 10\n"), "line 2: containers.subnet: expected a string");
  EXPECT_EQ(error_of("[vpn]\ntunnel = 5\n"), "line 2: vpn.tunnel: expected an array of strings");
}

TEST(Config, BadMode) {
  EXPECT_EQ(error_of("[uplink]\nmode = \"bridge\"\n"),
            "line 2: uplink.mode: 'bridge' is not \"veth\" or \"tunnel\"");
}

TEST(Config, BadType) {
  EXPECT_EQ(error_of("\n[vpn]\ntype = \"ipsec\"\n"),
            "line 3: vpn.type: 'ipsec' is not \"openvpn\", \"wireguard\" or \"none\"");
}

TEST(Config, BadEndpoint) {
  EXPECT_EQ(error_of("[vpn]\nendpoints = [\"198.51.100.1:1194/udp\", \"vpn.example.com:1194\"]\n"),
            "line 2: vpn.endpoints: 'vpn.example.com:1194': not an IP address (host names are "
            "not resolved here)");
  EXPECT_EQ(error_of("[vpn]\nendpoints = [\"198.51.100.1:0\"]\n"),
            "line 2: vpn.endpoints: '198.51.100.1:0': port must be 1-65535");
}

TEST(Config, BadDnsServer) {
  EXPECT_EQ(error_of("[dns]\nservers = [\"10.1\"]\n"),
            "line 2: dns.servers: '10.1': not an IPv4 or IPv6 address");
}

TEST(Config, BadInterface) {
  EXPECT_EQ(error_of("[uplink]\ninterface = \"eth0;x\"\n"),
            "line 2: uplink.interface: may contain only letters, digits and '_.-@+'");
}

TEST(Config, UplinkSubnetMustBeSlash30Or31) {
  EXPECT_EQ(error_of("[uplink]\nsubnet = \"10.250.0.0/29\"\n"),
            "line 2: uplink.subnet: must be an IPv4 /30 or /31");
  EXPECT_EQ(error_of("[uplink]\nsubnet = \"10.250.0.1/32\"\n"),
            "line 2: uplink.subnet: must be an IPv4 /30 or /31");
  EXPECT_EQ(error_of("[uplink]\nsubnet = \"fd00::/126\"\n"),
            "line 2: uplink.subnet: must be an IPv4 /30 or /31");
  EXPECT_EQ(error_of("[uplink]\nsubnet = \"10.250.0.1/30\"\n"),
            "line 2: uplink.subnet: host bits set (did you mean 10.250.0.0/30?)");
}

TEST(Config, ContainersSubnet) {
  EXPECT_EQ(error_of("[containers]\nsubnet = \"10.251.0.0/31\"\n"),
            "line 2: containers.subnet: must be an IPv4 prefix of /30 or larger");
  EXPECT_EQ(error_of("[containers]\nsubnet = \"fd00::/64\"\n"),
            "line 2: containers.subnet: must be an IPv4 prefix of /30 or larger");
  EXPECT_EQ(error_of("[containers]\nsubnet = \"auto\"\n"),
            "line 2: containers.subnet: expected ADDRESS/LENGTH");
}

TEST(Config, RelativeVpnConfigPath) {
  EXPECT_EQ(error_of("[vpn]\ntype = \"openvpn\"\nconfig = \"client.ovpn\"\n"),
            "line 3: vpn.config: must be an absolute path");
  EXPECT_EQ(error_of("[vpn]\nconfig = \"../etc/x\"\n"), "line 2: vpn.config: must be an absolute path");
}

TEST(Config, BadTunnelPattern) {
  EXPECT_EQ(error_of("[vpn]\ntunnel = \"*\"\n"), "line 2: vpn.tunnel: empty prefix");
  EXPECT_EQ(error_of("[vpn]\ntunnel = [\"wg0\", \"t un\"]\n"),
            "line 2: vpn.tunnel: may contain only letters, digits and '_.-@+'");
}

TEST(Config, TomlSyntaxErrorReportsLine) {
  std::string d = error_of("[uplink]\nmode = \"veth\"\n\nsubnet = \n");
  EXPECT_EQ(d.rfind("line 4: ", 0), 0u) << d;
  d = error_of("[uplink]\nmode = \"veth\n");
  EXPECT_EQ(d.rfind("line 2: ", 0), 0u) << d;
  d = error_of("[uplink]\nmode = \"veth\"\n[uplink]\n");
  EXPECT_EQ(d.rfind("line 3: ", 0), 0u) << d;
}

TEST(Config, ErrorMessageNamesTheFile) {
  auto r = parse_config("[uplink]\nmode = \"bridge\"\n", kSource);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "parse config('/etc/vpnrun/test.toml'): line 2: uplink.mode: 'bridge' is not "
            "\"veth\" or \"tunnel\"");
}

// ---- tunnel_patterns --------------------------------------------------------

std::vector<std::string> patterns(const std::string &text) {
  auto r = parse_config(text, kSource);
  EXPECT_TRUE(r.ok()) << r.error().message();
  if (!r.ok()) return {"<error>"};
  return strs(r->tunnel_patterns(NetnsName::parse("office").value()));
}

constexpr const char *kOvpn = "[vpn]\ntype = \"openvpn\"\nconfig = \"/etc/openvpn/c.conf\"\n";
constexpr const char *kWg = "[vpn]\ntype = \"wireguard\"\nconfig = \"/etc/wireguard/wg0.conf\"\n";

TEST(TunnelPatterns, AutoByType) {
  using V = std::vector<std::string>;
  EXPECT_EQ(patterns(""), (V{"tun*", "wg*"}));
  EXPECT_EQ(patterns("[vpn]\ntype = \"none\"\ntunnel = \"auto\"\n"), (V{"tun*", "wg*"}));
  // A client vpnrun starts: exactly its device.
  EXPECT_EQ(patterns(kOvpn), (V{"tun-office"}));
  EXPECT_EQ(patterns(kWg), (V{"wg-office"}));
  EXPECT_EQ(patterns(std::string(kWg) + "tunnel = [\"auto\"]\n"), (V{"wg-office"}));
}

TEST(TunnelPatterns, ClientDeviceNamesFitAndDiffer) {
  auto longer = NetnsName::parse("provider-europe").value();
  auto other = NetnsName::parse("provider-eu").value();
  EXPECT_EQ(tunnel_ifname(longer, VpnType::wireguard).str().size(), 15u);
  EXPECT_EQ(tunnel_ifname(other, VpnType::wireguard).str(), "wg-provider-eu");
  EXPECT_NE(tunnel_ifname(longer, VpnType::openvpn).str(), tunnel_ifname(other, VpnType::openvpn).str());
}

TEST(Config, ClientTypeNeedsItsConfig) {
  EXPECT_EQ(error_of("[vpn]\ntype = \"openvpn\"\n"), "line 1: vpn.config: required when type is \"openvpn\"");
}

TEST(TunnelPatterns, ExplicitString) {
  using V = std::vector<std::string>;
  EXPECT_EQ(patterns(std::string(kOvpn) + "tunnel = \"tap0\"\n"), (V{"tap0"}));
  EXPECT_EQ(patterns(std::string(kWg) + "tunnel = \"wgvpn*\"\n"), (V{"wgvpn*"}));
}

TEST(TunnelPatterns, ExplicitArray) {
  using V = std::vector<std::string>;
  EXPECT_EQ(patterns(std::string(kOvpn) + "tunnel = [\"tun0\", \"tap*\"]\n"), (V{"tun0", "tap*"}));
}

TEST(TunnelPatterns, ProgrammaticConfig) {
  NamespaceConfig c;
  const auto vpn = NetnsName::parse("vpn").value();
  c.vpn.type = VpnType::openvpn;
  EXPECT_EQ(strs(c.tunnel_patterns(vpn)), std::vector<std::string>{"tun-vpn"});
  c.vpn.tunnel.push_back(IfPattern::parse("ovpn0").value());
  EXPECT_EQ(strs(c.tunnel_patterns(vpn)), std::vector<std::string>{"ovpn0"});
}

}  // namespace
}  // namespace vpnrun

namespace vpnrun {
namespace {

TEST(Config, EmptyTunnelListIsRefused) {
  EXPECT_EQ(error_of("[vpn]\ntunnel = []\n"),
            "line 2: vpn.tunnel: empty; use \"auto\" or name the tunnel interface");
}

TEST(Config, UplinkSubnetMustNotOverlapContainers) {
  EXPECT_EQ(error_of("[uplink]\nsubnet = \"10.251.0.0/30\"\n"),
            "uplink.subnet 10.251.0.0/30 overlaps containers.subnet 10.251.0.0/16");
  EXPECT_TRUE(parse_config("[uplink]\nsubnet = \"10.251.0.0/30\"\n[containers]\nsubnet = \"10.252.0.0/16\"\n",
                           kSource).ok());
}

}  // namespace
}  // namespace vpnrun

namespace vpnrun {
namespace {

TEST(GlobalConfig, DefaultsAndValues) {
  auto d = parse_global_config("", "/etc/vpnrun/vpnrun.toml");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->default_netns, "vpn");
  EXPECT_TRUE(d->single_instance.empty());
  auto v = parse_global_config("default_netns = \"work\"\nsingle_instance = [\"thunderbird\"]\n", "g");
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->default_netns, "work");
  EXPECT_EQ(v->single_instance, std::vector<std::string>{"thunderbird"});
}

TEST(GlobalConfig, ErrorsNameKeyAndLine) {
  auto msg = [](const char *text) {
    auto r = parse_global_config(text, "/etc/vpnrun/vpnrun.toml");
    return r.ok() ? std::string("<accepted>") : r.error().detail;
  };
  EXPECT_EQ(msg("netns = \"x\"\n"), "line 1: unknown key 'netns'");
  EXPECT_EQ(msg("\ndefault_netns = \"a/b\"\n"),
            "line 2: default_netns: may contain only letters, digits and '_.-'");
  EXPECT_EQ(msg("default_netns = \"vpnrun\"\n"),
            "line 1: default_netns: reserved: /etc/vpnrun/vpnrun.toml is vpnrun's own config");
  EXPECT_EQ(msg("single_instance = [\"/usr/bin/x\"]\n"), "line 1: single_instance: '/usr/bin/x' is not a program name");
}

// toml++ 3.3.0 has undefined behaviour when it asks whether certain non-ASCII
// characters are whitespace (found by tests/fuzz: config); it gets the same
// document in ASCII (toml_text_test.cpp). What it means stays the same.
TEST(Config, NonAsciiInStringsAndCommentsMeansWhatItSays_FoundByFuzzing) {
  auto r = parse_config("\xef\xbb\xbf# Zugang f\xc3\xbcr J\xc3\xb6rg \xe2\xb1\xa0\n"
                        "[access]\n"
                        "users = [\"j\xc3\xb6rg\", '\xef\xbb\xb7\\'] # \xc2\xa7\n"
                        "groups = [\"\"\"g\xc3\xbc\\\\\n\xc3\xbc\"\"\"]\n",
                        kSource);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->access.users, (std::vector<std::string>{"j\xc3\xb6rg", "\xef\xbb\xb7\\"}));
  EXPECT_EQ(r->access.groups, (std::vector<std::string>{"g\xc3\xbc\\\n\xc3\xbc"}));
  // Where TOML allows none, and the input the fuzzer found.
  EXPECT_EQ(error_of("[dns]\nservers = [ \xc2\xa7 ]\n"),
            "line 2: a non-ASCII character outside a string or comment");
  EXPECT_EQ(error_of("\xef\xbb\xb7ink = 1\n"), "line 1: a non-ASCII character outside a string or comment");
  EXPECT_EQ(error_of("[access]\nusers = [\"j\xf6rg\"]\n"), "line 2: not UTF-8");
  auto g = parse_global_config("default_netns = \"vpn\" \xc2\xa0\n", "/etc/vpnrun/vpnrun.toml");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().detail, "line 1: a non-ASCII character outside a string or comment");
}

}  // namespace
}  // namespace vpnrun
