// addr: IpAddr, IpNet and Endpoint parse strictly; prefixes compare correctly.
#include "vpnrun/addr.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

namespace vpnrun {
namespace {

IpAddr A(const char *s) { return IpAddr::parse(s).value(); }
IpNet N(const char *s) { return IpNet::parse(s).value(); }

// ---- IpAddr -----------------------------------------------------------------

TEST(IpAddr, ParsesIpv4) {
  auto a = IpAddr::parse("198.51.100.7");
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->family, AF_INET);
  EXPECT_EQ(a->size(), 4u);
  EXPECT_EQ(a->bytes[0], 198);
  EXPECT_EQ(a->bytes[1], 51);
  EXPECT_EQ(a->bytes[2], 100);
  EXPECT_EQ(a->bytes[3], 7);
  for (size_t i = 4; i < 16; ++i) EXPECT_EQ(a->bytes[i], 0) << i;
  EXPECT_EQ(a->v4_host(), 0xc6336407u);
  EXPECT_EQ(a->str(), "198.51.100.7");
}

TEST(IpAddr, ParsesIpv6) {
  auto a = IpAddr::parse("2001:db8::1");
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->family, AF_INET6);
  EXPECT_EQ(a->size(), 16u);
  EXPECT_EQ(a->bytes[0], 0x20);
  EXPECT_EQ(a->bytes[1], 0x01);
  EXPECT_EQ(a->bytes[2], 0x0d);
  EXPECT_EQ(a->bytes[3], 0xb8);
  EXPECT_EQ(a->bytes[15], 0x01);
  EXPECT_EQ(a->str(), "2001:db8::1");
  EXPECT_EQ(IpAddr::parse("2001:DB8:0:0::1")->str(), "2001:db8::1");
}

TEST(IpAddr, V4RoundTrip) {
  IpAddr a = IpAddr::v4(0x0afa0001u);
  EXPECT_EQ(a.family, AF_INET);
  EXPECT_EQ(a.str(), "10.250.0.1");
  EXPECT_EQ(a, A("10.250.0.1"));
  EXPECT_EQ(a.v4_host(), 0x0afa0001u);
}

TEST(IpAddr, RefusesMalformed) {
  for (const char *s : {"", "10.1", "10", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ",
                        " 1.2.3.4", "010.1.1.1", "0x0a.1.1.1", "1.2.3.4/32", "host.example",
                        "2001:db8::1::2", "2001:db8::g", ":", "[2001:db8::1]", "1.2.3.4%eth0"}) {
    auto a = IpAddr::parse(s);
    EXPECT_FALSE(a.ok()) << "accepted '" << s << "' as " << a->str();
  }
  auto a = IpAddr::parse("10.1");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().message(), "parse address('10.1'): not an IPv4 or IPv6 address");
}

TEST(IpAddr, EqualityIncludesFamily) {
  EXPECT_EQ(A("10.0.0.1"), A("10.0.0.1"));
  EXPECT_NE(A("10.0.0.1"), A("10.0.0.2"));
  EXPECT_NE(A("::"), A("0.0.0.0"));
}

// ---- IpNet ------------------------------------------------------------------

TEST(IpNet, ParsesPrefixes) {
  auto n = IpNet::parse("10.250.0.0/30");
  ASSERT_TRUE(n.ok()) << n.error().message();
  EXPECT_EQ(n->addr, A("10.250.0.0"));
  EXPECT_EQ(n->len, 30);
  EXPECT_EQ(n->str(), "10.250.0.0/30");

  EXPECT_EQ(N("0.0.0.0/0").len, 0);
  EXPECT_EQ(N("10.250.0.1/32").len, 32);
  EXPECT_EQ(N("10.251.0.0/16").str(), "10.251.0.0/16");
  EXPECT_EQ(N("2001:db8::/32").addr.family, AF_INET6);
  EXPECT_EQ(N("2001:db8::/32").len, 32);
  EXPECT_EQ(N("::/0").len, 0);
  EXPECT_EQ(N("2001:db8::1/128").len, 128);
  EXPECT_EQ(N("10.128.0.0/9").len, 9);
}

