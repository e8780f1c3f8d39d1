// netlink: the message builders, checked by parsing what they build with libmnl,
// and the reply parsers, fed hand-built good and malformed replies.
#include "vpnrun/netlink.hpp"

#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace vpnrun {
namespace {

IfName If(const char *s) { return IfName::parse(s).value(); }
IpAddr A(const char *s) { return IpAddr::parse(s).value(); }
IpNet N(const char *s) { return IpNet::parse(s).value(); }

// Every attribute of one level, by type. Duplicates would be a builder bug.
struct Attrs {
  std::map<uint16_t, const nlattr *> by_type;
  std::vector<uint16_t> order;
  int duplicates = 0;

  const nlattr *get(uint16_t t) const {
    auto it = by_type.find(t);
    return it == by_type.end() ? nullptr : it->second;
  }
  bool has(uint16_t t) const { return get(t) != nullptr; }
};

int collect(const nlattr *a, void *data) {
  auto *at = static_cast<Attrs *>(data);
  uint16_t t = mnl_attr_get_type(a);
  if (at->by_type.count(t)) ++at->duplicates;
  at->by_type[t] = a;
  at->order.push_back(t);
  return MNL_CB_OK;
}

Attrs top_attrs(const nlmsghdr *nlh, size_t hdrlen) {
  Attrs at;
  EXPECT_EQ(mnl_attr_parse(nlh, static_cast<unsigned>(MNL_ALIGN(hdrlen)), collect, &at), MNL_CB_OK);
  EXPECT_EQ(at.duplicates, 0);
  return at;
}

Attrs nested_attrs(const nlattr *nest) {
  Attrs at;
  EXPECT_EQ(mnl_attr_parse_nested(nest, collect, &at), MNL_CB_OK);
  EXPECT_EQ(at.duplicates, 0);
  return at;
}

std::string str_attr(const nlattr *a) {
  if (!a) return "<missing>";
  if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0) return "<not a NUL-terminated string>";
  return mnl_attr_get_str(a);
}

uint32_t u32_attr(const nlattr *a) {
  EXPECT_NE(a, nullptr);
  if (!a) return 0xdeadbeef;
  EXPECT_EQ(mnl_attr_validate(a, MNL_TYPE_U32), 0);
  return mnl_attr_get_u32(a);
}

std::vector<uint8_t> bytes_attr(const nlattr *a) {
  if (!a) return {};
  const auto *p = static_cast<const uint8_t *>(mnl_attr_get_payload(a));
  return {p, p + mnl_attr_get_payload_len(a)};
}

std::vector<uint8_t> bytes_of(const IpAddr &a) { return {a.bytes.begin(), a.bytes.begin() + a.size()}; }

// The whole message must be internally consistent: its length covers exactly
// its header, fixed header and attributes, and libmnl accepts it.
void expect_well_formed(const NlMessage &m) {
  const nlmsghdr *nlh = m.hdr();
  EXPECT_TRUE(mnl_nlmsg_ok(nlh, static_cast<int>(nlh->nlmsg_len)));
  EXPECT_LE(nlh->nlmsg_len, NlMessage::kSize);
  EXPECT_EQ(nlh->nlmsg_len % 4, 0u);
  EXPECT_TRUE(m.check("test").ok());
}

constexpr uint16_t kCreate = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;

// ---- builders ---------------------------------------------------------------

