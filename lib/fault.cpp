#include "vpnrun/fault.hpp"

#ifdef VPNRUN_FAULT_INJECTION
#include <cstdlib>
#include <cstring>

namespace vpnrun {

Status fault_point(const char *step) {
  const char *want = std::getenv("VPNRUN_FAULT");
  if (want && std::strcmp(want, step) == 0)
    return make_error("injected fault", step, EIO);
  return {};
}

}  // namespace vpnrun
#endif
