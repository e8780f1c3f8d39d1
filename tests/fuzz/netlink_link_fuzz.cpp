// parse_link: RTM_NEWLINK replies.
#include "netlink_fuzz.hpp"

using namespace vpnrun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::netlink_batch(data, size, parse_link, [](const Link &l) {
    FUZZ_CHECK(l.name.find('\0') == std::string::npos && l.kind.find('\0') == std::string::npos);
    (void)l.up();
  });
  return 0;
}
