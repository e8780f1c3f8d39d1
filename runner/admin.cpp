// vpnrun-admin: the admin commands of vpnrun (up, down, status, list, doctor,
// gc, openvpn-up, --help, --version). The launcher `vpnrun` execs it with its
// argv unchanged; it is installed in ${libexecdir}/vpnrun and is never
// privileged itself. This file wires the subcommands; each lives in its own
// cmd_*.cpp and the work itself in libvpnrun.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "commands.hpp"
#include "vpnrun/version.hpp"

namespace vpnrun::cli {

int fail(const std::string &cmd, const Error &e) {
  std::fprintf(stderr, "vpnrun %s: %s\n", cmd.c_str(), e.message().c_str());
  return kExitFailure;
}

bool require_root(const std::string &cmd, int *exit_code) {
  // The real uid: a user's admin commands run without privilege anyway (the
  // launcher gives it up before it execs vpnrun-admin); this says so clearly.
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

namespace {

// vpnrun-admin run directly: the launcher beside it (a build tree), else the
// one installed with it.
std::string installed_launcher() {
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return "vpnrun";
  std::string dir(self, static_cast<size_t>(n));
  dir.resize(dir.rfind('/') + 1);
  if (::access((dir + "vpnrun").c_str(), F_OK) == 0) return dir + "vpnrun";
  return dir + VPNRUN_BINDIR_FROM_ADMIN "/vpnrun";
}

}  // namespace

}  // namespace vpnrun::cli

int main(int argc, char **argv) {
  using namespace vpnrun::cli;
  if (argc < 1 || !argv[0] || !argv[0][0]) return kExitFailure;
  // Only the launcher may be privileged. An admin program made setuid or given
  // file capabilities by mistake refuses to run rather than parse a user's
  // command line with privilege.
  auto priv = vpnrun::Privilege::capture();
  if (!priv) {
    std::fprintf(stderr, "vpnrun: %s\n", priv.error().message().c_str());
    return kExitFailure;
  }
  if (priv->form() == vpnrun::PrivilegeForm::setuid || priv->form() == vpnrun::PrivilegeForm::filecaps) {
    std::fprintf(stderr, "vpnrun: vpnrun-admin is installed %s: only the launcher vpnrun may be privileged "
                         "(chmod u-s, setcap -r)\n", vpnrun::to_string(priv->form()));
    return kExitFailure;
  }
  // The launcher that started this one, for doctor; not passed on to the
  // programs the admin commands start (OpenVPN, podman).
  const char *l = std::getenv(kLauncherEnv);
  std::string launcher = l ? l : installed_launcher();
  ::unsetenv(kLauncherEnv);

  CLI::App app{"vpnrun - run programs and containers behind a VPN, and nothing else", "vpnrun"};
  app.set_version_flag("-V,--version", std::string("vpnrun ") + vpnrun::kVersion);
  app.require_subcommand(1);
  app.footer(
      "Run a program in a VPN namespace (any user allowed by its [access]):\n"
      "  vpnrun [-n NAME] [--preserve-fds N] [-q] [--] PROGRAM [ARGS...]\n"
      "      -n, --netns NAME   the namespace (default: vpn, or default_netns in\n"
      "                         /etc/vpnrun/vpnrun.toml)\n"
      "      --preserve-fds N   pass fds 3 .. 3+N-1 to the program\n"
      "      -q, --quiet        no warnings (errors are always printed)\n"
      "  The program runs as you, with the namespace's DNS, no capabilities,\n"
      "  no_new_privs and a seccomp filter. Exit status: the program's, or 125\n"
      "  when vpnrun fails, 126 when the program cannot run, 127 when it is not\n"
      "  found. Use `--` before a program named like a command (vpnrun -- list).\n"
      "\nExamples:\n"
      "  vpnrun up vpn             build the namespace 'vpn' from /etc/vpnrun/vpn.toml\n"
      "  vpnrun firefox            run Firefox in it, as you\n"
      "  vpnrun -n work -- curl https://example.org\n"
      "  vpnrun status vpn         is it healthy? (exit 0 = yes)\n"
      "  vpnrun down vpn           remove exactly what `up` made\n"
      "  vpnrun gc                 release addresses of containers that are gone\n"
      "\nSee vpnrun(1) and vpnrun.toml(5).");
  int exit_code = 0;
  add_up(app, &exit_code);
  add_down(app, &exit_code);
  add_status(app, &exit_code);
  add_list(app, &exit_code);
  add_openvpn_up(app, &exit_code);
  add_doctor(app, &exit_code, launcher);
  add_gc(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitFailure;
  }
  return exit_code;
}