TEST(NetlinkBuild, NewVethWithPeerInAnotherNamespace) {
  NlMessage m = msg_new_veth(If("vr-vpn"), If("uplink"), 7, true);
  expect_well_formed(m);
  const nlmsghdr *nlh = m.hdr();
  EXPECT_EQ(nlh->nlmsg_type, RTM_NEWLINK);
  EXPECT_EQ(nlh->nlmsg_flags, kCreate);

  const auto *ifm = static_cast<const ifinfomsg *>(mnl_nlmsg_get_payload(nlh));
  EXPECT_EQ(ifm->ifi_family, AF_UNSPEC);
  EXPECT_EQ(ifm->ifi_index, 0);
  EXPECT_EQ(ifm->ifi_flags, static_cast<unsigned>(IFF_UP));
  EXPECT_EQ(ifm->ifi_change, static_cast<unsigned>(IFF_UP));

  Attrs top = top_attrs(nlh, sizeof(ifinfomsg));
  EXPECT_EQ(str_attr(top.get(IFLA_IFNAME)), "vr-vpn");
  EXPECT_FALSE(top.has(IFLA_NET_NS_FD)) << "the host side must stay on the host";
  ASSERT_TRUE(top.has(IFLA_LINKINFO));
  EXPECT_EQ(top.order, (std::vector<uint16_t>{IFLA_IFNAME, IFLA_NUM_TX_QUEUES, IFLA_NUM_RX_QUEUES, IFLA_LINKINFO}));
  // One queue each, asked for at creation (else the kernel shrinks its
  // default afterwards, an RCU grace period per side).
  EXPECT_EQ(u32_attr(top.get(IFLA_NUM_TX_QUEUES)), 1u);
  EXPECT_EQ(u32_attr(top.get(IFLA_NUM_RX_QUEUES)), 1u);

  Attrs info = nested_attrs(top.get(IFLA_LINKINFO));
  EXPECT_EQ(str_attr(info.get(IFLA_INFO_KIND)), "veth");
  ASSERT_TRUE(info.has(IFLA_INFO_DATA));

  Attrs data = nested_attrs(info.get(IFLA_INFO_DATA));
  const nlattr *peer = data.get(VETH_INFO_PEER);
  ASSERT_NE(peer, nullptr);

  // VETH_INFO_PEER: the peer's own ifinfomsg, then its attributes.
  ASSERT_GE(mnl_attr_get_payload_len(peer), sizeof(ifinfomsg));
  const auto *pifm = static_cast<const ifinfomsg *>(mnl_attr_get_payload(peer));
  EXPECT_EQ(pifm->ifi_family, AF_UNSPEC);
  EXPECT_EQ(pifm->ifi_index, 0);
  EXPECT_EQ(pifm->ifi_flags, 0u) << "the peer must be created down";
  EXPECT_EQ(pifm->ifi_change, 0u);

  Attrs pattrs;
  const char *after = static_cast<const char *>(mnl_attr_get_payload(peer)) + MNL_ALIGN(sizeof(ifinfomsg));
  size_t plen = mnl_attr_get_payload_len(peer) - MNL_ALIGN(sizeof(ifinfomsg));
  ASSERT_EQ(mnl_attr_parse_payload(after, plen, collect, &pattrs), MNL_CB_OK);
  EXPECT_EQ(pattrs.duplicates, 0);
  EXPECT_EQ(str_attr(pattrs.get(IFLA_IFNAME)), "uplink");
  EXPECT_EQ(u32_attr(pattrs.get(IFLA_NET_NS_FD)), 7u);
  EXPECT_EQ(u32_attr(pattrs.get(IFLA_NUM_TX_QUEUES)), 1u);
  EXPECT_EQ(u32_attr(pattrs.get(IFLA_NUM_RX_QUEUES)), 1u);
  EXPECT_EQ(pattrs.order,
            (std::vector<uint16_t>{IFLA_IFNAME, IFLA_NUM_TX_QUEUES, IFLA_NUM_RX_QUEUES, IFLA_NET_NS_FD}));

  // The nests end exactly at the end of the message.
  const char *end = reinterpret_cast<const char *>(nlh) + nlh->nlmsg_len;
  const char *linkinfo_end = reinterpret_cast<const char *>(top.get(IFLA_LINKINFO)) +
                             MNL_ALIGN(top.get(IFLA_LINKINFO)->nla_len);
  EXPECT_EQ(linkinfo_end, end);
}

TEST(NetlinkBuild, NewVethDownAndWithoutNamespace) {
  NlMessage m = msg_new_veth(If("a"), If("b"), -1, false);
  expect_well_formed(m);
  const auto *ifm = static_cast<const ifinfomsg *>(mnl_nlmsg_get_payload(m.hdr()));
  EXPECT_EQ(ifm->ifi_flags, 0u);
  EXPECT_EQ(ifm->ifi_change, 0u);
  Attrs top = top_attrs(m.hdr(), sizeof(ifinfomsg));
  EXPECT_EQ(str_attr(top.get(IFLA_IFNAME)), "a");
  Attrs info = nested_attrs(top.get(IFLA_LINKINFO));
  Attrs data = nested_attrs(info.get(IFLA_INFO_DATA));
  const nlattr *peer = data.get(VETH_INFO_PEER);
  ASSERT_NE(peer, nullptr);
  Attrs pattrs;
  const char *after = static_cast<const char *>(mnl_attr_get_payload(peer)) + MNL_ALIGN(sizeof(ifinfomsg));
  ASSERT_EQ(mnl_attr_parse_payload(after, mnl_attr_get_payload_len(peer) - MNL_ALIGN(sizeof(ifinfomsg)),
                                   collect, &pattrs),
            MNL_CB_OK);
  EXPECT_EQ(str_attr(pattrs.get(IFLA_IFNAME)), "b");
  EXPECT_FALSE(pattrs.has(IFLA_NET_NS_FD));
}

TEST(NetlinkBuild, NewVethNamespaceFdZeroIsSent) {
  // fd 0 is a valid descriptor; only negative means "same namespace".
  NlMessage m = msg_new_veth(If("a"), If("b"), 0, false);
  Attrs top = top_attrs(m.hdr(), sizeof(ifinfomsg));
  Attrs data = nested_attrs(nested_attrs(top.get(IFLA_LINKINFO)).get(IFLA_INFO_DATA));
  const nlattr *peer = data.get(VETH_INFO_PEER);
  ASSERT_NE(peer, nullptr);
  Attrs pattrs;
  const char *after = static_cast<const char *>(mnl_attr_get_payload(peer)) + MNL_ALIGN(sizeof(ifinfomsg));
  ASSERT_EQ(mnl_attr_parse_payload(after, mnl_attr_get_payload_len(peer) - MNL_ALIGN(sizeof(ifinfomsg)),
                                   collect, &pattrs),
            MNL_CB_OK);
  EXPECT_EQ(u32_attr(pattrs.get(IFLA_NET_NS_FD)), 0u);
}

TEST(NetlinkBuild, GetLink) {
  NlMessage m = msg_get_link(If("eth0"));
  expect_well_formed(m);
  EXPECT_EQ(m.hdr()->nlmsg_type, RTM_GETLINK);
  EXPECT_EQ(m.hdr()->nlmsg_flags, NLM_F_REQUEST);
  const auto *ifm = static_cast<const ifinfomsg *>(mnl_nlmsg_get_payload(m.hdr()));
  EXPECT_EQ(ifm->ifi_family, AF_UNSPEC);
  EXPECT_EQ(ifm->ifi_index, 0);
  Attrs top = top_attrs(m.hdr(), sizeof(ifinfomsg));
  EXPECT_EQ(str_attr(top.get(IFLA_IFNAME)), "eth0");
  EXPECT_EQ(top.order.size(), 1u);
}

