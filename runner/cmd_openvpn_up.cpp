// `vpnrun openvpn-up NAME ...`: OpenVPN's --up helper for the client vpnrun
// runs (see client.hpp). OpenVPN runs it as root with its environment each
// time the tunnel comes up; it is not for people.
#include <map>

#include "commands.hpp"
#include "vpnrun/client.hpp"

extern char **environ;

namespace vpnrun::cli {

void add_openvpn_up(CLI::App &app, int *exit_code) {
  auto *cmd = app.add_subcommand("openvpn-up", "OpenVPN's --up helper (run by OpenVPN, not by hand)");
  cmd->group("");  // hidden from --help
  cmd->allow_extras();  // OpenVPN appends: DEV MTU LINK-MTU LOCAL REMOTE init|restart
  auto name = std::make_shared<std::string>();
  cmd->add_option("NAME", *name, "namespace name")->required();
  cmd->callback([=] {
    if (!require_root("openvpn-up", exit_code)) return;
    auto n = parse_name("openvpn-up", *name, exit_code);
    if (!n) return;
    std::map<std::string, std::string> env;
    for (char **e = environ; e && *e; ++e) {
      std::string kv = *e;
      auto eq = kv.find('=');
      if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    if (auto st = openvpn_up(*n, env); !st) *exit_code = fail("openvpn-up", st.error());
  });
}

}  // namespace vpnrun::cli