TEST(IpNet, RefusesHostBits) {
  auto n = IpNet::parse("10.250.0.1/30");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().detail, "host bits set (did you mean 10.250.0.0/30?)");
  EXPECT_FALSE(IpNet::parse("10.129.0.0/9").ok());
  EXPECT_FALSE(IpNet::parse("11.0.0.0/7").ok());
  EXPECT_TRUE(IpNet::parse("10.0.0.0/7").ok());  // 10 = 0b00001010: no host bit
  EXPECT_FALSE(IpNet::parse("0.0.0.1/0").ok());
  auto v6 = IpNet::parse("2001:db8::1/64");
  ASSERT_FALSE(v6.ok());
  EXPECT_EQ(v6.error().detail, "host bits set (did you mean 2001:db8::/64?)");
}

TEST(IpNet, RefusesBadLengthAndShape) {
  struct Case {
    const char *in, *detail;
  } cases[] = {
      {"1.2.3.4/33", "bad prefix length"},
      {"::/129", "bad prefix length"},
      {"10.0.0.0/", "bad prefix length"},
      {"10.0.0.0/-1", "bad prefix length"},
      {"10.0.0.0/+8", "bad prefix length"},
      {"10.0.0.0/8x", "bad prefix length"},
      {"10.0.0.0/ 8", "bad prefix length"},
      {"10.0.0.0/4294967304", "bad prefix length"},  // 2^32 + 8 must not wrap to 8
      {"10.0.0.0", "expected ADDRESS/LENGTH"},
      {"", "expected ADDRESS/LENGTH"},
      {"10.1/16", "not an IPv4 or IPv6 address"},
      {"/8", "not an IPv4 or IPv6 address"},
  };
  for (const auto &c : cases) {
    auto n = IpNet::parse(c.in);
    ASSERT_FALSE(n.ok()) << c.in;
    EXPECT_EQ(n.error().detail, c.detail) << c.in;
  }
}

TEST(IpNet, Contains) {
  IpNet n = N("10.250.0.0/30");
  EXPECT_TRUE(n.contains(A("10.250.0.0")));
  EXPECT_TRUE(n.contains(A("10.250.0.3")));
  EXPECT_FALSE(n.contains(A("10.250.0.4")));
  EXPECT_FALSE(n.contains(A("10.251.0.1")));
  EXPECT_FALSE(n.contains(A("::ffff:10.250.0.1")));  // other family
  EXPECT_TRUE(N("0.0.0.0/0").contains(A("203.0.113.9")));
  EXPECT_FALSE(N("0.0.0.0/0").contains(A("2001:db8::1")));
  EXPECT_TRUE(N("10.128.0.0/9").contains(A("10.255.255.255")));
  EXPECT_FALSE(N("10.128.0.0/9").contains(A("10.127.255.255")));
  EXPECT_TRUE(N("2001:db8::/32").contains(A("2001:db8:ffff::1")));
  EXPECT_FALSE(N("2001:db8::/32").contains(A("2001:db9::1")));
  EXPECT_TRUE(N("10.250.0.1/32").contains(A("10.250.0.1")));
  EXPECT_FALSE(N("10.250.0.1/32").contains(A("10.250.0.0")));
}

TEST(IpNet, Overlaps) {
  IpNet big = N("10.0.0.0/8");
  IpNet transit = N("10.250.0.0/30");
  IpNet next = N("10.250.0.4/30");
  IpNet containers = N("10.251.0.0/16");
  EXPECT_TRUE(big.overlaps(transit));
  EXPECT_TRUE(transit.overlaps(big));  // symmetric
  EXPECT_TRUE(transit.overlaps(transit));
  EXPECT_FALSE(transit.overlaps(next));
  EXPECT_FALSE(next.overlaps(transit));
  EXPECT_FALSE(transit.overlaps(containers));
  EXPECT_TRUE(N("0.0.0.0/0").overlaps(containers));
  EXPECT_FALSE(N("0.0.0.0/0").overlaps(N("::/0")));  // families never overlap
  EXPECT_TRUE(N("2001:db8::/32").overlaps(N("2001:db8:1::/48")));
  EXPECT_FALSE(N("2001:db8::/48").overlaps(N("2001:db8:1::/48")));
}

// ---- Endpoint ---------------------------------------------------------------