TEST(NetlinkBuild, DelLink) {
  NlMessage m = msg_del_link(If("vr-vpn"));
  expect_well_formed(m);
  EXPECT_EQ(m.hdr()->nlmsg_type, RTM_DELLINK);
  EXPECT_EQ(m.hdr()->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
  const auto *ifm = static_cast<const ifinfomsg *>(mnl_nlmsg_get_payload(m.hdr()));
  EXPECT_EQ(ifm->ifi_index, 0);
  Attrs top = top_attrs(m.hdr(), sizeof(ifinfomsg));
  EXPECT_EQ(str_attr(top.get(IFLA_IFNAME)), "vr-vpn");
  EXPECT_EQ(top.order.size(), 1u);
}

TEST(NetlinkBuild, SetLinkUp) {
  NlMessage m = msg_set_link_up(42);
  expect_well_formed(m);
  EXPECT_EQ(m.hdr()->nlmsg_type, RTM_NEWLINK);
  EXPECT_EQ(m.hdr()->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
  EXPECT_EQ(m.hdr()->nlmsg_len, MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(ifinfomsg)));
  const auto *ifm = static_cast<const ifinfomsg *>(mnl_nlmsg_get_payload(m.hdr()));
  EXPECT_EQ(ifm->ifi_family, AF_UNSPEC);
  EXPECT_EQ(ifm->ifi_index, 42);
  EXPECT_EQ(ifm->ifi_flags, static_cast<unsigned>(IFF_UP));
  EXPECT_EQ(ifm->ifi_change, static_cast<unsigned>(IFF_UP));
}

TEST(NetlinkBuild, NewAddrIpv4) {
  NlMessage m = msg_new_addr(5, N("10.250.0.1/32"));
  expect_well_formed(m);
  EXPECT_EQ(m.hdr()->nlmsg_type, RTM_NEWADDR);
  EXPECT_EQ(m.hdr()->nlmsg_flags, kCreate);
  const auto *ifa = static_cast<const ifaddrmsg *>(mnl_nlmsg_get_payload(m.hdr()));
  EXPECT_EQ(ifa->ifa_family, AF_INET);
  EXPECT_EQ(ifa->ifa_prefixlen, 32);
  EXPECT_EQ(ifa->ifa_index, 5u);
  EXPECT_EQ(ifa->ifa_scope, RT_SCOPE_UNIVERSE);
  Attrs top = top_attrs(m.hdr(), sizeof(ifaddrmsg));
  const std::vector<uint8_t> want{10, 250, 0, 1};
  EXPECT_EQ(bytes_attr(top.get(IFA_LOCAL)), want);
  EXPECT_EQ(bytes_attr(top.get(IFA_ADDRESS)), want);
}

TEST(NetlinkBuild, NewAddrIpv4WithPrefix) {
  // A transit /30: the address is the network's; the prefix length is carried.
  IpNet local{A("10.250.0.2"), 30};
  NlMessage m = msg_new_addr(3, local);
  const auto *ifa = static_cast<const ifaddrmsg *>(mnl_nlmsg_get_payload(m.hdr()));
  EXPECT_EQ(ifa->ifa_prefixlen, 30);
  Attrs top = top_attrs(m.hdr(), sizeof(ifaddrmsg));
  EXPECT_EQ(bytes_attr(top.get(IFA_LOCAL)), (std::vector<uint8_t>{10, 250, 0, 2}));
}

TEST(NetlinkBuild, NewAddrIpv6) {
  IpNet local{A("2001:db8::2"), 64};
  NlMessage m = msg_new_addr(9, local);
  expect_well_formed(m);
  const auto *ifa = static_cast<const ifaddrmsg *>(mnl_nlmsg_get_payload(m.hdr()));
  EXPECT_EQ(ifa->ifa_family, AF_INET6);
  EXPECT_EQ(ifa->ifa_prefixlen, 64);
  EXPECT_EQ(ifa->ifa_index, 9u);
  Attrs top = top_attrs(m.hdr(), sizeof(ifaddrmsg));
  EXPECT_EQ(bytes_attr(top.get(IFA_LOCAL)), bytes_of(A("2001:db8::2")));
  EXPECT_EQ(mnl_attr_get_payload_len(top.get(IFA_LOCAL)), 16u);
}

TEST(NetlinkBuild, NewRouteDefaultViaGateway) {
  NlMessage m = msg_new_route(N("0.0.0.0/0"), A("10.250.0.1"), 4);
  expect_well_formed(m);
  EXPECT_EQ(m.hdr()->nlmsg_type, RTM_NEWROUTE);
  EXPECT_EQ(m.hdr()->nlmsg_flags, kCreate);
  const auto *rtm = static_cast<const rtmsg *>(mnl_nlmsg_get_payload(m.hdr()));
  EXPECT_EQ(rtm->rtm_family, AF_INET);
  EXPECT_EQ(rtm->rtm_dst_len, 0);
  EXPECT_EQ(rtm->rtm_table, RT_TABLE_MAIN);
  EXPECT_EQ(rtm->rtm_protocol, RTPROT_STATIC);
  EXPECT_EQ(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
  EXPECT_EQ(rtm->rtm_type, RTN_UNICAST);
  Attrs top = top_attrs(m.hdr(), sizeof(rtmsg));
  EXPECT_FALSE(top.has(RTA_DST)) << "a default route carries no RTA_DST";
  EXPECT_EQ(bytes_attr(top.get(RTA_GATEWAY)), (std::vector<uint8_t>{10, 250, 0, 1}));
  EXPECT_EQ(u32_attr(top.get(RTA_OIF)), 4u);
}

TEST(NetlinkBuild, NewRouteToPrefixOnLink) {
  NlMessage m = msg_new_route(N("10.251.0.0/16"), std::nullopt, 11);
  expect_well_formed(m);
  const auto *rtm = static_cast<const rtmsg *>(mnl_nlmsg_get_payload(m.hdr()));
  EXPECT_EQ(rtm->rtm_dst_len, 16);
  EXPECT_EQ(rtm->rtm_scope, RT_SCOPE_LINK);
  Attrs top = top_attrs(m.hdr(), sizeof(rtmsg));
  EXPECT_EQ(bytes_attr(top.get(RTA_DST)), (std::vector<uint8_t>{10, 251, 0, 0}));
  EXPECT_FALSE(top.has(RTA_GATEWAY));
  EXPECT_EQ(u32_attr(top.get(RTA_OIF)), 11u);
}

TEST(NetlinkBuild, NewRouteIpv6) {
  NlMessage m = msg_new_route(N("::/0"), A("fe80::1"), 2);
  expect_well_formed(m);
  const auto *rtm = static_cast<const rtmsg *>(mnl_nlmsg_get_payload(m.hdr()));
  EXPECT_EQ(rtm->rtm_family, AF_INET6);
  Attrs top = top_attrs(m.hdr(), sizeof(rtmsg));
  EXPECT_FALSE(top.has(RTA_DST));
  EXPECT_EQ(bytes_attr(top.get(RTA_GATEWAY)), bytes_of(A("fe80::1")));
  EXPECT_EQ(u32_attr(top.get(RTA_OIF)), 2u);
}

TEST(NetlinkBuild, Dump) {
  struct Case {
    uint16_t type;
    int family;
    size_t hdrlen;
  } cases[] = {
      {RTM_GETLINK, AF_UNSPEC, sizeof(ifinfomsg)},
      {RTM_GETADDR, AF_INET, sizeof(ifaddrmsg)},
      {RTM_GETADDR, AF_INET6, sizeof(ifaddrmsg)},
      {RTM_GETROUTE, AF_INET, sizeof(rtmsg)},
  };
  for (const auto &c : cases) {
    NlMessage m = msg_dump(c.type, c.family);
    expect_well_formed(m);
    EXPECT_EQ(m.hdr()->nlmsg_type, c.type);
    EXPECT_EQ(m.hdr()->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
    EXPECT_EQ(m.hdr()->nlmsg_len, MNL_NLMSG_HDRLEN + MNL_ALIGN(c.hdrlen)) << c.type;
    const auto *g = static_cast<const rtgenmsg *>(mnl_nlmsg_get_payload(m.hdr()));
    EXPECT_EQ(g->rtgen_family, c.family);
  }
}

TEST(NetlinkBuild, CopyKeepsContents) {
  NlMessage a = msg_get_link(If("eth0"));
  NlMessage b(a);
  EXPECT_EQ(b.hdr()->nlmsg_len, a.hdr()->nlmsg_len);
  EXPECT_EQ(std::memcmp(a.hdr(), b.hdr(), a.hdr()->nlmsg_len), 0);
  EXPECT_NE(static_cast<const void *>(a.hdr()), static_cast<const void *>(b.hdr()));
}

// ---- bounds -----------------------------------------------------------------

TEST(NetlinkBuild, OverflowIsReportedNotWritten) {
  NlMessage m(RTM_NEWLINK, NLM_F_REQUEST);
  m.put_header(sizeof(ifinfomsg));
  const std::vector<char> chunk(1000, 'x');
  for (int i = 0; i < 4; ++i) m.put(IFLA_IFALIAS, chunk.data(), chunk.size());
  ASSERT_TRUE(m.check("big").ok()) << "4 x 1004 bytes + headers fit in 4096";
  uint32_t len_before = m.hdr()->nlmsg_len;
  m.put(IFLA_IFALIAS, chunk.data(), chunk.size());  // does not fit
  EXPECT_EQ(m.hdr()->nlmsg_len, len_before) << "an overflowing write must not grow the message";
  auto s = m.check("big");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().err, EMSGSIZE);
  EXPECT_EQ(s.error().object, "big");
  EXPECT_EQ(s.error().op, "build netlink message");
  // Sticky: a small write afterwards neither clears it nor lands in the message.
  m.put_u32(IFLA_MTU, 1500);
  m.put_str(IFLA_IFNAME, "x");
  EXPECT_FALSE(m.check("big").ok());
  EXPECT_EQ(m.hdr()->nlmsg_len, len_before);
}

TEST(NetlinkBuild, OverflowByStringAndNest) {
  NlMessage m(RTM_NEWLINK, NLM_F_REQUEST);
  m.put_header(sizeof(ifinfomsg));
  m.put_str(IFLA_IFALIAS, std::string(5000, 'y'));
  EXPECT_FALSE(m.check("s").ok());
  EXPECT_EQ(m.check("s").error().err, EMSGSIZE);

  NlMessage n(RTM_NEWLINK, NLM_F_REQUEST);
  n.put_header(sizeof(ifinfomsg));
  const std::vector<char> chunk(4096 - 16 - 16 - 4, 'z');  // exactly full: no room for a nest
  n.put(IFLA_IFALIAS, chunk.data(), chunk.size());
  ASSERT_TRUE(n.check("n").ok());
  EXPECT_EQ(n.nest_start(IFLA_LINKINFO), nullptr);
  EXPECT_FALSE(n.check("n").ok());
}

TEST(NetlinkBuild, OverflowByHeader) {
  NlMessage m(RTM_NEWLINK, NLM_F_REQUEST);
  const std::vector<char> chunk(4096 - 16 - 4 - 8, 'z');
  m.put(IFLA_IFALIAS, chunk.data(), chunk.size());
  ASSERT_TRUE(m.check("h").ok());
  uint32_t len = m.hdr()->nlmsg_len;
  void *p = m.put_header(sizeof(ifinfomsg));
  ASSERT_NE(p, nullptr);  // a harmless scratch area
  std::memset(p, 0xff, sizeof(ifinfomsg));
  EXPECT_EQ(m.hdr()->nlmsg_len, len);
  EXPECT_EQ(m.check("h").error().err, EMSGSIZE);
}

TEST(NetlinkBuild, ExactlyFullIsFine) {
  NlMessage m(RTM_NEWLINK, NLM_F_REQUEST);
  const std::vector<char> chunk(4096 - 16 - 4, 'z');
  m.put(IFLA_IFALIAS, chunk.data(), chunk.size());
  EXPECT_TRUE(m.check("full").ok());
  EXPECT_EQ(m.hdr()->nlmsg_len, 4096u);
}

// ---- parsers: hand-built replies ---------------------------------------------

// A reply buffer: nlmsghdr + fixed header, attributes appended by the test.
struct Reply {
  alignas(nlmsghdr) char buf[8192] = {};
  nlmsghdr *nlh;
  template <class H>
  H *start(uint16_t type) {
    nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    return static_cast<H *>(mnl_nlmsg_put_extra_header(nlh, sizeof(H)));
  }
};

TEST(NetlinkParse, LinkGood) {
  Reply r;
  auto *ifm = r.start<ifinfomsg>(RTM_NEWLINK);
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = 17;
  ifm->ifi_flags = IFF_UP | IFF_BROADCAST;
  mnl_attr_put_strz(r.nlh, IFLA_IFNAME, "vr-vpn");
  mnl_attr_put_u32(r.nlh, IFLA_MTU, 1500);
  nlattr *li = mnl_attr_nest_start(r.nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(r.nlh, IFLA_INFO_KIND, "veth");
  mnl_attr_nest_end(r.nlh, li);
  auto l = parse_link(r.nlh);
  ASSERT_TRUE(l.ok()) << l.error().message();
  EXPECT_EQ(l->index, 17);
  EXPECT_EQ(l->name, "vr-vpn");
  EXPECT_EQ(l->flags, static_cast<unsigned>(IFF_UP | IFF_BROADCAST));
  EXPECT_EQ(l->kind, "veth");
  EXPECT_TRUE(l->up());
}

TEST(NetlinkParse, LinkWithoutKindIsDown) {
  Reply r;
  auto *ifm = r.start<ifinfomsg>(RTM_NEWLINK);
  ifm->ifi_index = 1;
  ifm->ifi_flags = IFF_LOOPBACK;
  mnl_attr_put_strz(r.nlh, IFLA_IFNAME, "lo");
  auto l = parse_link(r.nlh);
  ASSERT_TRUE(l.ok()) << l.error().message();
  EXPECT_EQ(l->name, "lo");
  EXPECT_EQ(l->kind, "");
  EXPECT_FALSE(l->up());
}

TEST(NetlinkParse, LinkIgnoresUnknownNewerAttributes) {
  Reply r;
  r.start<ifinfomsg>(RTM_NEWLINK)->ifi_index = 3;
  mnl_attr_put_strz(r.nlh, IFLA_IFNAME, "eth0");
  mnl_attr_put_u32(r.nlh, 500, 1);  // far above IFLA_MAX
  auto l = parse_link(r.nlh);
  ASSERT_TRUE(l.ok()) << l.error().message();
  EXPECT_EQ(l->name, "eth0");
}

TEST(NetlinkParse, LinkMissingName) {
  Reply r;
  r.start<ifinfomsg>(RTM_NEWLINK)->ifi_index = 3;
  mnl_attr_put_u32(r.nlh, IFLA_MTU, 1500);
  auto l = parse_link(r.nlh);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().detail, "missing or bad IFLA_IFNAME");
}

TEST(NetlinkParse, LinkNameNotTerminated) {
  Reply r;
  r.start<ifinfomsg>(RTM_NEWLINK)->ifi_index = 3;
  mnl_attr_put(r.nlh, IFLA_IFNAME, 4, "eth0");  // no NUL
  auto l = parse_link(r.nlh);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().detail, "missing or bad IFLA_IFNAME");
}

TEST(NetlinkParse, LinkEmptyName) {
  Reply r;
  r.start<ifinfomsg>(RTM_NEWLINK)->ifi_index = 3;
  mnl_attr_put(r.nlh, IFLA_IFNAME, 0, "");
  EXPECT_FALSE(parse_link(r.nlh).ok());
}

TEST(NetlinkParse, LinkTruncatedHeader) {
  Reply r;
  r.start<ifinfomsg>(RTM_NEWLINK);
  r.nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 8;  // half an ifinfomsg
  auto l = parse_link(r.nlh);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().detail, "message shorter than its header");
  r.nlh->nlmsg_len = MNL_NLMSG_HDRLEN;
  EXPECT_FALSE(parse_link(r.nlh).ok());
}

