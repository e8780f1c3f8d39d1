// A VPN namespace with a client vpnrun starts: WireGuard through wireguard-go,
// whose server (198.51.100.1:51820 in the simulated internet) does not exist.
// The client runs and its device is up; no handshake is needed for `up`. Each
// test leaves vt::residue() as it found it.
#pragma once
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "harness.hpp"

namespace vt {

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = residue(vt::settled_residue());
    auto key = sh("wg genkey | tr -d '\\n'");
    auto peer = sh("wg genkey | wg pubkey | tr -d '\\n'");
    ASSERT_EQ(0, key.code) << key.err;
    ASSERT_EQ(0, peer.code) << peer.err;
    ASSERT_EQ(0, sh("umask 077 && printf '[Interface]\\nPrivateKey = %s\\nAddress = 10.9.0.2/32\\n"
                    "[Peer]\\nPublicKey = %s\\nEndpoint = 198.51.100.1:51820\\nAllowedIPs = 0.0.0.0/0\\n' '" +
                    key.out + "' '" + peer.out + "' > /etc/vpnrun/" + ns() + ".client")
                     .code);
    write_client_config("veth");
  }
  void TearDown() override {
    auto d = run("down -q " + ns());
    EXPECT_EQ(0, d.code) << d.err;
    vt::remove_config(ns());
    sh("rm -f /etc/vpnrun/" + ns() + ".client");
    EXPECT_EQ("", vt::diff(base_, residue())) << "residue after the test";
  }
  static std::string ns() { return "fault"; }
  // vt::residue() less /etc/vpnrun: the test's configuration, which vpnrun only reads.
  static std::string residue(const std::string &all = vt::residue()) {
    static const std::regex config("/etc/vpnrun.*\n");
    return std::regex_replace(all, config, "");
  }
  static void write_client_config(const std::string &mode) {
    vt::write_config(ns(), "[uplink]\nmode = \"" + mode + "\"\n[vpn]\ntype = \"wireguard\"\nconfig = \"/etc/vpnrun/" +
                               ns() + ".client\"\n");
  }

  std::string base_;
};

}  // namespace vt
