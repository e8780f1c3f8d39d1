// parse_wg_quick and render_wg_setconf: what parses renders to a `wg setconf`
// file that, with the [Interface] Address put back, parses to the same lines
// with the pinned endpoints.
#include <sstream>

#include "fuzz.hpp"
#include "vpn_fuzz.hpp"

using namespace vpnrun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto r = parse_wg_quick(fuzz::text(data, size), "/etc/wireguard/fuzz.conf");
  if (!r) return 0;
  const WgQuick &wg = r.value();
  FUZZ_CHECK(!wg.addresses.empty() && !wg.remotes.empty());
  const auto pins = fuzz::pinned(wg.remotes);
  const std::string conf = render_wg_setconf(wg, pins);

  std::string address = "Address = ";
  for (size_t i = 0; i < wg.addresses.size(); ++i) address += (i ? ", " : "") + wg.addresses[i].str();
  std::string again_text;
  size_t endpoints = 0;
  std::istringstream in(conf);
  for (std::string line; std::getline(in, line);) {
    FUZZ_CHECK(line.rfind("Endpoint = @", 0) != 0);  // every placeholder is replaced
    if (line.rfind("Endpoint = ", 0) == 0) ++endpoints;
    again_text += line + "\n";
    if (line == "[Interface]") again_text += address + "\n";
  }
  FUZZ_CHECK(endpoints == wg.remotes.size());
  auto again = parse_wg_quick(again_text, "rendered");
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->lines == wg.lines);
  FUZZ_CHECK(again->addresses == wg.addresses);
  FUZZ_CHECK(again->remotes == fuzz::as_remotes(pins));
  return 0;
}
