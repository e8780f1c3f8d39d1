// The command line: refusals, config errors, status output.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness.hpp"

using vt::sh;
using vt::run;

namespace {

TEST(Cli, BadNamesAreRefusedBeforeAnythingHappens) {
  std::string base = vt::snapshot();
  const char *bad[] = {"''", "..", ".", "a/b", "abcdefghijklmnop", "$'a\\nb'", "$'a\\tb'", "-- -x", "'a b'", "../../etc"};
  for (const char *n : bad) {
    SCOPED_TRACE(n);
    auto r = run(std::string("up ") + n);
    EXPECT_EQ(1, r.code);
    EXPECT_EQ(0u, r.err.rfind("vpnrun up: parse namespace name", 0)) << r.err;
  }
  EXPECT_EQ("", vt::diff(base, vt::snapshot()));
}

TEST(Cli, OnlyRealRootMayChangeThings) {
  for (const char *cmd : {"up vpn", "down vpn", "status vpn"}) {
    auto r = sh(std::string("setpriv --reuid=65534 --regid=65534 --clear-groups ") + VPNRUN_BIN " " + cmd);
    EXPECT_EQ(1, r.code);
    EXPECT_NE(std::string::npos, r.err.find("must be run as root (real uid is 65534)")) << r.err;
  }
}

TEST(Cli, ConfigErrorsNameKeyAndLineAndChangeNothing) {
  std::string base = vt::snapshot();
  vt::write_config("bad", "[uplink]\nmode = \"veth\"\nmtu = 1400\n");
  std::string with_cfg = vt::snapshot();
  auto r = run("up bad");
  EXPECT_EQ(1, r.code);
  EXPECT_EQ("vpnrun up: parse config('/etc/vpnrun/bad.toml'): line 3: unknown key 'uplink.mtu'\n", r.err);
  EXPECT_EQ("", vt::diff(with_cfg, vt::snapshot()));
  vt::write_config("bad", "[ipv6]\nenable = \"yes\"\n");
  EXPECT_EQ("vpnrun up: parse config('/etc/vpnrun/bad.toml'): line 2: ipv6.enable: expected \"auto\", true or false\n",
            run("up bad").err);
  vt::remove_config("bad");
}

TEST(Cli, UnsafeConfigFilesAreRefused) {
  vt::write_config("loose", "", 0666);
  auto r = run("up loose");
  EXPECT_EQ(1, r.code);
  EXPECT_EQ("vpnrun up: open config('/etc/vpnrun/loose.toml'): writable by users other than root\n", r.err);
  vt::remove_config("loose");
  sh("ln -s /tmp/x.toml /etc/vpnrun/link.toml");
  auto l = run("up link");
  EXPECT_EQ(1, l.code);
  EXPECT_NE(std::string::npos, l.err.find("open config('/etc/vpnrun/link.toml')")) << l.err;
  sh("rm -f /etc/vpnrun/link.toml");
}

TEST(Cli, ClientConfigProblemsAreRefusedBeforeAnythingIsMade) {
  std::string base = vt::snapshot();
  vt::write_config("tun", "[uplink]\nmode = \"tunnel\"\n");
  auto t = run("up tun");
  EXPECT_EQ(1, t.code);
  EXPECT_NE(std::string::npos, t.err.find("mode = \"tunnel\" needs a client vpnrun starts")) << t.err;
  vt::remove_config("tun");
  vt::write_config("ovpn", "[vpn]\ntype = \"openvpn\"\nconfig = \"/etc/vpnrun/missing.ovpn\"\n");
  auto r = run("up ovpn");
  EXPECT_EQ(1, r.code);
  EXPECT_EQ("vpnrun up: read client config('/etc/vpnrun/missing.ovpn'): No such file or directory\n", r.err);
  sh("printf 'client\\ndev tun\\n' >/etc/vpnrun/missing.ovpn");
  auto n = run("up ovpn");
  EXPECT_EQ(1, n.code);
  EXPECT_EQ("vpnrun up: parse OpenVPN config('/etc/vpnrun/missing.ovpn'): no remote\n", n.err);
  vt::remove_config("ovpn");
  sh("rm -f /etc/vpnrun/missing.ovpn*");
  EXPECT_EQ("", vt::diff(base, vt::snapshot()));
}

TEST(Cli, StatusJsonIsStable) {
  vt::write_config("js", "[dns]\nservers = [\"198.51.100.53\"]\n");
  ASSERT_EQ(0, run("up js").code);
  auto r = run("status --json js");
  ASSERT_EQ(0, r.code);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ("js", j["name"]);
  EXPECT_EQ("up", j["state"]);
  EXPECT_EQ(true, j["healthy"]);
  EXPECT_EQ("veth", j["uplink"]["mode"]);
  EXPECT_EQ("eth0", j["uplink"]["interface"]);
  EXPECT_EQ("vr-js", j["uplink"]["host_veth"]);
  EXPECT_EQ("10.250.0.2/30", j["uplink"]["namespace_address"]);
  EXPECT_EQ(true, j["default_route"]["present"]);
  EXPECT_EQ("10.250.0.1", j["default_route"]["via"]);
  EXPECT_EQ(true, j["killswitch"]["loaded"]);
  EXPECT_EQ(0, j["killswitch"]["counters"]["blocked"]["packets"]);
  EXPECT_EQ(nlohmann::json::array({"198.51.100.53"}), j["dns"]["servers"]);
  EXPECT_TRUE(j["problems"].empty());
  // A process inside is listed.
  sh("ip netns exec js sleep 30 & sleep 0.2");
  auto p = nlohmann::json::parse(run("status --json js").out);
  ASSERT_EQ(1u, p["processes"].size());
  EXPECT_EQ("sleep", p["processes"][0]["comm"]);
  sh("pkill -f 'sleep 30'");
  ASSERT_EQ(0, run("down js").code);
  auto down = run("status --json js");
  EXPECT_EQ(3, down.code);
  EXPECT_EQ("down", nlohmann::json::parse(down.out)["state"]);
  vt::remove_config("js");
}

TEST(Cli, ListShowsConfiguredAndUp) {
  vt::write_config("cfgonly", "");
  ASSERT_EQ(0, run("up live").code);
  auto r = run("list");
  EXPECT_EQ(0, r.code);
  EXPECT_EQ("cfgonly          configured\nlive             up\n", r.out);
  ASSERT_EQ(0, run("down live").code);
  vt::remove_config("cfgonly");
}

TEST(Cli, HelpTeaches) {
  auto r = run("--help");
  EXPECT_EQ(0, r.code);
  for (const char *s : {"up", "down", "status", "list", "Examples:"})
    EXPECT_NE(std::string::npos, r.out.find(s)) << s;
  auto u = run("up --help");
  EXPECT_NE(std::string::npos, u.out.find("journaled")) << u.out;
}

}  // namespace
