#include "vpnrun/attach.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <sstream>

#include "vpnrun/config.hpp"
#include "vpnrun/dns.hpp"
#include "vpnrun/fault.hpp"
#include "vpnrun/firewall.hpp"
#include "vpnrun/fd.hpp"
#include "vpnrun/ipam.hpp"
#include "vpnrun/journal.hpp"
#include "vpnrun/netlink.hpp"
#include "vpnrun/netns.hpp"
#include "vpnrun/oci.hpp"
#include "vpnrun/reclaim.hpp"

namespace vpnrun {

// ---- the record ---------------------------------------------------------------

std::string Attachment::text() const {
  return "netns " + netns + "\nnetns-inode " + std::to_string(netns_inode) + "\ncontainer-inode " +
         std::to_string(container_inode) + "\naddress " + address.str() + "\nlink " + link +
         "\nlink-index " + std::to_string(link_index) + "\n";
}

Result<Attachment> Attachment::parse(const std::string &text) {
  Attachment a;
  std::istringstream in(text);
  bool have_addr = false;
  auto number = [](const std::string &v, unsigned long &out) {
    if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) return false;
    out = std::stoul(v);
    return true;
  };
  for (std::string line; std::getline(in, line);) {
    std::istringstream l(line);
    std::string k, v;
    if (!(l >> k >> v)) continue;
    unsigned long n = 0;
    bool ok = true;
    if (k == "netns") ok = NetnsName::parse(v).ok(), a.netns = v;
    else if (k == "netns-inode") ok = number(v, a.netns_inode);
    else if (k == "container-inode") ok = number(v, a.container_inode);
    else if (k == "link") ok = IfName::parse(v).ok(), a.link = v;
    else if (k == "link-index") ok = number(v, n) && n < 0x7fffffff, a.link_index = static_cast<int>(n);
    else if (k == "address") {
      auto addr = IpAddr::parse(v);
      ok = addr && addr->family == AF_INET;
      if (ok) a.address = addr.value(), have_addr = true;
    }
    if (!ok) return make_error("read attachment record", line, "malformed line");
  }
  if (a.netns.empty() || !have_addr || a.link.empty())
    return make_error("read attachment record", "", "incomplete (no netns, address or link)");
  return a;
}

// ---- names ----------------------------------------------------------------------

IfName container_veth_name(const ContainerId &id, unsigned attempt) {
  const std::string &s = id.str();
  const bool hex = s.size() >= 12 && s.find_first_not_of("0123456789abcdef") >= 12;
  if (attempt == 0 && hex) return IfName::parse(kContainerVethPrefix + s.substr(0, 12)).value();
  uint64_t h = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (unsigned char c : s + "#" + std::to_string(attempt)) h = (h ^ c) * 1099511628211ull;
  char tail[13];
  snprintf(tail, sizeof tail, "%012llx", static_cast<unsigned long long>(h & 0xffffffffffffull));
  return IfName::parse(kContainerVethPrefix + std::string(tail)).value();
}

const std::vector<std::string> &attach_steps() {
  static const std::vector<std::string> steps = {"attach-pin",   "attach-check", "attach-lease",
                                                 "attach-veth",  "attach-address", "attach-route",
                                                 "attach-dns"};
  return steps;
}

const std::vector<std::string> &detach_steps() {
  static const std::vector<std::string> steps = {"detach-open", "detach-link", "detach-lease", "detach-index",
                                                 "detach-record"};
  return steps;
}