TEST(NetlinkParse, AddressGoodIpv4) {
  Reply r;
  auto *ifa = r.start<ifaddrmsg>(RTM_NEWADDR);
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = 30;
  ifa->ifa_index = 4;
  const uint8_t addr[4] = {10, 250, 0, 2};
  const uint8_t peer[4] = {10, 250, 0, 1};
  mnl_attr_put(r.nlh, IFA_ADDRESS, 4, peer);
  mnl_attr_put(r.nlh, IFA_LOCAL, 4, addr);
  auto a = parse_address(r.nlh);
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->index, 4);
  EXPECT_EQ(a->local.addr.str(), "10.250.0.2") << "IFA_LOCAL wins over IFA_ADDRESS";
  EXPECT_EQ(a->local.len, 30);
}

TEST(NetlinkParse, AddressFallsBackToIfaAddress) {
  Reply r;
  auto *ifa = r.start<ifaddrmsg>(RTM_NEWADDR);
  ifa->ifa_family = AF_INET6;
  ifa->ifa_prefixlen = 64;
  ifa->ifa_index = 2;
  IpAddr v6 = A("2001:db8::5");
  mnl_attr_put(r.nlh, IFA_ADDRESS, 16, v6.bytes.data());
  auto a = parse_address(r.nlh);
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->local.addr, v6);
  EXPECT_EQ(a->local.len, 64);
}

