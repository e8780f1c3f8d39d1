// topology: the pure parts only (host veth names, the list of `up` steps).
#include "vpnrun/topology.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace vpnrun {
namespace {

std::string veth(const char *name) { return host_veth_name(NetnsName::parse(name).value()).str(); }

TEST(HostVethName, ShortNamesArePrefixed) {
  EXPECT_EQ(veth("vpn"), "vr-vpn");
  EXPECT_EQ(veth("a"), "vr-a");
  EXPECT_EQ(veth("abcdefghijkl"), "vr-abcdefghijkl");  // 12: the longest kept whole
  EXPECT_EQ(veth("abcdefghijkl").size(), 15u);
}

TEST(HostVethName, LongNamesAreShortenedWithAHash) {
  // "vr-" + 7 characters + "+" + 4 hex digits of FNV-1a over the whole name.
  EXPECT_EQ(veth("abcdefghijklm"), "vr-abcdefg+56e8");    // 13
  EXPECT_EQ(veth("abcdefghijklmno"), "vr-abcdefg+d327");  // 15
  for (const char *n : {"abcdefghijklm", "abcdefghijklmn", "abcdefghijklmno"}) {
    std::string v = veth(n);
    EXPECT_EQ(v.size(), 15u) << n;
    EXPECT_TRUE(IfName::parse(v).ok()) << v;
  }
}

TEST(HostVethName, Deterministic) {
  EXPECT_EQ(veth("longnamealpha"), veth("longnamealpha"));
  EXPECT_EQ(veth("longnamealpha"), "vr-longnam+58dc");
}

TEST(HostVethName, SharedPrefixDiffers) {
  EXPECT_EQ(veth("longnamealpha"), "vr-longnam+58dc");
  EXPECT_EQ(veth("longnamebravo"), "vr-longnam+06bc");
  EXPECT_NE(veth("longnamealpha"), veth("longnamebravo"));
  // Names differing only after the 7-character prefix, in their last character.
  std::set<std::string> seen;
  for (char c = 'a'; c <= 'z'; ++c) {
    std::string n = std::string("vpnprefixname") + c;  // 14 characters
    seen.insert(host_veth_name(NetnsName::parse(n).value()).str());
  }
  EXPECT_EQ(seen.size(), 26u);
}

// A 12-character name is kept whole; a shortened long name uses '+', which no
// namespace name contains, so the two forms never meet.
TEST(HostVethName, ShortNameNeverCollidesWithShortenedLongName) {
  EXPECT_EQ(veth("abcdefghijklm"), "vr-abcdefg+56e8");
  EXPECT_NE(veth("abcdefg-56e8"), veth("abcdefghijklm"));
  EXPECT_EQ(veth("abcdefg-56e8"), "vr-abcdefg-56e8");
}

TEST(UpSteps, OrderedList) {
  EXPECT_EQ(up_steps(), (std::vector<std::string>{"journal", "netns", "ns-sysctl", "loopback",
                                                  "killswitch", "containers", "veth",
                                                  "addresses", "route", "host-nat", "forwarding",
                                                  "dns", "client", "commit"}));
}

TEST(UpSteps, KillSwitchBeforeAnyUplink) {
  const auto &s = up_steps();
  auto at = [&](const char *n) {
    for (size_t i = 0; i < s.size(); ++i)
      if (s[i] == n) return i;
    ADD_FAILURE() << "no step " << n;
    return s.size();
  };
  // Fail closed: the namespace has its kill switch before it has a way out.
  EXPECT_LT(at("killswitch"), at("veth"));
  EXPECT_LT(at("killswitch"), at("route"));
  // Forwarding for containers is turned on only once their rules are loaded.
  EXPECT_LT(at("killswitch"), at("containers"));
  EXPECT_LT(at("journal"), at("netns"));
  EXPECT_EQ(s.back(), "commit");
  EXPECT_EQ(std::set<std::string>(s.begin(), s.end()).size(), s.size()) << "step names are unique";
}

}  // namespace
}  // namespace vpnrun
