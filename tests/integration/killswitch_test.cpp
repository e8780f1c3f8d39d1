// The kill switch: out of the veth only to the endpoints; out of the tunnel
// anything; everything else refused with an error; nothing unsolicited in.
#include <gtest/gtest.h>

#include "harness.hpp"

using vt::sh;
using vt::run;

namespace {

// Counters in the simulated internet ("wan") of what arrives there; the
// endpoint counter only sees packets masqueraded to the host's address.
class KillSwitch : public ::testing::Test {
 protected:
  void SetUp() override {
    vt::write_config("ks", "[vpn]\nendpoints = [\"198.51.100.1:1194/udp\"]\ntunnel = \"tun0\"\n");
    ASSERT_EQ(0, run("up ks").code);
    ASSERT_EQ(0, sh("ip netns exec wan nft -f - <<'EOF'\n"
                    "table inet seen {\n"
                    "  counter endpoint {}\n  counter other {}\n  counter v6 {}\n"
                    "  chain in { type filter hook input priority 0;\n"
                    "    ip saddr 203.0.113.2 udp dport 1194 counter name endpoint\n"
                    "    udp dport 9999 counter name other\n"
                    "    meta nfproto ipv6 counter name v6\n  }\n"
                    "}\nEOF").code);
  }
  void TearDown() override {
    sh("ip netns exec wan nft delete table inet seen");
    sh("ip -n wan link del tunpeer 2>/dev/null");
    EXPECT_EQ(0, run("down ks").code);
    vt::remove_config("ks");
  }
  static std::string seen(const std::string &counter) {
    return sh("ip netns exec wan nft -j list counter inet seen " + counter +
              " | grep -o '\"packets\": [0-9]*' | grep -o '[0-9]*$' | tr -d '\\n'").out;
  }
  static std::string mine(const std::string &counter) {
    return sh("ip netns exec ks nft -j list counter inet vpnrun " + counter +
              " | grep -o '\"packets\": [0-9]*' | grep -o '[0-9]*$' | tr -d '\\n'").out;
  }
  static vt::Out send_udp(const std::string &addr, int port) {
    return sh("ip netns exec ks bash -c 'echo leak > /dev/udp/" + addr + "/" + std::to_string(port) + "'");
  }
};

TEST_F(KillSwitch, EndpointPassesThroughTheVethWithNat) {
  auto r = send_udp("198.51.100.1", 1194);
  EXPECT_EQ(0, r.code) << r.err;
  EXPECT_EQ("1", seen("endpoint"));
  EXPECT_EQ("0", mine("blocked"));
}

TEST_F(KillSwitch, NonEndpointIsRefusedWithAnErrorAndNeverArrives) {
  auto r = send_udp("198.51.100.1", 9999);
  EXPECT_NE(0, r.code);
  EXPECT_NE(std::string::npos, r.err.find("Operation not permitted")) << r.err;
  auto tcp = sh("ip netns exec ks timeout 5 bash -c 'echo > /dev/tcp/198.51.100.1/1194'");
  EXPECT_NE(0, tcp.code);
  EXPECT_NE(std::string::npos, tcp.err.find("Connection refused")) << "TCP must fail at once: " << tcp.err;
  EXPECT_EQ("0", seen("other"));
  EXPECT_EQ("2", mine("blocked"));
}

TEST_F(KillSwitch, TunnelInterfaceCarriesAnything) {
  // A stand-in tunnel: an interface named as the config's tunnel, to the wan.
  ASSERT_EQ(0, sh("ip link add tun0 netns ks type veth peer name tunpeer netns wan &&"
                  "ip -n ks addr add 192.0.2.2/30 dev tun0 && ip -n ks link set tun0 up &&"
                  "ip -n wan addr add 192.0.2.1/30 dev tunpeer && ip -n wan link set tunpeer up &&"
                  "ip -n ks route add 198.51.100.0/24 via 192.0.2.1").code);
  auto r = send_udp("198.51.100.1", 9999);
  EXPECT_EQ(0, r.code) << r.err;
  EXPECT_EQ("1", seen("other"));
  EXPECT_EQ("0", mine("blocked"));
  auto st = run("status ks");
  EXPECT_NE(std::string::npos, st.out.find("tun0 (up)")) << st.out;
}

TEST_F(KillSwitch, Ipv6IsOffAndDropped) {
  EXPECT_EQ("1\n", sh("ip netns exec ks cat /proc/sys/net/ipv6/conf/all/disable_ipv6").out);
  EXPECT_EQ("1\n", sh("ip netns exec ks cat /proc/sys/net/ipv6/conf/uplink/disable_ipv6").out);
  auto r = sh("ip netns exec ks bash -c 'echo x > /dev/udp/2001:db8::1/9999'");
  EXPECT_NE(0, r.code);
  EXPECT_EQ("0", seen("v6"));
}

TEST_F(KillSwitch, NothingUnsolicitedComesIn) {
  // From the host side of the veth, straight at the namespace's address.
  sh("echo knock > /dev/udp/10.250.0.2/5353");
  EXPECT_EQ("1", mine("unsolicited"));
}

TEST_F(KillSwitch, KillSwitchIsInPlaceBeforeAnyRouteOut) {
  // Even with its table gone the namespace reveals no more than the host's
  // forward chain allows: endpoint traffic only.
  ASSERT_EQ(0, sh("ip netns exec ks nft delete table inet vpnrun").code);
  send_udp("198.51.100.1", 9999);
  EXPECT_EQ("0", seen("other"));
  EXPECT_EQ(1, run("status ks").code);
}

}  // namespace
