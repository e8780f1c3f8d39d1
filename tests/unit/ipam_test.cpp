// ipam: leases over a temporary directory, one process and many at once.
#include "vpnrun/ipam.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace vpnrun {
namespace {

namespace fs = std::filesystem;

IpNet N(const char *s) { return IpNet::parse(s).value(); }
ContainerId C(const std::string &s) { return ContainerId::parse(s).value(); }
const Ipam::StaleCheck kNeverStale = [](const std::string &) -> Result<bool> { return false; };

class IpamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vpnrun-ipam-XXXXXX";
    ASSERT_NE(nullptr, mkdtemp(tmpl));
    root_ = tmpl;
    dir_ = root_ + "/ns/vpn";  // made by open, parents too
  }
  void TearDown() override { fs::remove_all(root_); }
  size_t leases_on_disk() const {
    size_t n = 0;
    if (fs::exists(dir_ + "/addr"))
      for ([[maybe_unused]] const auto &e : fs::directory_iterator(dir_ + "/addr")) ++n;
    return n;
  }
  std::string root_, dir_;
};

TEST(IpamPool, GatewayAndCapacity) {
  EXPECT_EQ(Ipam::gateway(N("10.251.0.0/16")).str(), "10.251.0.1");
  EXPECT_EQ(Ipam::capacity(N("10.251.0.0/16")), 65533u);
  EXPECT_EQ(Ipam::capacity(N("10.99.0.0/24")), 253u);
  EXPECT_EQ(Ipam::capacity(N("10.99.0.0/30")), 1u);
  EXPECT_EQ(Ipam::capacity(N("10.99.0.0/31")), 0u);
  EXPECT_EQ(Ipam::capacity(N("fd00::/64")), 0u);
}

TEST_F(IpamTest, LeasesAreUniqueUntilThePoolIsFull) {
  auto ipam = Ipam::open(dir_);
  ASSERT_TRUE(ipam.ok()) << ipam.error().message();
  std::set<std::string> got;
  for (int i = 0; i < 5; ++i) {
    auto a = ipam->lease(N("10.99.0.0/29"), C("c" + std::to_string(i)), kNeverStale);
    ASSERT_TRUE(a.ok()) << a.error().message();
    got.insert(a->str());
  }
  EXPECT_EQ(got, (std::set<std::string>{"10.99.0.2", "10.99.0.3", "10.99.0.4", "10.99.0.5", "10.99.0.6"}));
  auto full = ipam->lease(N("10.99.0.0/29"), C("c5"), kNeverStale);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().message(),
            "lease address('10.99.0.0/29'): every address is leased (5); run `vpnrun gc` or use a larger "
            "[containers] subnet");
  EXPECT_EQ(leases_on_disk(), 5u);
}

TEST_F(IpamTest, SearchStartsAfterTheLastLease) {
  auto ipam = Ipam::open(dir_);
  ASSERT_TRUE(ipam.ok());
  auto a = ipam->lease(N("10.99.0.0/24"), C("a"), kNeverStale);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->str(), "10.99.0.2");
  ASSERT_TRUE(ipam->release(a.value(), "a").ok());
  // Not handed out again at once: the next search starts after it.
  EXPECT_EQ(ipam->lease(N("10.99.0.0/24"), C("b"), kNeverStale)->str(), "10.99.0.3");
  EXPECT_EQ(leases_on_disk(), 1u);
}

TEST_F(IpamTest, ReleaseOnlyByTheHolder) {
  auto ipam = Ipam::open(dir_);
  ASSERT_TRUE(ipam.ok());
  IpAddr a = ipam->lease(N("10.99.0.0/24"), C("a"), kNeverStale).value();
  EXPECT_TRUE(ipam->release(a, "b").ok());
  EXPECT_EQ(leases_on_disk(), 1u);
  EXPECT_TRUE(ipam->release(a, "a").ok());
  EXPECT_EQ(leases_on_disk(), 0u);
  EXPECT_TRUE(ipam->release(a, "a").ok()) << "releasing twice is fine";
}

TEST_F(IpamTest, StaleLeaseInTheWayIsReclaimedLiveOneIsNot) {
  const IpNet pool = N("10.99.0.0/30");  // one address
  {
    auto ipam = Ipam::open(dir_);
    ASSERT_TRUE(ipam.ok());
    ASSERT_TRUE(ipam->lease(pool, C("old"), kNeverStale).ok());
    std::vector<std::string> asked;
    auto busy = ipam->lease(pool, C("new"), [&](const std::string &h) -> Result<bool> {
      asked.push_back(h);
      return false;
    });
    EXPECT_FALSE(busy.ok());
    EXPECT_EQ(asked, std::vector<std::string>{"old"});
    auto got = ipam->lease(pool, C("new"), [](const std::string &) -> Result<bool> { return true; });
    ASSERT_TRUE(got.ok()) << got.error().message();
    EXPECT_EQ(got->str(), "10.99.0.2");
    EXPECT_EQ(ipam->leases()->at(0).second, "new");
  }
  // A lease file left empty by a crash (O_EXCL done, write not) is reclaimed
  // without asking anyone.
  std::ofstream(dir_ + "/addr/10.99.0.2", std::ios::trunc);
  auto ipam = Ipam::open(dir_);
  ASSERT_TRUE(ipam.ok());
  bool asked = false;
  auto got = ipam->lease(pool, C("third"), [&](const std::string &) -> Result<bool> {
    asked = true;
    return false;
  });
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_FALSE(asked);
}

