// parse_oci_state: the container state a runtime writes on vpnrun-hook's
// stdin (root runs the hook; the container's owner chooses its id and
// annotations). What parses is what the hook may trust.
#include <climits>
#include <string>

#include "fuzz.hpp"
#include "vpnrun/attach.hpp"
#include "vpnrun/oci.hpp"

using namespace vpnrun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto r = parse_oci_state(fuzz::text(data, size));
  if (!r) {
    FUZZ_CHECK(!r.error().message().empty());
    return 0;
  }
  const OciState &s = r.value();
  FUZZ_CHECK(ContainerId::parse(s.id.str()).ok());
  FUZZ_CHECK(!s.pid || (*s.pid > 0 && *s.pid <= INT_MAX));
  FUZZ_CHECK(s.bundle.empty() || fuzz::clean_path(s.bundle));
  for (const auto &[k, v] : s.annotations) FUZZ_CHECK(s.annotation(k) == v);
  // The names the hook derives from the id are interface names.
  for (unsigned attempt = 0; attempt < 2; ++attempt) {
    const IfName n = container_veth_name(s.id, attempt);
    FUZZ_CHECK(n.str().size() == kMaxIfNameLen && n.str().rfind("vc-", 0) == 0);
  }
  if (auto netns = s.annotation(kNetnsAnnotation)) (void)NetnsName::parse(*netns);
  return 0;
}
