// Client configs: what vpnrun reads from them, what it refuses, and what it
// hands to `wg setconf` and OpenVPN.
#include <gtest/gtest.h>

#include "vpnrun/process.hpp"
#include "vpnrun/vpn.hpp"

namespace vpnrun {
namespace {

constexpr const char *kWg = R"(# provider's file
[Interface]
PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
Address = 10.9.0.2/32, 2001:db8:9::2/128
DNS = 10.9.0.1, corp.example
MTU = 1380

[Peer]
PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
Endpoint = vpn.example.net:51820   # a name, pinned at up
AllowedIPs = 0.0.0.0/0, ::/0
PersistentKeepalive = 25
)";

TEST(WgQuick, ReadsWhatVpnrunApplies) {
  auto r = parse_wg_quick(kWg, "wg.conf");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->addresses.size(), 2u);
  EXPECT_EQ(r->addresses[0].str(), "10.9.0.2/32");
  EXPECT_EQ(r->addresses[1].str(), "2001:db8:9::2/128");
  EXPECT_TRUE(r->has_ipv6());
  ASSERT_EQ(r->dns.size(), 1u) << "a search domain is not a server";
  EXPECT_EQ(r->dns[0].str(), "10.9.0.1");
  EXPECT_EQ(r->mtu, 1380u);
  ASSERT_EQ(r->remotes.size(), 1u);
  EXPECT_EQ(r->remotes[0], (Remote{"vpn.example.net", 51820, Proto::udp}));
}

TEST(WgQuick, SetconfHasOnlyWgKeysAndThePinnedEndpoint) {
  auto r = parse_wg_quick(kWg, "wg.conf");
  ASSERT_TRUE(r.ok());
  std::string out = render_wg_setconf(r.value(), {Endpoint::parse("198.51.100.1:51820/udp").value()});
  EXPECT_EQ(out,
            "[Interface]\n"
            "PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n"
            "[Peer]\n"
            "PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
            "Endpoint = 198.51.100.1:51820\n"
            "AllowedIPs = 0.0.0.0/0, ::/0\n"
            "PersistentKeepalive = 25\n");
  std::string v6 = render_wg_setconf(r.value(), {Endpoint::parse("[2001:db8::1]:51820/udp").value()});
  EXPECT_NE(v6.find("Endpoint = [2001:db8::1]:51820\n"), std::string::npos) << v6;
}

std::string wg_error(const std::string &text) {
  auto r = parse_wg_quick(text, "wg.conf");
  return r.ok() ? "<accepted>" : r.error().detail;
}

TEST(WgQuick, RefusesWhatItCannotHonour) {
  const std::string head = "[Interface]\nPrivateKey = k\nAddress = 10.9.0.2/32\n";
  const std::string peer = "[Peer]\nPublicKey = p\nEndpoint = 198.51.100.1:51820\n";
  EXPECT_EQ(wg_error(head + "PostUp = iptables -A ...\n" + peer),
            "line 4: 'postup' is wg-quick's and not supported by vpnrun; remove it");
  EXPECT_EQ(wg_error(head + "Table = off\n" + peer),
            "line 4: 'table' is wg-quick's and not supported by vpnrun; remove it");
  EXPECT_EQ(wg_error(head + "Colour = blue\n" + peer), "line 4: unknown key 'colour' in [Interface]");
  EXPECT_EQ(wg_error(head + peer + "Endpoint = nowhere\n"), "line 7: expected HOST:PORT: 'nowhere'");
  EXPECT_EQ(wg_error(head + peer + "Endpoint = h:0\n"), "line 7: port must be 1-65535: 'h:0'");
  EXPECT_EQ(wg_error("[Interface]\nPrivateKey = k\n" + peer), "[Interface] has no Address");
  EXPECT_EQ(wg_error(head), "no [Peer] has an Endpoint");
  EXPECT_EQ(wg_error(head + "[Interface]\n"), "line 4: a second [Interface]");
  EXPECT_EQ(wg_error("Address = 10.9.0.2/32\n"), "line 1: 'address' outside a section");
  EXPECT_EQ(wg_error(head + "MTU = 9\n" + peer), "line 4: MTU must be 1280-65535");
  EXPECT_EQ(wg_error("[Interface]\nAddress = 10.9.0.300/32\n"),
            "line 2: Address '10.9.0.300/32': not an IPv4 or IPv6 address");
}

constexpr const char *kOvpn = R"(client
dev tun
proto udp
remote vpn.example.net 1194
remote 203.0.113.9 443 tcp-client
port 1195
remote 198.51.100.1
script-security 2
up /etc/openvpn/update-resolv-conf
down /etc/openvpn/update-resolv-conf
user nobody
verb 3
<ca>
-----BEGIN CERTIFICATE-----
remote evil.example 1
-----END CERTIFICATE-----
</ca>
)";

TEST(OpenVpn, RemotesWithTheirDefaults) {
  auto r = parse_openvpn(kOvpn, "c.ovpn");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->remotes.size(), 3u) << "nothing inside an inline block is a directive";
  EXPECT_EQ(r->remotes[0], (Remote{"vpn.example.net", 1194, Proto::udp}));
  EXPECT_EQ(r->remotes[1], (Remote{"203.0.113.9", 443, Proto::tcp}));
  EXPECT_EQ(r->remotes[2], (Remote{"198.51.100.1", 1195, Proto::udp})) << "port applies to remotes without one";
}

