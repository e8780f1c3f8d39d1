#include <cstdio>

#include "commands.hpp"
#include "vpnrun/topology.hpp"

namespace vpnrun::cli {

void add_down(CLI::App &app, int *exit_code) {
  auto *cmd = app.add_subcommand("down", "Remove the VPN namespace NAME (root)");
  auto name = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("NAME", *name, "namespace name")->required();
  cmd->add_flag("-q,--quiet", *quiet, "print nothing on success");
  cmd->footer(
      "Removes exactly what the journal in /run/vpnrun/NAME lists and restores\n"
      "the sysctls `up` changed. Succeeds when NAME is already down.");
  cmd->callback([=] {
    if (!require_root("down", exit_code)) return;
    auto n = parse_name("down", *name, exit_code);
    if (!n) return;
    auto r = down(*n);
    if (!r) {
      *exit_code = fail("down", r.error());
      return;
    }
    if (!*quiet) std::printf(r->was_up ? "'%s' is down\n" : "'%s' was not up\n", n->str().c_str());
  });
}

}  // namespace vpnrun::cli
