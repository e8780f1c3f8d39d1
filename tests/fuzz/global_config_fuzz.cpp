// parse_global_config: /etc/vpnrun/vpnrun.toml.
#include "fuzz.hpp"
#include "vpnrun/config.hpp"

using namespace vpnrun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto r = parse_global_config(fuzz::text(data, size), "/etc/vpnrun/vpnrun.toml");
  if (!r) {
    FUZZ_CHECK(r.error().op == "parse config" && !r.error().message().empty());
    return 0;
  }
  FUZZ_CHECK(NetnsName::parse(r->default_netns).ok());
  for (const auto &prog : r->single_instance)
    FUZZ_CHECK(!prog.empty() && prog.find('/') == std::string::npos);
  return 0;
}