TEST(OpenVpn, VpnrunsDeviceScriptsAndRemotesReplaceTheConfigs) {
  auto r = parse_openvpn(kOvpn, "c.ovpn");
  ASSERT_TRUE(r.ok());
  std::string out = render_openvpn(r.value(),
                                   {Endpoint::parse("198.51.100.1:1194/udp").value(),
                                    Endpoint::parse("203.0.113.9:443/tcp").value()},
                                   {"dev tun-vpn", "up \"/usr/bin/vpnrun openvpn-up vpn\""});
  for (const char *gone : {"dev tun\n", "script-security 2\n", "up /etc/openvpn", "down /etc", "user nobody",
                           "remote vpn.example.net", "remote 198.51.100.1\n"})
    EXPECT_EQ(out.find(gone), std::string::npos) << gone << " in\n" << out;
  for (const char *kept : {"client\n", "proto udp\n", "verb 3\n", "<ca>\n", "remote evil.example 1\n",
                           "</ca>\n", "remote 198.51.100.1 1194 udp\n", "remote 203.0.113.9 443 tcp-client\n",
                           "dev tun-vpn\n", "up \"/usr/bin/vpnrun openvpn-up vpn\"\n"})
    EXPECT_NE(out.find(kept), std::string::npos) << kept << " not in\n" << out;
  // vpnrun's own lines come last: OpenVPN takes the last of a single-valued option.
  EXPECT_GT(out.find("dev tun-vpn"), out.find("</ca>"));
}

std::string ovpn_error(const std::string &text) {
  auto r = parse_openvpn(text, "c.ovpn");
  return r.ok() ? "<accepted>" : r.error().detail;
}

TEST(OpenVpn, Refusals) {
  EXPECT_EQ(ovpn_error("client\n"), "no remote");
  EXPECT_EQ(ovpn_error("remote h 1194\n<connection>\nremote x\n</connection>\n"),
            "line 2: <connection> blocks are not supported; use remote lines");
  EXPECT_EQ(ovpn_error("remote h 1194\n<ca>\nxx\n"), "<ca> is not closed");
  EXPECT_EQ(ovpn_error("remote h 70000\n"), "line 1: remote port must be 1-65535");
  EXPECT_EQ(ovpn_error("remote h 1194 sctp\n"), "line 1: unknown proto 'sctp'");
  EXPECT_EQ(ovpn_error("remote h\nserver 10.8.0.0 255.255.255.0\n"),
            "line 2: 'server' is a server directive; vpnrun runs OpenVPN as a client");
  EXPECT_EQ(ovpn_error("remote h\ntls-verify /bin/check\n"),
            "line 2: 'tls-verify' runs a script, which vpnrun does not do; remove it");
}

// A line of vertical tabs or form feeds was not blank to the trimming but had
// no word: the parser read the first word of an empty list (found by
// tests/fuzz: openvpn).
TEST(OpenVpn, LinesOfOtherBlanksAreBlank_FoundByFuzzing) {
  auto r = parse_openvpn("client\n\v\n\f \t\r\n \v remote 198.51.100.1 \f\n", "c.ovpn");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->lines, (std::vector<std::string>{"client"}));
  EXPECT_EQ(r->remotes, (std::vector<Remote>{{"198.51.100.1", 1194, Proto::udp}}));
  auto wg = parse_wg_quick("[Interface]\n\v\nAddress = 10.9.0.2\f\n[Peer]\nEndpoint = h:1\n", "wg.conf");
  ASSERT_TRUE(wg.ok()) << wg.error().message();
  EXPECT_EQ(wg->addresses[0].str(), "10.9.0.2/32");
}

TEST(Pin, NumericHostsAreTakenAsTheyAre) {
  auto e = pin(Remote{"198.51.100.1", 1194, Proto::udp}, false);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->str(), "198.51.100.1:1194/udp");
  auto v6 = pin(Remote{"2001:db8::1", 51820, Proto::udp}, false);
  ASSERT_FALSE(v6.ok());
  EXPECT_NE(v6.error().detail.find("veth uplink"), std::string::npos);
  EXPECT_TRUE(pin(Remote{"2001:db8::1", 51820, Proto::udp}, true).ok());
  EXPECT_TRUE(pin(Remote{"localhost", 1, Proto::tcp}, false).ok()) << "names resolve on the host";
}

TEST(ProcessId, ParsesOnlyItsOwnForm) {
  auto p = ProcessId::parse("1234:987654");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->pid, 1234);
  EXPECT_EQ(p->start, 987654u);
  EXPECT_EQ(p->str(), "1234:987654");
  for (const char *bad : {"", "1234", ":5", "12:", "1:5", "-3:5", "12:x", "99999999999999999999:1"})
    EXPECT_FALSE(ProcessId::parse(bad).ok()) << bad;
}

TEST(ProcessId, OurOwnProcessIsAliveAndAWrongStartIsNot) {
  auto start = process_start_time(::getpid());
  ASSERT_TRUE(start.ok());
  EXPECT_TRUE(process_alive(ProcessId{::getpid(), start.value()}));
  EXPECT_FALSE(process_alive(ProcessId{::getpid(), start.value() + 1})) << "a recycled pid is another process";
}

}  // namespace
}  // namespace vpnrun
