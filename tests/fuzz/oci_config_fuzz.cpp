// parse_oci_config: the bundle's config.json, for the container's root and the
// file bind-mounted on /etc/resolv.conf.
#include <string>

#include "fuzz.hpp"
#include "vpnrun/oci.hpp"

using namespace vpnrun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto r = parse_oci_config(fuzz::text(data, size), "/run/containers/fuzz/userdata");
  if (!r) {
    FUZZ_CHECK(!r.error().message().empty());
    return 0;
  }
  FUZZ_CHECK(fuzz::clean_path(r->root));
  FUZZ_CHECK(!r->resolv_source || fuzz::clean_path(*r->resolv_source));
  return 0;
}
