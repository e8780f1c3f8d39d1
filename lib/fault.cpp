#include "vpnrun/fault.hpp"

#ifdef VPNRUN_FAULT_INJECTION
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace vpnrun {

// VPNRUN_FAULT=STEP makes STEP fail; with VPNRUN_FAULT_MODE=crash the process
// dies there instead (no rollback), as after a SIGKILL or power loss.
Status fault_point(const char *step) {
  const char *want = std::getenv("VPNRUN_FAULT");
  if (!want || std::strcmp(want, step) != 0) return {};
  const char *mode = std::getenv("VPNRUN_FAULT_MODE");
  if (mode && std::strcmp(mode, "crash") == 0) ::_exit(99);
  return make_error("injected fault", step, EIO);
}

}  // namespace vpnrun
#endif
