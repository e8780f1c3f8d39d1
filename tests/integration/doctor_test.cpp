// `vpnrun doctor`: each conflict it claims to diagnose is made here, in the
// sandbox only (its own network namespace, ruleset and mounts), and the line
// it prints for it is checked, with the exit status.
#include <gtest/gtest.h>

#include <string>

#include "harness.hpp"

using vt::run;
using vt::sh;

namespace {

// The line of `doctor ARGS` output that starts with PREFIX ("FAIL  firewall:").
std::string line_of(const vt::Out &r, const std::string &prefix) {
  size_t at = r.out.find("\n" + prefix);
  if (r.out.rfind(prefix, 0) == 0) at = 0;
  else if (at != std::string::npos) ++at;
  else return "";
  return r.out.substr(at, r.out.find('\n', at) - at);
}

bool has(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

bool wireguard_module() {
  return sh("test -e /sys/module/wireguard || grep -qs /wireguard.ko /lib/modules/$(uname -r)/modules.dep "
            "/lib/modules/$(uname -r)/modules.builtin").code == 0;
}

TEST(Doctor, CleanSandboxHasNothingThatBreaks) {
  auto r = run("doctor");
  EXPECT_EQ(0, r.code) << r.out << r.err;
  EXPECT_EQ("ok    kernel: network namespaces", line_of(r, "ok    kernel: network"));
  EXPECT_EQ("ok    kernel: veth pairs", line_of(r, "ok    kernel: veth"));
  EXPECT_EQ("ok    kernel: nftables (kill switch and host NAT)", line_of(r, "ok    kernel: nftables"));
  EXPECT_EQ("ok    kernel: tun device /dev/net/tun", line_of(r, "ok    kernel: tun"));
  EXPECT_EQ("ok    firewall: no other table drops forwarded traffic", line_of(r, "ok    firewall:"));
  EXPECT_EQ("", line_of(r, "FAIL")) << r.out;
  // The probe's namespace is gone with it: nothing left in the sandbox.
  EXPECT_EQ("", sh("ip -o link show | grep -E 'vr-doctor|doctor-peer'").out);
}

TEST(Doctor, DockerForwardPolicyDrop) {
  // What Docker does through iptables-nft.
  ASSERT_EQ(0, sh("iptables -N DOCKER-USER && iptables -N DOCKER && iptables -A FORWARD -j DOCKER-USER && "
                  "iptables -P FORWARD DROP").code);
  auto r = run("doctor vpn");
  EXPECT_EQ(1, r.code) << r.out;
  std::string l = line_of(r, "FAIL  firewall:");
  EXPECT_TRUE(has(l, "table ip filter chain FORWARD (Docker) has policy drop")) << r.out;
  EXPECT_TRUE(has(l, "fix: iptables -I DOCKER-USER -i vr-vpn -j ACCEPT")) << l;
  // The fix works: with vr-* allowed in DOCKER-USER, doctor is content.
  ASSERT_EQ(0, sh("iptables -I DOCKER-USER -i vr-vpn -j ACCEPT && "
                  "iptables -I DOCKER-USER -o vr-vpn -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT").code);
  auto fixed = run("doctor");
  EXPECT_EQ("", line_of(fixed, "FAIL  firewall:")) << fixed.out;
  EXPECT_TRUE(has(line_of(fixed, "ok    firewall:"), "and rules for vr-* interfaces")) << fixed.out;
  sh("iptables -P FORWARD ACCEPT; iptables -F; iptables -X; nft delete table ip filter");
}

TEST(Doctor, UfwForwardPolicyDrop) {
  // ufw's DEFAULT_FORWARD_POLICY="DROP" and its chains.
  ASSERT_EQ(0, sh("iptables -N ufw-before-forward && iptables -A FORWARD -j ufw-before-forward && "
                  "iptables -P FORWARD DROP").code);
  auto r = run("doctor");
  EXPECT_EQ(1, r.code) << r.out;
  std::string l = line_of(r, "FAIL  firewall:");
  EXPECT_TRUE(has(l, "table ip filter chain FORWARD (ufw) has policy drop")) << r.out;
  EXPECT_TRUE(has(l, "fix: in /etc/ufw/before.rules")) << l;
  sh("iptables -P FORWARD ACCEPT; iptables -F; iptables -X; nft delete table ip filter");
}

TEST(Doctor, FirewalldRejectsAtTheEndOfForward) {
  // firewalld's nftables backend: policy accept, but a last rule rejecting all.
  ASSERT_EQ(0, sh("nft -f - <<'EOF'\n"
                  "table inet firewalld {\n"
                  "  chain filter_FORWARD {\n"
                  "    type filter hook forward priority filter + 10; policy accept;\n"
                  "    ct state established,related accept\n"
                  "    iifname \"lo\" accept\n"
                  "    reject with icmpx admin-prohibited\n"
                  "  }\n"
                  "}\n"
                  "EOF").code);
  auto r = run("doctor");
  EXPECT_EQ(1, r.code) << r.out;
  std::string l = line_of(r, "FAIL  firewall:");
  EXPECT_TRUE(has(l, "table inet firewalld chain filter_FORWARD (firewalld) has a last rule that drops or "
                     "rejects everything")) << r.out;
  EXPECT_TRUE(has(l, "firewall-cmd --permanent --zone=trusted --add-interface=vr-NAME")) << l;
  sh("nft delete table inet firewalld");
}

TEST(Doctor, AnyOtherTableWithForwardPolicyDrop) {
  ASSERT_EQ(0, sh("nft add table inet mine && "
                  "nft add chain inet mine fw '{ type filter hook forward priority 0; policy drop; }'").code);
  auto r = run("doctor");
  EXPECT_EQ(1, r.code) << r.out;
  EXPECT_TRUE(has(line_of(r, "FAIL  firewall:"),
                  "table inet mine chain fw has policy drop: the namespace's forwarded traffic is dropped "
                  "there, whatever vpnrun allows; fix: nft insert rule inet mine fw iifname \"vr-*\" accept"))
      << r.out;
  // A forward chain that only counts and accepts is no conflict.
  sh("nft delete table inet mine; nft add table ip other; "
     "nft add chain ip other fw '{ type filter hook forward priority 0; policy accept; }'; "
     "nft add rule ip other fw counter");
  EXPECT_EQ(0, run("doctor").code);
  sh("nft delete table ip other");
}

TEST(Doctor, LegacyIptablesTablesAreNamed) {
  ASSERT_EQ(0, sh("iptables-legacy -L FORWARD >/dev/null").code);
  auto r = run("doctor");
  EXPECT_TRUE(has(line_of(r, "warn  firewall:"), "iptables-legacy tables are loaded (filter)")) << r.out;
  // The legacy table goes with the sandbox's network namespace.
}

TEST(Doctor, StubResolverInHostResolvConf) {
  // A private mount in the sandbox: the machine's /etc/resolv.conf is untouched.
  sh("printf 'nameserver 127.0.0.53\\noptions edns0\\n' >/tmp/vt-stub-resolv");
  auto r = vt::sh("unshare --mount --propagation private bash -c "
                  "'mount --bind /tmp/vt-stub-resolv /etc/resolv.conf && " VPNRUN_BIN " doctor'");
  std::string l = line_of(r, "warn  dns:");
  EXPECT_TRUE(has(l, "/etc/resolv.conf names 127.0.0.53, a stub resolver on the host's loopback")) << r.out;
  EXPECT_TRUE(has(l, "BindReadOnlyPaths=/etc/netns/NAME/resolv.conf:/etc/resolv.conf")) << l;
  sh("rm -f /tmp/vt-stub-resolv");
}

TEST(Doctor, NamespaceWithoutUsableNameServer) {
  vt::write_config("nodns", "");
  auto r = run("doctor nodns");
  EXPECT_EQ(1, r.code);
  EXPECT_TRUE(has(line_of(r, "FAIL  dns:"), "no name server for 'nodns'")) << r.out;
  vt::write_config("stubdns", "[dns]\nservers = [\"127.0.0.53\"]\n");
  auto s = run("doctor stubdns");
  EXPECT_EQ(1, s.code);
  EXPECT_TRUE(has(line_of(s, "FAIL  dns:"), "'stubdns' uses 127.0.0.53")) << s.out;
  vt::write_config("gooddns", "[dns]\nservers = [\"198.51.100.53\"]\n");
  auto g = run("doctor gooddns");
  EXPECT_EQ("ok    dns: 'gooddns' resolves through 198.51.100.53", line_of(g, "ok    dns: 'gooddns'")) << g.out;
  for (const char *n : {"nodns", "stubdns", "gooddns"}) vt::remove_config(n);
}

TEST(Doctor, NscdRunning) {
  // A process named nscd is what doctor looks for; a copy of sleep will do.
  sh("mkdir -p /tmp/vt-nscd && cp /bin/sleep /tmp/vt-nscd/nscd");
  sh("/tmp/vt-nscd/nscd 60 >/dev/null 2>&1 & echo $! >/tmp/vt-nscd/pid");
  auto r = run("doctor");
  std::string pid = sh("cat /tmp/vt-nscd/pid").out;
  pid.pop_back();
  EXPECT_TRUE(has(line_of(r, "warn  nscd:"), "running (pid ")) << r.out;
  EXPECT_TRUE(has(line_of(r, "warn  nscd:"), "InaccessiblePaths=/run/nscd")) << r.out;
  sh("kill " + pid + "; rm -rf /tmp/vt-nscd");
  // Not counting any other nscd: only that none of ours is reported after.
  EXPECT_FALSE(has(run("doctor").out, "pid " + pid + " nscd"));
}

TEST(Doctor, PrivilegeForms) {
  sh("rm -rf /tmp/vt-priv && mkdir -p /tmp/vt-priv && for f in plain setuid caps halfcaps; do "
     "cp " VPNRUN_BIN " /tmp/vt-priv/$f; done && cp " VPNRUN_ADMIN_BIN " /tmp/vt-priv/ && chmod 4755 /tmp/vt-priv/setuid && "
     "setcap cap_sys_admin,cap_setpcap+p /tmp/vt-priv/caps && setcap cap_sys_admin+p /tmp/vt-priv/halfcaps");
  EXPECT_EQ("ok    privilege: /tmp/vt-priv/setuid is setuid root",
            line_of(sh("/tmp/vt-priv/setuid doctor"), "ok    privilege:"));
  EXPECT_EQ("ok    privilege: /tmp/vt-priv/caps is file capabilities cap_sys_admin,cap_setpcap",
            line_of(sh("/tmp/vt-priv/caps doctor"), "ok    privilege:"));
  EXPECT_TRUE(has(line_of(sh("/tmp/vt-priv/plain doctor"), "warn  privilege:"),
                  "/tmp/vt-priv/plain is neither setuid root nor has file capabilities"));
  auto half = sh("/tmp/vt-priv/halfcaps doctor");
  EXPECT_EQ(1, half.code);
  EXPECT_TRUE(has(line_of(half, "FAIL  privilege:"), "has cap_sys_admin without cap_setpcap")) << half.out;
  // setuid on a nosuid file system does nothing.
  sh("mkdir -p /tmp/vt-nosuid && mount -t tmpfs -o nosuid,mode=0755 tmpfs /tmp/vt-nosuid && "
     "cp -a /tmp/vt-priv/setuid /tmp/vt-priv/vpnrun-admin /tmp/vt-nosuid/ && chmod 4755 /tmp/vt-nosuid/setuid");
  auto nosuid = sh("/tmp/vt-nosuid/setuid doctor");
  EXPECT_EQ(1, nosuid.code);
  EXPECT_TRUE(has(line_of(nosuid, "FAIL  privilege:"), "on a file system mounted nosuid")) << nosuid.out;
  sh("umount /tmp/vt-nosuid; rmdir /tmp/vt-nosuid; rm -rf /tmp/vt-priv");
}

TEST(Doctor, InvalidConfigsAndMissingGroup) {
  vt::write_config("broken", "[uplink]\nmtu = 1400\n");
  vt::write_config("nogroup", "[access]\ngroups = [\"vt-no-such-group\"]\n[dns]\nservers = [\"198.51.100.53\"]\n");
  sh("printf 'default_netns = \"bad name\"\\n' >/etc/vpnrun/vpnrun.toml");
  auto r = run("doctor");
  EXPECT_EQ(1, r.code);
  EXPECT_TRUE(has(r.out, "FAIL  config: parse config('/etc/vpnrun/broken.toml'): line 2: unknown key 'uplink.mtu'; "
                         "fix: correct /etc/vpnrun/broken.toml")) << r.out;
  EXPECT_TRUE(has(r.out, "FAIL  config: parse config('/etc/vpnrun/vpnrun.toml')")) << r.out;
  EXPECT_TRUE(has(r.out, "warn  config: group 'vt-no-such-group' in [access] of /etc/vpnrun/nogroup.toml "
                         "does not exist")) << r.out;
  EXPECT_TRUE(has(r.out, "ok    config: /etc/vpnrun/nogroup.toml is valid")) << r.out;
  vt::remove_config("broken");
  vt::remove_config("nogroup");
  vt::remove_config("vpnrun");
}

TEST(Doctor, TunDeviceMissing) {
  // /dev/null over /dev/net/tun, in a mount namespace of the test's own.
  auto r = sh("unshare --mount --propagation private bash -c "
              "'mount --bind /dev/null /dev/net/tun && " VPNRUN_BIN " doctor'");
  // Without a WireGuard module nothing could make a tunnel: a failure.
  const std::string verdict = wireguard_module() ? "warn  kernel:" : "FAIL  kernel:";
  EXPECT_EQ(wireguard_module() ? 0 : 1, r.code) << r.out;
  EXPECT_TRUE(has(line_of(r, verdict), "/dev/net/tun is missing or not the tun device")) << r.out;
}

TEST(Doctor, NoWireGuard) {
  // A kernel without the WireGuard module, whatever this one has: in a mount
  // namespace of the test's own, empty directories over where doctor looks
  // for it (/sys/module, the module lists of /lib/modules).
  const std::string no_module =
      "unshare --mount --propagation private bash -c 'mount -t tmpfs none /sys/module && "
      "m=/lib/modules/$(uname -r) && { [ ! -d $m ] || mount -t tmpfs none $m; } && ";
  auto with = sh(no_module + VPNRUN_BIN " doctor'");
  EXPECT_TRUE(has(line_of(with, "ok    kernel: WireGuard"), "no kernel module; wireguard-go at")) << with.out;
  // And no wireguard-go on PATH.
  auto r = sh(no_module + "PATH=/nonexistent " VPNRUN_BIN " doctor'");
  EXPECT_TRUE(has(line_of(r, "warn  kernel:"), "WireGuard: no kernel module and no wireguard-go on PATH")) << r.out;
}

TEST(Doctor, KernelProbeFailuresAreReported) {
  // Without CAP_SYS_ADMIN the probe cannot make its namespace, as on a kernel
  // without CONFIG_NET_NS; without CAP_NET_ADMIN, no veth and no nftables.
  auto r = sh("setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin " VPNRUN_BIN " doctor");
  EXPECT_EQ(1, r.code);
  EXPECT_TRUE(has(line_of(r, "FAIL  kernel: network namespaces:"), "unshare(CLONE_NEWNET)")) << r.out;
  auto n = sh("setpriv --inh-caps=-net_admin --bounding-set=-net_admin " VPNRUN_BIN " doctor");
  EXPECT_EQ(1, n.code);
  EXPECT_TRUE(has(line_of(n, "FAIL  kernel: veth pairs:"), "create veth")) << n.out;
  EXPECT_TRUE(has(line_of(n, "FAIL  kernel: nftables"), "fix: run vpnrun doctor as root with every capability"))
      << n.out;
}

TEST(Doctor, DegradedNamespace) {
  vt::write_config("sick", "[dns]\nservers = [\"198.51.100.53\"]\n");
  ASSERT_EQ(0, run("up sick").code);
  EXPECT_EQ("ok    namespace: 'sick' is up", line_of(run("doctor sick"), "ok    namespace:"));
  sh("ip link del vr-sick");
  auto r = run("doctor sick");
  EXPECT_EQ(1, r.code);
  EXPECT_TRUE(has(line_of(r, "FAIL  namespace:"), "'sick' is degraded")) << r.out;
  EXPECT_TRUE(has(line_of(r, "FAIL  namespace:"), "fix: vpnrun up sick")) << r.out;
  run("down sick");
  vt::remove_config("sick");
  EXPECT_TRUE(has(line_of(run("doctor sick"), "warn  namespace:"), "'sick' is not up; fix: vpnrun up sick"));
}

TEST(Doctor, NeedsRoot) {
  auto r = sh("setpriv --reuid=65534 --regid=65534 --clear-groups " VPNRUN_BIN " doctor");
  EXPECT_EQ(1, r.code);
  EXPECT_TRUE(has(r.err, "vpnrun doctor: must be run as root")) << r.err;
}

}  // namespace