TEST(Endpoint, ParsesIpv4WithProtocol) {
  auto e = Endpoint::parse("198.51.100.1:1194/tcp");
  ASSERT_TRUE(e.ok()) << e.error().message();
  EXPECT_EQ(e->addr, A("198.51.100.1"));
  EXPECT_EQ(e->port, 1194);
  EXPECT_EQ(e->proto, Proto::tcp);
  EXPECT_EQ(e->str(), "198.51.100.1:1194/tcp");
}

TEST(Endpoint, ProtocolDefaultsToUdp) {
  auto e = Endpoint::parse("198.51.100.1:1194");
  ASSERT_TRUE(e.ok()) << e.error().message();
  EXPECT_EQ(e->proto, Proto::udp);
  EXPECT_EQ(e->str(), "198.51.100.1:1194/udp");
}

TEST(Endpoint, ParsesBracketedIpv6) {
  auto e = Endpoint::parse("[2001:db8::1]:51820/udp");
  ASSERT_TRUE(e.ok()) << e.error().message();
  EXPECT_EQ(e->addr, A("2001:db8::1"));
  EXPECT_EQ(e->addr.family, AF_INET6);
  EXPECT_EQ(e->port, 51820);
  EXPECT_EQ(e->proto, Proto::udp);
  EXPECT_EQ(e->str(), "[2001:db8::1]:51820/udp");
}

TEST(Endpoint, PortLimits) {
  EXPECT_EQ(Endpoint::parse("198.51.100.1:1")->port, 1);
  EXPECT_EQ(Endpoint::parse("198.51.100.1:65535")->port, 65535);
  for (const char *s : {"198.51.100.1:0", "198.51.100.1:65536", "198.51.100.1:99999",
                        "198.51.100.1:-1", "198.51.100.1:+80", "198.51.100.1:0x50",
                        "198.51.100.1: 80", "[2001:db8::1]:0/udp"}) {
    auto e = Endpoint::parse(s);
    ASSERT_FALSE(e.ok()) << "accepted " << s;
    EXPECT_EQ(e.error().detail, "port must be 1-65535") << s;
  }
}

TEST(Endpoint, RefusesMalformed) {
  struct Case {
    const char *in, *detail;
  } cases[] = {
      {"198.51.100.1", "expected ADDRESS:PORT[/udp|/tcp]"},
      {"198.51.100.1/udp", "expected ADDRESS:PORT[/udp|/tcp]"},
      {"198.51.100.1:", "port must be 1-65535"},
      {"198.51.100.1:1194/icmp", "protocol must be udp or tcp"},
      {"198.51.100.1:1194/UDP", "protocol must be udp or tcp"},
      {"198.51.100.1:1194/", "protocol must be udp or tcp"},
      {"2001:db8::1:51820/udp", "write IPv6 as [ADDRESS]:PORT"},
      {"[2001:db8::1]/udp", "expected [IPV6]:PORT"},
      {"[2001:db8::1]51820", "expected [IPV6]:PORT"},
      {"[2001:db8::1:51820", "expected [IPV6]:PORT"},
      {"vpn.example.com:1194/udp", "not an IP address (host names are not resolved here)"},
      {"10.1:1194", "not an IP address (host names are not resolved here)"},
      {":1194", "not an IP address (host names are not resolved here)"},
      {"", "expected ADDRESS:PORT[/udp|/tcp]"},
  };
  for (const auto &c : cases) {
    auto e = Endpoint::parse(c.in);
    ASSERT_FALSE(e.ok()) << "accepted " << c.in;
    EXPECT_EQ(e.error().op, "parse endpoint");
    EXPECT_EQ(e.error().object, c.in);
    EXPECT_EQ(e.error().detail, c.detail) << c.in;
  }
}

TEST(Endpoint, ProtoName) {
  EXPECT_STREQ(proto_name(Proto::udp), "udp");
  EXPECT_STREQ(proto_name(Proto::tcp), "tcp");
}

}  // namespace
}  // namespace vpnrun

namespace vpnrun {
namespace {

TEST(Endpoint, BracketsAreForIpv6Only) {
  auto e = Endpoint::parse("[198.51.100.1]:80/tcp");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message(),
            "parse endpoint('[198.51.100.1]:80/tcp'): brackets are for IPv6 addresses only");
}

}  // namespace
}  // namespace vpnrun
