// parse_route: RTM_NEWROUTE replies.
#include "netlink_fuzz.hpp"

using namespace vpnrun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::netlink_batch(data, size, parse_route, [](const Route &r) {
    const int fam = r.dst.addr.family;
    FUZZ_CHECK((fam == AF_INET || fam == AF_INET6) && r.dst.len <= r.dst.addr.size() * 8);
    FUZZ_CHECK(!r.gateway || r.gateway->family == fam);
    auto again = IpNet::parse_interface(r.dst.str());
    FUZZ_CHECK(again.ok() && again.value() == r.dst);
  });
  return 0;
}
