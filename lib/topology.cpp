#include "vpnrun/topology.hpp"

#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "vpnrun/client.hpp"
#include "vpnrun/config.hpp"
#include "vpnrun/dns.hpp"
#include "vpnrun/fault.hpp"
#include "vpnrun/fd.hpp"
#include "vpnrun/firewall.hpp"
#include "vpnrun/journal.hpp"
#include "vpnrun/netlink.hpp"
#include "vpnrun/netns.hpp"
#include "vpnrun/process.hpp"
#include "vpnrun/reclaim.hpp"
#include "vpnrun/shared.hpp"
#include "vpnrun/status.hpp"
#include "vpnrun/sysctl.hpp"

namespace vpnrun {

IfName host_veth_name(const NetnsName &name) { return derived_ifname(kHostVethPrefix, name.str()); }

const std::vector<std::string> &up_steps() {
  static const std::vector<std::string> steps = {
      "journal", "netns", "ns-sysctl", "loopback", "killswitch", "containers", "veth",
      "addresses", "route", "host-nat", "forwarding", "dns", "client", "commit"};
  return steps;
}

const std::vector<std::string> &down_steps() {
  static const std::vector<std::string> steps = {
      "down-process", "down-file", "down-dir", "down-sysctl", "down-nft", "down-link",
      "down-ns-link", "down-netns", "down-shared", "down-journal"};
  return steps;
}

namespace {

std::string fwd_key(const std::string &ifname) { return "ipv4/conf/" + ifname + "/forwarding"; }

bool gone(const Error &e) { return e.err == ENOENT || e.err == ENODEV; }

// vpnrun's own path: OpenVPN's --up helper.
std::string self_path() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "vpnrun";
}

Status delete_ns_link(const NetnsName &name, const std::string &ifname) {
  VR_ASSIGN(IfName dev, IfName::parse(ifname));
  VR_ASSIGN(UniqueFd ns, netns_open(name));
  VR_ASSIGN(ScopedNetns in, ScopedNetns::enter(ns.get(), netns_path(name)));
  VR_ASSIGN(Rtnl r, Rtnl::open());
  return r.delete_link(dev);
}

// The host-table changes of consecutive journal entries, run as one
// transaction. If it fails (say, one element is already gone), each command is
// run alone so that the rest still goes, and "already gone" counts as done.
// The context lives as long as the undo: closing it right after a deletion
// waits for the kernel's reclaim, which the link step's child carries instead
// (it inherits the socket; see reclaim.hpp).
class NftUndo {
 public:
  void add(const JournalEntry &e, std::string cmd) { batch_.push_back({e, std::move(cmd)}); }
  // Returns the entries that could not be undone, with their errors.
  std::vector<std::pair<JournalEntry, Error>> flush() {
    std::vector<std::pair<JournalEntry, Error>> failed;
    if (batch_.empty()) return failed;
    if (auto st = fault_point("down-nft"); !st) {
      for (const auto &[e, cmd] : batch_) failed.push_back({e, st.error()});
      batch_.clear();
      return failed;
    }
    if (!nft_) {
      auto r = Nft::open();
      if (!r) {
        for (const auto &[e, cmd] : batch_) failed.push_back({e, r.error()});
        batch_.clear();
        return failed;
      }
      nft_.emplace(std::move(r).value());
    }
    std::string all;
    for (const auto &[e, cmd] : batch_) all += cmd;
    if (!nft_->run(all, std::string(kHostFamily) + " " + kHostTable)) {
      for (const auto &[e, cmd] : batch_) {
        Status st = nft_->run(cmd, e.args[0] + " " + e.args[1]);
        if (!st && !gone(st.error())) failed.push_back({e, st.error()});
      }
    }
    batch_.clear();
    return failed;
  }

