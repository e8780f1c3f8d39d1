// journal: entry lines parse and print back; malformed lines are refused.
// (The Journal file itself lives under /run/vpnrun: integration tests cover it.)
#include "vpnrun/journal.hpp"
#include "vpnrun/ipam.hpp"
#include "vpnrun/shared.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vpnrun {
namespace {

TEST(JournalEntry, LineFormat) {
  EXPECT_EQ((JournalEntry{"up", {}}).line(), "up\n");
  EXPECT_EQ((JournalEntry{"link", {"vr-vpn"}}).line(), "link vr-vpn\n");
  EXPECT_EQ((JournalEntry{"sysctl", {"ipv4/ip_forward", "0"}}).line(), "sysctl ipv4/ip_forward 0\n");
}

TEST(JournalEntry, RoundTripEveryKind) {
  const std::vector<JournalEntry> all = {
      {"netns", {"vpn"}},
      {"link", {"vr-vpn"}},
      {"sysctl", {"ipv4/conf/eth0/forwarding", "0"}},
      {"nft-table", {"ip", "vpnrun"}},
      {"nft-elem", {"allowed", "vr-vpn,eth0,198.51.100.1,udp,1194"}},
      {"nft-elem", {"nat", "10.250.0.0/30,eth0"}},
      {"nft-elem", {"guarded", "eth0"}},
      {"dir", {"/etc/netns/vpn"}},
      {"file", {"/etc/netns/vpn/resolv.conf"}},
      {"ns-sysctl", {"ipv6/conf/all/disable_ipv6", "0"}},
      {"ns-nft", {"inet", "vpnrun"}},
      {"info", {"transit", "10.250.0.0/30"}},
      {"up", {}},
  };
  for (const auto &e : all) {
    auto p = JournalEntry::parse(e.line());
    ASSERT_TRUE(p.ok()) << e.line() << ": " << p.error().message();
    EXPECT_EQ(p.value(), e) << e.line();
    EXPECT_EQ(p->line(), e.line());
  }
}

TEST(JournalEntry, ParseWithoutNewlineAndExtraBlanks) {
  auto p = JournalEntry::parse("sysctl  ipv4/ip_forward\t1");
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->kind, "sysctl");
  EXPECT_EQ(p->args, (std::vector<std::string>{"ipv4/ip_forward", "1"}));
}

TEST(JournalEntry, ArityErrors) {
  for (const char *line : {"up now", "netns", "netns a b", "link", "link a b", "dir", "file",
                           "sysctl key", "sysctl k v extra", "nft-table ip", "nft-table ip t x",
                           "nft-elem guarded", "nft-elem nat a b",
                           "ns-sysctl k", "ns-nft inet", "info key", "info key two words"}) {
    auto p = JournalEntry::parse(line);
    ASSERT_FALSE(p.ok()) << "accepted '" << line << "'";
    EXPECT_EQ(p.error().op, "read journal");
    EXPECT_EQ(p.error().detail, "unknown or malformed entry") << line;
  }
}

TEST(JournalEntry, UnknownKindsAndEmpty) {
  // "nft FAMILY TABLE" was the entry before the host table was shared.
  for (const char *line : {"", "\n", "   ", "route default", "UP", "bogus x y", "# up",
                           "nft ip vpnrun-vpn"}) {
    auto p = JournalEntry::parse(line);
    EXPECT_FALSE(p.ok()) << "accepted '" << line << "'";
  }
}

TEST(JournalEntry, TornLineIsRefused) {
  // A crash mid-write can leave "sysctl ipv4/ip_forw": one argument short.
  EXPECT_FALSE(JournalEntry::parse("sysctl ipv4/ip_forw").ok());
  EXPECT_FALSE(JournalEntry::parse("ns-nf").ok());
}

TEST(JournalEntry, SharedKey) {
  EXPECT_EQ((JournalEntry{"sysctl", {"ipv4/ip_forward", "0"}}).shared_key(), "sysctl ipv4/ip_forward");
  EXPECT_EQ((JournalEntry{"dir", {"/etc/netns/vpn"}}).shared_key(), "dir /etc/netns/vpn");
  // The original value is not part of the key: two namespaces share one sysctl.
  EXPECT_EQ((JournalEntry{"sysctl", {"ipv4/ip_forward", "1"}}).shared_key(),
            (JournalEntry{"sysctl", {"ipv4/ip_forward", "0"}}).shared_key());
  // The shared host table, and an uplink's guard, which several namespaces may need.
  EXPECT_EQ((JournalEntry{"nft-table", {"ip", "vpnrun"}}).shared_key(), "nft-table ip vpnrun");
  EXPECT_EQ((JournalEntry{"nft-elem", {"guarded", "eth0"}}).shared_key(), "nft-elem guarded eth0");
  EXPECT_NE((JournalEntry{"nft-elem", {"guarded", "eth0"}}).shared_key(),
            (JournalEntry{"nft-elem", {"guarded", "eth1"}}).shared_key());
  // A namespace's own objects are never shared.
  const std::vector<JournalEntry> own = {
      {"netns", {"vpn"}},
      {"link", {"vr-vpn"}},
      {"file", {"/etc/netns/vpn/hosts"}},
      {"nft-elem", {"nat", "10.250.0.0/30,eth0"}},
      {"nft-elem", {"allowed", "vr-vpn,eth0,198.51.100.1,udp,1194"}},
      {"ns-sysctl", {"ipv4/ip_forward", "0"}},
      {"ns-nft", {"inet", "vpnrun"}},
      {"info", {"uplink", "eth0"}},
      {"up", {}},
  };
  for (const JournalEntry &e : own) {
    EXPECT_EQ(e.shared_key(), "") << e.line();
  }
}

TEST(Journal, Dir) {
  EXPECT_EQ(Journal::dir(NetnsName::parse("vpn").value()), "/run/vpnrun/vpn");
}

// vpnrun's own files beside the journals: no namespace may be named like them
// (a namespace called "shared" once collided with the shared index).
TEST(Journal, OwnFilesAreNotNamespaceNames) {
  for (std::string path : {SharedIndex::path(), std::string(kContainersDir)}) {
    ASSERT_EQ(path.rfind(std::string(kRunDir) + "/", 0), 0u) << path;
    std::string base = path.substr(std::string(kRunDir).size() + 1);
    EXPECT_FALSE(NetnsName::parse(base)) << base;
  }
}

}  // namespace
}  // namespace vpnrun
