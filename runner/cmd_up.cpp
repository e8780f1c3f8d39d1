#include <chrono>
#include <cstdio>
#include <thread>

#include "commands.hpp"
#include "vpnrun/client.hpp"
#include "vpnrun/journal.hpp"
#include "vpnrun/netns.hpp"
#include "vpnrun/process.hpp"
#include "vpnrun/topology.hpp"

namespace vpnrun::cli {
namespace {
// The tunnel of the client vpnrun started, or "" when it runs none.
std::string tunnel_of(const NetnsName &name) {
  auto j = Journal::load(name, false);
  return j && *j ? (*j)->info("tunnel").value_or("") : "";
}

enum class Wait { ready, timeout, client_exited };

// Wait until the tunnel is ready, at most `seconds`, or until its client dies.
Wait wait_tunnel(const NetnsName &name, const std::string &tunnel, int seconds) {
  auto ns = netns_open(name);
  auto j = Journal::load(name, false);
  if (!ns || !j || !*j) return Wait::timeout;
  const auto client = journaled_client(**j);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  for (;;) {
    if (tunnel_ready(ns->get(), tunnel)) return Wait::ready;
    if (client && !process_alive(*client)) return Wait::client_exited;
    if (std::chrono::steady_clock::now() >= deadline) return Wait::timeout;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}
}  // namespace
}  // namespace vpnrun::cli

namespace vpnrun::cli {

void add_up(CLI::App &app, int *exit_code) {
  auto *cmd = app.add_subcommand("up", "Build the VPN namespace NAME (root)");
  auto name = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  auto wait = std::make_shared<int>(20);
  cmd->add_option("NAME", *name, "namespace name (config: /etc/vpnrun/NAME.toml)")->required();
  cmd->add_flag("-q,--quiet", *quiet, "print nothing on success");
  cmd->add_option("-w,--wait", *wait, "seconds to wait for the VPN client's tunnel (0: do not wait)")
      ->check(CLI::Range(0, 3600));
  cmd->footer(
      "Creates /run/netns/NAME with its kill switch, its uplink (a veth to the host\n"
      "with NAT, or in tunnel mode none), /etc/netns/NAME/{resolv.conf,\n"
      "nsswitch.conf,hosts}, and starts the VPN client of [vpn] type. Every step is\n"
      "journaled in /run/vpnrun/NAME; on failure all steps are undone. Running it\n"
      "on a namespace that is up changes nothing, except that a VPN client that\n"
      "died is started again; on a broken namespace, it rebuilds it.");
  cmd->callback([=] {
    if (!require_root("up", exit_code)) return;
    auto n = parse_name("up", *name, exit_code);
    if (!n) return;
    auto r = up(*n);
    if (!r) {
      *exit_code = fail("up", r.error());
      return;
    }
    const std::string tunnel = tunnel_of(*n);
    if (!*quiet) {
      if (r->already_up)
        std::printf("'%s' is already up%s\n", n->str().c_str(),
                    r->client_restarted ? "; its VPN client had died and was started again" : "");
      else if (!r->uplink.empty())
        std::printf("'%s' is up%s: uplink %s via %s, transit %s\n", n->str().c_str(),
                    r->repaired ? " (repaired)" : "", r->uplink.c_str(), r->host_veth.c_str(),
                    r->transit.c_str());
      else
        std::printf("'%s' is up%s: tunnel mode, no uplink\n", n->str().c_str(), r->repaired ? " (repaired)" : "");
    }
    std::fflush(stdout);
    if (tunnel.empty() || *wait == 0) return;
    // The client may take a while to connect; the kill switch holds meanwhile.
    switch (wait_tunnel(*n, tunnel, *wait)) {
      case Wait::ready:
        if (!*quiet) std::printf("tunnel %s is up\n", tunnel.c_str());
        return;
      case Wait::client_exited: {
        // Sealed, but with no way out: say why, and fail.
        const std::string tail = client_log_tail(*n);
        *exit_code = fail("up", make_error("start VPN client", tunnel,
                                           "it exited" + (tail.empty() ? "" : ": " + tail) +
                                               "; nothing leaves the namespace; `vpnrun up " + n->str() +
                                               "` tries again, `vpnrun down " + n->str() + "` removes it"));
        return;
      }
      case Wait::timeout:
        std::fprintf(stderr,
                     "vpnrun up: tunnel '%s' not up after %d s; the client keeps trying (see "
                     "/run/vpnrun/%s/client.log); nothing leaves the namespace meanwhile\n",
                     tunnel.c_str(), *wait, n->str().c_str());
        return;
    }
  });
}

}  // namespace vpnrun::cli
