// attach: interface names from container ids, and the attachment record.
#include "vpnrun/attach.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "vpnrun/firewall.hpp"

namespace vpnrun {
namespace {

ContainerId C(const std::string &s) { return ContainerId::parse(s).value(); }

const std::string kPodmanId = "2b368ac518a1b1233010ab673470daa0960b3377b9f824f46d00dcc3e4a88923";

TEST(ContainerVethName, PodmanIdsGiveTheirShortId) {
  EXPECT_EQ(container_veth_name(C(kPodmanId)).str(), "vc-2b368ac518a1");
}

TEST(ContainerVethName, FitsAndCarriesThePrefix) {
  for (const std::string &id : std::vector<std::string>{kPodmanId, std::string("rc-test-1"), std::string("x"), std::string(128, 'Z'),
                               std::string("ABCDEF0123456789"), std::string("0123456789ab")}) {
    for (unsigned attempt = 0; attempt < 8; ++attempt) {
      const std::string n = container_veth_name(C(id), attempt).str();
      EXPECT_EQ(n.size(), 15u) << id;
      EXPECT_EQ(n.rfind(kContainerVethPrefix, 0), 0u) << n;
    }
  }
}

TEST(ContainerVethName, Deterministic) {
  EXPECT_EQ(container_veth_name(C("rc-test-1")), container_veth_name(C("rc-test-1")));
  EXPECT_EQ(container_veth_name(C("rc-test-1"), 3), container_veth_name(C("rc-test-1"), 3));
}

TEST(ContainerVethName, NonHexIdsAreHashedWhole) {
  // Alike in their first 12 characters, different names.
  EXPECT_NE(container_veth_name(C("my-container-1")), container_veth_name(C("my-container-2")));
  // Upper-case hex is not podman's form: hashed.
  EXPECT_NE(container_veth_name(C("ABCDEF0123456789")).str(), "vc-ABCDEF012345");
}

TEST(ContainerVethName, CollisionsHaveOtherNamesToTry) {
  // Two podman ids with the same first 12 digits share the first name; each
  // further attempt gives another, and the two ids part ways there.
  const std::string other = kPodmanId.substr(0, 12) + std::string(52, 'f');
  EXPECT_EQ(container_veth_name(C(kPodmanId)), container_veth_name(C(other)));
  std::set<std::string> names;
  for (unsigned attempt = 0; attempt < 8; ++attempt) names.insert(container_veth_name(C(kPodmanId), attempt).str());
  EXPECT_EQ(names.size(), 8u);
  EXPECT_NE(container_veth_name(C(kPodmanId), 1), container_veth_name(C(other), 1));
}

TEST(AttachmentRecord, RoundTrip) {
  Attachment a{"vpn", 4026532821ul, 4026532894ul, IpAddr::parse("10.251.0.2").value(), "vc-abcdef012345", 4};
  EXPECT_EQ(a.text(),
            "netns vpn\nnetns-inode 4026532821\ncontainer-inode 4026532894\naddress 10.251.0.2\n"
            "link vc-abcdef012345\nlink-index 4\n");
  auto b = Attachment::parse(a.text());
  ASSERT_TRUE(b.ok()) << b.error().message();
  EXPECT_EQ(b->text(), a.text());
}

TEST(AttachmentRecord, Refusals) {
  EXPECT_FALSE(Attachment::parse("").ok());
  EXPECT_FALSE(Attachment::parse("netns vpn\naddress 10.0.0.2\n").ok()) << "no link";
  EXPECT_FALSE(Attachment::parse("netns ../x\naddress 10.0.0.2\nlink vc-a\n").ok());
  EXPECT_FALSE(Attachment::parse("netns vpn\naddress fd00::2\nlink vc-a\n").ok());
  EXPECT_FALSE(Attachment::parse("netns vpn\naddress 10.0.0.2\nlink vc-a\nlink-index -4\n").ok());
  EXPECT_FALSE(Attachment::parse("netns vpn\naddress 10.0.0.2\nlink a/b\n").ok());
  // A torn write (crash) loses the end: still read, the index unknown.
  auto torn = Attachment::parse("netns vpn\nnetns-inode 1\naddress 10.0.0.2\nlink vc-a\n");
  ASSERT_TRUE(torn.ok());
  EXPECT_EQ(torn->link_index, 0);
}

TEST(AttachSteps, OrderedAndPrefixed) {
  const auto &s = attach_steps();
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s.front(), "attach-pin");
  EXPECT_EQ(s.back(), "attach-dns");
  for (const auto &step : s) EXPECT_EQ(step.rfind("attach-", 0), 0u) << step;
}

}  // namespace
}  // namespace vpnrun
