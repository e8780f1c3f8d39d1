// Typed rtnetlink over libmnl: one bounded message builder, checked replies,
// validated attributes. Nothing else in vpnrun builds netlink messages.
#pragma once
#include <linux/netlink.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vpnrun/addr.hpp"
#include "vpnrun/error.hpp"
#include "vpnrun/names.hpp"

struct mnl_socket;
struct nlattr;

namespace vpnrun {

// One request, built in place. Every attribute write is bounds-checked; a write
// that does not fit marks the message overflowed and `check()` reports it.
class NlMessage {
 public:
  static constexpr size_t kSize = 4096;
  NlMessage(uint16_t type, uint16_t flags);
  NlMessage(const NlMessage &o);
  NlMessage &operator=(const NlMessage &) = delete;

  nlmsghdr *hdr() { return reinterpret_cast<nlmsghdr *>(buf_); }
  const nlmsghdr *hdr() const { return reinterpret_cast<const nlmsghdr *>(buf_); }
  // A fixed header (ifinfomsg, rtmsg, ...) at the current end, zeroed.
  void *put_header(size_t len);
  void put(uint16_t type, const void *data, size_t len);
  void put_u32(uint16_t type, uint32_t v) { put(type, &v, sizeof v); }
  void put_str(uint16_t type, const std::string &s);  // NUL-terminated
  nlattr *nest_start(uint16_t type);
  void nest_end(nlattr *nest);
  Status check(const std::string &what) const;

 private:
  alignas(nlmsghdr) char buf_[kSize];
  bool overflow_ = false;
};

struct Link {
  int index = 0;
  std::string name;
  unsigned flags = 0;  // IFF_*
  std::string kind;    // "veth", "tun", ... (empty when the kernel does not say)
  uint64_t rx_bytes = 0, tx_bytes = 0;
  bool up() const;
};

struct Address {
  int index = 0;
  IpNet local;
};

struct Route {
  IpNet dst;  // 0.0.0.0/0 for a default route
  std::optional<IpAddr> gateway;
  int oif = 0;
  uint32_t table = 0;
  uint8_t type = 0;  // RTN_*
  uint32_t priority = 0;
};

// Message builders: pure, unit-tested. `up` brings up `name` only; the peer is
// created down.
NlMessage msg_new_veth(const IfName &name, const IfName &peer, int peer_netns_fd, bool up);
NlMessage msg_get_link(const IfName &name);
NlMessage msg_get_link(int index);
NlMessage msg_del_link(const IfName &name);
NlMessage msg_set_link_up(int index);
NlMessage msg_new_link(const IfName &name, const std::string &kind);  // e.g. "wireguard"
// Change an existing link: its MTU and/or its namespace (-1: unchanged).
NlMessage msg_set_link(int index, std::optional<unsigned> mtu, int netns_fd);
NlMessage msg_new_addr(int index, const IpNet &local);
NlMessage msg_new_route(const IpNet &dst, const std::optional<IpAddr> &gateway, int oif);
NlMessage msg_dump(uint16_t type, int family);

// Reply parsers: pure, unit-tested and fuzzed. Malformed attributes are errors.
Result<Link> parse_link(const nlmsghdr *nlh);
Result<Address> parse_address(const nlmsghdr *nlh);
Result<Route> parse_route(const nlmsghdr *nlh);

// One batch of replies as received, each message handed to `on_reply` (pure,
// unit-tested and fuzzed). The framing is checked first: every message's
// length must lie within the batch, which libmnl's own check does not ensure
// (mnl_nlmsg_ok compares the length as an int, so 2 GiB or more passes it).
// Then mnl_cb_run checks sequence and port (0: any) and turns NLMSG_ERROR into
// errno. True when the reply is complete (NLMSG_DONE, or the ACK).
Result<bool> run_reply_batch(const char *buf, size_t len, uint32_t seq, uint32_t portid,
                             const std::function<Status(const nlmsghdr *)> &on_reply,
                             const std::string &op, const std::string &object);

// An rtnetlink socket bound to the network namespace current at open().
class Rtnl {
 public:
  static Result<Rtnl> open();

  Status create_veth(const IfName &name, const IfName &peer, int peer_netns_fd, bool up);
  Status delete_link(const IfName &name);  // ENODEV when it is not there
  Result<Link> link(const IfName &name);   // ENODEV when it is not there
  Result<Link> link(int index);            // ENODEV when it is not there
  Result<int> index(const IfName &name);   // ENODEV when it is not there
  Status set_up(int index);
  Status create_link(const IfName &name, const std::string &kind);
  Status set_mtu(int index, unsigned mtu);
  // Move a link into another namespace (it arrives down there).
  Status move_link(int index, int netns_fd, const std::string &what);
  Status add_address(int index, const IpNet &local);
  Status add_route(const IpNet &dst, const std::optional<IpAddr> &gateway, int oif);

  Result<std::vector<Link>> links();
  Result<std::vector<Address>> addresses(int family);
  Result<std::vector<Route>> routes(int family);  // all tables

 private:
  struct Closer {
    void operator()(mnl_socket *s) const;
  };
  explicit Rtnl(mnl_socket *s);
  // Send and read replies until ACK/DONE, checking sequence and port.
  Status transact(NlMessage &m, const std::string &op, const std::string &object,
                  const std::function<Status(const nlmsghdr *)> &on_reply);

  std::unique_ptr<mnl_socket, Closer> sock_;
  uint32_t portid_ = 0;
  uint32_t seq_ = 0;
};

}  // namespace vpnrun
