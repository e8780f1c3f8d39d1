#include <cstdio>

#include "commands.hpp"
#include "vpnrun/attach.hpp"

namespace vpnrun::cli {

void add_gc(CLI::App &app, int *exit_code) {
  auto *cmd = app.add_subcommand("gc", "Release container addresses whose container is gone (root)");
  auto quiet = std::make_shared<bool>(false);
  cmd->add_flag("-q,--quiet", *quiet, "print nothing on success");
  cmd->footer(
      "vpnrun-hook leases an address to each container it attaches and releases it\n"
      "when the container stops. gc releases the leases and links of containers\n"
      "that are gone without that (a crash, a runtime that skipped poststop) or whose\n"
      "VPN namespace was taken down, and removes the state of namespaces that are down.");
  cmd->callback([=] {
    if (!require_root("gc", exit_code)) return;
    auto r = gc();
    if (!r) {
      *exit_code = fail("gc", r.error());
      return;
    }
    if (!*quiet) std::printf("released %zu, kept %zu\n", r->released, r->kept);
  });
}

}  // namespace vpnrun::cli
