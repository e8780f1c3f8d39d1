#include "vpnrun/reclaim.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "vpnrun/fd.hpp"
#include "vpnrun/netlink.hpp"

namespace vpnrun {

namespace {

bool is_netfilter_socket(int fd) {
  int domain = 0, proto = 0;
  socklen_t l1 = sizeof domain, l2 = sizeof proto;
  return ::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l1) == 0 && domain == AF_NETLINK &&
         ::getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l2) == 0 && proto == NETLINK_NETFILTER;
}

// In the child: keep only `keep` and nftables sockets.
void close_all_but(int keep) {
  DIR *d = ::opendir("/proc/self/fd");
  if (!d) return;
  int dfd = ::dirfd(d);
  while (dirent *de = ::readdir(d)) {
    int fd = std::atoi(de->d_name);
    if (fd > 2 && fd != keep && fd != dfd && !is_netfilter_socket(fd)) ::close(fd);
  }
  ::closedir(d);
}

[[noreturn]] void child(const IfName &name, int report) {
  close_all_but(report);
  // Pin nothing of the caller's while the kernel finishes (a busy mount).
  (void)!::chdir("/");
  int code = EIO;
  if (auto r = Rtnl::open(); r) {
    auto s = r->delete_link(name);
    code = s.ok() ? 0 : (s.error().err ? s.error().err : EIO);
  }
  (void)!::write(report, &code, sizeof code);
  ::_exit(0);
}

// True when the buffer holds the announcement that link `index` is gone.
bool announces_deletion(const char *buf, size_t len, int index) {
  for (auto *nlh = reinterpret_cast<const nlmsghdr *>(buf); mnl_nlmsg_ok(nlh, static_cast<int>(len));
       nlh = mnl_nlmsg_next(nlh, reinterpret_cast<int *>(&len))) {
    if (nlh->nlmsg_type != RTM_DELLINK) continue;
    auto l = parse_link(nlh);
    if (l && l->index == index) return true;
  }
  return false;
}

struct MnlCloser {
  void operator()(mnl_socket *s) const { mnl_socket_close(s); }
};

}  // namespace

Status delete_link_detached(const IfName &name) {
  VR_ASSIGN(Rtnl rtnl, Rtnl::open());
  VR_ASSIGN(const int index, rtnl.index(name));
  // Listen for the announcement before anything is sent.
  std::unique_ptr<mnl_socket, MnlCloser> mon(mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC));
  if (!mon || mnl_socket_bind(mon.get(), RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0)
    return errno_error("listen for link events", name.str());
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return errno_error("pipe", name.str());
  UniqueFd rd(p[0]), wr(p[1]);
  pid_t pid = ::fork();
  if (pid < 0) return errno_error("fork", name.str());
  if (pid == 0) child(name, wr.get());
  wr.reset();

  // On the heap: a thread_local array would be zeroed at every start of
  // vpnrun, launches included (static TLS).
  constexpr size_t kBufSize = 32768;
  auto buf_owner = std::make_unique_for_overwrite<char[]>(kBufSize);
  char *buf = buf_owner.get();
  pollfd fds[2] = {{mnl_socket_get_fd(mon.get()), POLLIN, 0}, {rd.get(), POLLIN, 0}};
  for (;;) {
    int n = ::poll(fds, 2, 10000);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error("delete link", name.str(), n == 0 ? ETIMEDOUT : errno);
    if (fds[0].revents & POLLIN) {
      ssize_t got = ::recv(fds[0].fd, buf, kBufSize, 0);
      if (got > 0 && announces_deletion(buf, static_cast<size_t>(got), index)) return {};
    }
    if (fds[1].revents & (POLLIN | POLLHUP)) {
      int code = EIO;
      ssize_t got = ::read(rd.get(), &code, sizeof code);
      if (got != sizeof code) return make_error("delete link", name.str(), "helper process died");
      // The child finished first (the announcement may have been missed, e.g.
      // on a full socket buffer): its answer is final.
      if (code == 0) return {};
      return make_error("delete link", name.str(), code);
    }
  }
}

}  // namespace vpnrun
