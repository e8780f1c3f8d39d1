// Fault injection in `down` and detach: a failure, or a crash, at every step,
// and then a second `down` / teardown / gc leaves zero residue (vt::residue:
// links, addresses, routes, rules and nft rulesets of the sandbox and of every
// named namespace, net sysctls, /run/netns, /run/vpnrun, /etc/netns,
// /run/wireguard, mounts, and VPN client processes). Also: proof that the
// residue check sees each kind of leftover.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "fault_fixture.hpp"
#include "hook_fixture.hpp"
#include "vpnrun/attach.hpp"
#include "vpnrun/topology.hpp"

using vt::run;
using vt::sh;

namespace {

// ---- the residue check can fail -----------------------------------------------------

TEST(Residue, EveryKindOfLeftoverIsSeen) {
  const std::string base = vt::settled_residue();
  ASSERT_EQ("", vt::diff(base, vt::residue())) << "the residue check is not stable";
  // Each leftover is made, must show in the diff by `mark`, and is removed.
  struct Leftover {
    const char *what, *make, *mark, *undo;
  };
  const Leftover leftovers[] = {
      {"link in the sandbox", "ip link add left0 type veth peer name left1", "left0", "ip link del left0"},
      {"link in a named namespace", "ip -n wan link add left0 type veth peer name left1", "left0",
       "ip -n wan link del left0"},
      {"address", "ip -n wan addr add 192.0.2.77/32 dev lo", "192.0.2.77", "ip -n wan addr del 192.0.2.77/32 dev lo"},
      {"route", "ip route add 192.0.2.0/28 via 203.0.113.1", "192.0.2.0/28", "ip route del 192.0.2.0/28"},
      {"nft table in the sandbox", "nft add table ip leftover", "leftover", "nft delete table ip leftover"},
      {"nft table in a named namespace", "ip netns exec wan nft add table ip leftover", "leftover",
       "ip netns exec wan nft delete table ip leftover"},
      {"sysctl", "sysctl -qw net.ipv4.conf.eth0.forwarding=1", "net.ipv4.conf.eth0.forwarding",
       "sysctl -qw net.ipv4.conf.eth0.forwarding=0"},
      {"netns", "ip netns add leftover", "leftover", "ip netns del leftover"},
      {"lease file", "mkdir -p /run/vpnrun/_containers/vpn/addr && touch /run/vpnrun/_containers/vpn/addr/10.251.0.9",
       "10.251.0.9", "rm -r /run/vpnrun/_containers"},
      {"state file", "mkdir /run/vpnrun/left && touch /run/vpnrun/left/journal", "/run/vpnrun/left",
       "rm -r /run/vpnrun/left"},
      {"DNS file", "mkdir -p /etc/netns/left", "/etc/netns/left", "rmdir /etc/netns/left"},
      {"wireguard socket", "touch /run/wireguard/wg-left.sock", "wg-left.sock", "rm /run/wireguard/wg-left.sock"},
      {"mount", "mkdir -p /tmp/vt-left && mount -t tmpfs vt-left /tmp/vt-left", "vt-left",
       "umount /tmp/vt-left && rmdir /tmp/vt-left"},
      {"client process",
       "mkdir -p /tmp/vt-proc && ln -sf /bin/sleep /tmp/vt-proc/wireguard-go && "
       "{ setsid /tmp/vt-proc/wireguard-go 1000 </dev/null >/dev/null 2>&1 & }",
       "wireguard-go", "pkill -KILL -f '^/tmp/vt-proc/wireguard-go 1000'; rm -r /tmp/vt-proc"},
  };
  for (const auto &l : leftovers) {
    SCOPED_TRACE(l.what);
    auto made = sh(l.make);
    ASSERT_EQ(0, made.code) << made.err;
    const std::string d = vt::diff(base, vt::residue());
    EXPECT_NE(std::string::npos, d.find(l.mark)) << "not seen: " << l.what << "\n" << d;
    sh(l.undo);
    for (int i = 0; i < 50 && vt::diff(base, vt::residue()) != ""; ++i) ::usleep(20000);
    ASSERT_EQ("", vt::diff(base, vt::residue())) << "could not remove the " << l.what;
  }
}

// ---- down -----------------------------------------------------------------------------

class DownFault : public vt::ClientTest {};

// Whether the command hit the injected fault at `step` (and so did not finish).
bool hit(const vt::Out &r, const std::string &step) {
  return r.err.find("injected fault('" + step + "')") != std::string::npos;
}

TEST_F(DownFault, FailureAtEveryStepThenDownAgainLeavesNoResidue) {
  std::set<std::string> hits;
  for (const char *mode : {"veth", "tunnel"}) {
    write_client_config(mode);
    for (const auto &step : vpnrun::down_steps()) {
      SCOPED_TRACE(std::string(mode) + ", step " + step);
      auto u = run("up -q " + ns());
      ASSERT_EQ(0, u.code) << u.err;
      auto d = run("down -q " + ns(), "VPNRUN_FAULT=" + step);
      if (hit(d, step)) {
        hits.insert(step);
        EXPECT_EQ(1, d.code);
        EXPECT_EQ(0u, d.err.rfind("vpnrun down: ", 0)) << d.err;
        // The journal keeps what is left (maybe nothing but the journal itself).
        EXPECT_EQ(0, sh("test -f /run/vpnrun/" + ns() + "/journal").code);
      } else {
        EXPECT_EQ(0, d.code) << d.err;
      }
      auto again = run("down " + ns());
      ASSERT_EQ(0, again.code) << again.err;
      EXPECT_EQ("", vt::diff(base_, residue()));
    }
  }
  for (const auto &step : vpnrun::down_steps()) EXPECT_TRUE(hits.count(step)) << "never reached: " << step;
}

TEST_F(DownFault, CrashAtEveryStepThenDownAgainLeavesNoResidue) {
  std::set<std::string> hits;
  int crashes = 0;
  for (const char *mode : {"veth", "tunnel"}) {
    write_client_config(mode);
    for (const auto &step : vpnrun::down_steps()) {
      SCOPED_TRACE(std::string(mode) + ", step " + step);
      ASSERT_EQ(0, run("up -q " + ns()).code);
      auto d = run("down -q " + ns(), "VPNRUN_FAULT=" + step + " VPNRUN_FAULT_MODE=crash");
      if (d.code == 99) hits.insert(step);
      else EXPECT_EQ(0, d.code) << d.err;
      // After a crash in down, `up` sees a broken namespace and repairs it;
      // then down.
      if (d.code == 99 && ++crashes % 2 == 0) {
        auto rep = run("up " + ns());
        EXPECT_EQ(0, rep.code) << rep.err;
      }
      auto again = run("down " + ns());
      ASSERT_EQ(0, again.code) << again.err;
      EXPECT_EQ("", vt::diff(base_, residue()));
    }
  }
  for (const auto &step : vpnrun::down_steps()) EXPECT_TRUE(hits.count(step)) << "never reached: " << step;
}

// A failure while `up` rolls back (its rollback is down's code): the journal
// keeps what is left and `down` finishes it.
TEST_F(DownFault, FailureInTheRollbackOfUpIsFinishedByDown) {
  write_client_config("veth");
  for (const auto &step : {"down-process", "down-link", "down-netns", "down-nft"}) {
    SCOPED_TRACE(step);
    // `commit` fails, so up rolls back, and the rollback fails at `step`.
    auto u = run("up -q " + ns(), std::string("VPNRUN_FAULT=commit,") + step);
    EXPECT_EQ(1, u.code);
    EXPECT_NE(std::string::npos, u.err.find(std::string("rollback failed too: injected fault('") + step + "')"))
        << u.err;
    auto d = run("down " + ns());
    EXPECT_EQ(0, d.code) << d.err;
    EXPECT_EQ("", vt::diff(base_, residue()));
  }
}

// ---- detach ---------------------------------------------------------------------------

class DetachFault : public vt::HookTest {};

TEST_F(DetachFault, FailureAtEveryStepThenTeardownAgainLeavesNoResidue) {
  warm_up();
  const std::string before = vt::state_residue(vt::settled_residue());
  for (const auto &step : vpnrun::detach_steps()) {
    SCOPED_TRACE(step);
    int c = container();
    ASSERT_EQ(0, hook("create", state("abcdef0123456789", c)).code);
    auto t = hook("teardown", state("abcdef0123456789", 0), "VPNRUN_FAULT=" + step);
    EXPECT_EQ(1, t.code);
    EXPECT_EQ("vpnrun-hook: teardown abcdef012345 (vpn): injected fault('" + step + "'): Input/output error\n", t.err);
    auto again = hook("teardown", state("abcdef0123456789", 0));
    EXPECT_EQ(0, again.code) << again.err;
    EXPECT_EQ(0u, leases());
    EXPECT_EQ("", in(c, "ip -o link show eth0"));
    stop(c);
    wait_links(0);
    EXPECT_EQ("", vt::diff(before, vt::state_residue()));
  }
}

TEST_F(DetachFault, CrashAtEveryStepThenTeardownOrGcLeavesNoResidue) {
  warm_up();
  const std::string before = vt::state_residue(vt::settled_residue());
  bool by_gc = false;
  for (const auto &step : vpnrun::detach_steps()) {
    for (int variant = 0; variant < 2; ++variant, by_gc = !by_gc) {
      SCOPED_TRACE(step + (by_gc ? ", then gc" : ", then teardown"));
      int c = container();
      ASSERT_EQ(0, hook("create", state("abcdef0123456789", c)).code);
      auto t = hook("teardown", state("abcdef0123456789", 0), "VPNRUN_FAULT=" + step + " VPNRUN_FAULT_MODE=crash");
      EXPECT_EQ(99, t.code) << t.err;
      if (by_gc) {
        // poststop never came back: the container is gone, gc cleans up.
        stop(c);
        wait_links(0);
        auto g = run("gc");
        EXPECT_EQ(0, g.code) << g.err;
      } else {
        auto again = hook("teardown", state("abcdef0123456789", 0));
        EXPECT_EQ(0, again.code) << again.err;
        EXPECT_EQ("", in(c, "ip -o link show eth0"));
        stop(c);
        wait_links(0);
      }
      EXPECT_EQ(0u, leases());
      EXPECT_EQ("", vt::diff(before, vt::state_residue()));
    }
  }
}

// gc's release is detach's: a failure there keeps the record, a second gc finishes.
TEST_F(DetachFault, FailureInGcThenGcAgainLeavesNoResidue) {
  warm_up();
  const std::string before = vt::state_residue(vt::settled_residue());
  for (const auto &step : {"detach-lease", "detach-index", "detach-record"}) {
    SCOPED_TRACE(step);
    int c = container();
    ASSERT_EQ(0, hook("create", state("abcdef0123456789", c)).code);
    stop(c);
    wait_links(0);
    auto g = run("gc", std::string("VPNRUN_FAULT=") + step);
    EXPECT_EQ(1, g.code);
    EXPECT_NE(std::string::npos, g.err.find(std::string("injected fault('") + step + "')")) << g.err;
    auto again = run("gc");
    EXPECT_EQ(0, again.code) << again.err;
    EXPECT_EQ(0u, leases());
    EXPECT_EQ("", vt::diff(before, vt::state_residue()));
  }
}

}  // namespace
