#include "vpnrun/client.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <sstream>
#include <thread>

#include "vpnrun/dns.hpp"
#include "vpnrun/fd.hpp"
#include "vpnrun/netlink.hpp"
#include "vpnrun/netns.hpp"
#include "vpnrun/sysctl.hpp"

namespace vpnrun {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStartTimeout = std::chrono::seconds(5);
constexpr const char *kUapiDir = "/var/run/wireguard";

std::string run_file(const NetnsName &name, const std::string &file) {
  return Journal::dir(name) + "/" + file;
}

std::string uapi_path(const std::string &ifname) { return std::string(kUapiDir) + "/" + ifname + ".sock"; }

// Write a root-only file under /run/vpnrun/NAME, journaled when it is new.
Status write_run_file(const NetnsName &name, const std::string &file, const std::string &text,
                      const Recorder &record) {
  const std::string path = run_file(name, file);
  auto write = [&]() -> Status {
    VR_ASSIGN(UniqueFd fd, open_at(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600));
    return write_all(fd.get(), text, path);
  };
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) return write();
  return record(JournalEntry{"file", {path}}, write);
}

// A connection to wireguard-go's UAPI socket: it is listening.
Result<UniqueFd> uapi_connect(const std::string &ifname) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errno_error("socket", uapi_path(ifname));
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  const std::string p = uapi_path(ifname);
  if (p.size() >= sizeof sa.sun_path) return make_error("connect", p, ENAMETOOLONG);
  std::memcpy(sa.sun_path, p.c_str(), p.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr *>(&sa), sizeof sa) < 0) return errno_error("connect", p);
  return fd;
}

std::string last_line(const std::string &path) {
  auto fd = open_at(AT_FDCWD, path, O_RDONLY | O_NOFOLLOW);
  auto text = fd ? read_all(fd->get(), path) : Result<std::string>(fd.error());
  if (!text) return "";
  std::string t = text.value();
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t.substr(t.rfind('\n') == std::string::npos ? 0 : t.rfind('\n') + 1);
}

// The client's own last words go into the error: its log goes with the rollback.
Error client_error(const NetnsName &name, const std::string &what, const std::string &why) {
  std::string tail = last_line(run_file(name, "client.log"));
  return make_error("start", what, why + (tail.empty() ? "" : "; it said: " + tail));
}