namespace {

constexpr unsigned kNameAttempts = 8;
const char *kPeer = "eth0";

std::string pid_name(pid_t pid) { return "pid " + std::to_string(pid); }

// The container's netns, opened while its process is pinned by a pidfd: if the
// pid were reused in between, the pidfd would refer to the exited process and
// the check below fails.
Result<UniqueFd> open_container_netns(pid_t pid) {
  if (pid <= 0) return make_error("attach", "container", "the runtime gave no pid (is the hook in the createRuntime stage?)");
  long pfd = ::syscall(SYS_pidfd_open, pid, 0);
  if (pfd < 0) return errno_error("pidfd_open", pid_name(pid));
  UniqueFd pidfd(static_cast<int>(pfd));
  const std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
  VR_ASSIGN(UniqueFd ns, open_at(AT_FDCWD, path, O_RDONLY));
  if (::syscall(SYS_pidfd_send_signal, pidfd.get(), 0, nullptr, 0) < 0)
    return make_error("pin container", pid_name(pid), "exited while its network namespace was opened");
  VR_TRY(netns_verify(ns.get(), path));
  // Root's: of the initial user namespace, or of one root made (a rootful
  // runtime's user-namespaced container). One of a user's own user namespace
  // is that user's (a pid reused by their process): wiring it would give them
  // the VPN without [access].
  int owner = ::ioctl(ns.get(), NS_GET_USERNS);
  if (owner < 0) return errno_error("NS_GET_USERNS", path);
  UniqueFd userns(owner);
  uid_t uid = 0;
  if (::ioctl(userns.get(), NS_GET_OWNER_UID, &uid) < 0) return errno_error("NS_GET_OWNER_UID", path);
  if (uid != 0)
    return make_error("attach", pid_name(pid),
                      "the network namespace belongs to a user namespace made by uid " + std::to_string(uid) +
                          ", not by root");
  return ns;
}

struct NsId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const NsId &) const = default;
};

Result<NsId> ns_id(int fd, const std::string &what) {
  struct stat st;
  if (::fstat(fd, &st) < 0) return errno_error("fstat", what);
  return NsId{st.st_dev, st.st_ino};
}

Result<NsId> ns_id_of(const std::string &path) {
  VR_ASSIGN(UniqueFd fd, open_at(AT_FDCWD, path, O_RDONLY));
  return ns_id(fd.get(), path);
}

// The host's netns (the runtime's, or init's) and the VPN namespace itself
// are never a container's to use.
Status refuse_shared_netns(int ctr, int vpn, pid_t pid) {
  VR_ASSIGN(NsId c, ns_id(ctr, pid_name(pid)));
  for (const char *host : {"/proc/thread-self/ns/net", "/proc/1/ns/net"}) {
    auto h = ns_id_of(host);
    if (h && h.value() == c)
      return make_error("attach", pid_name(pid),
                        "the container uses the host's network namespace; run it with --network none");
  }
  VR_ASSIGN(NsId v, ns_id(vpn, "VPN namespace"));
  if (v == c)
    return make_error("attach", pid_name(pid),
                      "the container already runs in the VPN namespace itself; run it with --network none");
  return {};
}

Result<Rtnl> rtnl_in(int nsfd, const std::string &what) {
  VR_ASSIGN(ScopedNetns in, ScopedNetns::enter(nsfd, what));
  return Rtnl::open();
}

// A netns that already has a way out is someone else's network (Podman's
// bridge, slirp4netns, a host namespace): wiring it too would leave two ways out.
Status refuse_networked(Rtnl &ctr, pid_t pid) {
  for (int family : {AF_INET, AF_INET6}) {
    VR_ASSIGN(auto routes, ctr.routes(family));
    for (const auto &r : routes)
      if (r.dst.len == 0 && r.table == RT_TABLE_MAIN && r.type == RTN_UNICAST)
        return make_error("attach", pid_name(pid),
                          std::string("the container's network namespace already has an ") +
                              (family == AF_INET ? "IPv4" : "IPv6") +
                              " default route; run it with --network none");
  }
  auto eth0 = ctr.index(IfName::parse(kPeer).value());
  if (eth0) return make_error("attach", pid_name(pid), "the container's network namespace already has eth0; run it with --network none");
  if (eth0.error().err != ENODEV) return eth0.error();
  return {};
}

// The VPN namespace as it is now: open, its inode, netlink bound to it.
struct VpnSide {
  UniqueFd fd;
  unsigned long inode = 0;
  std::optional<Rtnl> rtnl;
};