 private:
  std::optional<Nft> nft_;
  std::vector<std::pair<JournalEntry, std::string>> batch_;
};

// Undo entries in reverse order. Returns the entries that could not be undone,
// with the first error. Objects already gone count as undone. A shared resource
// another namespace still holds is left as it is: the last one out restores it.
std::pair<std::vector<JournalEntry>, std::optional<Error>> undo_all(
    const NetnsName &name, const std::vector<JournalEntry> &entries, SharedIndex &shared) {
  std::vector<JournalEntry> failed;
  std::optional<Error> first;
  auto fail = [&](const JournalEntry &e, const Error &err) {
    failed.insert(failed.begin(), e);
    if (!first) first = err;
  };
  NftUndo nft;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    const JournalEntry &e = *it;
    const std::string key = e.shared_key();
    if (!key.empty() && shared.held_elsewhere(key, name)) continue;
    if (e.kind == "nft-table") {
      nft.add(e, "delete table " + e.args[0] + " " + e.args[1] + "\n");
      continue;
    }
    if (e.kind == "nft-elem") {
      auto el = HostElement::parse(e.args[0], e.args[1]);
      if (el) nft.add(e, delete_element(el.value()));
      else fail(e, el.error());
      continue;
    }
    for (auto &[fe, err] : nft.flush()) fail(fe, err);
    // Test builds: down-KIND fails (or crashes) before the entry is undone.
    Status st = fault_point(("down-" + e.kind).c_str());
    if (!st) {
      fail(e, st.error());
      continue;
    }
    if (e.kind == "netns") {
      auto n = NetnsName::parse(e.args[0]);
      st = n ? netns_delete(n.value()) : Status(n.error());
    } else if (e.kind == "link") {
      auto n = IfName::parse(e.args[0]);
      st = n ? delete_link_detached(n.value()) : Status(n.error());
    } else if (e.kind == "process") {
      auto p = ProcessId::parse(e.args[0]);
      st = p ? process_stop(p.value(), std::chrono::milliseconds(3000)) : Status(p.error());
    } else if (e.kind == "ns-link") {
      st = delete_ns_link(name, e.args[0]);
    } else if (e.kind == "sysctl") {
      st = sysctl_write(e.args[0], e.args[1]);
    } else if (e.kind == "file") {
      if (::unlink(e.args[0].c_str()) < 0) st = errno_error("unlink", e.args[0]);
    } else if (e.kind == "dir") {
      // Not empty: files of someone else's, left alone; or ours whose undo
      // failed above, and then the directory stays in the journal too, or a
      // retry would leave it behind.
      if (::rmdir(e.args[0].c_str()) < 0 && (errno != ENOTEMPTY || !failed.empty()))
        st = errno_error("rmdir", e.args[0]);
    }
    // ns-sysctl, ns-nft, info, up: they live and die with the namespace.
    if (!st.ok() && !gone(st.error())) fail(e, st.error());
  }
  for (auto &[fe, err] : nft.flush()) fail(fe, err);
  std::vector<std::string> keep;
  for (const auto &e : failed)
    if (!e.shared_key().empty()) keep.push_back(e.shared_key());
  Status forgot = fault_point("down-shared");
  if (forgot) forgot = shared.forget(name, keep);
  if (!forgot && !first) first = forgot.error();
  return {failed, first};
}

class Builder {
 public:
  Builder(const NetnsName &name, const NamespaceConfig &cfg, const ClientPlan &plan, Journal &j,
          SharedIndex &shared)
      : name_(name), cfg_(cfg), plan_(plan), j_(j), shared_(shared), veth_(host_veth_name(name)) {}

  Result<UpOutcome> build();
  const std::vector<JournalEntry> &done() const { return done_; }

