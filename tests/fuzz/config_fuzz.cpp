// parse_config: /etc/vpnrun/NAME.toml. Whatever the text, a result or an
// error; what parses keeps the rules the parser promises. The fuzz build
// compiles toml++ in (header-only), so its own undefined behaviour shows too.
#include <algorithm>

#include "fuzz.hpp"
#include "vpnrun/config.hpp"
#include "vpnrun/toml_text.hpp"

using namespace vpnrun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view text = fuzz::text(data, size);
  // What toml++ reads is ASCII; ASCII text is read as it is.
  if (auto a = toml_ascii(text, "fuzz")) {
    FUZZ_CHECK(std::all_of(a->begin(), a->end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }));
    if (std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
      FUZZ_CHECK(a.value() == text);
  }
  auto r = parse_config(text, "/etc/vpnrun/fuzz.toml");
  if (!r) {
    FUZZ_CHECK(r.error().op == "parse config" && !r.error().message().empty());
    return 0;
  }
  const NamespaceConfig &c = r.value();
  if (c.uplink.subnet)
    FUZZ_CHECK(c.uplink.subnet->addr.family == AF_INET && (c.uplink.subnet->len == 30 || c.uplink.subnet->len == 31) &&
               !c.uplink.subnet->overlaps(c.containers.subnet));
  FUZZ_CHECK(c.containers.subnet.addr.family == AF_INET && c.containers.subnet.len <= 30);
  FUZZ_CHECK(c.vpn.config.empty() || c.vpn.config.front() == '/');
  FUZZ_CHECK(c.vpn.type == VpnType::none || !c.vpn.config.empty());
  for (const auto &e : c.vpn.endpoints) FUZZ_CHECK(e.port != 0);
  const auto patterns = c.tunnel_patterns(NetnsName::parse("fuzz").value());
  FUZZ_CHECK(!patterns.empty());
  for (const auto &p : patterns) FUZZ_CHECK(IfPattern::parse(p.str()).ok());
  return 0;
}
