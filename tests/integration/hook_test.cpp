// vpnrun-hook against real kernel objects (the fixture: hook_fixture.hpp).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <regex>

#include "hook_fixture.hpp"
#include "vpnrun/attach.hpp"

using vt::run;
using vt::sh;

namespace {

using Hook = vt::HookTest;
using vt::state_snapshot;

TEST_F(Hook, AttachReachesTheInternetThroughTheTunnelOnly) {
  const std::string rules = ruleset();
  int c = container();
  auto a = hook("create", state("abcdef0123456789", c));
  ASSERT_EQ(0, a.code) << a.err;
  EXPECT_EQ("", a.err);
  EXPECT_NE(std::string::npos, in(c, "ip -4 -o addr show dev eth0").find("inet 10.251.0.2/24")) << in(c, "ip addr");
  EXPECT_EQ("default via 10.251.0.1 dev eth0 proto static \n", in(c, "ip route show default"));
  EXPECT_NE(std::string::npos, sh("ip -n vpn -o link show vc-abcdef012345").out.find("state UP"));
  std::ifstream resolv(bundle_ + "/rootfs/etc/resolv.conf");
  std::string text((std::istreambuf_iterator<char>(resolv)), std::istreambuf_iterator<char>());
  EXPECT_EQ("# Written by vpnrun-hook: the name servers of VPN namespace 'vpn'.\nnameserver 198.51.100.53\n", text);
  // Rule of the house 9: the ruleset is what `up` loaded, to the letter.
  EXPECT_EQ(rules, ruleset());

  // Out through the tunnel, masqueraded to the tunnel's address.
  EXPECT_EQ(0, sh("nsenter -t " + std::to_string(c) + " -n bash -c 'echo hi > /dev/udp/198.51.100.1/9999'").code);
  EXPECT_EQ("1", counter("wan", "inet seen", "via_vpn"));
  EXPECT_EQ("0", counter("vpn", "inet vpnrun", "blocked_containers"));
  // A TCP round trip: the echo server sees the VPN's address.
  sh("ip netns exec wan socat TCP-LISTEN:7777,bind=198.51.100.1,reuseaddr SYSTEM:'echo $SOCAT_PEERADDR' >/dev/null 2>&1 & sleep 0.3");
  EXPECT_EQ("192.0.2.2\n", sh("nsenter -t " + std::to_string(c) + " -n timeout 5 socat -T3 - TCP:198.51.100.1:7777 </dev/null").out);
}

TEST_F(Hook, NothingLeaksWhenTheTunnelIsGone) {
  int c = container();
  ASSERT_EQ(0, hook("create", state("abcdef0123456789", c)).code);
  ASSERT_EQ(0, sh("ip -n vpn link del tun0").code);
  for (int port : {9999, 1194, 53})
    sh("nsenter -t " + std::to_string(c) + " -n bash -c 'echo leak > /dev/udp/198.51.100.1/" + std::to_string(port) + "'");
  sh("nsenter -t " + std::to_string(c) + " -n timeout 2 bash -c 'echo > /dev/tcp/203.0.113.1/80'");
  // Not one IPv4 packet reached the simulated internet, by any way.
  EXPECT_EQ("0", counter("wan", "inet seen", "any4"));
  // Three datagrams and at least one SYN were stopped in the VPN namespace.
  const int blocked = std::stoi(counter("vpn", "inet vpnrun", "blocked_containers"));
  EXPECT_GE(blocked, 4);
  // And the VPN namespace itself is out of the container's reach.
  sh("nsenter -t " + std::to_string(c) + " -n bash -c 'echo x > /dev/udp/10.251.0.1/5353'");
  EXPECT_EQ(std::to_string(blocked + 1), counter("vpn", "inet vpnrun", "blocked_containers"));
}

TEST_F(Hook, TeardownUndoesAttachAndIsIdempotent) {
  warm_up();
  const std::string before = state_snapshot();
  int c = container();
  ASSERT_EQ(0, hook("create", state("abcdef0123456789", c)).code);
  EXPECT_EQ(1u, leases());
  // poststop: no pid; twice; then with nothing attached at all.
  for (int i = 0; i < 2; ++i) {
    auto t = hook("teardown", state("abcdef0123456789", 0));
    EXPECT_EQ(0, t.code) << t.err;
    EXPECT_EQ("", t.err);
  }
  EXPECT_EQ(0u, leases());
  EXPECT_EQ("", in(c, "ip -o link show eth0"));
  EXPECT_EQ(0, hook("teardown", state("never-attached", 0)).code);
  EXPECT_EQ(0, hook("teardown", state("x", 0, "other-ns")).code);
  stop(c);
  EXPECT_EQ("", vt::diff(before, state_snapshot()));
}

TEST_F(Hook, TeardownAfterTheContainerIsGone) {
  int c = container();
  ASSERT_EQ(0, hook("create", state("abcdef0123456789", c)).code);
  stop(c);  // its netns dies; the kernel deletes the veth pair
  auto t = hook("teardown", state("abcdef0123456789", 0));
  EXPECT_EQ(0, t.code) << t.err;
  EXPECT_EQ(0u, leases());
}

TEST_F(Hook, CreateTwiceIsOneAttach) {
  // Podman 4.3 runs the hook for createRuntime and for prestart.
  int c = container();
  ASSERT_EQ(0, hook("createRuntime", state("abcdef0123456789", c)).code);
  auto again = hook("prestart", state("abcdef0123456789", c));
  EXPECT_EQ(0, again.code) << again.err;
  EXPECT_EQ(1u, leases());
  EXPECT_EQ("1\n", in(c, "ip -4 -o addr show dev eth0 | wc -l"));
}

TEST_F(Hook, FailureAtEachStepLeavesNothing) {
  warm_up();
  const std::string before = state_snapshot();
  for (const auto &step : vpnrun::attach_steps()) {
    SCOPED_TRACE(step);
    int c = container();
    const std::string after_container = state_snapshot();
    auto r = hook("create", state("abcdef0123456789", c), "VPNRUN_FAULT=" + step);
    EXPECT_EQ(1, r.code);
    EXPECT_EQ("vpnrun-hook: create abcdef012345 (vpn): injected fault('" + step + "'): Input/output error\n", r.err);
    EXPECT_EQ("", vt::diff(after_container, state_snapshot()));
    EXPECT_EQ("", in(c, "ip -o link show eth0"));
    // A crash there instead: teardown (poststop never comes for a container
    // that did not start, but gc or a later teardown does) removes it all.
    auto crash = hook("create", state("abcdef0123456789", c), "VPNRUN_FAULT=" + step + " VPNRUN_FAULT_MODE=crash");
    EXPECT_EQ(99, crash.code);
    stop(c);
    wait_links(0);
    auto g = run("gc");
    EXPECT_EQ(0, g.code) << g.err;
    EXPECT_EQ("", vt::diff(before, state_snapshot())) << g.out;
  }
}

TEST_F(Hook, RefusesNetnsItMustNotWire) {
  warm_up();
  const std::string before = state_snapshot();
  // The host's (the runtime's) own network namespace.
  int host = container("unshare --mount");  // the netns is the sandbox's
  auto h = hook("create", state("hostnet", host));
  EXPECT_EQ(1, h.code);
  EXPECT_NE(std::string::npos, h.err.find("uses the host's network namespace; run it with --network none")) << h.err;
  // The VPN namespace itself.
  int vpn = container("nsenter --net=/run/netns/vpn");
  auto v = hook("create", state("vpnnet", vpn));
  EXPECT_EQ(1, v.code);
  EXPECT_NE(std::string::npos, v.err.find("already runs in the VPN namespace itself")) << v.err;
  // A netns that has a way out of its own (a bridge network, say).
  int net = container();
  ASSERT_EQ(0, sh("nsenter -t " + std::to_string(net) + " -n sh -c 'ip link add b0 type veth peer name b1 && "
                  "ip addr add 192.168.77.2/24 dev b0 && ip link set b0 up && ip route add default via 192.168.77.1'").code);
  auto n = hook("create", state("bridged", net));
  EXPECT_EQ(1, n.code);
  EXPECT_EQ("vpnrun-hook: create bridged (vpn): attach('pid " + std::to_string(net) +
                "'): the container's network namespace already has an IPv4 default route; run it with --network none\n",
            n.err);
  // A pid that is gone.
  auto g = hook("create", state("gone", 999999));
  EXPECT_EQ(1, g.code);
  EXPECT_NE(std::string::npos, g.err.find("pidfd_open('pid 999999'): No such process")) << g.err;
  // No pid at all.
  auto np = hook("create", state("nopid", 0));
  EXPECT_EQ(1, np.code);
  EXPECT_NE(std::string::npos, np.err.find("the runtime gave no pid")) << np.err;
  EXPECT_EQ("", vt::diff(before, state_snapshot()));
  EXPECT_EQ(0u, leases());
}

TEST_F(Hook, AnnotationDecides) {
  const std::string before = state_snapshot();
  int c = container();
  // No annotation: not ours, nothing happens, success.
  auto none = sh("printf '%s' '{\"id\":\"plain\",\"pid\":" + std::to_string(c) + "}' | " HOOK_BIN " create");
  EXPECT_EQ(0, none.code);
  EXPECT_EQ("", none.err);
  // A namespace that is not up, or does not allow containers: refused (fail
  // closed: the container asked for the VPN).
  auto down = hook("create", state("c1", c, "nope"));
  EXPECT_EQ(1, down.code);
  EXPECT_NE(std::string::npos, down.err.find("containers are not enabled")) << down.err;
  vt::write_config("nope", "[containers]\nenable = true\n");
  auto not_up = hook("create", state("c1", c, "nope"));
  EXPECT_EQ(1, not_up.code);
  EXPECT_NE(std::string::npos, not_up.err.find("the VPN namespace is not up; run `vpnrun up nope`")) << not_up.err;
  vt::remove_config("nope");
  auto bad = hook("create", state("c1", c, "../x"));
  EXPECT_EQ(1, bad.code);
  EXPECT_NE(std::string::npos, bad.err.find("annotation io.vpnrun.netns: parse namespace name")) << bad.err;
  auto junk = sh("echo 'not json' | " HOOK_BIN " create");
  EXPECT_EQ(1, junk.code);
  EXPECT_EQ("vpnrun-hook: create: parse('OCI state'): not valid JSON\n", junk.err);
  auto usage = sh(HOOK_BIN " </dev/null");
  EXPECT_EQ(1, usage.code);
  EXPECT_EQ("", in(c, "ip -o link show eth0"));
  EXPECT_EQ("", vt::diff(before, state_snapshot()));
}

TEST_F(Hook, RootlessIsRefused) {
  int c = container();
  auto r = sh("printf '%s' '" + state("rootless", c) + "' | unshare --user --map-root-user " HOOK_BIN " create");
  EXPECT_EQ(1, r.code);
  EXPECT_NE(std::string::npos, r.err.find("rootless containers are not supported")) << r.err;
  EXPECT_EQ(0u, leases());
  // poststop of such a container has nothing to undo.
  EXPECT_EQ(0, sh("printf '%s' '" + state("rootless", 0) + "' | unshare --user --map-root-user " HOOK_BIN " teardown").code);
}

TEST_F(Hook, IdsAlikeInTwelveCharactersGetTwoLinks) {
  const std::string a = "2b368ac518a1" + std::string(52, 'a');
  const std::string b = "2b368ac518a1" + std::string(52, 'b');
  int ca = container(), cb = container();
  ASSERT_EQ(0, hook("create", state(a, ca)).code);
  auto second = hook("create", state(b, cb));
  ASSERT_EQ(0, second.code) << second.err;
  EXPECT_EQ("2\n", sh("ip -n vpn -o link show | grep -c ' vc-'").out);
  EXPECT_NE(std::string::npos, sh("ip -n vpn -o link show").out.find("vc-2b368ac518a1@"));
  EXPECT_EQ(0, hook("teardown", state(b, 0)).code);
  EXPECT_EQ(0, hook("teardown", state(a, 0)).code);
  EXPECT_EQ("0\n", sh("ip -n vpn -o link show | grep -c ' vc-'").out);
}

TEST_F(Hook, GcReleasesWhatIsGone) {
  int c1 = container(), c2 = container();
  ASSERT_EQ(0, hook("create", state("one", c1)).code);
  ASSERT_EQ(0, hook("create", state("two", c2)).code);
  EXPECT_EQ(2u, leases());
  stop(c1);
  wait_links(1);
  auto g = run("gc");
  EXPECT_EQ(0, g.code) << g.err;
  EXPECT_EQ("released 1, kept 1\n", g.out);
  EXPECT_EQ(1u, leases());
  // A lease whose container is gone is taken back when its address is next in
  // line; here the pool is large, so by gc once the namespace is down.
  ASSERT_EQ(0, run("down vpn").code);
  auto g2 = run("gc");
  EXPECT_EQ("released 1, kept 0\n", g2.out);
  EXPECT_EQ(1, sh("test -e /run/vpnrun/_containers").code);
}

}  // namespace