TEST(NetlinkParse, AddressRefusals) {
  const uint8_t four[4] = {10, 0, 0, 1};
  const uint8_t sixteen[16] = {0x20, 0x01, 0x0d, 0xb8};
  {
    Reply r;
    auto *ifa = r.start<ifaddrmsg>(RTM_NEWADDR);
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = 40;  // > 32
    mnl_attr_put(r.nlh, IFA_LOCAL, 4, four);
    auto a = parse_address(r.nlh);
    ASSERT_FALSE(a.ok()) << "accepted an IPv4 /40";
    EXPECT_EQ(a.error().detail, "missing or bad address");
  }
  {
    Reply r;
    auto *ifa = r.start<ifaddrmsg>(RTM_NEWADDR);
    ifa->ifa_family = AF_INET6;
    ifa->ifa_prefixlen = 129;
    mnl_attr_put(r.nlh, IFA_LOCAL, 16, sixteen);
    EXPECT_FALSE(parse_address(r.nlh).ok()) << "accepted an IPv6 /129";
  }
  {
    Reply r;
    auto *ifa = r.start<ifaddrmsg>(RTM_NEWADDR);
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = 24;
    mnl_attr_put(r.nlh, IFA_LOCAL, 16, sixteen);  // IPv6-sized address in IPv4 message
    EXPECT_FALSE(parse_address(r.nlh).ok()) << "accepted a 16-byte IPv4 address";
  }
  {
    Reply r;
    auto *ifa = r.start<ifaddrmsg>(RTM_NEWADDR);
    ifa->ifa_family = AF_INET6;
    ifa->ifa_prefixlen = 64;
    mnl_attr_put(r.nlh, IFA_LOCAL, 4, four);  // would read 16 bytes from 4
    EXPECT_FALSE(parse_address(r.nlh).ok()) << "accepted a 4-byte IPv6 address";
  }
  {
    Reply r;
    auto *ifa = r.start<ifaddrmsg>(RTM_NEWADDR);
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = 24;
    auto a = parse_address(r.nlh);  // no address at all
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.error().detail, "missing or bad address");
  }
  {
    Reply r;
    auto *ifa = r.start<ifaddrmsg>(RTM_NEWADDR);
    ifa->ifa_family = AF_PACKET;
    ifa->ifa_prefixlen = 24;
    mnl_attr_put(r.nlh, IFA_LOCAL, 4, four);
    auto a = parse_address(r.nlh);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.error().detail, "unknown family");
  }
  {
    Reply r;
    r.start<ifaddrmsg>(RTM_NEWADDR);
    r.nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 4;
    auto a = parse_address(r.nlh);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.error().detail, "message shorter than its header");
  }
}

