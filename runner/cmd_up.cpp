#include <cstdio>

#include "commands.hpp"
#include "vpnrun/topology.hpp"

namespace vpnrun::cli {

void add_up(CLI::App &app, int *exit_code) {
  auto *cmd = app.add_subcommand("up", "Build the VPN namespace NAME (root)");
  auto name = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("NAME", *name, "namespace name (config: /etc/vpnrun/NAME.toml)")->required();
  cmd->add_flag("-q,--quiet", *quiet, "print nothing on success");
  cmd->footer(
      "Creates /run/netns/NAME with its kill switch, a veth to the host with NAT,\n"
      "and /etc/netns/NAME/{resolv.conf,nsswitch.conf,hosts}. Every step is\n"
      "journaled in /run/vpnrun/NAME; on failure all steps are undone. Running it\n"
      "on a namespace that is up changes nothing; on a broken one, it rebuilds it.");
  cmd->callback([=] {
    if (!require_root("up", exit_code)) return;
    auto n = parse_name("up", *name, exit_code);
    if (!n) return;
    auto r = up(*n);
    if (!r) {
      *exit_code = fail("up", r.error());
      return;
    }
    if (*quiet) return;
    if (r->already_up)
      std::printf("'%s' is already up\n", n->str().c_str());
    else
      std::printf("'%s' is up%s: uplink %s via %s, transit %s\n", n->str().c_str(),
                  r->repaired ? " (repaired)" : "", r->uplink.c_str(), r->host_veth.c_str(),
                  r->transit.c_str());
  });
}

}  // namespace vpnrun::cli