TEST_F(IpamTest, Records) {
  auto ipam = Ipam::open(dir_);
  ASSERT_TRUE(ipam.ok());
  EXPECT_FALSE(ipam->read_record(C("x"))->has_value());
  ASSERT_TRUE(ipam->write_record(C("x"), "one\n").ok());
  ASSERT_TRUE(ipam->write_record(C("x"), "two\n").ok());
  EXPECT_EQ(ipam->read_record(C("x"))->value(), "two\n");
  ASSERT_TRUE(ipam->write_record(C("y"), "y\n").ok());
  EXPECT_EQ(ipam->records()->size(), 2u);
  ASSERT_TRUE(ipam->remove_record(C("x")).ok());
  ASSERT_TRUE(ipam->remove_record(C("x")).ok());
  EXPECT_EQ(ipam->records()->size(), 1u);
  ASSERT_TRUE(ipam->remove().ok());
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(IpamTest, UnfinishedRecordOfAWriterThatDiedIsRemoved) {
  auto ipam = Ipam::open(dir_);
  ASSERT_TRUE(ipam.ok());
  ASSERT_TRUE(ipam->write_record(C("x"), "x\n").ok());
  // A hook killed between creating the new text and renaming it into place.
  std::ofstream(dir_ + "/ctr/.new-y") << "half";
  EXPECT_EQ(ipam->records()->size(), 1u);
  EXPECT_FALSE(fs::exists(dir_ + "/ctr/.new-y"));
  EXPECT_EQ(ipam->read_record(C("x"))->value(), "x\n");
}

// A hook killed between creating a netns index entry and writing it leaves
// an empty file (found by the hook's kill trials); only such entries go.
TEST_F(IpamTest, EmptyNetnsIndexEntryOfAWriterThatDiedIsDropped) {
  auto ipam = Ipam::open(dir_);
  ASSERT_TRUE(ipam.ok());
  ASSERT_TRUE(ipam->index_netns(11, C("x")).ok());
  std::ofstream(dir_ + "/netns/12").flush();
  ASSERT_TRUE(ipam->drop_damaged_netns_entry(11).ok());
  ASSERT_TRUE(ipam->drop_damaged_netns_entry(12).ok());
  ASSERT_TRUE(ipam->drop_damaged_netns_entry(13).ok());
  EXPECT_EQ(ipam->netns_holder(11)->value_or(""), "x");
  EXPECT_FALSE(fs::exists(dir_ + "/netns/12"));
  EXPECT_EQ(ipam->netns_index()->size(), 1u);
}

TEST_F(IpamTest, LockWaitIsBounded) {
  auto held = Ipam::open(dir_);
  ASSERT_TRUE(held.ok());
  pid_t pid = fork();
  if (pid == 0) {
    auto other = Ipam::open(dir_, 50);
    _exit(!other.ok() && other.error().detail == "still held by another process after 50 ms" ? 0 : 1);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

TEST_F(IpamTest, HundredConcurrentLeasesAreUniqueThenAllReleased) {
  const IpNet pool = N("10.99.0.0/24");
  constexpr int kN = 100;
  int p[2];
  ASSERT_EQ(0, pipe(p));
  std::vector<pid_t> kids;
  for (int i = 0; i < kN; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      close(p[0]);
      auto ipam = Ipam::open(dir_);
      if (!ipam) _exit(2);
      auto a = ipam->lease(pool, C("ctr" + std::to_string(i)), kNeverStale);
      if (!a) _exit(3);
      uint32_t v = a->v4_host();
      _exit(write(p[1], &v, sizeof v) == sizeof v ? 0 : 4);
    }
    kids.push_back(pid);
  }
  close(p[1]);
  for (pid_t k : kids) {
    int st = 0;
    waitpid(k, &st, 0);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "child status " << st;
  }
  std::set<uint32_t> got;
  uint32_t v;
  while (read(p[0], &v, sizeof v) == sizeof v) got.insert(v);
  close(p[0]);
  EXPECT_EQ(got.size(), static_cast<size_t>(kN));
  EXPECT_EQ(leases_on_disk(), static_cast<size_t>(kN));

  auto ipam = Ipam::open(dir_);
  ASSERT_TRUE(ipam.ok());
  auto all = ipam->leases();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), static_cast<size_t>(kN));
  for (const auto &[addr, holder] : all.value()) {
    EXPECT_TRUE(pool.contains(addr));
    EXPECT_TRUE(ipam->release(addr, holder).ok());
  }
  EXPECT_EQ(leases_on_disk(), 0u);
}

}  // namespace
}  // namespace vpnrun