Result<VpnSide> open_vpn(const NetnsName &name) {
  VpnSide v;
  VR_ASSIGN(v.fd, netns_open(name));
  VR_ASSIGN(ino_t ino, netns_inode(v.fd.get()));
  v.inode = ino;
  VR_ASSIGN(Rtnl r, rtnl_in(v.fd.get(), netns_path(name)));
  v.rtnl.emplace(std::move(r));
  return v;
}

// Is the attachment still there? Its VPN namespace is the one it was made in
// and its link is there with the same index. When the container's netns dies,
// the kernel deletes the veth pair, so a missing link means the container is gone.
bool alive(const Attachment &a, VpnSide *vpn) {
  if (!vpn || a.netns_inode != vpn->inode) return false;
  auto name = IfName::parse(a.link);
  if (!name) return false;
  auto l = vpn->rtnl->index(name.value());
  if (!l) return l.error().err != ENODEV;  // cannot tell: keep it
  return a.link_index == 0 || l.value() == a.link_index;
}

// Undo an attachment: its link (only if it is still the one recorded), its
// lease, its record. Objects already gone count as undone.
Status release(Ipam &ipam, const ContainerId &id, const Attachment &a, VpnSide *vpn) {
  if (vpn && a.netns_inode == vpn->inode && a.link_index > 0) {
    auto name = IfName::parse(a.link);
    auto l = name ? vpn->rtnl->index(name.value()) : Result<int>(name.error());
    if (l && l.value() == a.link_index) {
      VR_TRY(fault_point("detach-link"));
      // Gone from view at once; the kernel's reclaim (an RCU grace period,
      // ~20 ms) is left to a child (reclaim.hpp).
      VR_ASSIGN(ScopedNetns in, ScopedNetns::enter(vpn->fd.get(), "VPN namespace " + a.netns));
      auto st = delete_link_detached(name.value());
      if (!st && st.error().err != ENODEV) return st.error();
    }
  }
  VR_TRY(fault_point("detach-lease"));
  VR_TRY(ipam.release(a.address, id.str()));
  VR_TRY(fault_point("detach-index"));
  VR_TRY(ipam.unindex_netns(a.container_inode, id));
  VR_TRY(fault_point("detach-record"));
  return ipam.remove_record(id);
}

// Undo, in reverse order, unless committed.
class Rollback {
 public:
  ~Rollback() {
    if (committed_) return;
    for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) (*it)();
  }
  void add(std::function<void()> f) { steps_.push_back(std::move(f)); }
  void commit() { committed_ = true; }

 private:
  std::vector<std::function<void()>> steps_;
  bool committed_ = false;
};

bool has_component(const std::string &path, const std::string &name) {
  return ("/" + path + "/").find("/" + name + "/") != std::string::npos;
}

Status write_file(int fd, const std::string &text, const std::string &path) {
  struct stat st;
  if (::fstat(fd, &st) < 0) return errno_error("stat", path);
  if (!S_ISREG(st.st_mode)) return make_error("write", path, "not a regular file");
  // Over the old text, then cut to length: emptying the file first would free
  // its blocks, which on a file system mounted with `discard` waits for the disk.
  VR_TRY(write_all(fd, text, path));
  if (::ftruncate(fd, static_cast<off_t>(text.size())) < 0) return errno_error("truncate", path);
  return {};
}