void start_route(Reply &r, uint8_t family, uint8_t dst_len) {
  auto *rtm = r.start<rtmsg>(RTM_NEWROUTE);
  rtm->rtm_family = family;
  rtm->rtm_dst_len = dst_len;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_type = RTN_UNICAST;
}

TEST(NetlinkParse, RouteDefaultIpv4) {
  Reply r;
  start_route(r, AF_INET, 0);
  const uint8_t gw[4] = {192, 0, 2, 1};
  mnl_attr_put(r.nlh, RTA_GATEWAY, 4, gw);
  mnl_attr_put_u32(r.nlh, RTA_OIF, 2);
  mnl_attr_put_u32(r.nlh, RTA_PRIORITY, 100);
  mnl_attr_put_u32(r.nlh, RTA_TABLE, RT_TABLE_MAIN);
  auto rt = parse_route(r.nlh);
  ASSERT_TRUE(rt.ok()) << rt.error().message();
  EXPECT_EQ(rt->dst.str(), "0.0.0.0/0");
  ASSERT_TRUE(rt->gateway.has_value());
  EXPECT_EQ(rt->gateway->str(), "192.0.2.1");
  EXPECT_EQ(rt->oif, 2);
  EXPECT_EQ(rt->priority, 100u);
  EXPECT_EQ(rt->table, static_cast<uint32_t>(RT_TABLE_MAIN));
  EXPECT_EQ(rt->type, RTN_UNICAST);
}

