// The fixture of the hook's integration tests: a VPN namespace made by
// `vpnrun up`, a stand-in tunnel (a veth named tun0 into the simulated
// internet), and "containers" that are processes in network namespaces of
// their own made with unshare, as a runtime makes them before createRuntime.
#pragma once
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "harness.hpp"

namespace vt {

inline const char *kHookConfig =
    "[vpn]\ntunnel = \"tun0\"\n[dns]\nservers = [\"198.51.100.53\"]\n"
    "[containers]\nenable = true\nsubnet = \"10.251.0.0/24\"\n";

// The files the hook keeps, less the search hint (its value moves on).
inline std::string state_snapshot() {
  return std::regex_replace(vt::snapshot(), std::regex(".*_containers/vpn/next.*\n"), "");
}

// The same for all of vt::residue().
inline std::string state_residue(const std::string &all = vt::residue()) {
  return std::regex_replace(all, std::regex(".*_containers/vpn/next.*\n"), "");
}

class HookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = vt::settled_residue();
    vt::write_config("vpn", kHookConfig);
    auto u = run("up vpn");
    ASSERT_EQ(0, u.code) << u.err;
    ASSERT_EQ(0, sh("ip link add tun0 netns vpn type veth peer name tunpeer netns wan &&"
                    "ip -n vpn addr add 192.0.2.2/30 dev tun0 && ip -n vpn link set tun0 up &&"
                    "ip -n wan addr add 192.0.2.1/30 dev tunpeer && ip -n wan link set tunpeer up &&"
                    "ip -n vpn route add 198.51.100.0/24 via 192.0.2.1").code);
    // What the simulated internet sees.
    ASSERT_EQ(0, sh("ip netns exec wan nft -f - <<'EOF'\n"
                    "table inet seen {\n"
                    "  counter via_vpn {}\n  counter other {}\n  counter any4 {}\n"
                    "  chain in { type filter hook input priority 0;\n"
                    "    meta nfproto ipv4 counter name any4\n"
                    "    ip saddr 192.0.2.2 udp dport 9999 counter name via_vpn\n"
                    "    udp dport 9999 counter name other\n  }\n"
                    "}\nEOF").code);
    bundle_ = vt::make_bundle("vt-bundle");
    ASSERT_FALSE(bundle_.empty());
  }
  void TearDown() override {
    vt::reap(pids_);
    sh("ip netns exec wan nft delete table inet seen; ip -n wan link del tunpeer 2>/dev/null; rm -rf " + bundle_);
    EXPECT_EQ(0, run("down vpn").code);
    auto g = run("gc");
    EXPECT_EQ(0, g.code) << g.err;
    vt::remove_config("vpn");
    EXPECT_EQ("", vt::diff(base_, vt::residue())) << "residue after the test";
  }

  // A process in a network namespace of its own, as a runtime leaves it.
  int container(const std::string &wrapper = "unshare --net") {
    int pid = vt::spawn_sleeper(wrapper);
    pids_.push_back(pid);
    return pid;
  }
  void stop(int pid) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    pids_.erase(std::remove(pids_.begin(), pids_.end(), pid), pids_.end());
  }
  // The kernel tears a dead netns down in the background: wait until the VPN
  // namespace holds `n` container links.
  static void wait_links(int n) {
    for (int i = 0; i < 300; ++i) {
      if (sh("ip -n vpn -o link show | grep -c ' vc-'").out == std::to_string(n) + "\n") return;
      ::usleep(10000);
    }
    ADD_FAILURE() << "the VPN namespace did not settle at " << n << " container links";
  }
  // Attach and detach once, so that the hook's state directory is in the
  // baseline of tests that compare snapshots.
  void warm_up() {
    int w = container();
    ASSERT_EQ(0, hook("create", state("warm", w)).code);
    ASSERT_EQ(0, hook("teardown", state("warm", 0)).code);
    stop(w);
  }
  std::string state(const std::string &id, int pid, const std::string &netns = "vpn") const {
    std::string s = "{\"ociVersion\":\"1.0.2\",\"id\":\"" + id + "\",\"status\":\"creating\",";
    if (pid > 0) s += "\"pid\":" + std::to_string(pid) + ",";
    return s + "\"bundle\":\"" + bundle_ + "\",\"annotations\":{\"io.vpnrun.netns\":\"" + netns + "\"}}";
  }
  static vt::Out hook(const std::string &stage, const std::string &json, const std::string &env = "") {
    return sh("printf '%s' '" + json + "' | " + env + " " HOOK_BIN " " + stage);
  }
  static std::string in(int pid, const std::string &cmd) {
    return sh("nsenter -t " + std::to_string(pid) + " -n " + cmd).out;
  }
  static std::string counter(const std::string &ns, const std::string &table, const std::string &name) {
    return sh("ip netns exec " + ns + " nft -j list counter " + table + " " + name +
              " | grep -o '\"packets\": [0-9]*' | grep -o '[0-9]*$' | tr -d '\\n'")
        .out;
  }
  static std::string ruleset() { return sh("ip netns exec vpn nft -s list ruleset").out; }
  static size_t leases() {
    return std::stoul(sh("ls /run/vpnrun/_containers/vpn/addr 2>/dev/null | wc -l").out);
  }

  std::string base_, bundle_;
  std::vector<int> pids_;
};

}  // namespace vt
