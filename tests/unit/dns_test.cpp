// dns: the namespace's resolv.conf, nsswitch.conf and hosts contents.
#include "vpnrun/dns.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace vpnrun {
namespace {

const NetnsName kName = NetnsName::parse("vpn").value();
const std::string kHeader =
    "# Written by vpnrun: the host's databases, but host names from DNS only.\n";
const std::string kHosts = "hosts:          files dns\n";

std::vector<std::string> lines(const std::string &text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Lines that configure the hosts database, after leading blanks.
std::vector<std::string> hosts_lines(const std::string &text) {
  std::vector<std::string> out;
  for (const auto &l : lines(text)) {
    size_t i = l.find_first_not_of(" \t");
    if (i != std::string::npos && l.compare(i, 5, "hosts") == 0) out.push_back(l);
  }
  return out;
}

// The services glibc (2.33+, nss/nss_database.c process_line) would use for
// the hosts database: the name runs to a blank or ':', then blanks and colons
// are skipped, and the last matching line wins.
std::string glibc_hosts_services(const std::string &text) {
  std::string result = "<none>";
  for (const auto &l : lines(text)) {
    size_t i = l.find_first_not_of(" \t\r\v\f");
    if (i == std::string::npos) continue;
    size_t e = l.find_first_of(" \t\r\v\f:", i);
    if (e == std::string::npos || e == i) continue;
    std::string name = l.substr(i, e - i);
    size_t v = l.find_first_not_of(" \t\r\v\f:", e);
    if (name == "hosts") result = v == std::string::npos ? "" : l.substr(v);
  }
  return result;
}

// ---- resolv.conf -----------------------------------------------------------

TEST(ResolvConf, ListsNameserversInOrder) {
  std::string r = resolv_conf(kName, {IpAddr::parse("198.51.100.53").value(),
                                      IpAddr::parse("2001:db8::53").value()});
  EXPECT_EQ(r,
            "# Written by vpnrun for namespace 'vpn'; `vpnrun down vpn` removes it.\n"
            "nameserver 198.51.100.53\n"
            "nameserver 2001:db8::53\n");
}

TEST(ResolvConf, NoServersMeansNoNameserverLines) {
  std::string r = resolv_conf(kName, {});
  EXPECT_EQ(r.find("nameserver"), std::string::npos) << r;
  EXPECT_EQ(r,
            "# Written by vpnrun for namespace 'vpn'; `vpnrun down vpn` removes it.\n"
            "# No [dns] servers configured: name lookups in the namespace fail.\n");
}

// ---- nsswitch.conf ---------------------------------------------------------

TEST(NsswitchConf, ReplacesHostsLineKeepsOthers) {
  const std::string host =
      "# /etc/nsswitch.conf\n"
      "passwd:         files systemd\n"
      "group:          files systemd\n"
      "hosts:          files mdns4_minimal [NOTFOUND=return] resolve [!UNAVAIL=return] myhostname dns\n"
      "networks:       files\n";
  EXPECT_EQ(nsswitch_conf(host), kHeader +
                                     "# /etc/nsswitch.conf\n"
                                     "passwd:         files systemd\n"
                                     "group:          files systemd\n" +
                                     kHosts + "networks:       files\n");
}

TEST(NsswitchConf, ReplacesIndentedHostsLine) {
  const std::string host = "passwd: files\n  \thosts: files resolve\ngroup: files\n";
  EXPECT_EQ(nsswitch_conf(host), kHeader + "passwd: files\n" + kHosts + "group: files\n");
}

TEST(NsswitchConf, SeveralHostsLinesBecomeOne) {
  const std::string host =
      "hosts: files mdns4\n"
      "passwd: files\n"
      "hosts: resolve myhostname\n"
      "   hosts: dns\n";
  std::string out = nsswitch_conf(host);
  EXPECT_EQ(out, kHeader + kHosts + "passwd: files\n");
  EXPECT_EQ(hosts_lines(out), std::vector<std::string>{"hosts:          files dns"});
  EXPECT_EQ(glibc_hosts_services(out), "files dns");
}

TEST(NsswitchConf, AddsHostsLineWhenMissing) {
  EXPECT_EQ(nsswitch_conf("passwd: files\ngroup: files\n"),
            kHeader + "passwd: files\ngroup: files\n" + kHosts);
  EXPECT_EQ(nsswitch_conf(""), kHeader + kHosts);
}

TEST(NsswitchConf, CommentedHostsLineIsKeptAndHostsAdded) {
  std::string out = nsswitch_conf("# hosts: files resolve\npasswd: files\n");
  EXPECT_EQ(out, kHeader + "# hosts: files resolve\npasswd: files\n" + kHosts);
}

TEST(NsswitchConf, SimilarNamesAreNotHosts) {
  // "hosts_extra:" and "shosts:" are other databases; only `hosts:` is replaced.
  std::string out = nsswitch_conf("shosts: files\nnetgroup: files\n");
  EXPECT_EQ(out, kHeader + "shosts: files\nnetgroup: files\n" + kHosts);
}

TEST(NsswitchConf, LastLineWithoutNewline) {
  EXPECT_EQ(nsswitch_conf("passwd: files\nhosts: files resolve"), kHeader + "passwd: files\n" + kHosts);
}

TEST(NsswitchConf, EffectiveHostsServicesAreFilesDns) {
  for (const std::string host :
       {"", "hosts: files resolve\n", "passwd: files\n", "\thosts:\tfiles mdns4 dns\n",
        "hosts: a\nhosts: b\n", "hosts : files resolve\n", "hosts files resolve\n"}) {
    EXPECT_EQ(glibc_hosts_services(nsswitch_conf(host)), "files dns") << testing::PrintToString(host);
  }
}

// glibc takes "hosts", optional blanks, then ':'; the last hosts line wins. No
// such line of the host's survives.
TEST(NsswitchConf, LaterVariantHostsLineDoesNotOverride) {
  const std::string host = "hosts: files dns\npasswd: files\nhosts : files resolve myhostname\n";
  std::string out = nsswitch_conf(host);
  EXPECT_EQ(glibc_hosts_services(out), "files dns") << out;
  EXPECT_EQ(out.find("resolve"), std::string::npos) << out;
}

// ---- hosts and the dispatcher ----------------------------------------------

TEST(DnsFiles, HostsFile) {
  EXPECT_EQ(hosts_file(), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
}

TEST(DnsFiles, ContentByName) {
  std::vector<IpAddr> servers{IpAddr::parse("198.51.100.53").value()};
  EXPECT_EQ(dns_file_content("resolv.conf", kName, servers, ""), resolv_conf(kName, servers));
  EXPECT_EQ(dns_file_content("nsswitch.conf", kName, servers, "hosts: resolve\n"),
            kHeader + kHosts);
  EXPECT_EQ(dns_file_content("hosts", kName, servers, ""), hosts_file());
}

TEST(DnsFiles, EtcNetnsDir) { EXPECT_EQ(etc_netns_dir(kName), "/etc/netns/vpn"); }

}  // namespace
}  // namespace vpnrun

namespace vpnrun {
namespace {

TEST(DnsFiles, ParseNameservers) {
  auto got = parse_nameservers(
      "# comment\nnameserver 10.8.0.1\n  nameserver   2001:db8::53  # trailing\nsearch example.org\n"
      "nameserver not-an-address\nnameserver\noptions edns0\nnameserver 198.51.100.53");
  std::vector<std::string> s;
  for (const auto &a : got) s.push_back(a.str());
  EXPECT_EQ(s, (std::vector<std::string>{"10.8.0.1", "2001:db8::53", "198.51.100.53"}));
  EXPECT_TRUE(parse_nameservers("").empty());
}

TEST(DnsFiles, ContainerResolvConf) {
  const NetnsName n = NetnsName::parse("vpn").value();
  EXPECT_EQ(container_resolv_conf(n, {IpAddr::parse("10.8.0.1").value()}),
            "# Written by vpnrun-hook: the name servers of VPN namespace 'vpn'.\nnameserver 10.8.0.1\n");
  EXPECT_NE(std::string::npos, container_resolv_conf(n, {}).find("name lookups in the namespace fail"));
}

}  // namespace
}  // namespace vpnrun