TEST(NetlinkParse, RoutePrefixAndLargeTable) {
  Reply r;
  start_route(r, AF_INET, 24);
  const uint8_t dst[4] = {198, 51, 100, 0};
  mnl_attr_put(r.nlh, RTA_DST, 4, dst);
  mnl_attr_put_u32(r.nlh, RTA_OIF, 9);
  mnl_attr_put_u32(r.nlh, RTA_TABLE, 1000);  // rtm_table says RT_TABLE_MAIN; the u32 wins
  auto rt = parse_route(r.nlh);
  ASSERT_TRUE(rt.ok()) << rt.error().message();
  EXPECT_EQ(rt->dst.str(), "198.51.100.0/24");
  EXPECT_FALSE(rt->gateway.has_value());
  EXPECT_EQ(rt->oif, 9);
  EXPECT_EQ(rt->table, 1000u);
}

TEST(NetlinkParse, RouteIpv6) {
  Reply r;
  start_route(r, AF_INET6, 32);
  IpAddr dst = A("2001:db8::");
  IpAddr gw = A("fe80::1");
  mnl_attr_put(r.nlh, RTA_DST, 16, dst.bytes.data());
  mnl_attr_put(r.nlh, RTA_GATEWAY, 16, gw.bytes.data());
  auto rt = parse_route(r.nlh);
  ASSERT_TRUE(rt.ok()) << rt.error().message();
  EXPECT_EQ(rt->dst.str(), "2001:db8::/32");
  EXPECT_EQ(rt->gateway->str(), "fe80::1");
  EXPECT_EQ(rt->oif, 0);
}

TEST(NetlinkParse, RouteRefusals) {
  struct Case {
    const char *what;
    uint8_t family, dst_len;
    void (*fill)(nlmsghdr *);
    const char *detail;
  };
  static const uint8_t kFour[4] = {10, 0, 0, 1};
  const Case cases[] = {
      {"RTA_OIF of 2 bytes", AF_INET, 0,
       [](nlmsghdr *n) { mnl_attr_put_u16(n, RTA_OIF, 2); }, "bad RTA_OIF"},
      {"RTA_OIF of 8 bytes", AF_INET, 0,
       [](nlmsghdr *n) { mnl_attr_put_u64(n, RTA_OIF, 2); }, "bad RTA_OIF"},
      {"RTA_GATEWAY of 3 bytes", AF_INET, 0,
       [](nlmsghdr *n) { mnl_attr_put(n, RTA_GATEWAY, 3, kFour); }, "bad RTA_GATEWAY"},
      {"IPv6 RTA_GATEWAY of 4 bytes", AF_INET6, 0,
       [](nlmsghdr *n) { mnl_attr_put(n, RTA_GATEWAY, 4, kFour); }, "bad RTA_GATEWAY"},
      {"RTA_DST of 3 bytes", AF_INET, 8,
       [](nlmsghdr *n) { mnl_attr_put(n, RTA_DST, 3, kFour); }, "bad RTA_DST"},
      {"RTA_TABLE of 1 byte", AF_INET, 0,
       [](nlmsghdr *n) { mnl_attr_put_u8(n, RTA_TABLE, 1); }, "bad RTA_TABLE"},
      {"RTA_PRIORITY of 2 bytes", AF_INET, 0,
       [](nlmsghdr *n) { mnl_attr_put_u16(n, RTA_PRIORITY, 1); }, "bad RTA_PRIORITY"},
      {"IPv4 /33", AF_INET, 33, [](nlmsghdr *) {}, "bad prefix length"},
      {"IPv4 /40", AF_INET, 40, [](nlmsghdr *) {}, "bad prefix length"},
      {"IPv6 /129", AF_INET6, 129, [](nlmsghdr *) {}, "bad prefix length"},
      {"family AF_UNSPEC", AF_UNSPEC, 0, [](nlmsghdr *) {}, "unknown family"},
  };
  for (const auto &c : cases) {
    Reply r;
    start_route(r, c.family, c.dst_len);
    c.fill(r.nlh);
    auto rt = parse_route(r.nlh);
    ASSERT_FALSE(rt.ok()) << "accepted " << c.what;
    EXPECT_EQ(rt.error().detail, c.detail) << c.what;
  }
}

TEST(NetlinkParse, RouteTruncatedHeader) {
  Reply r;
  start_route(r, AF_INET, 0);
  r.nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 8;  // rtmsg is 12 bytes
  auto rt = parse_route(r.nlh);
  ASSERT_FALSE(rt.ok());
  EXPECT_EQ(rt.error().detail, "message shorter than its header");
}

// ---- reply batches (found by tests/fuzz: netlink_*) ---------------------------

// A batch as received: link messages, then perhaps NLMSG_DONE.
struct Batch {
  alignas(nlmsghdr) char buf[4096] = {};
  size_t len = 0;
  nlmsghdr *add(uint16_t type) {
    nlmsghdr *h = mnl_nlmsg_put_header(buf + len);
    h->nlmsg_type = type;
    return h;
  }
  void link(const char *name) {
    nlmsghdr *h = add(RTM_NEWLINK);
    mnl_nlmsg_put_extra_header(h, sizeof(ifinfomsg));
    mnl_attr_put_strz(h, IFLA_IFNAME, name);
    len += h->nlmsg_len;
  }
  void done() { len += add(NLMSG_DONE)->nlmsg_len; }
};

