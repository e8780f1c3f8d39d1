// vpnrun: put chosen programs behind a VPN. This file wires the subcommands;
// each lives in its own cmd_*.cpp and the work itself in libvpnrun.
#include <unistd.h>

#include <cstdio>

#include "commands.hpp"
#include "vpnrun/version.hpp"

namespace vpnrun::cli {

int fail(const std::string &cmd, const Error &e) {
  std::fprintf(stderr, "vpnrun %s: %s\n", cmd.c_str(), e.message().c_str());
  return kExitFailure;
}

bool require_root(const std::string &cmd, int *exit_code) {
  // The real uid: a setuid vpnrun run by a user is not root for admin commands.
  if (::getuid() == 0) return true;
  std::fprintf(stderr, "vpnrun %s: must be run as root (real uid is %u)\n", cmd.c_str(), ::getuid());
  *exit_code = kExitFailure;
  return false;
}

std::optional<NetnsName> parse_name(const std::string &cmd, const std::string &arg, int *exit_code) {
  auto n = NetnsName::parse(arg);
  if (!n) {
    *exit_code = fail(cmd, n.error());
    return std::nullopt;
  }
  return n.value();
}

}  // namespace vpnrun::cli

int main(int argc, char **argv) {
  using namespace vpnrun::cli;
  CLI::App app{"vpnrun - put chosen programs and containers behind a VPN", "vpnrun"};
  app.set_version_flag("-V,--version", std::string("vpnrun ") + vpnrun::kVersion);
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  vpnrun up vpn             build the namespace 'vpn' from /etc/vpnrun/vpn.toml\n"
      "  vpnrun status vpn         is it healthy? (exit 0 = yes)\n"
      "  ip netns exec vpn curl https://example.org\n"
      "  vpnrun down vpn           remove exactly what `up` made\n"
      "\nSee vpnrun(1) and vpnrun.toml(5).");
  int exit_code = 0;
  add_up(app, &exit_code);
  add_down(app, &exit_code);
  add_status(app, &exit_code);
  add_list(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitFailure;
  }
  return exit_code;
}
