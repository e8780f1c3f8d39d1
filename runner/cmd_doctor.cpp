#include <cstdio>

#include "commands.hpp"
#include "vpnrun/doctor.hpp"

namespace vpnrun::cli {

void add_doctor(CLI::App &app, int *exit_code, const std::string &launcher) {
  auto *cmd = app.add_subcommand("doctor", "Check what on this host would stop a VPN namespace from working (root)");
  auto name = std::make_shared<std::string>();
  cmd->add_option("NAME", *name, "also check this namespace's config, DNS and state");
  cmd->footer(
      "One line per check: ok, warn or FAIL, what was found, and the fix. Checks\n"
      "kernel features (in a throwaway namespace), host firewall tables that drop\n"
      "forwarded traffic (Docker, ufw, firewalld), a stub resolver in\n"
      "/etc/resolv.conf, nscd, vpnrun's privilege form and /etc/vpnrun/*.toml.\n"
      "Exit status: 0 when nothing would break, 1 when a check failed.");
  cmd->callback([=] {
    if (!require_root("doctor", exit_code)) return;
    DoctorRequest req;
    req.binary = launcher;
    if (!name->empty()) {
      auto n = parse_name("doctor", *name, exit_code);
      if (!n) return;
      req.name = n.value();
    }
    int rc = 0;
    for (const auto &f : doctor(req)) {
      std::printf("%s\n", format(f).c_str());
      if (f.verdict == Verdict::fail) rc = kExitFailure;
    }
    *exit_code = rc;
  });
}

}  // namespace vpnrun::cli