// The container's /etc/resolv.conf: the file the runtime bind-mounts there, if
// it is the container's own (under its bundle, or in a directory named after
// the container or its pod sandbox); else the file in its root file system.
Status write_container_dns(const AttachRequest &req, const std::string &text) {
  if (req.bundle.empty())
    return make_error("write resolv.conf", req.id.short_id(), "the runtime gave no bundle");
  VR_ASSIGN(OciBundle b, load_oci_config(req.bundle));
  if (b.resolv_source) {
    const std::string &src = *b.resolv_source;
    const bool own = src.rfind(req.bundle + "/", 0) == 0 || has_component(src, req.id.str()) ||
                     (req.sandbox_id && has_component(src, *req.sandbox_id));
    if (!own)
      return make_error("write resolv.conf", src,
                        "the container's /etc/resolv.conf is mounted from a file that is not its own; "
                        "vpnrun will not overwrite it");
    VR_ASSIGN(UniqueFd fd, open_at(AT_FDCWD, src, O_WRONLY | O_NOFOLLOW | O_NONBLOCK));
    return write_file(fd.get(), text, src);
  }
  VR_ASSIGN(UniqueFd root, open_at(AT_FDCWD, b.root, O_RDONLY | O_DIRECTORY));
  if (::mkdirat(root.get(), "etc", 0755) < 0 && errno != EEXIST) return errno_error("mkdir", b.root + "/etc");
  VR_ASSIGN(UniqueFd etc, open_at(root.get(), "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  const std::string path = b.root + "/etc/resolv.conf";
  // A link in the image (to a systemd-resolved stub, say) is replaced, never followed.
  struct stat st;
  if (::fstatat(etc.get(), "resolv.conf", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) &&
      ::unlinkat(etc.get(), "resolv.conf", 0) < 0)
    return errno_error("unlink", path);
  VR_ASSIGN(UniqueFd fd, open_at(etc.get(), "resolv.conf", O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0644));
  return write_file(fd.get(), text, path);
}

// The pool the namespace was brought up with, if containers were enabled then.
Result<IpNet> container_pool(const NetnsName &name, const NamespaceConfig &cfg) {
  if (!cfg.containers.enable)
    return make_error("attach", name.str(),
                      "containers are not enabled; set [containers] enable = true in " + config_path(name) +
                          " and run `vpnrun down " + name.str() + " && vpnrun up " + name.str() + "`");
  VR_ASSIGN(auto j, Journal::load(name, false));
  if (!j || !j->complete())
    return make_error("attach", name.str(), "the VPN namespace is not up; run `vpnrun up " + name.str() + "`");
  auto pool = j->info("containers");
  if (!pool)
    return make_error("attach", name.str(),
                      "the VPN namespace was brought up before containers were enabled; run `vpnrun down " +
                          name.str() + " && vpnrun up " + name.str() + "`");
  return IpNet::parse(*pool);
}

}  // namespace

Result<AttachOutcome> attach(const AttachRequest &req) {
  VR_ASSIGN(NamespaceConfig cfg, load_config(req.netns));
  VR_ASSIGN(IpNet pool, container_pool(req.netns, cfg));

  VR_TRY(fault_point("attach-pin"));
  VR_ASSIGN(UniqueFd ctr_ns, open_container_netns(req.pid));
  VR_ASSIGN(VpnSide vpn, open_vpn(req.netns));
  VR_TRY(fault_point("attach-check"));
  VR_TRY(refuse_shared_netns(ctr_ns.get(), vpn.fd.get(), req.pid));
  VR_ASSIGN(ino_t ctr_inode, netns_inode(ctr_ns.get()));
  VR_ASSIGN(Rtnl ctr, rtnl_in(ctr_ns.get(), pid_name(req.pid)));

  VR_ASSIGN(Ipam ipam, Ipam::open(ipam_dir(req.netns)));
  // Attached already? Podman 4.3 runs the hook for createRuntime and prestart.
  VR_ASSIGN(auto old_text, ipam.read_record(req.id));
  if (old_text) {
    auto old = Attachment::parse(*old_text);
    if (old && alive(old.value(), &vpn) && old->container_inode == ctr_inode)
      return AttachOutcome{true, old->address, old->link};
    // A record left by an earlier container of the same id.
    if (old) { VR_TRY(release(ipam, req.id, old.value(), &vpn)); }
    else { VR_TRY(ipam.remove_record(req.id)); }
  }
  // A network namespace another container attached and shares with this one
  // (a pod): already wired. Its own teardown unwires it.
  VR_ASSIGN(auto sharer, ipam.netns_holder(ctr_inode));
  if (sharer && *sharer != req.id.str()) {
    if (auto sid = ContainerId::parse(*sharer)) {
      VR_ASSIGN(auto text, ipam.read_record(sid.value()));
      auto a = text ? Attachment::parse(*text) : Result<Attachment>(make_error("", "", ENOENT));
      if (a && a->container_inode == ctr_inode && alive(a.value(), &vpn))
        return AttachOutcome{true, a->address, a->link};
    }
  }
  VR_TRY(refuse_networked(ctr, req.pid));

  // Declared after everything its steps use by reference (ipam, vpn, ctr, req).
  Rollback undo;
  VR_TRY(fault_point("attach-lease"));
  // A lease in the way whose container is gone is reclaimed on the spot.
  VR_ASSIGN(IpAddr addr, ipam.lease(pool, req.id, [&](const std::string &holder) -> Result<bool> {
    auto hid = ContainerId::parse(holder);
    if (!hid) return true;
    VR_ASSIGN(auto text, ipam.read_record(hid.value()));
    if (!text) return true;
    auto a = Attachment::parse(*text);
    if (a && alive(a.value(), &vpn)) return false;
    if (a) { VR_TRY(release(ipam, hid.value(), a.value(), &vpn)); }
    else { VR_TRY(ipam.remove_record(hid.value())); }
    return true;
  }));
  // By value: the rollback runs after the locals declared below are gone.
  undo.add([&, addr] { (void)ipam.release(addr, req.id.str()); });

  // Written before each change, so that a crash leaves enough for gc.
  Attachment rec{req.netns.str(), vpn.inode, static_cast<unsigned long>(ctr_inode), addr, "", 0};
  undo.add([&] { (void)ipam.remove_record(req.id); });

  VR_TRY(fault_point("attach-veth"));
  const IfName peer = IfName::parse(kPeer).value();
  for (unsigned attempt = 0;; ++attempt) {
    rec.link = container_veth_name(req.id, attempt).str();
    VR_TRY(ipam.write_record(req.id, rec.text()));
    auto st = vpn.rtnl->create_veth(IfName::parse(rec.link).value(), peer, ctr_ns.get(), true);
    if (st) break;
    // Another container's name (ids alike in their first 12 characters): try the next.
    if (st.error().err != EEXIST || attempt + 1 == kNameAttempts) return st.error();
  }
  const IfName link = IfName::parse(rec.link).value();
  undo.add([&, link] { (void)vpn.rtnl->delete_link(link); });
  VR_ASSIGN(rec.link_index, vpn.rtnl->index(link));
  VR_TRY(ipam.write_record(req.id, rec.text()));
  VR_TRY(ipam.index_netns(ctr_inode, req.id));
  undo.add([&] { (void)ipam.unindex_netns(ctr_inode, req.id); });

  VR_TRY(fault_point("attach-address"));
  const IpAddr gw = Ipam::gateway(pool);
  VR_ASSIGN(const int peer_index, ctr.index(peer));
  VR_TRY(vpn.rtnl->add_address(rec.link_index, IpNet{gw, 32}));
  VR_TRY(ctr.add_address(peer_index, IpNet{addr, pool.len}));
  VR_TRY(ctr.set_up(peer_index));

  VR_TRY(fault_point("attach-route"));
  VR_TRY(vpn.rtnl->add_route(IpNet{addr, 32}, std::nullopt, rec.link_index));
  VR_TRY(ctr.add_route(IpNet{IpAddr::v4(0), 0}, gw, peer_index));

  VR_TRY(fault_point("attach-dns"));
  // The namespace's servers as they are now: configured, the client's, or
  // pushed by the VPN server since `up` (/etc/netns/NAME/resolv.conf).
  const std::string ns_resolv = etc_netns_dir(req.netns) + "/resolv.conf";
  VR_ASSIGN(UniqueFd rfd, open_at(AT_FDCWD, ns_resolv, O_RDONLY | O_NOFOLLOW | O_NONBLOCK));
  VR_ASSIGN(std::string ns_text, read_all(rfd.get(), ns_resolv));
  VR_TRY(write_container_dns(req, container_resolv_conf(req.netns, parse_nameservers(ns_text))));
  undo.commit();
  return AttachOutcome{false, addr, rec.link};
}

Result<DetachOutcome> detach(const NetnsName &netns, const ContainerId &id) {
  struct stat st;
  const std::string dir = ipam_dir(netns);
  if (::stat(dir.c_str(), &st) < 0) {
    if (errno == ENOENT) return DetachOutcome{false};
    return errno_error("stat", dir);
  }
  VR_ASSIGN(Ipam ipam, Ipam::open(dir));
  VR_ASSIGN(auto text, ipam.read_record(id));
  if (!text) return DetachOutcome{false};
  auto a = Attachment::parse(*text);
  if (!a) {
    VR_TRY(ipam.remove_record(id));
    return DetachOutcome{true};
  }
  // The VPN namespace may be gone (down) or built again: then so is the link.
  VR_TRY(fault_point("detach-open"));
  auto vpn = open_vpn(netns);
  VR_TRY(release(ipam, id, a.value(), vpn ? &vpn.value() : nullptr));
  return DetachOutcome{true};
}

namespace {

Status gc_namespace(const NetnsName &name, GcOutcome &out) {
  VR_ASSIGN(Ipam ipam, Ipam::open(ipam_dir(name)));
  auto vpn = open_vpn(name);
  VpnSide *v = vpn ? &vpn.value() : nullptr;
  VR_ASSIGN(auto ids, ipam.records());
  size_t kept = 0;
  for (const auto &id : ids) {
    VR_ASSIGN(auto text, ipam.read_record(id));
    if (!text) continue;
    auto a = Attachment::parse(*text);
    if (a && alive(a.value(), v)) {
      ++kept;
      continue;
    }
    if (a) { VR_TRY(release(ipam, id, a.value(), v)); }
    else { VR_TRY(ipam.remove_record(id)); }
    ++out.released;
  }
  // Leases without a record: a crash between the lease and its record.
  VR_ASSIGN(auto leases, ipam.leases());
  for (const auto &[addr, holder] : leases) {
    auto hid = ContainerId::parse(holder);
    std::optional<std::string> rec;
    if (hid) { VR_ASSIGN(rec, ipam.read_record(hid.value())); }
    if (rec) continue;
    VR_TRY(ipam.release(addr, holder));
    ++out.released;
  }
  // Index entries whose record is gone (a crash between the two), or empty
  // (a crash between creating the entry and writing it).
  VR_ASSIGN(auto index, ipam.netns_index());
  for (const auto &[inode, holder] : index) {
    auto hid = ContainerId::parse(holder);
    std::optional<std::string> rec;
    if (hid) { VR_ASSIGN(rec, ipam.read_record(hid.value())); }
    if (rec && Attachment::parse(*rec) && Attachment::parse(*rec)->container_inode == inode) continue;
    if (hid) { VR_TRY(ipam.unindex_netns(inode, hid.value())); }
    else { VR_TRY(ipam.drop_damaged_netns_entry(inode)); }
  }
  out.kept += kept;
  VR_ASSIGN(auto j, Journal::load(name, false));
  if (kept == 0 && !j) return ipam.remove();
  return {};
}

}  // namespace

Result<GcOutcome> gc() {
  GcOutcome out;
  std::unique_ptr<DIR, int (*)(DIR *)> d(::opendir(kContainersDir), ::closedir);
  if (!d) {
    if (errno == ENOENT) return out;
    return errno_error("open", kContainersDir);
  }
  std::vector<NetnsName> names;
  while (dirent *de = ::readdir(d.get()))
    if (auto n = NetnsName::parse(de->d_name)) names.push_back(n.value());
  for (const auto &n : names) VR_TRY(gc_namespace(n, out));
  // Empty once every namespace is down; a hook may make it again at once.
  if (::rmdir(kContainersDir) < 0 && errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT)
    return errno_error("rmdir", kContainersDir);
  return out;
}

}  // namespace vpnrun
