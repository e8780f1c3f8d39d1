// parse_address: RTM_NEWADDR replies.
#include "netlink_fuzz.hpp"

using namespace vpnrun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::netlink_batch(data, size, parse_address, [](const Address &a) {
    const IpNet &n = a.local;
    FUZZ_CHECK((n.addr.family == AF_INET || n.addr.family == AF_INET6) && n.len <= n.addr.size() * 8);
    auto again = IpNet::parse_interface(n.str());
    FUZZ_CHECK(again.ok() && again.value() == n);
  });
  return 0;
}
