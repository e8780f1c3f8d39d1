#include "vpnrun/status.hpp"

#include <dirent.h>
#include <linux/rtnetlink.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "vpnrun/config.hpp"
#include "vpnrun/dns.hpp"
#include "vpnrun/journal.hpp"
#include "vpnrun/netlink.hpp"
#include "vpnrun/netns.hpp"
#include "vpnrun/topology.hpp"

namespace vpnrun {

const char *to_string(NamespaceState s) {
  switch (s) {
    case NamespaceState::up: return "up";
    case NamespaceState::degraded: return "degraded";
    default: return "down";
  }
}

namespace {

std::vector<ProcessInfo> processes_in(dev_t dev, ino_t ino) {
  std::vector<ProcessInfo> out;
  std::unique_ptr<DIR, int (*)(DIR *)> d(::opendir("/proc"), ::closedir);
  if (!d) return out;
  while (dirent *de = ::readdir(d.get())) {
    if (de->d_name[0] < '1' || de->d_name[0] > '9') continue;
    std::string base = std::string("/proc/") + de->d_name;
    struct stat st;
    if (::stat((base + "/ns/net").c_str(), &st) < 0) continue;
    if (st.st_ino != ino || st.st_dev != dev) continue;
    ProcessInfo p{static_cast<pid_t>(std::stol(de->d_name)), {}};
    std::ifstream comm(base + "/comm");
    std::getline(comm, p.comm);
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(), [](auto &a, auto &b) { return a.pid < b.pid; });
  return out;
}

std::vector<std::string> nameservers(const std::string &path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> out;
  for (const IpAddr &a : parse_nameservers(text.str())) out.push_back(a.str());
  return out;
}

// Everything that needs the namespace itself: links, routes, kill switch.
void inspect_inside(NamespaceStatus &s, int nsfd, const std::vector<IfPattern> &patterns) {
  auto in = ScopedNetns::enter(nsfd, s.netns_path);
  if (!in) {
    s.problems.push_back(in.error().message());
    return;
  }
  auto rtnl = Rtnl::open();
  if (!rtnl) {
    s.problems.push_back(rtnl.error().message());
    return;
  }
  auto links = rtnl->links();
  std::string uplink_state = "missing";
  if (links) {
    for (const auto &l : links.value()) {
      for (const auto &p : patterns)
        if (p.matches(l.name)) {
          s.tunnels.push_back({l.name, l.up()});
          break;
        }
      if (l.name == kNsUplink) uplink_state = l.up() ? "up" : "down";
    }
    auto routes = rtnl->routes(AF_INET);
    if (routes) {
      for (const auto &r : routes.value()) {
        if (r.table != RT_TABLE_MAIN || r.dst.len != 0) continue;
        s.default_route = true;
        s.default_via = r.gateway ? r.gateway->str() : "";
        for (const auto &l : links.value())
          if (l.index == r.oif) s.default_dev = l.name;
      }
    }
  }
  if (s.mode == "veth" && uplink_state != "up")
    s.problems.push_back(std::string("namespace side of the veth ('") + kNsUplink + "') is " + uplink_state);
  if (!s.default_route) s.tunnel_problems.push_back("no default route in the namespace (tunnel down?)");
  auto nft = Nft::open();
  if (nft) {
    auto c = table_counters(nft.value(), kKillSwitchFamily, kKillSwitchTable);
    if (c) {
      s.killswitch = true;
      s.counters = c.value();
    }
  }
  if (!s.killswitch) s.problems.push_back("kill switch not loaded");
}

}  // namespace

namespace {
void inspect_host(NamespaceStatus &s);
}  // namespace

Result<NamespaceStatus> inspect(const NetnsName &name) {
  NamespaceStatus s;
  s.name = name.str();
  s.netns_path = netns_path(name);
  struct stat st;
  s.configured = ::stat(config_path(name).c_str(), &st) == 0;
  auto cfg = load_config(name);
  if (!cfg) s.problems.push_back(cfg.error().message());
  for (const auto &p : cfg ? cfg->tunnel_patterns(name) : std::vector<IfPattern>{})
    s.tunnel_patterns.push_back(p.str());

  VR_ASSIGN(auto j, Journal::load(name, false));
  auto ns = netns_open(name);
  if (!j) {
    if (ns) s.problems.push_back(s.netns_path + " exists but was not made by vpnrun");
    s.state = NamespaceState::down;
    return s;
  }
  s.mode = j->info("mode").value_or("");
  s.uplink = j->info("uplink").value_or("");
  s.host_veth = j->info("host-veth").value_or("");
  s.transit = j->info("transit").value_or("");
  s.host_address = j->info("host-address").value_or("");
  s.ns_address = j->info("ns-address").value_or("");
  if (!j->complete()) s.problems.push_back("`up` did not finish; `vpnrun up " + s.name + "` repairs it");

  if (!ns) {
    s.problems.push_back(ns.error().message());
  } else {
    auto ino = netns_inode(ns->get());
    struct stat nst;
    if (ino && ::fstat(ns->get(), &nst) == 0) {
      s.netns_inode = ino.value();
      s.processes = processes_in(nst.st_dev, nst.st_ino);
    }
    std::vector<IfPattern> pats;
    for (const auto &p : s.tunnel_patterns) pats.push_back(IfPattern::parse(p).value());
    inspect_inside(s, ns->get(), pats);
    s.client = client_status(j.value(), ns->get());
    if (s.client.type != "none") {
      if (!s.client.alive)
        s.tunnel_problems.push_back("VPN client " + (s.client.pid ? "(pid " + std::to_string(s.client.pid) + ") " : "") +
                                    "is not running; `vpnrun up " + s.name + "` starts it again");
      else if (!s.client.interface_up)
        s.tunnel_problems.push_back("tunnel '" + s.client.interface + "' is missing or down (client connecting?)");
    }
  }
  if (s.mode == "veth") inspect_host(s);
  const std::string resolv = etc_netns_dir(name) + "/resolv.conf";
  if (::stat(resolv.c_str(), &st) < 0) s.problems.push_back(resolv + " is missing");
  s.dns_servers = nameservers(resolv);

  s.state = s.problems.empty() && s.tunnel_problems.empty() ? NamespaceState::up : NamespaceState::degraded;
  return s;
}

namespace {

// The host's side of the veth uplink: its link and its NAT element.
void inspect_host(NamespaceStatus &s) {
  if (auto veth = IfName::parse(s.host_veth); veth) {
    auto rtnl = Rtnl::open();
    auto l = rtnl ? rtnl->link(veth.value()) : Result<Link>(rtnl.error());
    s.host_veth_up = l && l->up();
    if (!s.host_veth_up) s.problems.push_back("host side of the veth ('" + s.host_veth + "') is missing or down");
  }
  if (auto nft = Nft::open(); nft) {
    // Our masquerade element: the namespace's veth address in @nat.
    auto set = nft->run_json("list set " + std::string(kHostFamily) + " " + kHostTable + " nat", "host NAT");
    auto mine = IpAddr::parse(s.ns_address.substr(0, s.ns_address.find('/')));
    s.host_nat = set && mine && set->find("\"" + mine->str() + "\"") != std::string::npos;
  }
  if (!s.host_nat)
    s.problems.push_back("host NAT for " + s.ns_address + " missing from table " + kHostFamily + " " + kHostTable);
}

}  // namespace

std::vector<std::string> known_namespaces() {
  std::vector<std::string> out = Journal::names();
  std::unique_ptr<DIR, int (*)(DIR *)> d(::opendir(kConfigDir), ::closedir);
  if (d) {
    while (dirent *de = ::readdir(d.get())) {
      std::string f = de->d_name;
      if (f.size() <= 5 || f.substr(f.size() - 5) != ".toml") continue;
      std::string n = f.substr(0, f.size() - 5);
      if (NetnsName::parse(n) && std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

nlohmann::json to_json(const NamespaceStatus &s) {
  using nlohmann::json;
  json counters = json::object();
  for (const auto &c : s.counters) counters[c.name] = {{"packets", c.packets}, {"bytes", c.bytes}};
  json tunnels = json::array();
  for (const auto &t : s.tunnels) tunnels.push_back({{"name", t.name}, {"up", t.up}});
  json procs = json::array();
  for (const auto &p : s.processes) procs.push_back({{"pid", p.pid}, {"comm", p.comm}});
  json problems = s.problems;
  for (const auto &p : s.tunnel_problems) problems.push_back(p);
  return {
      {"name", s.name},
      {"state", to_string(s.state)},
      {"healthy", s.state == NamespaceState::up},
      {"configured", s.configured},
      {"netns", {{"path", s.netns_path}, {"inode", s.netns_inode}}},
      {"uplink",
       {{"mode", s.mode},
        {"interface", s.uplink},
        {"host_veth", s.host_veth},
        {"host_veth_up", s.host_veth_up},
        {"transit", s.transit},
        {"host_address", s.host_address},
        {"namespace_address", s.ns_address},
        {"nat_loaded", s.host_nat}}},
      {"tunnel", {{"patterns", s.tunnel_patterns}, {"interfaces", tunnels}}},
      {"default_route", {{"present", s.default_route}, {"via", s.default_via}, {"dev", s.default_dev}}},
      {"killswitch", {{"loaded", s.killswitch}, {"counters", counters}}},
      {"dns", {{"servers", s.dns_servers}}},
      {"processes", procs},
      {"client",
       {{"type", s.client.type},
        {"pid", s.client.pid},
        {"alive", s.client.alive},
        {"interface", s.client.interface},
        {"interface_up", s.client.interface_up},
        {"rx_bytes", s.client.rx_bytes},
        {"tx_bytes", s.client.tx_bytes},
        {"handshake_age", s.client.handshake_age}}},
      {"problems", problems},
  };
}

}  // namespace vpnrun
