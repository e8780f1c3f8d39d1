#include "vpnrun/doctor.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "vpnrun/config.hpp"
#include "vpnrun/dns.hpp"
#include "vpnrun/fd.hpp"
#include "vpnrun/firewall.hpp"
#include "vpnrun/netlink.hpp"
#include "vpnrun/privilege.hpp"
#include "vpnrun/status.hpp"
#include "vpnrun/topology.hpp"

namespace vpnrun {

const char *to_string(Verdict v) {
  switch (v) {
    case Verdict::ok: return "ok";
    case Verdict::warn: return "warn";
    default: return "FAIL";
  }
}

std::string format(const Finding &f) {
  std::string s = to_string(f.verdict);
  s.resize(6, ' ');
  s += f.check + ": " + f.detail;
  if (!f.fix.empty()) s += "; fix: " + f.fix;
  return s;
}

namespace {

std::string slurp(const std::string &path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// The host side's name for NAME, or a placeholder in fixes without NAME.
std::string veth_for(const std::optional<NetnsName> &name) {
  return name ? host_veth_name(*name).str() : std::string("vr-NAME");
}

// ---- kernel ---------------------------------------------------------------

// In a child, in a new network namespace that dies with it: create a veth pair
// and load both of vpnrun's rulesets, as `up` would. Each line of the answer
// is "what<TAB>error", the error empty when it worked.
std::map<std::string, std::string> probe_kernel() {
  std::map<std::string, std::string> out;
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return {{"netns", errno_error("pipe", "kernel probe").message()}};
  UniqueFd rd(p[0]), wr(p[1]);
  pid_t pid = ::fork();
  if (pid < 0) return {{"netns", errno_error("fork", "kernel probe").message()}};
  if (pid == 0) {
    rd.reset();
    std::string text;
    auto report = [&](const char *what, const Status &s) {
      text += std::string(what) + "\t" + (s ? "" : s.error().message()) + "\n";
    };
    if (::unshare(CLONE_NEWNET) < 0) {
      report("netns", errno_error("unshare(CLONE_NEWNET)", "probe namespace"));
    } else {
      report("netns", Status());
      auto rtnl = Rtnl::open();
      report("veth", rtnl ? rtnl->create_veth(IfName::parse("vr-doctor").value(),
                                              IfName::parse("doctor-peer").value(), -1, false)
                          : Status(rtnl.error()));
      auto nft = Nft::open();
      Status rules = nft ? Status() : Status(nft.error());
      if (rules) {
        KillSwitchSpec ks{kNsUplink, {Endpoint::parse("198.51.100.1:1194/udp").value()},
                          {IfPattern::parse("tun*").value(), IfPattern::parse("wg*").value()}, false};
        rules = nft->run(killswitch_ruleset(ks), "kill switch (inet vpnrun)");
      }
      if (rules) rules = nft->run(host_table_ruleset(), "host table (ip vpnrun)");
      report("nftables", rules);
    }
    (void)write_all(wr.get(), text, "kernel probe");
    ::_exit(0);
  }
  wr.reset();
  auto text = read_all(rd.get(), "kernel probe");
  int st = 0;
  ::waitpid(pid, &st, 0);
  if (!text) return {{"netns", text.error().message()}};
  std::istringstream in(text.value());
  for (std::string line; std::getline(in, line);) {
    auto tab = line.find('\t');
    if (tab != std::string::npos) out[line.substr(0, tab)] = line.substr(tab + 1);
  }
  if (out.empty()) out["netns"] = "the probe ended without an answer";
  return out;
}

bool wireguard_module() {
  if (exists("/sys/module/wireguard")) return true;
  struct utsname u;
  if (::uname(&u) < 0) return false;
  const std::string dir = std::string("/lib/modules/") + u.release + "/";
  for (const char *f : {"modules.dep", "modules.builtin"})
    if (slurp(dir + f).find("/wireguard.ko") != std::string::npos) return true;
  return false;
}

std::string on_path(const std::string &program) {
  const char *path = std::getenv("PATH");
  std::istringstream in(path ? path : "");
  for (std::string dir; std::getline(in, dir, ':');) {
    if (dir.empty()) continue;
    std::string p = dir + "/" + program;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

void check_kernel(std::vector<Finding> &out) {
  auto probe = probe_kernel();
  const std::string module_fix = "a kernel built with it, or the module loaded (modprobe ";
  struct {
    const char *key, *what, *module;
  } features[] = {{"netns", "network namespaces", "(CONFIG_NET_NS)"},
                  {"veth", "veth pairs", "veth"},
                  {"nftables", "nftables (kill switch and host NAT)", "nf_tables nft_chain_nat nft_reject_inet nft_ct"}};
  for (const auto &f : features) {
    auto it = probe.find(f.key);
    if (it == probe.end()) continue;  // not reached: an earlier probe failed
    std::string fix = f.module[0] == '(' ? std::string("a kernel with ") + f.module : module_fix + f.module + ")";
    if (it->second.find("Operation not permitted") != std::string::npos)
      fix = "run vpnrun doctor as root with every capability; vpnrun needs CAP_SYS_ADMIN and CAP_NET_ADMIN";
    if (it->second.empty())
      out.push_back({Verdict::ok, "kernel", f.what, ""});
    else
      out.push_back({Verdict::fail, "kernel", std::string(f.what) + ": " + it->second, fix});
  }
  const bool wg_module = wireguard_module();
  struct stat st;
  bool tun = ::stat("/dev/net/tun", &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 10 &&
             minor(st.st_rdev) == 200;
  if (tun) {
    UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
    tun = fd.valid();
  }
  if (tun)
    out.push_back({Verdict::ok, "kernel", "tun device /dev/net/tun", ""});
  else
    out.push_back({wg_module ? Verdict::warn : Verdict::fail, "kernel",
                   "/dev/net/tun is missing or not the tun device (char 10:200): OpenVPN and "
                   "wireguard-go cannot make a tunnel" +
                       std::string(wg_module ? " (kernel WireGuard still can)" : ""),
                   "modprobe tun; in a container, pass the device (--device /dev/net/tun)"});
  std::string wg_go = on_path("wireguard-go");
  if (wg_module)
    out.push_back({Verdict::ok, "kernel", "WireGuard: kernel module", ""});
  else if (!wg_go.empty())
    out.push_back({Verdict::ok, "kernel", "WireGuard: no kernel module; wireguard-go at " + wg_go, ""});
  else
    out.push_back({Verdict::warn, "kernel",
                   "WireGuard: no kernel module and no wireguard-go on PATH (OpenVPN still works)",
                   "apt-get install wireguard-go, or a kernel with the wireguard module"});
}

// ---- firewall -------------------------------------------------------------

// Counters, logs and a verdict, no condition: the rule takes every packet.
bool drops_everything(const nlohmann::json &expr) {
  if (!expr.is_array()) return false;
  bool verdict = false;
  for (const auto &e : expr) {
    if (!e.is_object() || e.size() != 1) return false;
    const std::string k = e.begin().key();
    if (k == "drop" || k == "reject") verdict = true;
    else if (k != "counter" && k != "log") return false;
  }
  return verdict;
}

struct ForwardChain {
  std::string family, table, chain;
  bool policy_drop = false;
  bool last_rule_drops = false;
};

std::string owner_of(const ForwardChain &c, const std::set<std::string> &chains) {
  if (chains.count("DOCKER-USER") || chains.count("DOCKER")) return "Docker";
  for (const auto &n : chains)
    if (n.rfind("ufw-", 0) == 0) return "ufw";
  if (c.table == "firewalld") return "firewalld";
  if (chains.count("FORWARD") && c.family == "ip") return "iptables";
  return "";
}

std::string forward_fix(const std::string &owner, const ForwardChain &c, const std::string &veth) {
  const std::string in = veth == "vr-NAME" ? "vr-+" : veth;
  const std::string accept_ipt = "-i " + in + " -j ACCEPT and -o " + in +
                                 " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT";
  if (owner == "Docker")
    return "iptables -I DOCKER-USER " + accept_ipt + " (Docker keeps DOCKER-USER as it is)";
  if (owner == "ufw")
    return "in /etc/ufw/before.rules, before COMMIT: -A ufw-before-forward " + accept_ipt +
           "; then ufw reload";
  if (owner == "firewalld")
    return "firewall-cmd --permanent --zone=trusted --add-interface=" + veth +
           " and a policy from zone trusted to the uplink's zone with target ACCEPT "
           "(firewall-cmd --permanent --new-policy=vpnrun --set-target=ACCEPT, "
           "--policy=vpnrun --add-ingress-zone=trusted --add-egress-zone=ANY); then firewall-cmd --reload";
  if (owner == "iptables") return "iptables -I " + c.chain + " " + accept_ipt;
  const std::string pat = veth == "vr-NAME" ? "vr-*" : veth;
  return "nft insert rule " + c.family + " " + c.table + " " + c.chain + " iifname \"" + pat +
         "\" accept; nft insert rule " + c.family + " " + c.table + " " + c.chain + " oifname \"" +
         pat + "\" ct state established,related accept";
}

std::vector<Finding> forward_findings(const std::string &json, const std::string &veth) {
  auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("nftables") || !doc["nftables"].is_array())
    return {{Verdict::fail, "firewall", "cannot read the host's ruleset: not nftables JSON", ""}};
  std::vector<ForwardChain> chains;
  std::map<std::string, std::set<std::string>> table_chains;  // "family table" -> chain names
  std::set<std::string> names_vr;                             // tables with a rule naming vr-*
  auto key = [](const nlohmann::json &o) {
    return o.value("family", std::string()) + " " + o.value("table", std::string());
  };
  for (const auto &item : doc["nftables"]) {
    if (!item.is_object()) continue;
    if (item.contains("chain") && item["chain"].is_object()) {
      const auto &c = item["chain"];
      table_chains[key(c)].insert(c.value("name", std::string()));
      const std::string fam = c.value("family", std::string());
      if (c.value("hook", std::string()) != "forward" || (fam != "ip" && fam != "inet")) continue;
      if (fam == kHostFamily && c.value("table", std::string()) == kHostTable) continue;
      chains.push_back({fam, c.value("table", std::string()), c.value("name", std::string()),
                        c.value("policy", std::string()) == "drop", false});
    } else if (item.contains("rule") && item["rule"].is_object()) {
      const auto &r = item["rule"];
      if (r.contains("expr") && r["expr"].dump().find("\"vr-") != std::string::npos) names_vr.insert(key(r));
      for (auto &c : chains)
        if (c.family == r.value("family", "") && c.table == r.value("table", "") &&
            c.chain == r.value("chain", ""))
          c.last_rule_drops = r.contains("expr") && drops_everything(r["expr"]);  // rules come in order
    }
  }
  std::vector<Finding> out;
  for (const auto &c : chains) {
    if (!c.policy_drop && !c.last_rule_drops) continue;
    const std::string where = "table " + c.family + " " + c.table + " chain " + c.chain;
    const std::string owner = owner_of(c, table_chains[c.family + " " + c.table]);
    const std::string how = c.policy_drop ? "policy drop" : "a last rule that drops or rejects everything";
    const std::string by = owner.empty() || owner == "iptables" ? "" : " (" + owner + ")";
    if (names_vr.count(c.family + " " + c.table))
      out.push_back({Verdict::ok, "firewall", where + by + " has " + how + " and rules for vr-* interfaces", ""});
    else
      out.push_back({Verdict::fail, "firewall",
                     where + by + " has " + how +
                         ": the namespace's forwarded traffic is dropped there, whatever vpnrun allows",
                     forward_fix(owner, c, veth)});
  }
  if (out.empty()) out.push_back({Verdict::ok, "firewall", "no other table drops forwarded traffic", ""});
  return out;
}

void check_firewall(std::vector<Finding> &out, const std::string &veth) {
  auto nft = Nft::open();
  auto json = nft ? nft->run_json("list ruleset", "ruleset") : Result<std::string>(nft.error());
  if (!json) {
    out.push_back({Verdict::fail, "firewall", "cannot read the host's ruleset: " + json.error().message(), ""});
  } else {
    auto f = forward_findings(json.value(), veth);
    out.insert(out.end(), f.begin(), f.end());
  }
  // iptables-legacy tables live outside nftables, where libnftables cannot see.
  std::string legacy = slurp("/proc/net/ip_tables_names");
  std::replace(legacy.begin(), legacy.end(), '\n', ' ');
  while (!legacy.empty() && legacy.back() == ' ') legacy.pop_back();
  if (!legacy.empty())
    out.push_back({Verdict::warn, "firewall",
                   "iptables-legacy tables are loaded (" + legacy +
                       "); vpnrun cannot read them, and a DROP policy there drops the namespace's traffic",
                   "iptables-legacy -S FORWARD; if its policy is DROP: iptables-legacy -I FORWARD -i vr-+ "
                   "-j ACCEPT and -o vr-+ -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT, or move "
                   "to iptables-nft"});
}

// ---- dns, nscd -------------------------------------------------------------

std::vector<std::string> nameservers(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    std::istringstream l(line);
    std::string k, v;
    if (l >> k >> v && k == "nameserver") out.push_back(v);
  }
  return out;
}

bool loopback(const std::string &server) {
  auto a = IpAddr::parse(server);
  if (!a) return false;
  if (a->family == AF_INET) return a->bytes[0] == 127;
  return a.value() == IpAddr::parse("::1").value();
}

void check_namespace_dns(std::vector<Finding> &out, const NetnsName &name,
                         const std::optional<NamespaceConfig> &cfg) {
  const std::string path = etc_netns_dir(name) + "/resolv.conf";
  std::vector<std::string> servers;
  std::string source;
  if (exists(path)) {
    servers = nameservers(slurp(path));
    source = path;
  } else if (cfg) {
    for (const auto &a : cfg->dns.servers) servers.push_back(a.str());
    source = "[dns] servers in " + config_path(name);
  } else {
    return;
  }
  const std::string fix = "set [dns] servers in " + config_path(name) +
                          " to a server reached through the tunnel, then vpnrun up " + name.str();
  if (servers.empty()) {
    out.push_back({Verdict::fail, "dns", "no name server for '" + name.str() + "' (" + source +
                                             "): every name lookup in the namespace fails", fix});
    return;
  }
  for (const auto &s : servers)
    if (loopback(s)) {
      out.push_back({Verdict::fail, "dns", "'" + name.str() + "' uses " + s + " (" + source +
                                               "), the namespace's own loopback, where no resolver runs", fix});
      return;
    }
  std::string list;
  for (const auto &s : servers) list += (list.empty() ? "" : ", ") + s;
  out.push_back({Verdict::ok, "dns", "'" + name.str() + "' resolves through " + list, ""});
}

void check_nscd(std::vector<Finding> &out) {
  std::unique_ptr<DIR, int (*)(DIR *)> d(::opendir("/proc"), ::closedir);
  std::string found;
  while (d && (found.empty())) {
    dirent *de = ::readdir(d.get());
    if (!de) break;
    if (de->d_name[0] < '1' || de->d_name[0] > '9') continue;
    // "PID (COMM) STATE ...": a zombie (Z) runs nothing.
    std::string stat = slurp(std::string("/proc/") + de->d_name + "/stat");
    size_t open = stat.find(" ("), close = stat.rfind(") ");
    if (open == std::string::npos || close == std::string::npos || close + 2 >= stat.size()) continue;
    std::string comm = stat.substr(open + 2, close - open - 2);
    if ((comm == "nscd" || comm == "unscd") && stat[close + 2] != 'Z') found = std::string(de->d_name) + " " + comm;
  }
  if (found.empty()) {
    out.push_back({Verdict::ok, "nscd", "not running", ""});
    return;
  }
  out.push_back({Verdict::warn, "nscd",
                 "running (pid " + found + "): its socket /run/nscd/socket is reached from any "
                 "namespace, so a program that enters one other than through vpnrun resolves names on "
                 "the host, outside the tunnel (vpnrun hides the socket from what it launches)",
                 "systemctl disable --now nscd, or enable-cache hosts no in /etc/nscd.conf; "
                 "systemd units in the namespace: InaccessiblePaths=/run/nscd"});
}

// ---- privilege --------------------------------------------------------------

void check_privilege(std::vector<Finding> &out, const std::string &binary) {
  UniqueFd fd(::open(binary.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (!fd.valid() || ::fstat(fd.get(), &st) < 0) {
    out.push_back({Verdict::fail, "privilege", errno_error("open", binary).message(), ""});
    return;
  }
  char real[4096];
  ssize_t n = ::readlink(binary.c_str(), real, sizeof real - 1);
  const std::string file = n > 0 ? std::string(real, static_cast<size_t>(n)) : binary;
  struct statvfs vfs;
  const bool nosuid = ::fstatvfs(fd.get(), &vfs) == 0 && (vfs.f_flag & ST_NOSUID);
  const std::string apply = "chown root:root " + file + " && chmod 4755 " + file +
                            " (setuid), or setcap cap_sys_admin,cap_setpcap+p " + file;
  std::string form;
  if (st.st_uid == 0 && (st.st_mode & S_ISUID)) {
    form = "setuid root";
  } else if (auto caps = file_permitted_caps(fd.get()); caps && (*caps >> CAP_SYS_ADMIN & 1)) {
    if (!(*caps >> CAP_SETPCAP & 1)) {
      out.push_back({Verdict::fail, "privilege",
                     file + " has cap_sys_admin without cap_setpcap: the launcher cannot empty the "
                            "bounding set and refuses to run programs",
                     "setcap cap_sys_admin,cap_setpcap+p " + file});
      return;
    }
    form = "file capabilities cap_sys_admin,cap_setpcap";
  }
  if (form.empty()) {
    out.push_back({Verdict::warn, "privilege",
                   file + " is neither setuid root nor has file capabilities: only root can launch programs",
                   apply});
  } else if (nosuid) {
    out.push_back({Verdict::fail, "privilege",
                   file + " is " + form + ", on a file system mounted nosuid, where that has no effect: "
                          "only root can launch programs",
                   "install it on a file system mounted without nosuid"});
  } else {
    out.push_back({Verdict::ok, "privilege", file + " is " + form, ""});
  }
}

// ---- configuration ------------------------------------------------------------

void check_group(std::vector<Finding> &out, const std::string &group, const std::string &who) {
  if (::getgrnam(group.c_str())) return;
  out.push_back({Verdict::warn, "config",
                 "group '" + group + "' in [access] of " + who + " does not exist: its members cannot launch",
                 "groupadd --system " + group + " && usermod -aG " + group + " USER"});
}

std::optional<NamespaceConfig> check_configs(std::vector<Finding> &out, const std::optional<NetnsName> &name) {
  std::optional<NamespaceConfig> named;
  std::vector<std::string> files;
  if (std::unique_ptr<DIR, int (*)(DIR *)> d(::opendir(kConfigDir), ::closedir); d)
    while (dirent *de = ::readdir(d.get())) {
      std::string f = de->d_name;
      if (f.size() > 5 && f.compare(f.size() - 5, 5, ".toml") == 0) files.push_back(f);
    }
  std::sort(files.begin(), files.end());
  const std::string fix_tail = ", then vpnrun doctor again";
  for (const auto &f : files) {
    const std::string path = std::string(kConfigDir) + "/" + f;
    const std::string stem = f.substr(0, f.size() - 5);
    if (path == kGlobalConfig) {
      auto g = load_global_config();
      if (!g) out.push_back({Verdict::fail, "config", g.error().message(), "correct " + path + fix_tail});
      else out.push_back({Verdict::ok, "config", path + " is valid", ""});
      continue;
    }
    auto n = NetnsName::parse(stem);
    if (!n) {
      out.push_back({Verdict::warn, "config", path + ": '" + stem + "' is not a namespace name (" +
                                                   n.error().detail + "); the file is never read",
                     "rename or remove it"});
      continue;
    }
    auto c = load_config(n.value());
    if (!c) {
      out.push_back({Verdict::fail, "config", c.error().message(), "correct " + path + fix_tail});
      continue;
    }
    out.push_back({Verdict::ok, "config", path + " is valid", ""});
    for (const auto &g : c->access.groups) check_group(out, g, path);
    if (name && n.value() == *name) named = c.value();
  }
  if (name && !named && !exists(config_path(*name))) {
    out.push_back({Verdict::ok, "config", "no " + config_path(*name) + ": '" + name->str() +
                                              "' takes the defaults", ""});
    named = NamespaceConfig{};
    for (const auto &g : named->access.groups) check_group(out, g, "the defaults");
  }
  return named;
}

void check_state(std::vector<Finding> &out, const NetnsName &name) {
  auto s = inspect(name);
  if (!s) {
    out.push_back({Verdict::fail, "namespace", s.error().message(), ""});
    return;
  }
  switch (s->state) {
    case NamespaceState::up:
      out.push_back({Verdict::ok, "namespace", "'" + name.str() + "' is up", ""});
      break;
    case NamespaceState::degraded: {
      std::string problems;
      for (const auto &p : s->problems) problems += (problems.empty() ? "" : "; ") + p;
      out.push_back({Verdict::fail, "namespace", "'" + name.str() + "' is degraded: " + problems,
                     "vpnrun up " + name.str() + " (rebuilds it)"});
      break;
    }
    default:
      out.push_back({Verdict::warn, "namespace", "'" + name.str() + "' is not up", "vpnrun up " + name.str()});
  }
}

}  // namespace

std::vector<Finding> check_forward_chains(const std::string &ruleset_json) {
  return forward_findings(ruleset_json, "vr-NAME");
}

Finding check_host_resolv(std::string_view resolv_conf) {
  for (const auto &s : nameservers(resolv_conf))
    if (loopback(s))
      return {Verdict::warn, "dns",
              "/etc/resolv.conf names " + s + ", a stub resolver on the host's loopback: a program "
              "that enters a namespace without its /etc/netns/NAME/resolv.conf (a systemd unit with "
              "NetworkNamespacePath= alone) has no DNS there, since the namespace's loopback is its own",
              "give such units BindReadOnlyPaths=/etc/netns/NAME/resolv.conf:/etc/resolv.conf "
              "(contrib/systemd does); vpnrun and ip netns exec use that file already"};
  return {Verdict::ok, "dns", "/etc/resolv.conf names no loopback resolver", ""};
}

std::vector<Finding> check_hook_files(const std::vector<std::string> &dirs) {
  std::vector<Finding> out;
  for (const auto &dir : dirs) {
    std::vector<std::string> files;
    if (std::unique_ptr<DIR, int (*)(DIR *)> d(::opendir(dir.c_str()), ::closedir); d)
      while (dirent *de = ::readdir(d.get())) {
        std::string f = de->d_name;
        if (f.size() > 5 && f.compare(f.size() - 5, 5, ".json") == 0) files.push_back(f);
      }
    std::sort(files.begin(), files.end());
    for (const auto &f : files) {
      const std::string path = dir + "/" + f;
      auto j = nlohmann::json::parse(slurp(path), nullptr, false);
      if (!j.is_object() || !j.contains("hook") || !j["hook"].is_object()) continue;
      const std::string prog = j["hook"].value("path", std::string());
      if (prog.size() < 11 || prog.compare(prog.size() - 11, 11, "vpnrun-hook") != 0) continue;
      if (::access(prog.c_str(), X_OK) == 0) {
        out.push_back({Verdict::ok, "hooks", path + " names " + prog, ""});
        continue;
      }
      out.push_back({Verdict::fail, "hooks",
                     path + " names " + prog + ", which " + (exists(prog) ? "cannot be run" : "does not exist") +
                         ": Podman then runs containers annotated io.vpnrun.netns without the hook, outside the VPN",
                     "install vpnrun-hook at " + prog + ", or remove " + path});
    }
  }
  return out;
}

std::vector<Finding> doctor(const DoctorRequest &req) {
  std::vector<Finding> out;
  check_kernel(out);
  check_firewall(out, veth_for(req.name));
  out.push_back(check_host_resolv(slurp("/etc/resolv.conf")));
  check_nscd(out);
  check_privilege(out, req.binary);
  auto cfg = check_configs(out, req.name);
  for (auto &f : check_hook_files({"/usr/share/containers/oci/hooks.d", "/etc/containers/oci/hooks.d"}))
    out.push_back(std::move(f));
  if (req.name) {
    check_namespace_dns(out, *req.name, cfg);
    check_state(out, *req.name);
  }
  return out;
}

}  // namespace vpnrun