Status wait_for(const NetnsName &name, const std::function<bool()> &ready, const ProcessId &p,
                const std::string &what) {
  const auto deadline = Clock::now() + kStartTimeout;
  while (!ready()) {
    if (!process_alive(p)) return client_error(name, what, "exited");
    if (Clock::now() > deadline) return client_error(name, what, "not ready after 5 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return {};
}

// The client's log, journaled before anything writes to it.
Status record_log(const NetnsName &name, const Recorder &record) {
  const std::string log = run_file(name, "client.log");
  struct stat st;
  if (::lstat(log.c_str(), &st) == 0) return {};
  return record(JournalEntry{"file", {log}}, [] { return Status(); });
}

// Spawn a client and record it. A client that cannot be recorded never runs:
// nothing runs that `down` would not know of.
Result<ProcessId> spawn_recorded(const NetnsName &name, const std::vector<std::string> &argv,
                                 const std::vector<std::string> &env, int netns_fd,
                                 const Recorder &record) {
  const std::string log = run_file(name, "client.log");
  VR_TRY(record_log(name, record));
  // Recorded before it may run: a vpnrun killed at any point leaves no client
  // that `down` does not know of.
  bool recorded = false;
  auto spawned = spawn_daemon(argv, env, netns_fd, log, [&](const ProcessId &p) {
    auto r = record(JournalEntry{"process", {p.str(), argv[0]}}, [] { return Status(); });
    recorded = r.ok();
    return r;
  });
  if (!spawned && !recorded) return spawned.error();
  if (!spawned) return client_error(name, argv[0], spawned.error().detail.empty() ? std::strerror(spawned.error().err) : spawned.error().detail);
  return spawned.value();
}

bool has_link(int netns_fd, const std::string &ifname) {
  auto n = IfName::parse(ifname);
  if (!n) return false;
  std::optional<ScopedNetns> in;
  if (netns_fd >= 0) {
    auto s = ScopedNetns::enter(netns_fd, "namespace");
    if (!s) return false;
    in.emplace(std::move(s).value());
  }
  auto r = Rtnl::open();
  return r && r->link(n.value()).ok();
}

Status start_wireguard(const NetnsName &name, const NamespaceConfig &cfg, const ClientPlan &plan,
                       int netns_fd, const Recorder &record) {
  const bool tunnel = cfg.uplink.mode == UplinkMode::tunnel;
  const IfName dev = IfName::parse(plan.ifname).value();
  const std::string ns_what = netns_path(name);
  // The device is born where its socket must live: on the host in tunnel
  // mode, in the namespace in veth mode.
  const int birth_fd = tunnel ? -1 : netns_fd;
  VR_TRY(write_run_file(name, "wireguard.conf", render_wg_setconf(*plan.wg, plan.endpoints), record));

  // The kernel's WireGuard when there is one, else wireguard-go.
  bool kernel = false;
  {
    Status made = record(JournalEntry{tunnel ? "link" : "ns-link", {dev.str()}}, [&]() -> Status {
      std::optional<ScopedNetns> in;
      if (birth_fd >= 0) { VR_ASSIGN(auto s, ScopedNetns::enter(birth_fd, ns_what)); in.emplace(std::move(s)); }
      VR_ASSIGN(Rtnl r, Rtnl::open());
      return r.create_link(dev, "wireguard");
    });
    if (made) kernel = true;
    else if (made.error().err != EOPNOTSUPP) return made.error();
  }
  if (!kernel) {
    // Its control socket: wireguard-go removes it on SIGTERM, but not when it
    // dies before its handlers are set (a `down` right after an `up` killed
    // mid-way) or by SIGKILL. Undone after the process (journal order).
    VR_TRY(record(JournalEntry{"file", {uapi_path(dev.str())}}, [] { return Status(); }));
    VR_ASSIGN(ProcessId p, spawn_recorded(name, {"wireguard-go", "-f", dev.str()},
                                          {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LOG_LEVEL=error"},
                                          birth_fd, record));
    VR_TRY(wait_for(name, [&] { return has_link(birth_fd, dev.str()) && uapi_connect(dev.str()).ok(); }, p,
                    "wireguard-go " + dev.str()));
  }
  VR_TRY(record_log(name, record));
  if (auto st = run_program({"wg", "setconf", dev.str(), run_file(name, "wireguard.conf")}, birth_fd,
                            run_file(name, "client.log"));
      !st)
    return client_error(name, "wg setconf " + dev.str(), st.error().detail);
  if (tunnel) {
    VR_TRY(record(JournalEntry{"ns-link", {dev.str()}}, [&]() -> Status {
      VR_ASSIGN(Rtnl host, Rtnl::open());
      VR_ASSIGN(Link l, host.link(dev));
      return host.move_link(l.index, netns_fd, ns_what);
    }));
  }
  TunnelSetup t{dev.str(), plan.wg->addresses, plan.wg->mtu,
                plan.wg->has_ipv6() && cfg.ipv6.enable != Ipv6Mode::off};
  if (!t.ipv6) std::erase_if(t.addresses, [](const IpNet &n) { return n.addr.family == AF_INET6; });
  return configure_tunnel(netns_fd, ns_what, t);
}

Status start_openvpn(const NetnsName &name, const NamespaceConfig &cfg, const ClientPlan &plan,
                     int netns_fd, const std::string &self, const Recorder &record) {
  const bool tunnel = cfg.uplink.mode == UplinkMode::tunnel;
  // vpnrun's device, vpnrun's addresses and routes (set by the --up helper,
  // run again at each reconnection), and nothing run from the client config.
  std::vector<std::string> extra = {
      "cd \"" + plan.config_dir + "\"",
      "dev " + plan.ifname,
      "dev-type tun",
      "ifconfig-noexec",
      "route-noexec",
      "script-security 2",
      "up \"" + self + " openvpn-up " + name.str() + "\"",
      "up-restart",
  };
  VR_TRY(write_run_file(name, "openvpn.conf", render_openvpn(*plan.ovpn, plan.endpoints, extra), record));
  VR_ASSIGN(ProcessId p, spawn_recorded(name, {"openvpn", "--config", run_file(name, "openvpn.conf")},
                                        {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, tunnel ? -1 : netns_fd,
                                        record));
  (void)p;
  return {};
}

std::optional<unsigned> prefix_of_netmask(const std::string &mask) {
  auto a = IpAddr::parse(mask);
  if (!a || a->family != AF_INET) return std::nullopt;
  uint32_t m = a->v4_host();
  unsigned len = 0;
  while (len < 32 && (m & (0x80000000u >> len))) ++len;
  if (len < 32 && (m << len) != 0) return std::nullopt;  // not contiguous
  return len;
}

std::string env_or(const std::map<std::string, std::string> &env, const std::string &k) {
  auto it = env.find(k);
  return it == env.end() ? "" : it->second;
}

Status write_resolv_conf(const NetnsName &name, const std::vector<IpAddr> &servers) {
  const std::string dir = etc_netns_dir(name);
  VR_ASSIGN(UniqueFd dfd, open_at(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  const char *tmp = ".resolv.conf.new";
  (void)::unlinkat(dfd.get(), tmp, 0);
  {
    VR_ASSIGN(UniqueFd fd, open_at(dfd.get(), tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644));
    VR_TRY(write_all(fd.get(), resolv_conf(name, servers), dir + "/" + tmp));
  }
  // Atomic: a launch reads either the old file or the new one.
  if (::renameat(dfd.get(), tmp, dfd.get(), "resolv.conf") < 0) return errno_error("rename", dir + "/resolv.conf");
  return {};
}

}  // namespace

std::string pinned_token(const std::vector<Endpoint> &eps) {
  std::string t;
  for (const auto &e : eps) t += (t.empty() ? "" : ",") + e.str();
  return t;
}

Result<std::vector<Endpoint>> parse_pinned_token(const std::string &token) {
  std::vector<Endpoint> out;
  std::istringstream in(token);
  for (std::string item; std::getline(in, item, ',');) {
    VR_ASSIGN(Endpoint e, Endpoint::parse(item));
    out.push_back(e);
  }
  return out;
}

std::string client_log_tail(const NetnsName &name) { return last_line(run_file(name, "client.log")); }

Result<ClientPlan> plan_client(const NetnsName &name, const NamespaceConfig &cfg,
                               const std::optional<std::vector<Endpoint>> &pinned) {
  ClientPlan plan;
  plan.type = cfg.vpn.type;
  if (cfg.vpn.type == VpnType::none) return plan;
  plan.ifname = tunnel_ifname(name, cfg.vpn.type).str();
  VR_ASSIGN(auto text, read_root_file(cfg.vpn.config));
  if (!text) return make_error("read client config", cfg.vpn.config, ENOENT);
  // Written into OpenVPN's config (quoted): no quote, backslash or control character.
  for (unsigned char c : cfg.vpn.config)
    if (c < ' ' || c == '"' || c == '\\' || c == 0x7f)
      return make_error("read client config", cfg.vpn.config, "the path has a quote, backslash or control character");
  plan.config_dir = cfg.vpn.config.substr(0, cfg.vpn.config.rfind('/'));
  if (plan.config_dir.empty()) plan.config_dir = "/";
  std::vector<Remote> remotes;
  if (cfg.vpn.type == VpnType::wireguard) {
    VR_ASSIGN(plan.wg, parse_wg_quick(*text, cfg.vpn.config));
    remotes = plan.wg->remotes;
    // IPv6 servers only when the tunnel carries IPv6 into the namespace.
    const bool v6 = plan.wg->has_ipv6() && cfg.ipv6.enable != Ipv6Mode::off;
    for (const auto &d : plan.wg->dns)
      if (d.family == AF_INET || v6) plan.dns.push_back(d);
  } else {
    VR_ASSIGN(plan.ovpn, parse_openvpn(*text, cfg.vpn.config));
    remotes = plan.ovpn->remotes;
  }
  if (pinned) {
    if (pinned->size() != remotes.size())
      return make_error("restart client", cfg.vpn.config,
                        "its servers changed since `vpnrun up`; run `vpnrun down " + name.str() +
                            "` and `vpnrun up " + name.str() + "`");
    plan.endpoints = *pinned;
    return plan;
  }
  const bool allow_v6 = cfg.uplink.mode == UplinkMode::tunnel;
  for (const auto &r : remotes) {
    VR_ASSIGN(Endpoint e, pin(r, allow_v6));
    plan.endpoints.push_back(e);
  }
  return plan;
}

Status start_client(const NetnsName &name, const NamespaceConfig &cfg, const ClientPlan &plan,
                    int netns_fd, const std::string &self, const Recorder &record) {
  if (plan.type == VpnType::wireguard) return start_wireguard(name, cfg, plan, netns_fd, record);
  if (plan.type == VpnType::openvpn) return start_openvpn(name, cfg, plan, netns_fd, self, record);
  return {};
}

std::optional<ProcessId> journaled_client(const Journal &j) {
  std::optional<ProcessId> out;
  for (const auto &e : j.entries())
    if (e.kind == "process")
      if (auto p = ProcessId::parse(e.args[0]); p) out = p.value();
  return out;
}

Status configure_tunnel(int netns_fd, const std::string &netns_what, const TunnelSetup &t) {
  VR_ASSIGN(IfName dev, IfName::parse(t.ifname));
  VR_ASSIGN(ScopedNetns in, ScopedNetns::enter(netns_fd, netns_what));
  VR_ASSIGN(Rtnl r, Rtnl::open());
  VR_ASSIGN(Link l, r.link(dev));
  auto tolerate_exists = [](Status s) { return s.ok() || s.error().err == EEXIST ? Status() : s; };
  if (t.mtu) VR_TRY(r.set_mtu(l.index, *t.mtu));
  // IPv6 is off for every device of the namespace (its default); on for this
  // one when the tunnel carries it.
  if (t.ipv6) VR_TRY(sysctl_write("ipv6/conf/" + dev.str() + "/disable_ipv6", "0"));
  for (const auto &a : t.addresses) VR_TRY(tolerate_exists(r.add_address(l.index, a)));
  VR_TRY(r.set_up(l.index));
  VR_TRY(tolerate_exists(r.add_route(IpNet{IpAddr::v4(0), 0}, std::nullopt, l.index)));
  if (t.ipv6) {
    IpNet any6{};
    any6.addr.family = AF_INET6;
    VR_TRY(tolerate_exists(r.add_route(any6, std::nullopt, l.index)));
  }
  return {};
}

Status openvpn_up(const NetnsName &name, const std::map<std::string, std::string> &env) {
  VR_ASSIGN(NamespaceConfig cfg, load_config(name));
  if (cfg.vpn.type != VpnType::openvpn)
    return make_error("openvpn-up", name.str(), "its config is not [vpn] type = \"openvpn\"");
  const std::string dev = env_or(env, "dev");
  const std::string want = tunnel_ifname(name, VpnType::openvpn).str();
  if (dev != want) return make_error("openvpn-up", dev, "not " + want + ", the device vpnrun gave OpenVPN");
  VR_ASSIGN(UniqueFd ns, netns_open(name));
  const std::string ns_what = netns_path(name);
  VR_ASSIGN(IfName ifname, IfName::parse(dev));
  if (cfg.uplink.mode == UplinkMode::tunnel) {
    // OpenVPN made the device on the host; it goes into the namespace, where
    // nothing but vpnrun's routes lead to it. Not on the host: a reconnection
    // with persist-tun, where it is already inside.
    VR_ASSIGN(Rtnl host, Rtnl::open());
    if (auto l = host.link(ifname); l) VR_TRY(host.move_link(l->index, ns.get(), ns_what));
  }
  TunnelSetup t{dev, {}, std::nullopt, false};
  const std::string local = env_or(env, "ifconfig_local");
  auto addr = IpAddr::parse(local);
  if (!addr || addr->family != AF_INET) return make_error("openvpn-up", dev, "no IPv4 ifconfig_local from OpenVPN");
  unsigned len = 32;
  if (auto mask = env_or(env, "ifconfig_netmask"); !mask.empty()) {
    auto p = prefix_of_netmask(mask);
    if (!p) return make_error("openvpn-up", mask, "not a netmask");
    len = *p;
  }
  t.addresses.push_back(IpNet{addr.value(), static_cast<uint8_t>(len)});
  if (auto mtu = env_or(env, "tun_mtu"); !mtu.empty() && mtu.find_first_not_of("0123456789") == std::string::npos &&
                                         mtu.size() < 6 && std::stoul(mtu) >= 576)
    t.mtu = static_cast<unsigned>(std::stoul(mtu));
  auto a6 = IpAddr::parse(env_or(env, "ifconfig_ipv6_local"));
  const std::string bits = env_or(env, "ifconfig_ipv6_netbits");
  if (a6 && a6->family == AF_INET6 && cfg.ipv6.enable != Ipv6Mode::off && !bits.empty() && bits.size() <= 3 &&
      bits.find_first_not_of("0123456789") == std::string::npos && std::stoul(bits) <= 128) {
    t.ipv6 = true;
    t.addresses.push_back(IpNet{a6.value(), static_cast<uint8_t>(std::stoul(bits))});
  }
  VR_TRY(configure_tunnel(ns.get(), ns_what, t));
  if (!cfg.dns.servers.empty()) return {};
  // Pushed servers: foreign_option_N = "dhcp-option DNS 10.8.0.1" (or DNS6).
  std::vector<IpAddr> servers;
  for (int i = 1; i < 1000; ++i) {
    auto it = env.find("foreign_option_" + std::to_string(i));
    if (it == env.end()) break;
    std::istringstream in(it->second);
    std::string opt, kind, value;
    if (in >> opt >> kind >> value && opt == "dhcp-option" && (kind == "DNS" || kind == "DNS6"))
      if (auto a = IpAddr::parse(value); a && (a->family == AF_INET || t.ipv6)) servers.push_back(a.value());
  }
  return write_resolv_conf(name, servers);
}

bool tunnel_ready(int netns_fd, const std::string &ifname) {
  auto dev = IfName::parse(ifname);
  auto in = ScopedNetns::enter(netns_fd, "namespace");
  if (!dev || !in) return false;
  auto r = Rtnl::open();
  if (!r) return false;
  auto l = r->link(dev.value());
  if (!l || !l->up()) return false;
  auto addrs = r->addresses(AF_INET);
  if (!addrs) return false;
  for (const auto &a : addrs.value())
    if (a.index == l->index) return true;
  return false;
}

ClientStatus client_status(const Journal &j, int netns_fd) {
  ClientStatus s;
  s.type = j.info("vpn").value_or("none");
  s.interface = j.info("tunnel").value_or("");
  if (auto p = journaled_client(j)) {
    s.pid = p->pid;
    s.alive = process_alive(*p);
  }
  auto dev = IfName::parse(s.interface);
  if (!dev || netns_fd < 0) return s;
  {
    auto in = ScopedNetns::enter(netns_fd, "namespace");
    auto r = in ? Rtnl::open() : Result<Rtnl>(in.error());
    auto l = r ? r->link(dev.value()) : Result<Link>(r.error());
    if (l) {
      s.interface_up = l->up();
      s.rx_bytes = l->rx_bytes;
      s.tx_bytes = l->tx_bytes;
      if (s.pid == 0) s.alive = true;  // a kernel device is its own client
    }
  }
  if (s.type == "wireguard" && s.pid) {
    // wireguard-go's UAPI: "get=1" answers key=value lines, one blank line last.
    auto fd = uapi_connect(s.interface);
    if (fd && write_all(fd->get(), "get=1\n\n", "uapi")) {
      std::string reply;
      char buf[4096];
      for (ssize_t n; reply.find("\n\n") == std::string::npos && (n = ::read(fd->get(), buf, sizeof buf)) > 0;)
        reply.append(buf, static_cast<size_t>(n));
      std::istringstream in(reply);
      long long latest = 0;
      for (std::string line; std::getline(in, line);)
        if (line.rfind("last_handshake_time_sec=", 0) == 0 && line.size() > 24 && line.size() < 40 &&
            line.find_first_not_of("0123456789", 24) == std::string::npos)
          latest = std::max(latest, std::stoll(line.substr(24)));
      if (latest > 0) s.handshake_age = static_cast<long long>(::time(nullptr)) - latest;
    }
  }
  return s;
}

}  // namespace vpnrun
