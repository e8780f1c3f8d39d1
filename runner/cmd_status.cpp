#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "vpnrun/status.hpp"

namespace vpnrun::cli {

namespace {

constexpr int kExitDegraded = 1;
constexpr int kExitError = 2;  // could not look: not the namespace's fault
constexpr int kExitDown = 3;

std::string join(const std::vector<std::string> &v, const char *sep) {
  std::string out;
  for (const auto &s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

void print_text(const NamespaceStatus &s) {
  std::printf("%s: %s\n", s.name.c_str(), to_string(s.state));
  for (const auto &p : s.problems) std::printf("  problem     %s\n", p.c_str());
  for (const auto &p : s.tunnel_problems) std::printf("  problem     %s\n", p.c_str());
  if (s.state == NamespaceState::down) return;
  std::printf("  netns       %s (inode %lu)\n", s.netns_path.c_str(), s.netns_inode);
  if (s.mode == "veth")
    std::printf("  uplink      veth: %s %s <-> namespace %s, NAT out of %s%s\n", s.host_veth.c_str(),
                s.host_address.c_str(), s.ns_address.c_str(), s.uplink.c_str(),
                s.host_nat ? "" : " (NAT table missing)");
  else
    std::printf("  uplink      %s: none; only the tunnel leads out\n", s.mode.c_str());
  const ClientStatus &cl = s.client;
  if (cl.type != "none") {
    std::string what = cl.type + ": ";
    what += cl.pid ? "pid " + std::to_string(cl.pid) + (cl.alive ? "" : " (dead)") : std::string(cl.alive ? "kernel" : "gone");
    what += ", " + cl.interface + (cl.interface_up ? " up" : " down");
    what += ", bytes in " + std::to_string(cl.rx_bytes) + " out " + std::to_string(cl.tx_bytes);
    if (cl.handshake_age >= 0) what += ", last handshake " + std::to_string(cl.handshake_age) + " s ago";
    std::printf("  client      %s\n", what.c_str());
  }
  std::vector<std::string> tun;
  for (const auto &t : s.tunnels) tun.push_back(t.name + (t.up ? " (up)" : " (down)"));
  std::printf("  tunnel      %s: %s\n", join(s.tunnel_patterns, ", ").c_str(),
              tun.empty() ? "none present" : join(tun, ", ").c_str());
  if (s.default_route && !s.default_via.empty())
    std::printf("  route       default via %s dev %s\n", s.default_via.c_str(), s.default_dev.c_str());
  else if (s.default_route)
    std::printf("  route       default dev %s\n", s.default_dev.c_str());
  else
    std::printf("  route       no default route\n");
  std::vector<std::string> counters;
  for (const auto &c : s.counters) counters.push_back(c.name + " " + std::to_string(c.packets));
  std::printf("  kill switch %s%s\n", s.killswitch ? "loaded; packets " : "NOT LOADED",
              join(counters, ", ").c_str());
  std::printf("  dns         %s\n", s.dns_servers.empty() ? "(none)" : join(s.dns_servers, ", ").c_str());
  std::vector<std::string> procs;
  for (const auto &p : s.processes) procs.push_back(std::to_string(p.pid) + " " + p.comm);
  std::printf("  processes   %s\n", procs.empty() ? "(none)" : join(procs, ", ").c_str());
}

}  // namespace

void add_status(CLI::App &app, int *exit_code) {
  auto *cmd = app.add_subcommand("status", "Show the health of VPN namespaces (root)");
  auto name = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("NAME", *name, "namespace name; all known namespaces when omitted");
  cmd->add_flag("--json", *json, "print JSON (schema in vpnrun(1))");
  cmd->footer(
      "Exit status: 0 when NAME is up and healthy (without NAME: every namespace\n"
      "that is up is healthy), 1 when one is degraded, 2 when vpnrun could not\n"
      "look, 3 when NAME is not up (without NAME: no namespace is known).\n"
      "Usable as a health check.");
  cmd->callback([=] {
    if (!require_root("status", exit_code)) return;
    std::vector<std::string> names;
    if (!name->empty()) {
      auto n = parse_name("status", *name, exit_code);
      if (!n) return;
      names.push_back(n->str());
    } else {
      names = known_namespaces();
    }
    nlohmann::json all = nlohmann::json::array();
    int rc = names.empty() ? kExitDown : 0;
    for (const auto &n : names) {
      auto s = inspect(NetnsName::parse(n).value());
      if (!s) {
        fail("status", s.error());
        *exit_code = kExitError;
        return;
      }
      if (s->state == NamespaceState::degraded) rc = kExitDegraded;
      else if (s->state == NamespaceState::down && rc == 0 && !name->empty()) rc = kExitDown;
      if (*json) all.push_back(to_json(s.value()));
      else print_text(s.value());
    }
    if (*json) std::printf("%s\n", (name->empty() ? all : all.at(0)).dump(2).c_str());
    else if (names.empty()) std::printf("no VPN namespaces\n");
    *exit_code = rc;
  });
}

}  // namespace vpnrun::cli
