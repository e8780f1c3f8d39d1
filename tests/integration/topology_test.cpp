// up / down: no residue, idempotence, rollback from every step, repair, and
// several namespaces side by side.
#include <gtest/gtest.h>

#include "harness.hpp"
#include "vpnrun/topology.hpp"

using vt::diff;
using vt::sh;
using vt::snapshot;
using vt::run;

namespace {

class Topology : public ::testing::Test {
 protected:
  void SetUp() override { base_ = snapshot(); }
  void TearDown() override {
    // Each test leaves the sandbox as it found it.
    EXPECT_EQ("", diff(base_, snapshot())) << "residue after the test";
  }
  std::string base_;
};

TEST_F(Topology, UpThenDownLeavesNoResidue) {
  auto u = run("up vpn");
  ASSERT_EQ(0, u.code) << u.err;
  EXPECT_NE("", diff(base_, snapshot()));
  EXPECT_EQ(0, run("status vpn").code);
  auto d = run("down vpn");
  ASSERT_EQ(0, d.code) << d.err;
  EXPECT_EQ("'vpn' is down\n", d.out);
  EXPECT_EQ("", diff(base_, snapshot()));
}

TEST_F(Topology, UpTwiceChangesNothing) {
  ASSERT_EQ(0, run("up vpn").code);
  std::string after_first = snapshot();
  auto again = run("up vpn");
  EXPECT_EQ(0, again.code) << again.err;
  EXPECT_EQ("'vpn' is already up\n", again.out);
  EXPECT_EQ("", diff(after_first, snapshot()));
  ASSERT_EQ(0, run("down vpn").code);
}

TEST_F(Topology, DownTwiceAndDownOfUnknownSucceed) {
  ASSERT_EQ(0, run("up vpn").code);
  EXPECT_EQ(0, run("down vpn").code);
  auto second = run("down vpn");
  EXPECT_EQ(0, second.code) << second.err;
  EXPECT_EQ("'vpn' was not up\n", second.out);
  EXPECT_EQ(0, run("down never-made").code);
}

TEST_F(Topology, FailureAtEveryStepRollsBackCompletely) {
  for (const auto &step : vpnrun::up_steps()) {
    SCOPED_TRACE("step " + step);
    auto r = run("up vpn", "VPNRUN_FAULT=" + step);
    EXPECT_EQ(1, r.code);
    EXPECT_EQ("vpnrun up: injected fault('" + step + "'): Input/output error\n", r.err);
    EXPECT_EQ("", diff(base_, snapshot()));
  }
}

TEST_F(Topology, CrashAtEveryStepIsRepairedByUpAndRemovedByDown) {
  for (const auto &step : vpnrun::up_steps()) {
    SCOPED_TRACE("step " + step);
    auto crash = run("up vpn", "VPNRUN_FAULT=" + step + " VPNRUN_FAULT_MODE=crash");
    ASSERT_EQ(99, crash.code);
    // A crash leaves a journal: status says so, up repairs, down removes.
    auto st = run("status vpn");
    EXPECT_EQ(1, st.code) << st.out;
    EXPECT_NE(std::string::npos, st.out.find("degraded")) << st.out;
    auto rep = run("up vpn");
    EXPECT_EQ(0, rep.code) << rep.err;
    EXPECT_NE(std::string::npos, rep.out.find("(repaired)")) << rep.out;
    EXPECT_EQ(0, run("status vpn").code);
    ASSERT_EQ(0, run("down vpn").code);
    EXPECT_EQ("", diff(base_, snapshot()));
    // And a crash followed directly by down.
    ASSERT_EQ(99, run("up vpn", "VPNRUN_FAULT=" + step + " VPNRUN_FAULT_MODE=crash").code);
    auto d = run("down vpn");
    EXPECT_EQ(0, d.code) << d.err;
    EXPECT_EQ("", diff(base_, snapshot()));
  }
}

TEST_F(Topology, DamagedNamespaceIsDegradedAndUpRepairsIt) {
  ASSERT_EQ(0, run("up vpn").code);
  ASSERT_EQ(0, sh("ip link del vr-vpn").code);
  auto st = run("status vpn");
  EXPECT_EQ(1, st.code);
  EXPECT_NE(std::string::npos, st.out.find("host side of the veth ('vr-vpn') is missing")) << st.out;
  auto rep = run("up vpn");
  EXPECT_EQ(0, rep.code) << rep.err;
  EXPECT_NE(std::string::npos, rep.out.find("(repaired)"));
  EXPECT_EQ(0, run("status vpn").code);
  ASSERT_EQ(0, run("down vpn").code);
}

TEST_F(Topology, TwoNamespacesDoNotCollide) {
  ASSERT_EQ(0, run("up alpha").code);
  ASSERT_EQ(0, run("up beta").code);
  EXPECT_EQ("10.250.0.1/30", sh("ip -o -4 addr show vr-alpha | awk '{print $4}' | tr -d '\\n'").out);
  EXPECT_EQ("10.250.0.5/30", sh("ip -o -4 addr show vr-beta | awk '{print $4}' | tr -d '\\n'").out);
  EXPECT_EQ(0, run("status alpha").code);
  EXPECT_EQ(0, run("status beta").code);
  // One host table for both; each holds only its own elements.
  EXPECT_EQ("1\n", sh("nft list tables | grep -c 'table ip vpnrun$'").out);
  EXPECT_NE(std::string::npos, sh("nft list set ip vpnrun guarded").out.find("\"eth0\""));
  // The uplink's forwarding is shared: it stays on until the last one is down,
  // then returns to what it was before the first.
  ASSERT_EQ(0, run("down alpha").code);
  EXPECT_EQ("1\n", sh("cat /proc/sys/net/ipv4/conf/eth0/forwarding").out);
  EXPECT_NE(std::string::npos, sh("nft list set ip vpnrun guarded").out.find("\"eth0\""));
  EXPECT_EQ(std::string::npos, sh("nft list set ip vpnrun nat").out.find("10.250.0.0/30"));
  EXPECT_EQ(0, run("status beta").code);
  ASSERT_EQ(0, run("down beta").code);
  EXPECT_EQ("0\n", sh("cat /proc/sys/net/ipv4/conf/eth0/forwarding").out);
}

TEST_F(Topology, SharedResourcesOutliveAHolderThatCrashed) {
  ASSERT_EQ(0, run("up alpha").code);
  // beta crashes right after turning the uplink's forwarding on.
  ASSERT_EQ(99, run("up beta", "VPNRUN_FAULT=dns VPNRUN_FAULT_MODE=crash").code);
  ASSERT_EQ(0, run("down alpha").code);
  // beta's journal still holds the uplink: alpha's down must not restore it.
  EXPECT_EQ("1\n", sh("cat /proc/sys/net/ipv4/conf/eth0/forwarding").out);
  EXPECT_EQ(0, sh("nft list table ip vpnrun >/dev/null").code);
  EXPECT_NE(std::string::npos, sh("cat /run/vpnrun/_shared").out.find("\tbeta")) << sh("cat /run/vpnrun/_shared").out;
  ASSERT_EQ(0, run("down beta").code);
  EXPECT_EQ("0\n", sh("cat /proc/sys/net/ipv4/conf/eth0/forwarding").out);
}

// An `up` killed inside the shared index's save leaves its new text, never
// renamed into place (found by the kill trials of fault_load): the next
// `up` or `down` removes it.
TEST_F(Topology, UnfinishedSharedIndexOfAKilledWriterIsRemoved) {
  ASSERT_EQ(0, sh("mkdir -p /run/vpnrun && : > /run/vpnrun/_shared.new").code);
  ASSERT_EQ(0, run("down vpn").code);
  EXPECT_NE(0, sh("test -e /run/vpnrun/_shared.new").code);
  sh("rmdir /run/vpnrun 2>/dev/null");
}

TEST_F(Topology, ForwardingThatWasOnStaysOnWithoutGuard) {
  ASSERT_EQ(0, sh("sysctl -qw net.ipv4.conf.eth0.forwarding=1").code);
  std::string base = snapshot();
  ASSERT_EQ(0, run("up vpn").code);
  EXPECT_EQ(std::string::npos, sh("nft list set ip vpnrun guarded").out.find("eth0"));
  ASSERT_EQ(0, run("down vpn").code);
  EXPECT_EQ("", diff(base, snapshot()));
  ASSERT_EQ(0, sh("sysctl -qw net.ipv4.conf.eth0.forwarding=0").code);
}

TEST_F(Topology, LongNamesGetDistinctInterfaces) {
  ASSERT_EQ(0, run("up abcdefghijklmn1").code);
  ASSERT_EQ(0, run("up abcdefghijklmn2").code);
  auto links = sh("ip -o link show | grep -c ' vr-abcdefg+'").out;
  EXPECT_EQ("2\n", links);
  ASSERT_EQ(0, run("down abcdefghijklmn1").code);
  ASSERT_EQ(0, run("down abcdefghijklmn2").code);
}

TEST_F(Topology, ExplicitSubnetAndInterface) {
  vt::write_config("vpn", "[uplink]\ninterface = \"eth0\"\nsubnet = \"10.99.0.0/31\"\n");
  auto u = run("up vpn");
  ASSERT_EQ(0, u.code) << u.err;
  EXPECT_EQ("10.99.0.1/31", sh("ip -n vpn -o -4 addr show uplink | awk '{print $4}' | tr -d '\\n'").out);
  ASSERT_EQ(0, run("down vpn").code);
  vt::write_config("vpn", "[uplink]\nsubnet = \"203.0.113.0/30\"\n");
  auto clash = run("up vpn");
  EXPECT_EQ(1, clash.code);
  EXPECT_EQ("vpnrun up: choose transit subnet('203.0.113.0/30'): overlaps the host route "
            "203.0.113.0/24 ([uplink] subnet)\n", clash.err);
  vt::write_config("vpn", "[uplink]\ninterface = \"nosuch0\"\n");
  auto noif = run("up vpn");
  EXPECT_EQ(1, noif.code);
  EXPECT_NE(std::string::npos, noif.err.find("find uplink('nosuch0'): no such interface")) << noif.err;
  vt::remove_config("vpn");
}

TEST_F(Topology, NoDefaultRouteIsAClearError) {
  ASSERT_EQ(0, sh("ip route del default").code);
  auto r = run("up vpn");
  sh("ip route add default via 203.0.113.1");
  EXPECT_EQ(1, r.code);
  EXPECT_EQ("vpnrun up: find uplink('auto'): no IPv4 default route in the host namespace; set "
            "[uplink] interface in /etc/vpnrun/vpn.toml\n", r.err);
}

TEST_F(Topology, ForeignNamespaceIsNotTakenOver) {
  ASSERT_EQ(0, sh("ip netns add foreign").code);
  std::string with_foreign = snapshot();
  auto r = run("up foreign");
  EXPECT_EQ(1, r.code);
  EXPECT_EQ("vpnrun up: create namespace('/run/netns/foreign'): exists and was not made by "
            "vpnrun (remove it with `ip netns del foreign`)\n", r.err);
  EXPECT_EQ("", diff(with_foreign, snapshot()));
  EXPECT_EQ(0, run("down foreign").code);
  EXPECT_EQ(0, sh("ip netns exec foreign true").code) << "down touched a namespace it did not make";
  ASSERT_EQ(0, sh("ip netns del foreign").code);
}

TEST_F(Topology, IproutesNetnsToolsSeeIt) {
  vt::write_config("vpn", "[dns]\nservers = [\"198.51.100.53\"]\n");
  ASSERT_EQ(0, run("up vpn").code);
  EXPECT_NE(std::string::npos, sh("ip netns list").out.find("vpn"));
  EXPECT_EQ("10.250.0.2/30\n",
            sh("ip netns exec vpn ip -o -4 addr show uplink | awk '{print $4}'").out);
  // ip netns exec binds /etc/netns/vpn/* over /etc: the namespace's DNS.
  EXPECT_NE(std::string::npos,
            sh("ip netns exec vpn cat /etc/resolv.conf").out.find("nameserver 198.51.100.53"));
  EXPECT_EQ("hosts:          files dns\n",
            sh("ip netns exec vpn grep '^hosts:' /etc/nsswitch.conf").out);
  ASSERT_EQ(0, run("down vpn").code);
  vt::remove_config("vpn");
}

TEST_F(Topology, TheProductStartsNoProgram) {
  // Only vpnrun itself is executed, and the vpnrun-admin it hands `up` and
  // `down` to (by fd: -y names it): no ip, nft, iptables, sysctl or mount.
  const std::string trace = "strace -f -y -qq -e trace=execve,execveat -e signal=none ";
  const std::string admin = std::string(VPNRUN_ADMIN_BIN) + ">, \"\", ";
  auto r = sh(trace + VPNRUN_BIN " up vpn 2>&1 >/dev/null | grep exec; " VPNRUN_BIN " down -q vpn");
  auto d = sh(VPNRUN_BIN " up -q vpn; " + trace + VPNRUN_BIN " down -q vpn 2>&1 | grep exec");
  for (const auto &o : {r, d}) {
    ASSERT_EQ(0u, o.out.rfind("execve(\"" VPNRUN_BIN "\", ", 0)) << o.out;
    auto second = o.out.find('\n') + 1;
    EXPECT_EQ(second, o.out.find("execveat(")) << o.out;
    EXPECT_NE(std::string::npos, o.out.find(admin, second)) << o.out;
    EXPECT_EQ(o.out.size(), o.out.find('\n', second) + 1) << "a third exec: " << o.out;
  }
}

}  // namespace