namespace {

TEST_F(Hook, FailureIsOneStderrLineAndTheSameLineInSyslog) {
  // A private /dev with a syslog socket of the test's own (the machine may
  // have no syslog daemon; the test must not use it if it has one).
  int c = container();
  const std::string log = bundle_ + "/syslog";
  auto r = sh("unshare --mount bash -c 'mount -t tmpfs -o size=1m testdev /dev && mknod -m 666 /dev/null c 1 3 && "
              "{ socat -u UNIX-RECV:/dev/log,mode=666 OPEN:" + log + ",creat,append & } && "
              "for i in $(seq 50); do [ -S /dev/log ] && break; sleep 0.02; done && "
              "printf \"%s\" \"$0\" | " HOOK_BIN " create; rc=$?; sleep 0.2; kill %1; exit $rc' '" +
              state("logged", c, "nope") + "'");
  EXPECT_EQ(1, r.code);
  const std::string line = "create logged (nope): attach('nope'): containers are not enabled; set [containers] "
                           "enable = true in /etc/vpnrun/nope.toml and run `vpnrun down nope && vpnrun up nope`";
  EXPECT_EQ("vpnrun-hook: " + line + "\n", r.err);
  std::ifstream in(log);
  std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // <27> = daemon.err; then the time, "vpnrun-hook[PID]: " and the same line.
  EXPECT_EQ(0u, got.rfind("<27>", 0)) << got;
  EXPECT_NE(std::string::npos, got.find(" vpnrun-hook[")) << got;
  EXPECT_NE(std::string::npos, got.find("]: " + line)) << got;
}

}  // namespace