std::vector<std::string> names_in(const Batch &b, Result<bool> *out) {
  std::vector<std::string> names;
  *out = run_reply_batch(b.buf, b.len, 0, 0, [&](const nlmsghdr *h) -> Status {
    VR_ASSIGN(Link l, parse_link(h));
    names.push_back(l.name);
    return {};
  }, "get links", "dump");
  return names;
}

TEST(NetlinkBatch, EveryMessageThenDone) {
  Batch b;
  b.link("lo");
  b.link("vr-vpn");
  Result<bool> r = false;
  EXPECT_EQ(names_in(b, &r), (std::vector<std::string>{"lo", "vr-vpn"}));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(r.value()) << "no NLMSG_DONE yet: more batches follow";
  b.done();
  EXPECT_EQ(names_in(b, &r).size(), 2u);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r.value());
}

// libmnl's mnl_nlmsg_ok compares nlmsg_len as an int: a later message claiming
// 2 GiB or more passed it, and the parser (then libmnl itself) read far past
// the batch. Nothing of a batch whose framing is wrong reaches a parser.
TEST(NetlinkBatch, MessageLengthPastTheBatchIsRefused_FoundByFuzzing) {
  for (uint32_t bad : {0x80000000u, 0xfffffff0u, 4096u, 8u}) {
    Batch b;
    b.link("lo");
    b.link("vr-vpn");
    const size_t second = MNL_ALIGN(reinterpret_cast<nlmsghdr *>(b.buf)->nlmsg_len);
    reinterpret_cast<nlmsghdr *>(b.buf + second)->nlmsg_len = bad;
    Result<bool> r = false;
    EXPECT_TRUE(names_in(b, &r).empty()) << bad;
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().op, "get links");
    EXPECT_EQ(r.error().detail, "malformed netlink reply: a message length of " + std::to_string(bad) + " in " +
                                    std::to_string(b.len - second) + " bytes");
  }
}

// The first message claiming more than was received: before, mnl_cb_run saw no
// message at all and reported the reply complete.
TEST(NetlinkBatch, FirstMessageLongerThanTheBatchIsAnErrorNotAnEmptyReply) {
  Batch b;
  b.link("lo");
  reinterpret_cast<nlmsghdr *>(b.buf)->nlmsg_len = static_cast<uint32_t>(b.len + 4);
  Result<bool> r = true;
  EXPECT_TRUE(names_in(b, &r).empty());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("malformed netlink reply"), std::string::npos);
}

TEST(NetlinkBatch, PartialHeaderAtTheEndIsRefused) {
  Batch b;
  b.link("lo");
  b.len += 8;
  Result<bool> r = true;
  EXPECT_TRUE(names_in(b, &r).empty());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, "malformed netlink reply: a partial message header");
}

TEST(NetlinkBatch, KernelErrorBecomesErrno) {
  Batch b;
  nlmsghdr *h = b.add(NLMSG_ERROR);
  auto *e = static_cast<nlmsgerr *>(mnl_nlmsg_put_extra_header(h, sizeof(nlmsgerr)));
  e->error = -ENODEV;
  b.len += h->nlmsg_len;
  Result<bool> r = true;
  names_in(b, &r);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().err, ENODEV);
}

// What the builders make, the parsers read back.
TEST(NetlinkRoundTrip, AddressAndRoute) {
  NlMessage a = msg_new_addr(6, N("10.250.0.0/30"));
  auto pa = parse_address(a.hdr());
  ASSERT_TRUE(pa.ok()) << pa.error().message();
  EXPECT_EQ(pa->index, 6);
  EXPECT_EQ(pa->local.str(), "10.250.0.0/30");

  NlMessage m = msg_new_route(N("0.0.0.0/0"), A("10.250.0.1"), 4);
  auto pr = parse_route(m.hdr());
  ASSERT_TRUE(pr.ok()) << pr.error().message();
  EXPECT_EQ(pr->dst.str(), "0.0.0.0/0");
  EXPECT_EQ(pr->gateway->str(), "10.250.0.1");
  EXPECT_EQ(pr->oif, 4);
  EXPECT_EQ(pr->table, static_cast<uint32_t>(RT_TABLE_MAIN));
  EXPECT_EQ(pr->type, RTN_UNICAST);

  NlMessage v = msg_new_veth(If("vr-x"), If("uplink"), 3, true);
  auto pl = parse_link(v.hdr());
  ASSERT_TRUE(pl.ok()) << pl.error().message();
  EXPECT_EQ(pl->name, "vr-x");
  EXPECT_EQ(pl->kind, "veth");
  EXPECT_TRUE(pl->up());
}

}  // namespace
}  // namespace vpnrun

namespace vpnrun {
namespace {

TEST(NetlinkBuild, GetLinkByIndex) {
  NlMessage m = msg_get_link(7);
  ASSERT_TRUE(m.check("x").ok());
  const nlmsghdr *h = m.hdr();
  EXPECT_EQ(h->nlmsg_type, RTM_GETLINK);
  EXPECT_EQ(h->nlmsg_flags, NLM_F_REQUEST);
  EXPECT_EQ(h->nlmsg_len, NLMSG_HDRLEN + sizeof(ifinfomsg));  // no name attribute
  const auto *ifm = static_cast<const ifinfomsg *>(mnl_nlmsg_get_payload(h));
  EXPECT_EQ(ifm->ifi_index, 7);
}

}  // namespace
}  // namespace vpnrun
