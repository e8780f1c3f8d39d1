// oci: container state from the runtimes as they write it, and config.json.
#include "vpnrun/oci.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vpnrun {
namespace {

// Captured from runc 1.1.5 (Debian 12), createRuntime and poststop.
const char *kRuncCreate =
    R"({"ociVersion":"1.0.2-dev","id":"rc-test-1","status":"creating","pid":3442,"bundle":"/tmp/rc/bundle","annotations":{"io.vpnrun.netns":"vpn"}})";
const char *kRuncPoststop =
    R"({"ociVersion":"1.0.2-dev","id":"rc-test-1","status":"stopped","bundle":"/tmp/rc/bundle","annotations":{"io.vpnrun.netns":"vpn"}})";
// Captured from Podman 4.3.1 with runc, createRuntime and poststop (no pid).
const char *kPodmanCreate =
    R"({"ociVersion":"1.0.2-dev","id":"2b368ac518a1b1233010ab673470daa0960b3377b9f824f46d00dcc3e4a88923","status":"creating","pid":32505,"bundle":"/var/lib/containers/storage/overlay-containers/2b368ac518a1b1233010ab673470daa0960b3377b9f824f46d00dcc3e4a88923/userdata","annotations":{"io.container.manager":"libpod","io.kubernetes.cri-o.Created":"2026-11-23T19:23:34.082687191Z","io.kubernetes.cri-o.TTY":"false","io.podman.annotations.autoremove":"TRUE","io.podman.annotations.init":"FALSE","io.podman.annotations.privileged":"FALSE","io.podman.annotations.publish-all":"FALSE","io.vpnrun.netns":"vpn","org.opencontainers.image.stopSignal":"15"}})";
const char *kPodmanPoststop =
    R"({"ociVersion":"1.0.2-dev","id":"b53733f811fe7470005306e7d4105e38ae930118c58c4a1b27183f7c96c78fca","status":"stopped","bundle":"/var/lib/containers/storage/overlay-containers/b53733f811fe7470005306e7d4105e38ae930118c58c4a1b27183f7c96c78fca/userdata","annotations":{"io.kubernetes.cri-o.TTY":"false","io.podman.annotations.autoremove":"TRUE","io.vpnrun.netns":"vpn"}})";
// crun's state has more keys (rootfs, created, owner) and reports pid 0 once
// the container has stopped. (crun cannot run on this machine's hybrid
// cgroups: written after crun's state output, not captured.)
const char *kCrunPoststop =
    R"({"ociVersion":"1.0.0","id":"c1","pid":0,"status":"stopped","bundle":"/run/b","rootfs":"/run/b/rootfs","created":"2026-11-23T19:23:34Z","owner":"","annotations":{"io.vpnrun.netns":"work"}})";
// runc before OCI 1.0 wrote "bundlePath".
const char *kOldRunc = R"({"ociVersion":"1.0.0-rc5","id":"old","pid":77,"bundlePath":"/b//c/","status":"running"})";

TEST(OciState, RuncCreateRuntime) {
  auto s = parse_oci_state(kRuncCreate);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->id.str(), "rc-test-1");
  ASSERT_TRUE(s->pid.has_value());
  EXPECT_EQ(*s->pid, 3442);
  EXPECT_EQ(s->bundle, "/tmp/rc/bundle");
  EXPECT_EQ(s->annotation(kNetnsAnnotation), std::optional<std::string>("vpn"));
}

TEST(OciState, PoststopHasNoPid) {
  for (const char *j : {kRuncPoststop, kPodmanPoststop, kCrunPoststop}) {
    auto s = parse_oci_state(j);
    ASSERT_TRUE(s.ok()) << j << ": " << s.error().message();
    EXPECT_FALSE(s->pid.has_value()) << j;
    EXPECT_TRUE(s->annotation(kNetnsAnnotation).has_value()) << j;
  }
  EXPECT_EQ(parse_oci_state(kCrunPoststop)->annotation(kNetnsAnnotation), std::optional<std::string>("work"));
}

TEST(OciState, PodmanWithItsAnnotations) {
  auto s = parse_oci_state(kPodmanCreate);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->id.short_id(), "2b368ac518a1");
  EXPECT_EQ(*s->pid, 32505);
  EXPECT_EQ(s->annotations.size(), 9u);
  EXPECT_EQ(s->annotation("io.container.manager"), std::optional<std::string>("libpod"));
  EXPECT_FALSE(s->annotation("io.vpnrun.other").has_value());
}

TEST(OciState, BundlePathIsAcceptedAndNormalised) {
  auto s = parse_oci_state(kOldRunc);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->bundle, "/b/c");
  EXPECT_TRUE(s->annotations.empty());
  // "bundle" wins when both are there.
  auto both = parse_oci_state(R"({"id":"x","bundle":"/new","bundlePath":"/old"})");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->bundle, "/new");
}

