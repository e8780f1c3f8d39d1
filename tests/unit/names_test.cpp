// names: untrusted strings become NetnsName / IfName / IfPattern, or are refused.
#include "vpnrun/names.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vpnrun {
namespace {

const std::string k15 = "abcdefghijklmno";   // 15: the longest allowed
const std::string k16 = "abcdefghijklmnop";  // 16: one too many

// ---- NetnsName --------------------------------------------------------------

TEST(NetnsName, AcceptsOrdinaryNames) {
  for (const std::string s : {"vpn", "a", "0", "my-vpn_1.x", "VPN2", "a.b-c_d"}) {
    auto n = NetnsName::parse(s);
    ASSERT_TRUE(n.ok()) << s << ": " << n.error().message();
    EXPECT_EQ(n->str(), s);
  }
}

TEST(NetnsName, AcceptsFifteenCharacters) {
  ASSERT_EQ(k15.size(), 15u);
  auto n = NetnsName::parse(k15);
  ASSERT_TRUE(n.ok()) << n.error().message();
  EXPECT_EQ(n->str(), k15);
}

TEST(NetnsName, RefusesSixteenCharactersAndMore) {
  ASSERT_EQ(k16.size(), 16u);
  auto n = NetnsName::parse(k16);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().detail, "longer than 15 characters");
  EXPECT_FALSE(NetnsName::parse(std::string(200, 'a')).ok());
}

TEST(NetnsName, RefusesEmpty) {
  auto n = NetnsName::parse("");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().op, "parse namespace name");
  EXPECT_EQ(n.error().detail, "empty name");
}

TEST(NetnsName, RefusesDotAndDotDot) {
  for (const std::string s : {".", ".."}) {
    auto n = NetnsName::parse(s);
    ASSERT_FALSE(n.ok()) << s;
    EXPECT_EQ(n.error().detail, "must start with a letter or a digit") << s;
  }
}

TEST(NetnsName, RefusesPathSeparators) {
  for (const std::string s : {"a/b", "/vpn", "vpn/", "../etc", "a\\b"}) {
    auto n = NetnsName::parse(s);
    ASSERT_FALSE(n.ok()) << s;
    EXPECT_EQ(n.error().detail, "may contain only letters, digits and '_.-'") << s;
  }
}

TEST(NetnsName, RefusesControlCharacters) {
  for (const std::string &s : {std::string("a\nb"), std::string("a\tb"), std::string("\x01"),
                               std::string("a\x7f"), std::string("a\0b", 3), std::string("a b")}) {
    auto n = NetnsName::parse(s);
    ASSERT_FALSE(n.ok()) << "accepted a name with byte values " << testing::PrintToString(s);
  }
}

TEST(NetnsName, ErrorNeverEchoesControlCharacters) {
  auto n = NetnsName::parse("a\nb");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().object, "a\\x0ab");
  EXPECT_EQ(n.error().message().find('\n'), std::string::npos);
}

TEST(NetnsName, RefusesLeadingDashOrDot) {
  for (const std::string s : {"-vpn", ".vpn", "-", "_vpn"}) {
    auto n = NetnsName::parse(s);
    ASSERT_FALSE(n.ok()) << s;
    EXPECT_EQ(n.error().detail, "must start with a letter or a digit") << s;
  }
}

TEST(NetnsName, RefusesNonAscii) {
  for (const std::string s : {"vpn\xc3\xa9", "\xc3\xa9vpn", "v\xffn", "\xe2\x80\x8bvpn"}) {
    auto n = NetnsName::parse(s);
    ASSERT_FALSE(n.ok()) << testing::PrintToString(s);
  }
  auto n = NetnsName::parse("vpn\xc3\xa9");
  EXPECT_EQ(n.error().object, "vpn\\xc3\\xa9");
}

TEST(NetnsName, RefusesCharactersNftOrShellWouldInterpret) {
  for (const std::string s : {"a*", "a;b", "a\"b", "a'b", "a$b", "a@b", "a+b", "a:b"}) {
    EXPECT_FALSE(NetnsName::parse(s).ok()) << s;
  }
}

TEST(NetnsName, Equality) {
  EXPECT_EQ(NetnsName::parse("vpn").value(), NetnsName::parse("vpn").value());
  EXPECT_FALSE(NetnsName::parse("vpn").value() == NetnsName::parse("VPN").value());
}

// ---- IfName -----------------------------------------------------------------

TEST(IfName, AcceptsKernelStyleNames) {
  for (const std::string s : {"eth0", "a", "wg0", "tun0", "vr-vpn", "br-lan.10", "veth@1",
                              "ppp+x", "my_if"}) {
    auto n = IfName::parse(s);
    ASSERT_TRUE(n.ok()) << s << ": " << n.error().message();
    EXPECT_EQ(n->str(), s);
  }
  EXPECT_TRUE(IfName::parse(k15).ok());
}

