#include <cstdio>

#include "commands.hpp"
#include "vpnrun/journal.hpp"
#include "vpnrun/status.hpp"

namespace vpnrun::cli {

void add_list(CLI::App &app, int *exit_code) {
  auto *cmd = app.add_subcommand("list", "List known VPN namespaces and whether they are up");
  cmd->footer(
      "One line per namespace with a config in /etc/vpnrun or a journal in\n"
      "/run/vpnrun: 'up', 'broken' (an interrupted up; run up or down), or\n"
      "'configured' (not up). Use `vpnrun status` for a health check.");
  cmd->callback([=] {
    for (const auto &n : known_namespaces()) {
      auto j = Journal::load(NetnsName::parse(n).value(), false);
      const char *state = !j ? "unreadable" : !j.value() ? "configured" : j.value()->complete() ? "up" : "broken";
      std::printf("%-16s %s\n", n.c_str(), state);
    }
    *exit_code = 0;
  });
}

}  // namespace vpnrun::cli
