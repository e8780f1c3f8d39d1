// Writes the netlink seed corpora (DIR/netlink_link, netlink_address,
// netlink_route): the kernel's own replies to link, address and route dumps,
// one message a file, plus one whole reply batch each. It builds what it dumps
// (a veth pair, IPv4 and IPv6 addresses and routes) in a network namespace of
// its own, so it needs root and changes nothing outside:
//
//   build-fuzz/tests/fuzz/fuzz_netlink_capture tests/fuzz/corpus
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sched.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "vpnrun/netlink.hpp"

using namespace vpnrun;

namespace {

[[noreturn]] void die(const std::string &what) {
  std::fprintf(stderr, "fuzz_netlink_capture: %s\n", what.c_str());
  std::exit(1);
}

void must(const Status &s) {
  if (!s) die(s.error().message());
}

std::string safe(std::string s) {
  for (char &c : s)
    if (c == '/' || c == ':') c = '_';
  return s;
}

void write(const std::filesystem::path &p, const void *data, size_t len) {
  std::ofstream(p, std::ios::binary).write(static_cast<const char *>(data), static_cast<std::streamsize>(len));
}

// Dump TYPE for FAMILY; each data message to DIR/NAME(message), the first
// batch whole to DIR/batch-FAMILY.
template <class Name>
void dump(uint16_t type, int family, const std::filesystem::path &dir, Name name) {
  std::filesystem::create_directories(dir);
  mnl_socket *s = mnl_socket_open(NETLINK_ROUTE);
  if (!s || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) die("netlink socket");
  NlMessage m = msg_dump(type, family);
  m.hdr()->nlmsg_seq = 1;
  if (mnl_socket_sendto(s, m.hdr(), m.hdr()->nlmsg_len) < 0) die("send dump");
  alignas(nlmsghdr) static char buf[32768];  // as Rtnl::transact reads them
  bool first = true, done = false;
  while (!done) {
    ssize_t n = mnl_socket_recvfrom(s, buf, sizeof buf);
    if (n < 0) die("receive dump");
    if (first) write(dir / ("batch-" + std::to_string(family)), buf, static_cast<size_t>(n));
    first = false;
    int len = static_cast<int>(n);
    for (auto *h = reinterpret_cast<nlmsghdr *>(buf); mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len)) {
      if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
        done = true;
        break;
      }
      write(dir / safe(name(h)), h, h->nlmsg_len);
    }
  }
  mnl_socket_close(s);
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) die("usage: fuzz_netlink_capture CORPUS_DIR");
  // A network namespace of its own: what it adds never reaches the caller's.
  if (unshare(CLONE_NEWNET) < 0) die(std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno));
  const std::filesystem::path out = argv[1];

  auto r = Rtnl::open();
  if (!r) die(r.error().message());
  Rtnl &nl = r.value();
  must(nl.set_up(1));  // lo
  const IfName a = IfName::parse("fz0").value(), b = IfName::parse("fz1").value();
  must(nl.create_veth(a, b, -1, true));
  auto la = nl.link(a), lb = nl.link(b);
  if (!la || !lb) die("veth not found");
  must(nl.set_up(lb->index));
  must(nl.add_address(la->index, IpNet::parse_interface("198.51.100.2/24").value()));
  must(nl.add_address(la->index, IpNet::parse_interface("2001:db8::2/64").value()));
  must(nl.add_address(lb->index, IpNet::parse_interface("203.0.113.5/32").value()));
  must(nl.add_route(IpNet::parse("0.0.0.0/0").value(), IpAddr::parse("198.51.100.1").value(), la->index));
  must(nl.add_route(IpNet::parse("203.0.113.0/24").value(), std::nullopt, lb->index));
  must(nl.add_route(IpNet::parse("2001:db8:1::/48").value(), IpAddr::parse("2001:db8::1").value(), la->index));

  dump(RTM_GETLINK, AF_UNSPEC, out / "netlink_link", [](const nlmsghdr *h) {
    auto l = parse_link(h);
    return "link-" + (l ? l->name : "unparsed");
  });
  dump(RTM_GETADDR, AF_UNSPEC, out / "netlink_address", [](const nlmsghdr *h) {
    auto x = parse_address(h);
    return "addr-" + (x ? std::to_string(x->index) + "-" + x->local.str() : "unparsed");
  });
  for (int family : {AF_INET, AF_INET6}) {
    dump(RTM_GETROUTE, family, out / "netlink_route", [](const nlmsghdr *h) {
      auto x = parse_route(h);
      return "route-" + (x ? "table" + std::to_string(x->table) + "-" + x->dst.str() : "unparsed");
    });
  }
  return 0;
}