TEST(IfName, RefusesBadNames) {
  struct Case {
    std::string in, detail;
  } cases[] = {
      {"", "empty name"},
      {".", "not a valid interface name"},
      {"..", "not a valid interface name"},
      {k16, "longer than 15 characters"},
      {"a/b", "may contain only letters, digits and '_.-@+'"},
      {"a b", "may contain only letters, digits and '_.-@+'"},
      {"a\nb", "may contain only letters, digits and '_.-@+'"},
      {"a\tb", "may contain only letters, digits and '_.-@+'"},
      {"\x01", "may contain only letters, digits and '_.-@+'"},
      {"a:b", "may contain only letters, digits and '_.-@+'"},
      {"eth\xc3\xa9", "may contain only letters, digits and '_.-@+'"},
      {"wg*", "may contain only letters, digits and '_.-@+'"},
  };
  for (const auto &c : cases) {
    auto n = IfName::parse(c.in);
    ASSERT_FALSE(n.ok()) << testing::PrintToString(c.in);
    EXPECT_EQ(n.error().op, "parse interface name");
    EXPECT_EQ(n.error().detail, c.detail) << testing::PrintToString(c.in);
  }
}

// The header documents IfName as "1-15 of [A-Za-z0-9_.-@+]" with no rule on the
// first character (the kernel accepts "-x"). Pin that down so a change is deliberate.
TEST(IfName, LeadingDashOrDotIsAcceptedAsDocumented) {
  EXPECT_TRUE(IfName::parse("-x").ok());
  EXPECT_TRUE(IfName::parse(".x").ok());
}

// ---- IfPattern --------------------------------------------------------------

TEST(IfPattern, AcceptsNamesAndPrefixes) {
  for (const std::string &s : std::vector<std::string>{"wg*", "tun*", "wg0", "t*", "vr-*", k15, k15 + "*"}) {
    auto p = IfPattern::parse(s);
    ASSERT_TRUE(p.ok()) << s << ": " << p.error().message();
    EXPECT_EQ(p->str(), s);
  }
}

TEST(IfPattern, RefusesBadPatterns) {
  struct Case {
    std::string in, detail;
  } cases[] = {
      {"", "empty prefix"},
      {"*", "empty prefix"},
      {"w*g", "may contain only letters, digits and '_.-@+'"},
      {"wg**", "may contain only letters, digits and '_.-@+'"},
      {"*wg", "may contain only letters, digits and '_.-@+'"},
      {"wg\n*", "may contain only letters, digits and '_.-@+'"},
      {"a\"b", "may contain only letters, digits and '_.-@+'"},
      {k16, "longer than 15 characters"},
      {k16 + "*", "longer than 15 characters"},
  };
  for (const auto &c : cases) {
    auto p = IfPattern::parse(c.in);
    ASSERT_FALSE(p.ok()) << testing::PrintToString(c.in);
    EXPECT_EQ(p.error().detail, c.detail) << testing::PrintToString(c.in);
  }
}

TEST(IfPattern, PrefixMatches) {
  auto p = IfPattern::parse("wg*").value();
  EXPECT_TRUE(p.matches("wg0"));
  EXPECT_TRUE(p.matches("wg"));
  EXPECT_TRUE(p.matches("wg-long-name"));
  EXPECT_FALSE(p.matches("w"));
  EXPECT_FALSE(p.matches("tun0"));
  EXPECT_FALSE(p.matches("xwg0"));
  EXPECT_FALSE(p.matches("WG0"));
  EXPECT_FALSE(p.matches(""));
}

TEST(IfPattern, ExactMatches) {
  auto p = IfPattern::parse("tun0").value();
  EXPECT_TRUE(p.matches("tun0"));
  EXPECT_FALSE(p.matches("tun"));
  EXPECT_FALSE(p.matches("tun01"));
  EXPECT_FALSE(p.matches("tun*"));
}

}  // namespace
}  // namespace vpnrun

namespace vpnrun {
namespace {

TEST(IfPattern, RefusesDotNames) {
  for (const char *s : {".", ".."}) {
    auto p = IfPattern::parse(s);
    ASSERT_FALSE(p.ok()) << s;
    EXPECT_EQ(p.error().detail, "not a valid interface name");
  }
}

// ---- ContainerId -------------------------------------------------------------

TEST(ContainerId, AcceptsRuntimeIds) {
  for (const std::string &s : std::vector<std::string>{"2b368ac518a1b1233010ab673470daa0960b3377b9f824f46d00dcc3e4a88923",
                              "rc-test-1", "a", "my_ctr.1+x", std::string(128, 'z')}) {
    auto id = ContainerId::parse(s);
    ASSERT_TRUE(id.ok()) << s << ": " << id.error().message();
    EXPECT_EQ(id->str(), s);
  }
  EXPECT_EQ(ContainerId::parse("2b368ac518a1b1233010")->short_id(), "2b368ac518a1");
  EXPECT_EQ(ContainerId::parse("abc")->short_id(), "abc");
}

TEST(ContainerId, RefusesWhatCouldEscapeADirectory) {
  EXPECT_EQ(ContainerId::parse("").error().detail, "empty id");
  EXPECT_EQ(ContainerId::parse(std::string(129, 'a')).error().detail, "longer than 128 characters");
  for (const std::string &s : std::vector<std::string>{"..", ".", ".hidden", "a/b", "a b", std::string("a\0b", 3), "a\nb", "caf\xc3\xa9"})
    EXPECT_FALSE(ContainerId::parse(s).ok()) << s;
}

}  // namespace
}  // namespace vpnrun