 private:
  // Write-ahead: the entry is in the journal before the step touches anything.
  // `done_` holds only entries whose step succeeded; a failed step's own entry
  // is not undone, since its object may belong to someone else (EEXIST).
  template <class F>
  Status step(const JournalEntry &e, F action) {
    return step_all({e}, action);
  }
  // Several entries for one action that is all-or-nothing (one transaction).
  template <class F>
  Status step_all(const std::vector<JournalEntry> &es, F action) {
    for (const auto &e : es) {
      VR_TRY(join_shared(e));
      VR_TRY(j_.append(e));
    }
    VR_TRY(action());
    done_.insert(done_.end(), es.begin(), es.end());
    return {};
  }
  // A shared resource's holders are recorded before the journal entry, so that
  // no other namespace's `down` can restore it while this one relies on it.
  Status join_shared(const JournalEntry &e) {
    const std::string key = e.shared_key();
    if (key.empty()) return {};
    return shared_.join(key, e.kind == "sysctl" ? e.args[1] : "", name_);
  }
  Status info(const std::string &k, const std::string &v) {
    return step(JournalEntry{"info", {k, v}}, [] { return Status(); });
  }
  Result<IfName> pick_uplink(Rtnl &host);
  Result<IpNet> pick_transit(Rtnl &host);
  Status change_sysctl(const std::string &kind, const std::string &key, const std::string &value,
                       std::optional<std::string> original = std::nullopt);
  Status write_dns();
  struct VethPlan {
    IfName uplink;
    IpNet transit, host_addr, ns_addr;
  };
  Result<VethPlan> plan_veth(Rtnl &host);
  Status build_veth(const VethPlan &v, int ns, Rtnl &host, Rtnl &inside);
  std::vector<Endpoint> endpoints() const {
    return cfg_.vpn.endpoints.empty() ? plan_.endpoints : cfg_.vpn.endpoints;
  }

  const NetnsName &name_;
  const NamespaceConfig &cfg_;
  const ClientPlan &plan_;
  Journal &j_;
  SharedIndex &shared_;
  IfName veth_;
  std::vector<JournalEntry> done_;
};

Result<IfName> Builder::pick_uplink(Rtnl &host) {
  if (cfg_.uplink.interface) {
    auto l = host.link(*cfg_.uplink.interface);
    if (!l) return make_error("find uplink", cfg_.uplink.interface->str(),
                              "no such interface in the host namespace ([uplink] interface)");
    return *cfg_.uplink.interface;
  }
  VR_ASSIGN(auto routes, host.routes(AF_INET));
  const Route *best = nullptr;
  for (const auto &r : routes)
    if (r.table == RT_TABLE_MAIN && r.dst.len == 0 && r.type == RTN_UNICAST && r.oif > 0 &&
        (!best || r.priority < best->priority))
      best = &r;
  if (!best)
    return make_error("find uplink", "auto",
                      "no IPv4 default route in the host namespace; set [uplink] interface in " +
                          config_path(name_));
  auto l = host.link(best->oif);
  if (!l) return make_error("find uplink", "auto", "the default route's interface vanished");
  return IfName::parse(l->name);
}

Result<IpNet> Builder::pick_transit(Rtnl &host) {
  VR_ASSIGN(auto routes, host.routes(AF_INET));
  auto clash = [&](const IpNet &n) -> const Route * {
    for (const auto &r : routes)
      if (r.dst.len > 0 && r.dst.overlaps(n)) return &r;
    return nullptr;
  };
  if (cfg_.uplink.subnet) {
    if (const Route *r = clash(*cfg_.uplink.subnet))
      return make_error("choose transit subnet", cfg_.uplink.subnet->str(),
                        "overlaps the host route " + r->dst.str() + " ([uplink] subnet)");
    return *cfg_.uplink.subnet;
  }
  const uint32_t base = IpAddr::parse("10.250.0.0").value().v4_host();
  for (uint32_t i = 0; i < 65536 / 4; ++i) {
    IpNet cand{IpAddr::v4(base + i * 4), 30};
    if (!clash(cand)) return cand;
  }
  return make_error("choose transit subnet", "10.250.0.0/16", "no free /30 left; set [uplink] subnet");
}

Status Builder::change_sysctl(const std::string &kind, const std::string &key,
                              const std::string &value, std::optional<std::string> original) {
  VR_ASSIGN(std::string old, sysctl_read(key));
  if (!original) original = old;
  return step(JournalEntry{kind, {key, *original}}, [&] { return sysctl_write(key, value); });
}

