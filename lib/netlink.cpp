#include "vpnrun/netlink.hpp"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <memory>

namespace vpnrun {

// ---- builder ---------------------------------------------------------------

NlMessage::NlMessage(uint16_t type, uint16_t flags) {
  std::memset(buf_, 0, sizeof buf_);
  nlmsghdr *nlh = mnl_nlmsg_put_header(buf_);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = flags;
}

NlMessage::NlMessage(const NlMessage &o) : overflow_(o.overflow_) {
  std::memcpy(buf_, o.buf_, sizeof buf_);
}

void *NlMessage::put_header(size_t len) {
  if (overflow_ || hdr()->nlmsg_len + MNL_ALIGN(len) > kSize) {
    overflow_ = true;
    // Keeps callers simple; never sent. On the heap at first use: a
    // thread_local array would be zeroed at every start of vpnrun, launches
    // included (static TLS).
    static thread_local auto scratch = std::make_unique_for_overwrite<char[]>(kSize);
    std::memset(scratch.get(), 0, kSize);
    return scratch.get();
  }
  return mnl_nlmsg_put_extra_header(hdr(), len);
}

void NlMessage::put(uint16_t type, const void *data, size_t len) {
  if (overflow_ || !mnl_attr_put_check(hdr(), kSize, type, len, data)) overflow_ = true;
}

void NlMessage::put_str(uint16_t type, const std::string &s) {
  if (overflow_ || !mnl_attr_put_strz_check(hdr(), kSize, type, s.c_str())) overflow_ = true;
}

nlattr *NlMessage::nest_start(uint16_t type) {
  nlattr *n = overflow_ ? nullptr : mnl_attr_nest_start_check(hdr(), kSize, type);
  if (!n) overflow_ = true;
  return n;
}

void NlMessage::nest_end(nlattr *nest) {
  if (nest && !overflow_) mnl_attr_nest_end(hdr(), nest);
}

Status NlMessage::check(const std::string &what) const {
  if (overflow_) return make_error("build netlink message", what, EMSGSIZE);
  return {};
}

NlMessage msg_new_veth(const IfName &name, const IfName &peer, int peer_netns_fd, bool up) {
  NlMessage m(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
  auto *ifm = static_cast<ifinfomsg *>(m.put_header(sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  if (up) ifm->ifi_change = ifm->ifi_flags = IFF_UP;
  m.put_str(IFLA_IFNAME, name.str());
  // One queue each way, as veth would set anyway: asked for at creation, so
  // that the kernel does not shrink its default (one per CPU) afterwards,
  // which waits out an RCU grace period for each side (about 1 ms each).
  m.put_u32(IFLA_NUM_TX_QUEUES, 1);
  m.put_u32(IFLA_NUM_RX_QUEUES, 1);
  nlattr *info = m.nest_start(IFLA_LINKINFO);
  m.put_str(IFLA_INFO_KIND, "veth");
  nlattr *data = m.nest_start(IFLA_INFO_DATA);
  nlattr *peer_nest = m.nest_start(VETH_INFO_PEER);
  // The peer's attributes follow its own ifinfomsg inside VETH_INFO_PEER.
  auto *pifm = static_cast<ifinfomsg *>(m.put_header(sizeof(ifinfomsg)));
  pifm->ifi_family = AF_UNSPEC;
  // The peer stays down: the kernel refuses to bring a peer up in the creating
  // message when it lives in another namespace (ENOTCONN); set it up from there.
  m.put_str(IFLA_IFNAME, peer.str());
  m.put_u32(IFLA_NUM_TX_QUEUES, 1);
  m.put_u32(IFLA_NUM_RX_QUEUES, 1);
  // Born directly in the target namespace: never visible on the host.
  if (peer_netns_fd >= 0) m.put_u32(IFLA_NET_NS_FD, static_cast<uint32_t>(peer_netns_fd));
  m.nest_end(peer_nest);
  m.nest_end(data);
  m.nest_end(info);
  return m;
}

NlMessage msg_get_link(const IfName &name) {
  NlMessage m(RTM_GETLINK, NLM_F_REQUEST);
  static_cast<ifinfomsg *>(m.put_header(sizeof(ifinfomsg)))->ifi_family = AF_UNSPEC;
  m.put_str(IFLA_IFNAME, name.str());
  return m;
}

NlMessage msg_get_link(int index) {
  NlMessage m(RTM_GETLINK, NLM_F_REQUEST);
  auto *ifm = static_cast<ifinfomsg *>(m.put_header(sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = index;
  return m;
}

NlMessage msg_del_link(const IfName &name) {
  NlMessage m(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
  static_cast<ifinfomsg *>(m.put_header(sizeof(ifinfomsg)))->ifi_family = AF_UNSPEC;
  m.put_str(IFLA_IFNAME, name.str());
  return m;
}

NlMessage msg_set_link_up(int index) {
  NlMessage m(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
  auto *ifm = static_cast<ifinfomsg *>(m.put_header(sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = index;
  ifm->ifi_change = ifm->ifi_flags = IFF_UP;
  return m;
}

NlMessage msg_new_link(const IfName &name, const std::string &kind) {
  NlMessage m(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
  static_cast<ifinfomsg *>(m.put_header(sizeof(ifinfomsg)))->ifi_family = AF_UNSPEC;
  m.put_str(IFLA_IFNAME, name.str());
  nlattr *info = m.nest_start(IFLA_LINKINFO);
  m.put_str(IFLA_INFO_KIND, kind);
  m.nest_end(info);
  return m;
}

NlMessage msg_set_link(int index, std::optional<unsigned> mtu, int netns_fd) {
  NlMessage m(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
  auto *ifm = static_cast<ifinfomsg *>(m.put_header(sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = index;
  if (mtu) m.put_u32(IFLA_MTU, *mtu);
  if (netns_fd >= 0) m.put_u32(IFLA_NET_NS_FD, static_cast<uint32_t>(netns_fd));
  return m;
}

NlMessage msg_new_addr(int index, const IpNet &local) {
  NlMessage m(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
  auto *ifa = static_cast<ifaddrmsg *>(m.put_header(sizeof(ifaddrmsg)));
  ifa->ifa_family = static_cast<uint8_t>(local.addr.family);
  ifa->ifa_prefixlen = local.len;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = static_cast<uint32_t>(index);
  // No duplicate-address detection: the address is usable at once (a tunnel
  // has no neighbours to ask).
  if (local.addr.family == AF_INET6) ifa->ifa_flags = IFA_F_NODAD;
  m.put(IFA_LOCAL, local.addr.bytes.data(), local.addr.size());
  m.put(IFA_ADDRESS, local.addr.bytes.data(), local.addr.size());
  return m;
}

NlMessage msg_new_route(const IpNet &dst, const std::optional<IpAddr> &gateway, int oif) {
  NlMessage m(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
  auto *rtm = static_cast<rtmsg *>(m.put_header(sizeof(rtmsg)));
  rtm->rtm_family = static_cast<uint8_t>(dst.addr.family);
  rtm->rtm_dst_len = dst.len;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = RTPROT_STATIC;
  rtm->rtm_scope = gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  rtm->rtm_type = RTN_UNICAST;
  if (dst.len > 0) m.put(RTA_DST, dst.addr.bytes.data(), dst.addr.size());
  if (gateway) m.put(RTA_GATEWAY, gateway->bytes.data(), gateway->size());
  m.put_u32(RTA_OIF, static_cast<uint32_t>(oif));
  return m;
}

NlMessage msg_dump(uint16_t type, int family) {
  NlMessage m(type, NLM_F_REQUEST | NLM_F_DUMP);
  // rtgenmsg is a prefix of ifinfomsg/ifaddrmsg/rtmsg; send the full header the
  // kernel's strict checking expects for each type.
  size_t len = type == RTM_GETLINK ? sizeof(ifinfomsg)
               : type == RTM_GETADDR ? sizeof(ifaddrmsg)
                                     : sizeof(rtmsg);
  auto *g = static_cast<rtgenmsg *>(m.put_header(len));
  g->rtgen_family = static_cast<unsigned char>(family);
  return m;
}

// ---- parsers ---------------------------------------------------------------

namespace {

struct AttrTable {
  const nlattr *tb[64] = {};
  int max;
};

// Collect attributes up to `max`; the parsers then check each payload's size
// (valid_addr, valid_u32, valid_str). Unknown types above `max` are ignored
// (newer kernels add attributes).
int collect_cb(const nlattr *attr, void *data) {
  auto *t = static_cast<AttrTable *>(data);
  int type = mnl_attr_get_type(attr);
  if (type > t->max || type >= 64) return MNL_CB_OK;
  t->tb[type] = attr;
  return MNL_CB_OK;
}

Status collect(const nlmsghdr *nlh, size_t hdrlen, AttrTable &t, const char *what) {
  if (nlh->nlmsg_len < NLMSG_HDRLEN + MNL_ALIGN(hdrlen))
    return make_error("parse netlink reply", what, "message shorter than its header");
  if (mnl_attr_parse(nlh, static_cast<unsigned>(MNL_ALIGN(hdrlen)), collect_cb, &t) < 0)
    return make_error("parse netlink reply", what, "malformed attribute");
  return {};
}

bool valid_addr(const nlattr *a, int family) {
  size_t want = family == AF_INET ? 4 : 16;
  return mnl_attr_get_payload_len(a) == want;
}

bool valid_u32(const nlattr *a) { return mnl_attr_validate(a, MNL_TYPE_U32) == 0; }

bool valid_str(const nlattr *a) { return mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0; }

IpAddr to_addr(const nlattr *a, int family) {
  IpAddr r;
  r.family = family;
  std::memcpy(r.bytes.data(), mnl_attr_get_payload(a), r.size());
  return r;
}

}  // namespace

bool Link::up() const { return flags & IFF_UP; }

Result<Link> parse_link(const nlmsghdr *nlh) {
  AttrTable t{.max = IFLA_MAX};
  VR_TRY(collect(nlh, sizeof(ifinfomsg), t, "link"));
  const auto *ifm = static_cast<const ifinfomsg *>(mnl_nlmsg_get_payload(nlh));
  Link l;
  l.index = ifm->ifi_index;
  l.flags = ifm->ifi_flags;
  if (!t.tb[IFLA_IFNAME] || !valid_str(t.tb[IFLA_IFNAME]))
    return make_error("parse netlink reply", "link", "missing or bad IFLA_IFNAME");
  l.name = mnl_attr_get_str(t.tb[IFLA_IFNAME]);
  if (const nlattr *info = t.tb[IFLA_LINKINFO]) {
    AttrTable it{.max = IFLA_INFO_MAX};
    if (mnl_attr_parse_nested(info, collect_cb, &it) < 0)
      return make_error("parse netlink reply", l.name, "malformed IFLA_LINKINFO");
    if (it.tb[IFLA_INFO_KIND] && valid_str(it.tb[IFLA_INFO_KIND]))
      l.kind = mnl_attr_get_str(it.tb[IFLA_INFO_KIND]);
  }
  if (const nlattr *st = t.tb[IFLA_STATS64]) {
    if (mnl_attr_get_payload_len(st) < sizeof(rtnl_link_stats64))
      return make_error("parse netlink reply", l.name, "short IFLA_STATS64");
    rtnl_link_stats64 s;
    std::memcpy(&s, mnl_attr_get_payload(st), sizeof s);
    l.rx_bytes = s.rx_bytes;
    l.tx_bytes = s.tx_bytes;
  }
  return l;
}

Result<Address> parse_address(const nlmsghdr *nlh) {
  AttrTable t{.max = IFA_MAX};
  VR_TRY(collect(nlh, sizeof(ifaddrmsg), t, "address"));
  const auto *ifa = static_cast<const ifaddrmsg *>(mnl_nlmsg_get_payload(nlh));
  if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
    return make_error("parse netlink reply", "address", "unknown family");
  const nlattr *a = t.tb[IFA_LOCAL] ? t.tb[IFA_LOCAL] : t.tb[IFA_ADDRESS];
  if (!a || !valid_addr(a, ifa->ifa_family) || ifa->ifa_prefixlen > (ifa->ifa_family == AF_INET ? 32 : 128))
    return make_error("parse netlink reply", "address", "missing or bad address");
  return Address{static_cast<int>(ifa->ifa_index),
                 IpNet{to_addr(a, ifa->ifa_family), ifa->ifa_prefixlen}};
}

Result<Route> parse_route(const nlmsghdr *nlh) {
  AttrTable t{.max = RTA_MAX};
  VR_TRY(collect(nlh, sizeof(rtmsg), t, "route"));
  const auto *rtm = static_cast<const rtmsg *>(mnl_nlmsg_get_payload(nlh));
  int fam = rtm->rtm_family;
  if (fam != AF_INET && fam != AF_INET6)
    return make_error("parse netlink reply", "route", "unknown family");
  Route r;
  r.dst.addr.family = fam;
  r.dst.len = rtm->rtm_dst_len;
  if (r.dst.len > (fam == AF_INET ? 32 : 128))
    return make_error("parse netlink reply", "route", "bad prefix length");
  r.table = rtm->rtm_table;
  r.type = rtm->rtm_type;
  if (t.tb[RTA_DST]) {
    if (!valid_addr(t.tb[RTA_DST], fam)) return make_error("parse netlink reply", "route", "bad RTA_DST");
    r.dst.addr = to_addr(t.tb[RTA_DST], fam);
  }
  if (t.tb[RTA_GATEWAY]) {
    if (!valid_addr(t.tb[RTA_GATEWAY], fam))
      return make_error("parse netlink reply", "route", "bad RTA_GATEWAY");
    r.gateway = to_addr(t.tb[RTA_GATEWAY], fam);
  }
  if (t.tb[RTA_OIF]) {
    if (!valid_u32(t.tb[RTA_OIF])) return make_error("parse netlink reply", "route", "bad RTA_OIF");
    r.oif = static_cast<int>(mnl_attr_get_u32(t.tb[RTA_OIF]));
  }
  if (t.tb[RTA_TABLE]) {
    if (!valid_u32(t.tb[RTA_TABLE])) return make_error("parse netlink reply", "route", "bad RTA_TABLE");
    r.table = mnl_attr_get_u32(t.tb[RTA_TABLE]);
  }
  if (t.tb[RTA_PRIORITY]) {
    if (!valid_u32(t.tb[RTA_PRIORITY]))
      return make_error("parse netlink reply", "route", "bad RTA_PRIORITY");
    r.priority = mnl_attr_get_u32(t.tb[RTA_PRIORITY]);
  }
  return r;
}

// ---- socket ----------------------------------------------------------------

void Rtnl::Closer::operator()(mnl_socket *s) const { mnl_socket_close(s); }

Rtnl::Rtnl(mnl_socket *s) : sock_(s), portid_(mnl_socket_get_portid(s)),
                            seq_(static_cast<uint32_t>(time(nullptr))) {}

Result<Rtnl> Rtnl::open() {
  mnl_socket *s = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
  if (!s) return errno_error("open netlink socket", "NETLINK_ROUTE");
  Rtnl r(s);
  if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) return errno_error("bind netlink socket", "NETLINK_ROUTE");
  r.portid_ = mnl_socket_get_portid(s);
  int one = 1;
  // Strict dumps: the kernel filters by our header instead of ignoring it.
  mnl_socket_setsockopt(s, NETLINK_GET_STRICT_CHK, &one, sizeof one);
  return r;
}

namespace {
struct CbCtx {
  const std::function<Status(const nlmsghdr *)> *fn;
  Status status;
};
int reply_cb(const nlmsghdr *nlh, void *data) {
  auto *c = static_cast<CbCtx *>(data);
  if (!*c->fn) return MNL_CB_OK;
  c->status = (*c->fn)(nlh);
  return c->status.ok() ? MNL_CB_OK : MNL_CB_ERROR;
}
}  // namespace

Result<bool> run_reply_batch(const char *buf, size_t len, uint32_t seq, uint32_t portid,
                             const std::function<Status(const nlmsghdr *)> &on_reply,
                             const std::string &op, const std::string &object) {
  for (size_t off = 0; off < len;) {
    nlmsghdr h;
    if (len - off < sizeof h) return make_error(op, object, "malformed netlink reply: a partial message header");
    std::memcpy(&h, buf + off, sizeof h);
    if (h.nlmsg_len < sizeof h || h.nlmsg_len > len - off)
      return make_error(op, object, "malformed netlink reply: a message length of " +
                                        std::to_string(h.nlmsg_len) + " in " + std::to_string(len - off) +
                                        " bytes");
    off += std::min<size_t>(NLMSG_ALIGN(h.nlmsg_len), len - off);
  }
  CbCtx ctx{&on_reply, {}};
  int rc = mnl_cb_run(buf, len, seq, portid, reply_cb, &ctx);
  if (rc == MNL_CB_ERROR || rc < 0) {
    if (!ctx.status.ok()) return ctx.status.error();
    return errno_error(op, object);
  }
  return rc == MNL_CB_STOP;
}

Status Rtnl::transact(NlMessage &m, const std::string &op, const std::string &object,
                      const std::function<Status(const nlmsghdr *)> &on_reply) {
  VR_TRY(m.check(object));
  nlmsghdr *nlh = m.hdr();
  nlh->nlmsg_seq = ++seq_;
  nlh->nlmsg_pid = 0;
  if (mnl_socket_sendto(sock_.get(), nlh, nlh->nlmsg_len) < 0) return errno_error(op, object);
  // 32 KiB: a dump reply batch is at most this large (MNL_SOCKET_DUMP_SIZE).
  // Allocated at first use, like the scratch buffer above.
  constexpr size_t kBufSize = 32768;
  static thread_local auto buf_owner = std::make_unique_for_overwrite<char[]>(kBufSize);
  char *buf = buf_owner.get();
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(sock_.get(), buf, kBufSize);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(op, object);
    }
    VR_ASSIGN(bool done, run_reply_batch(buf, static_cast<size_t>(n), nlh->nlmsg_seq, portid_, on_reply, op, object));
    if (done) return {};
    // A plain get (no ACK flag, no DUMP) ends after its one reply.
    if (!(nlh->nlmsg_flags & (NLM_F_ACK | NLM_F_DUMP))) return {};
  }
}

Status Rtnl::create_veth(const IfName &name, const IfName &peer, int peer_netns_fd, bool up) {
  auto m = msg_new_veth(name, peer, peer_netns_fd, up);
  return transact(m, "create veth", name.str() + "'/'" + peer.str(), {});
}

Status Rtnl::delete_link(const IfName &name) {
  auto m = msg_del_link(name);
  return transact(m, "delete link", name.str(), {});
}

Result<Link> Rtnl::link(const IfName &name) {
  auto m = msg_get_link(name);
  std::optional<Link> out;
  VR_TRY(transact(m, "get link", name.str(), [&](const nlmsghdr *h) -> Status {
    VR_ASSIGN(out, parse_link(h));
    return {};
  }));
  if (!out) return make_error("get link", name.str(), ENODEV);
  return *out;
}

Result<Link> Rtnl::link(int index) {
  auto m = msg_get_link(index);
  std::optional<Link> out;
  VR_TRY(transact(m, "get link", "#" + std::to_string(index), [&](const nlmsghdr *h) -> Status {
    VR_ASSIGN(out, parse_link(h));
    return {};
  }));
  if (!out) return make_error("get link", "#" + std::to_string(index), ENODEV);
  return *out;
}

Result<int> Rtnl::index(const IfName &name) {
  // An ioctl on this socket asks its namespace, as RTM_GETLINK would, without
  // the kernel first settling the link's pending carrier events (which waits
  // out an RCU grace period for a link just made).
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.str().c_str(), name.str().size() + 1);
  if (::ioctl(mnl_socket_get_fd(sock_.get()), SIOCGIFINDEX, &ifr) < 0) return errno_error("get link", name.str());
  return ifr.ifr_ifindex;
}

Status Rtnl::set_up(int index) {
  auto m = msg_set_link_up(index);
  return transact(m, "set link up", "#" + std::to_string(index), {});
}

Status Rtnl::create_link(const IfName &name, const std::string &kind) {
  auto m = msg_new_link(name, kind);
  return transact(m, "create " + kind + " link", name.str(), {});
}

Status Rtnl::set_mtu(int index, unsigned mtu) {
  auto m = msg_set_link(index, mtu, -1);
  return transact(m, "set MTU " + std::to_string(mtu), "#" + std::to_string(index), {});
}

Status Rtnl::move_link(int index, int netns_fd, const std::string &what) {
  auto m = msg_set_link(index, std::nullopt, netns_fd);
  return transact(m, "move link into " + what, "#" + std::to_string(index), {});
}

Status Rtnl::add_address(int index, const IpNet &local) {
  auto m = msg_new_addr(index, local);
  return transact(m, "add address", local.str(), {});
}

Status Rtnl::add_route(const IpNet &dst, const std::optional<IpAddr> &gateway, int oif) {
  auto m = msg_new_route(dst, gateway, oif);
  return transact(m, "add route", dst.len == 0 ? "default" : dst.str(), {});
}

Result<std::vector<Link>> Rtnl::links() {
  auto m = msg_dump(RTM_GETLINK, AF_UNSPEC);
  std::vector<Link> out;
  VR_TRY(transact(m, "dump links", "", [&](const nlmsghdr *h) -> Status {
    VR_ASSIGN(Link l, parse_link(h));
    out.push_back(std::move(l));
    return {};
  }));
  return out;
}

Result<std::vector<Address>> Rtnl::addresses(int family) {
  auto m = msg_dump(RTM_GETADDR, family);
  std::vector<Address> out;
  VR_TRY(transact(m, "dump addresses", "", [&](const nlmsghdr *h) -> Status {
    VR_ASSIGN(Address a, parse_address(h));
    out.push_back(a);
    return {};
  }));
  return out;
}

Result<std::vector<Route>> Rtnl::routes(int family) {
  auto m = msg_dump(RTM_GETROUTE, family);
  std::vector<Route> out;
  VR_TRY(transact(m, "dump routes", "", [&](const nlmsghdr *h) -> Status {
    VR_ASSIGN(Route r, parse_route(h));
    out.push_back(r);
    return {};
  }));
  return out;
}

}  // namespace vpnrun
