// Addresses, prefixes and endpoints: IpAddr, IpNet, IpNet::parse_interface,
// Endpoint. What parses prints back to the same value.
#include "fuzz.hpp"
#include "vpnrun/addr.hpp"

using namespace vpnrun;

namespace {

void one(std::string_view s) {
  if (auto a = IpAddr::parse(s)) {
    FUZZ_CHECK(a->family == AF_INET || a->family == AF_INET6);
    auto again = IpAddr::parse(a->str());
    FUZZ_CHECK(again.ok() && again.value() == a.value());
  }
  auto net = IpNet::parse(s);
  auto ifa = IpNet::parse_interface(s);
  if (net) {
    FUZZ_CHECK(net->len <= net->addr.size() * 8 && net->contains(net->addr) && net->overlaps(*net));
    auto again = IpNet::parse(net->str());
    FUZZ_CHECK(again.ok() && again.value() == net.value());
    // A prefix without host bits is also a valid interface address.
    FUZZ_CHECK(ifa.ok() && ifa.value() == net.value());
  }
  if (ifa) {
    FUZZ_CHECK(ifa->len <= ifa->addr.size() * 8 && ifa->contains(ifa->addr));
    auto again = IpNet::parse_interface(ifa->str());
    FUZZ_CHECK(again.ok() && again.value() == ifa.value());
  }
  if (auto e = Endpoint::parse(s)) {
    FUZZ_CHECK(e->port != 0);
    auto again = Endpoint::parse(e->str());
    FUZZ_CHECK(again.ok() && again.value() == e.value());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view s = fuzz::text(data, size);
  one(s);
  // Two prefixes separated by a space: overlap is symmetric.
  if (auto sp = s.find(' '); sp != std::string_view::npos) {
    auto a = IpNet::parse_interface(s.substr(0, sp)), b = IpNet::parse_interface(s.substr(sp + 1));
    if (a && b) FUZZ_CHECK(a->overlaps(*b) == b->overlaps(*a));
  }
  return 0;
}
