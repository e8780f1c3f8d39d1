// `vpnrun [-n NAME] [--preserve-fds N] [-q] [--] PROGRAM [ARGS...]`. Parsed by
// hand: the options are few, and nothing from PROGRAM on may ever be read as
// one of vpnrun's.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "launcher.hpp"
#include "vpnrun/config.hpp"
#include "vpnrun/instance.hpp"
#include "vpnrun/launch.hpp"
#include "vpnrun/netns.hpp"

#include <sys/stat.h>

namespace vpnrun::cli {

namespace {

int usage_error(const std::string &msg) {
  std::fprintf(stderr, "vpnrun: %s\nTry 'vpnrun --help'.\n", msg.c_str());
  return kExitLaunchFailed;
}

bool is_subcommand(const char *a) {
  for (const char *s : kSubcommands)
    if (std::strcmp(a, s) == 0) return true;
  return false;
}

}  // namespace

bool is_admin_invocation(int argc, char **argv) {
  if (argc < 2) return true;  // bare `vpnrun`: help
  const char *a = argv[1];
  return is_subcommand(a) || !std::strcmp(a, "-h") || !std::strcmp(a, "--help") ||
         !std::strcmp(a, "-V") || !std::strcmp(a, "--version");
}

int run_program(int argc, char **argv, Privilege &priv) {
  std::optional<std::string> name;  // given, even if empty, or not
  int preserve = 0;
  bool quiet = false;
  bool dashdash = false;
  int i = 1;
  auto value = [&](const char *opt) -> const char * {
    size_t n = std::strlen(opt);
    if (std::strncmp(argv[i], opt, n) == 0 && argv[i][n] == '=') return argv[i] + n + 1;
    if (std::strcmp(argv[i], opt) == 0 && i + 1 < argc) return argv[++i];
    return nullptr;
  };
  for (; i < argc; ++i) {
    const char *a = argv[i];
    if (!std::strcmp(a, "--")) {
      dashdash = true;
      ++i;
      break;
    }
    if (a[0] != '-') break;
    if (!std::strcmp(a, "-q") || !std::strcmp(a, "--quiet")) {  // warnings only, never errors
      quiet = true;
      continue;
    }
    if (!std::strncmp(a, "--netns", 7) || !std::strcmp(a, "-n")) {
      const char *v = !std::strcmp(a, "-n") ? value("-n") : value("--netns");
      if (!v) return usage_error(std::string("option '") + a + "' needs a namespace name");
      name = v;
      continue;
    }
    if (!std::strncmp(a, "--preserve-fds", 14)) {
      const char *v = value("--preserve-fds");
      char *end = nullptr;
      long n = v ? std::strtol(v, &end, 10) : -1;
      if (!v || !*v || *end || n < 0 || n > 1024) return usage_error("--preserve-fds needs a number 0-1024");
      preserve = static_cast<int>(n);
      continue;
    }
    return usage_error(std::string("unknown option '") + a + "' (put `--` before a program whose name starts with '-')");
  }
  if (i >= argc) return usage_error("no program given");
  if (!dashdash && is_subcommand(argv[i]))
    return usage_error(std::string("'") + argv[i] + "' is a vpnrun command; to run a program of that name, use: vpnrun [-n NAME] -- " + argv[i]);
  auto global = load_global_config();
  if (!global) {
    std::fprintf(stderr, "vpnrun: %s\n", global.error().message().c_str());
    return kExitLaunchFailed;
  }
  if (!name) name = global->default_netns;
  auto n = NetnsName::parse(*name);
  if (!n) {
    std::fprintf(stderr, "vpnrun: %s\n", n.error().message().c_str());
    return kExitLaunchFailed;
  }
  if (!quiet) {
    // Effective privilege is off here: only the caller's own processes are seen.
    struct stat st;
    if (::stat(netns_path(n.value()).c_str(), &st) == 0)
      if (auto w = outside_instance(argv[i], priv.caller().uid, st.st_ino, n->str(), global->single_instance))
        std::fprintf(stderr, "vpnrun: warning: %s\n", w->text.c_str());
  }
  LaunchRequest req{n.value(), {argv + i, argv + argc}, preserve};
  LaunchFailure f = launch(req, priv);
  std::fprintf(stderr, "vpnrun: %s\n", f.error.message().c_str());
  return f.exit_code;
}

}  // namespace vpnrun::cli