namespace {

TEST_F(Hook, ContainersSharingAnAttachedNetnsAreAttachedAlready) {
  // A pod: the sandbox (CRI-O's pause, Podman's infra) attaches the network
  // namespace; the pod's containers join it and carry the same annotation.
  int sandbox = container();
  int app = container("nsenter --net=/proc/" + std::to_string(sandbox) + "/ns/net");
  ASSERT_EQ(0, hook("create", state("pod-sandbox", sandbox)).code);
  auto joined = hook("create", state("pod-app", app));
  EXPECT_EQ(0, joined.code) << joined.err;
  EXPECT_EQ(1u, leases());
  EXPECT_EQ("1\n", sh("ip -n vpn -o link show | grep -c ' vc-'").out);
  // The app's teardown leaves the pod's wiring; the sandbox's removes it.
  EXPECT_EQ(0, hook("teardown", state("pod-app", 0)).code);
  EXPECT_EQ(1u, leases());
  EXPECT_EQ(0, hook("teardown", state("pod-sandbox", 0)).code);
  EXPECT_EQ(0u, leases());
  EXPECT_EQ("0\n", sh("ls /run/vpnrun/_containers/vpn/netns | wc -l").out);
  EXPECT_EQ("", in(app, "ip -o link show eth0"));
}

}  // namespace