Status Builder::write_dns() {
  std::string host_nss;
  if (int fd = ::open("/etc/nsswitch.conf", O_RDONLY | O_CLOEXEC); fd >= 0) {
    UniqueFd f(fd);
    auto t = read_all(f.get(), "/etc/nsswitch.conf");
    if (t) host_nss = t.value();
  }
  struct stat st;
  if (::stat(kEtcNetnsDir, &st) < 0) {
    VR_TRY(step(JournalEntry{"dir", {kEtcNetnsDir}}, [] {
      if (::mkdir(kEtcNetnsDir, 0755) < 0) return Status(errno_error("mkdir", kEtcNetnsDir));
      return Status();
    }));
  }
  const std::string dir = etc_netns_dir(name_);
  VR_TRY(step(JournalEntry{"dir", {dir}}, [&] {
    if (::mkdir(dir.c_str(), 0755) < 0)
      return Status(errno == EEXIST
                        ? make_error("mkdir", dir, "exists and was not made by vpnrun; remove it")
                        : errno_error("mkdir", dir));
    return Status();
  }));
  VR_ASSIGN(UniqueFd dfd, open_at(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  for (const char *file : kDnsFiles) {
    const std::string path = dir + "/" + file;
    VR_TRY(step(JournalEntry{"file", {path}}, [&]() -> Status {
      VR_ASSIGN(UniqueFd fd, open_at(dfd.get(), file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644));
      // Configured servers, else the client's (WireGuard's DNS =; OpenVPN's
      // pushed servers arrive later, through its --up helper).
      const auto &servers = cfg_.dns.servers.empty() ? plan_.dns : cfg_.dns.servers;
      return write_all(fd.get(), dns_file_content(file, name_, servers, host_nss), path);
    }));
  }
  return {};
}

// The veth uplink: the pair, its transit addresses, the namespace's route out
// and the host's NAT and forwarding for it.
Result<Builder::VethPlan> Builder::plan_veth(Rtnl &host) {
  VR_ASSIGN(IfName uplink, pick_uplink(host));
  VR_ASSIGN(IpNet transit, pick_transit(host));
  const uint32_t net = transit.addr.v4_host();
  const uint32_t off = transit.len == 31 ? 0 : 1;
  for (const auto &e : endpoints())
    if (e.addr.family == AF_INET6)
      return make_error("plan uplink", e.str(),
                        "IPv6 endpoints cannot be reached through the veth uplink (IPv4 NAT)");
  return VethPlan{uplink, transit, IpNet{IpAddr::v4(net + off), transit.len},
                  IpNet{IpAddr::v4(net + off + 1), transit.len}};
}

Status Builder::build_veth(const VethPlan &v, int ns, Rtnl &host, Rtnl &inside) {
  const IfName &uplink = v.uplink;
  const IpNet &host_addr = v.host_addr, &ns_addr = v.ns_addr;
  const IfName inner = IfName::parse(kNsUplink).value();
  const auto eps = endpoints();

  VR_TRY(fault_point("veth"));
  VR_TRY(step(JournalEntry{"link", {veth_.str()}},
              [&] { return host.create_veth(veth_, inner, ns, true); }));

  VR_TRY(fault_point("addresses"));
  // By ioctl, not RTM_GETLINK: that would wait for the new link's pending
  // carrier event, an RCU grace period (docs/performance.md, the hook).
  VR_ASSIGN(const int host_index, host.index(veth_));
  VR_TRY(host.add_address(host_index, host_addr));
  VR_ASSIGN(const int inner_index, inside.index(inner));
  VR_TRY(inside.add_address(inner_index, ns_addr));
  VR_TRY(inside.set_up(inner_index));

  VR_TRY(fault_point("route"));
  if (plan_.type == VpnType::none) {
    // Someone else's client: it routes through the uplink and sets its own
    // routes over it.
    VR_TRY(inside.add_route(IpNet{IpAddr::v4(0), 0}, host_addr.addr, inner_index));
  } else {
    // vpnrun's client: the uplink leads to its servers only; the default
    // route goes through the tunnel, and is gone when the tunnel is.
    for (const auto &e : eps) {
      auto r = inside.add_route(IpNet{e.addr, 32}, host_addr.addr, inner_index);
      if (!r && r.error().err != EEXIST) return r.error();
    }
  }

  // The uplink's forwarding as it was before any vpnrun namespace changed it.
  std::optional<std::string> uplink_orig = shared_.held_elsewhere("sysctl " + fwd_key(uplink.str()), name_);
  if (!uplink_orig) { VR_ASSIGN(uplink_orig, sysctl_read(fwd_key(uplink.str()))); }

  VR_TRY(fault_point("host-nat"));
  std::vector<JournalEntry> nat_entries{{"nft-table", {kHostFamily, kHostTable}}};
  auto elements = host_elements(veth_, uplink, ns_addr.addr, eps);
  if (*uplink_orig == "0") elements.push_back(guard_element(uplink));
  for (const auto &el : elements) nat_entries.push_back({"nft-elem", {el.set, el.token()}});
  const bool table_exists =
      shared_.held_elsewhere("nft-table " + std::string(kHostFamily) + " " + kHostTable, name_).has_value();
  VR_TRY(step_all(nat_entries, [&]() -> Status {
    VR_ASSIGN(Nft nft, Nft::open());
    std::string cmds = table_exists ? "" : host_table_ruleset();
    auto r = nft.run(cmds + add_elements(elements), std::string(kHostFamily) + " " + kHostTable);
    if (!r && r.error().err == EEXIST)
      return make_error("create nftables table", std::string(kHostFamily) + " " + kHostTable,
                        "exists but no vpnrun journal holds it; remove it with `nft delete table " +
                            std::string(kHostFamily) + " " + kHostTable + "`");
    return r;
  }));

  // Forwarding on the two interfaces that carry the traffic, never globally.
  VR_TRY(fault_point("forwarding"));
  VR_TRY(change_sysctl("sysctl", fwd_key(veth_.str()), "1"));
  return change_sysctl("sysctl", fwd_key(uplink.str()), "1", uplink_orig);
}

Result<UpOutcome> Builder::build() {
  // Read-only decisions first: nothing is made before the plan is known.
  VR_ASSIGN(Rtnl host, Rtnl::open());
  const bool veth = cfg_.uplink.mode == UplinkMode::veth;
  std::optional<VethPlan> vp;
  if (veth) { VR_ASSIGN(vp, plan_veth(host)); }

  VR_TRY(fault_point("journal"));
  VR_TRY(info("mode", to_string(cfg_.uplink.mode)));
  VR_TRY(info("vpn", to_string(cfg_.vpn.type)));
  if (plan_.type != VpnType::none) {
    VR_TRY(info("tunnel", plan_.ifname));
    VR_TRY(info("pinned", pinned_token(plan_.endpoints)));
  }
  if (vp) {
    VR_TRY(info("uplink", vp->uplink.str()));
    VR_TRY(info("host-veth", veth_.str()));
    VR_TRY(info("transit", vp->transit.str()));
    VR_TRY(info("host-address", vp->host_addr.str()));
    VR_TRY(info("ns-address", vp->ns_addr.str()));
  }

  VR_TRY(fault_point("netns"));
  UniqueFd ns;
  VR_TRY(step(JournalEntry{"netns", {name_.str()}}, [&]() -> Status {
    auto fd = netns_create(name_);
    if (!fd) {
      if (fd.error().err == EEXIST)
        return make_error("create namespace", netns_path(name_),
                          "exists and was not made by vpnrun (remove it with `ip netns del " +
                              name_.str() + "`)");
      return fd.error();
    }
    ns = std::move(fd).value();
    return {};
  }));

  std::optional<Rtnl> inside;
  {
    // Inside the new namespace: sysctls, loopback, and the kill switch, all
    // before any way out exists.
    VR_ASSIGN(ScopedNetns in, ScopedNetns::enter(ns.get(), netns_path(name_)));
    VR_TRY(fault_point("ns-sysctl"));
    // Unprivileged ICMP echo sockets for everyone, as on most hosts: ping
    // works for the programs vpnrun runs without setuid or capabilities.
    // Not journaled: it lives and dies with the namespace.
    VR_TRY(sysctl_write("ipv4/ping_group_range", "0 2147483647"));
    if (cfg_.ipv6.enable != Ipv6Mode::on) {
      // Off for every device; a tunnel that carries IPv6 turns it on for itself.
      VR_TRY(change_sysctl("ns-sysctl", "ipv6/conf/all/disable_ipv6", "1"));
      VR_TRY(change_sysctl("ns-sysctl", "ipv6/conf/default/disable_ipv6", "1"));
    }
    VR_TRY(fault_point("loopback"));
    VR_ASSIGN(Rtnl r, Rtnl::open());
    inside.emplace(std::move(r));
    VR_ASSIGN(Link lo, inside->link(IfName::parse("lo").value()));
    VR_TRY(inside->set_up(lo.index));
    VR_TRY(fault_point("killswitch"));
    VR_TRY(step(JournalEntry{"ns-nft", {kKillSwitchFamily, kKillSwitchTable}}, [&]() -> Status {
      VR_ASSIGN(Nft nft, Nft::open());
      KillSwitchSpec ks{veth ? kNsUplink : "", endpoints(), cfg_.tunnel_patterns(name_),
                        cfg_.ipv6.enable != Ipv6Mode::off, cfg_.containers.enable};
      return nft.run(killswitch_ruleset(ks), "kill switch in " + netns_path(name_));
    }));
    // Containers (vpnrun-hook): the kill switch above already holds their
    // rules; here the namespace becomes a router, for IPv4 only, and the pool
    // is recorded for the hook. Namespace-local: it dies with the namespace.
    VR_TRY(fault_point("containers"));
    if (cfg_.containers.enable) {
      VR_TRY(change_sysctl("ns-sysctl", "ipv4/conf/all/forwarding", "1"));
      VR_TRY(info("containers", cfg_.containers.subnet.str()));
    }
  }

  // Tunnel mode has no uplink at all: the client's device is the only way out.
  if (vp) VR_TRY(build_veth(*vp, ns.get(), host, *inside));

  VR_TRY(fault_point("dns"));
  VR_TRY(write_dns());

  VR_TRY(fault_point("client"));
  VR_TRY(start_client(name_, cfg_, plan_, ns.get(), self_path(),
                      [&](const JournalEntry &e, const std::function<Status()> &action) { return step(e, action); }));

  VR_TRY(fault_point("commit"));
  VR_TRY(step(JournalEntry{"up", {}}, [] { return Status(); }));
  if (!vp) return UpOutcome{false, false, "", "", ""};
  return UpOutcome{false, false, vp->uplink.str(), veth_.str(), vp->transit.str()};
}

Status check_supported(const NamespaceConfig &cfg, const NetnsName &name) {
  if (cfg.uplink.mode == UplinkMode::tunnel && cfg.vpn.type == VpnType::none)
    return make_error("up", name.str(),
                      "[uplink] mode = \"tunnel\" needs a client vpnrun starts: set [vpn] type to "
                      "\"openvpn\" or \"wireguard\"");
  return {};
}

Status ensure_run_dir() {
  if (::mkdir(kRunDir, 0755) < 0 && errno != EEXIST) return errno_error("mkdir", kRunDir);
  return {};
}

Error undo_failed(const char *what, const NetnsName &name, const Error &first, size_t count) {
  return make_error(what, name.str(),
                    first.message() + " (" + std::to_string(count) +
                        " step(s) left in the journal; `vpnrun down " + name.str() + "` retries)");
}

}  // namespace

namespace {

// The client of a namespace that is otherwise up has died (or its kernel
// device is gone): start it again, in the same namespace, so that programs
// already running there get their way out back.
Result<bool> restart_client_if_dead(const NetnsName &name, const NamespaceConfig &cfg, Journal &j) {
  const auto tunnel = j.info("tunnel");
  if (!tunnel) return false;
  VR_ASSIGN(UniqueFd ns, netns_open(name));
  auto p = journaled_client(j);
  if (p ? process_alive(*p) : tunnel_ready(ns.get(), *tunnel)) return false;
  if (j.info("vpn").value_or("") != to_string(cfg.vpn.type) || tunnel_ifname(name, cfg.vpn.type).str() != *tunnel)
    return make_error("restart client", name.str(),
                      "[vpn] type changed since `vpnrun up`; run `vpnrun down " + name.str() + "` and `vpnrun up " +
                          name.str() + "`");
  // The servers as pinned at `up`: the kill switch and routes were made for them.
  VR_ASSIGN(auto pinned, parse_pinned_token(j.info("pinned").value_or("")));
  VR_ASSIGN(ClientPlan plan, plan_client(name, cfg, pinned));
  VR_TRY(start_client(name, cfg, plan, ns.get(), self_path(),
                      [&](const JournalEntry &e, const std::function<Status()> &action) {
                        auto appended = j.append(e);
                        return appended ? action() : appended;
                      }));
  return true;
}

}  // namespace

Result<UpOutcome> up(const NetnsName &name) {
  VR_ASSIGN(NamespaceConfig cfg, load_config(name));
  VR_TRY(check_supported(cfg, name));
  VR_TRY(ensure_run_dir());
  VR_ASSIGN(FileLock lock, FileLock::acquire(kRunDir));
  VR_ASSIGN(SharedIndex shared, SharedIndex::load());

  bool repaired = false;
  VR_ASSIGN(auto existing, Journal::load(name));
  if (existing) {
    if (existing->complete()) {
      auto st = inspect(name);
      if (st && st->problems.empty()) {
        VR_ASSIGN(bool restarted, restart_client_if_dead(name, cfg, *existing));
        UpOutcome out{true, false, existing->info("uplink").value_or(""),
                      existing->info("host-veth").value_or(""), existing->info("transit").value_or("")};
        out.client_restarted = restarted;
        return out;
      }
    }
    // Interrupted or broken: remove what the journal lists, then build afresh.
    auto [failed, first] = undo_all(name, existing->entries(), shared);
    if (first) {
      (void)existing->rewrite(failed);
      return undo_failed("repair", name, *first, failed.size());
    }
    VR_TRY(existing->remove());
    repaired = true;
  }

  VR_ASSIGN(ClientPlan plan, plan_client(name, cfg));
  VR_ASSIGN(Journal j, Journal::create(name));
  Builder b(name, cfg, plan, j, shared);
  auto r = b.build();
  if (!r) {
    auto [failed, first] = undo_all(name, b.done(), shared);
    if (first) {
      (void)j.rewrite(failed);
      Error e = r.error();
      e.detail = (e.detail.empty() ? std::strerror(e.err) : e.detail) +
                 "; rollback failed too: " + first->message();
      return e;
    }
    (void)j.remove();
    return r.error();
  }
  r->repaired = repaired;
  return r;
}

Result<DownOutcome> down(const NetnsName &name) {
  struct stat st;
  if (::stat(kRunDir, &st) < 0) return DownOutcome{false};
  VR_ASSIGN(FileLock lock, FileLock::acquire(kRunDir));
  VR_ASSIGN(SharedIndex shared, SharedIndex::load());
  VR_ASSIGN(auto j, Journal::load(name));
  if (!j) {
    // An `up` killed between making its directory and its journal.
    if (::rmdir(Journal::dir(name).c_str()) < 0 && errno != ENOENT && errno != ENOTEMPTY)
      return errno_error("rmdir", Journal::dir(name));
    return DownOutcome{false};
  }
  auto [failed, first] = undo_all(name, j->entries(), shared);
  if (first) {
    (void)j->rewrite(failed);
    return undo_failed("down", name, *first, failed.size());
  }
  VR_TRY(fault_point("down-journal"));
  VR_TRY(j->remove());
  return DownOutcome{true};
}

}  // namespace vpnrun
