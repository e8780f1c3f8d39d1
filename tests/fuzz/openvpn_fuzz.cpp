// parse_openvpn and render_openvpn: what parses renders, with vpnrun's own
// directives and the pinned remotes, to a config that parses to the same kept
// lines and exactly the pinned remotes.
#include "fuzz.hpp"
#include "vpn_fuzz.hpp"

using namespace vpnrun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto r = parse_openvpn(fuzz::text(data, size), "/etc/openvpn/client/fuzz.conf");
  if (!r) return 0;
  const OpenVpnConfig &c = r.value();
  FUZZ_CHECK(!c.remotes.empty());
  const auto pins = fuzz::pinned(c.remotes);
  // As start_openvpn adds them (lib/client.cpp).
  const std::vector<std::string> extra = {
      "cd /run/vpnrun/fuzz", "dev tun-fuzz", "dev-type tun", "ifconfig-noexec", "route-noexec",
      "script-security 2", "up \"/usr/bin/vpnrun openvpn-up fuzz\"", "up-restart"};
  const std::string out = render_openvpn(c, pins, extra);
  auto again = parse_openvpn(out, "rendered");
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->lines == c.lines);  // vpnrun's own directives are its to replace
  FUZZ_CHECK(again->remotes == fuzz::as_remotes(pins));
  return 0;
}