namespace {

TEST_F(Hook, FailedTeardownKeepsTheRecordAndARetryFinishesIt) {
  int c = container();
  ASSERT_EQ(0, hook("create", state("abcdef0123456789", c)).code);
  auto t = hook("teardown", state("abcdef0123456789", 0), "VPNRUN_FAULT=detach-link");
  EXPECT_EQ(1, t.code);
  EXPECT_EQ("vpnrun-hook: teardown abcdef012345 (vpn): injected fault('detach-link'): Input/output error\n", t.err);
  EXPECT_EQ(1u, leases());
  EXPECT_EQ("1\n", sh("ip -n vpn -o link show | grep -c ' vc-'").out);
  auto again = hook("teardown", state("abcdef0123456789", 0));
  EXPECT_EQ(0, again.code) << again.err;
  EXPECT_EQ(0u, leases());
  EXPECT_EQ("0\n", sh("ip -n vpn -o link show | grep -c ' vc-'").out);
}

}  // namespace

namespace {

TEST_F(Hook, LinksHaveOneQueueEachAndTheRecordedIndex) {
  int c = container();
  ASSERT_EQ(0, hook("create", state("abcdef0123456789", c)).code);
  // Asked for at creation: the kernel's default is one per CPU, cut to one
  // after registration at the cost of an RCU grace period per side.
  const std::string vpn_side = sh("ip -n vpn -d -o link show vc-abcdef012345").out;
  EXPECT_NE(std::string::npos, vpn_side.find("numtxqueues 1 numrxqueues 1")) << vpn_side;
  const std::string ctr_side = in(c, "ip -d -o link show eth0");
  EXPECT_NE(std::string::npos, ctr_side.find("numtxqueues 1 numrxqueues 1")) << ctr_side;
  // The index the record holds (looked up with SIOCGIFINDEX) is the link's.
  const std::string index = vpn_side.substr(0, vpn_side.find(':'));
  EXPECT_EQ(index + "\n", sh("sed -n 's/^link-index //p' /run/vpnrun/_containers/vpn/ctr/abcdef0123456789").out);
  EXPECT_EQ(0, hook("teardown", state("abcdef0123456789", 0)).code);
  EXPECT_EQ("", sh("ip -n vpn -o link show vc-abcdef012345 2>/dev/null").out);
}

TEST_F(Hook, ResolvConfLongerThanTheNewTextIsReplacedWhole) {
  // The new text is written over the old one, then the file is cut to length.
  ASSERT_EQ(0, sh("printf 'nameserver 10.8.0.1\\n' > /etc/netns/vpn/resolv.conf && for i in $(seq 1 200); do "
                  "echo 'nameserver 192.0.2.99 # a longer file than the new one'; done > " +
                  bundle_ + "/rootfs/etc/resolv.conf").code);
  int c = container();
  ASSERT_EQ(0, hook("create", state("dns", c)).code);
  std::ifstream resolv(bundle_ + "/rootfs/etc/resolv.conf");
  std::string text((std::istreambuf_iterator<char>(resolv)), std::istreambuf_iterator<char>());
  EXPECT_EQ("# Written by vpnrun-hook: the name servers of VPN namespace 'vpn'.\nnameserver 10.8.0.1\n", text);
  EXPECT_EQ(0, hook("teardown", state("dns", 0)).code);
}

TEST_F(Hook, ContainerGetsTheNamespacesCurrentNameServers) {
  // Servers pushed by the VPN server after `up` (OpenVPN's --up helper
  // rewrites /etc/netns/NAME/resolv.conf): the container gets those.
  ASSERT_EQ(0, sh("printf 'nameserver 10.8.0.1\\nnameserver 10.8.0.2\\n' > /etc/netns/vpn/resolv.conf").code);
  int c = container();
  ASSERT_EQ(0, hook("create", state("dns", c)).code);
  std::ifstream resolv(bundle_ + "/rootfs/etc/resolv.conf");
  std::string text((std::istreambuf_iterator<char>(resolv)), std::istreambuf_iterator<char>());
  EXPECT_EQ("# Written by vpnrun-hook: the name servers of VPN namespace 'vpn'.\nnameserver 10.8.0.1\nnameserver 10.8.0.2\n",
            text);
  // A link in the image is replaced, never followed.
  ASSERT_EQ(0, sh("echo keep > " + bundle_ + "/victim && rm " + bundle_ + "/rootfs/etc/resolv.conf && "
                  "ln -s ../../victim " + bundle_ + "/rootfs/etc/resolv.conf").code);
  int c2 = container();
  ASSERT_EQ(0, hook("create", state("dns2", c2)).code);
  EXPECT_EQ(1, sh("test -L " + bundle_ + "/rootfs/etc/resolv.conf").code);
  EXPECT_EQ("keep\n", sh("cat " + bundle_ + "/victim").out);
  EXPECT_NE("", sh("grep -x 'nameserver 10.8.0.1' " + bundle_ + "/rootfs/etc/resolv.conf").out);
  // A bind mount from outside the container's own files is refused.
  ASSERT_EQ(0, sh("echo '{\"root\":{\"path\":\"rootfs\"},\"mounts\":[{\"destination\":\"/etc/resolv.conf\","
                  "\"source\":\"/etc/resolv.conf\",\"type\":\"bind\"}]}' > " + bundle_ + "/config.json").code);
  int c3 = container();
  auto r = hook("create", state("dns3", c3));
  EXPECT_EQ(1, r.code);
  EXPECT_NE(std::string::npos, r.err.find("write resolv.conf('/etc/resolv.conf'): the container's /etc/resolv.conf "
                                          "is mounted from a file that is not its own")) << r.err;
  EXPECT_EQ("", in(c3, "ip -o link show eth0"));
  EXPECT_EQ(0, hook("teardown", state("dns", 0)).code);
  EXPECT_EQ(0, hook("teardown", state("dns2", 0)).code);
}

}  // namespace