TEST(OciState, UnknownKeysAndStatusAreIgnored) {
  auto s = parse_oci_state(
      R"({"id":"x","status":{"weird":true},"future":[1,2,3],"pid":5,"annotations":{"n":3,"io.vpnrun.netns":"vpn"}})");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(*s->pid, 5);
  // Non-string annotation values are dropped, not errors.
  EXPECT_EQ(s->annotations.size(), 1u);
  // No status at all is fine too.
  EXPECT_TRUE(parse_oci_state(R"({"id":"x"})").ok());
}

TEST(OciState, OptionalPidForms) {
  EXPECT_FALSE(parse_oci_state(R"({"id":"x","pid":null})")->pid.has_value());
  EXPECT_FALSE(parse_oci_state(R"({"id":"x","pid":-1})")->pid.has_value());
  EXPECT_FALSE(parse_oci_state(R"({"id":"x","pid":4294967297})")->pid.has_value());
  EXPECT_FALSE(parse_oci_state(R"({"id":"x","pid":"5"})").ok());
  EXPECT_FALSE(parse_oci_state(R"({"id":"x","pid":5.5})").ok());
}

TEST(OciState, Refusals) {
  auto msg = [](const std::string &j) {
    auto s = parse_oci_state(j);
    return s.ok() ? std::string("<accepted>") : s.error().message();
  };
  EXPECT_EQ(msg(""), "parse('OCI state'): not valid JSON");
  EXPECT_EQ(msg("{"), "parse('OCI state'): not valid JSON");
  EXPECT_EQ(msg("[]"), "parse('OCI state'): not a JSON object");
  EXPECT_EQ(msg(R"({"pid":1})"), "parse('OCI state'): no string \"id\"");
  EXPECT_EQ(msg(R"({"id":7})"), "parse('OCI state'): no string \"id\"");
  EXPECT_EQ(msg(R"({"id":"../etc"})"), "parse container id('../etc'): may contain only letters, digits and '_+.-'");
  EXPECT_EQ(msg(R"({"id":".x"})"), "parse container id('.x'): starts with '.'");
  EXPECT_EQ(msg(R"({"id":"x","bundle":"rel/path"})"), "parse('OCI state'): \"bundle\" is not a clean absolute path");
  EXPECT_EQ(msg(R"({"id":"x","bundle":"/a/../b"})"), "parse('OCI state'): \"bundle\" is not a clean absolute path");
  EXPECT_EQ(msg(R"({"id":"x","bundle":5})"), "parse('OCI state'): \"bundle\" is not a string");
  EXPECT_EQ(msg(R"({"id":"x","annotations":[]})"), "parse('OCI state'): \"annotations\" is not an object");
  EXPECT_EQ(msg(std::string(R"({"id":"x","pad":")") + std::string(kMaxOciJson, 'a') + "\"}"),
            "parse('OCI state'): larger than 4 MiB");
}

TEST(OciConfig, RootRelativeToBundleAndResolvMount) {
  auto c = parse_oci_config(R"({"ociVersion":"1.0.2","root":{"path":"rootfs","readonly":true},
    "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
              {"destination":"/etc/resolv.conf","type":"bind","source":"/run/u/resolv.conf","options":["bind"]},
              {"destination":"/etc//resolv.conf/","type":"bind","source":"/run/v/resolv.conf"}],
    "process":{"args":["sh"]}})",
                            "/b");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->root, "/b/rootfs");
  // The last mount on /etc/resolv.conf is what the container sees.
  EXPECT_EQ(c->resolv_source, std::optional<std::string>("/run/v/resolv.conf"));
}

TEST(OciConfig, AbsoluteRootNoResolvMount) {
  auto c = parse_oci_config(R"({"root":{"path":"/var/lib/x/merged"},"mounts":[{"destination":"/etc/hosts","source":"/h"}]})", "/b");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->root, "/var/lib/x/merged");
  EXPECT_FALSE(c->resolv_source.has_value());
}

TEST(OciConfig, Refusals) {
  EXPECT_FALSE(parse_oci_config(R"({"mounts":[]})", "/b").ok());
  EXPECT_FALSE(parse_oci_config(R"({"root":{"path":""}})", "/b").ok());
  EXPECT_FALSE(parse_oci_config(R"({"root":{"path":"../x"}})", "/b").ok());
  EXPECT_FALSE(parse_oci_config(R"({"root":{"path":"r"},"mounts":{}})", "/b").ok());
  EXPECT_FALSE(parse_oci_config(
                   R"({"root":{"path":"r"},"mounts":[{"destination":"/etc/resolv.conf","source":"/a/../etc/resolv.conf"}]})",
                   "/b")
                   .ok());
  auto e = parse_oci_config("nope", "/b");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message(), "parse('/b/config.json'): not valid JSON");
}

}  // namespace
}  // namespace vpnrun
