#include "vpnrun/fault.hpp"

#ifdef VPNRUN_FAULT_INJECTION
#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace vpnrun {

namespace {
// VPNRUN_FAULT is one step or a comma-separated list of steps.
bool wanted(const char *list, std::string_view step) {
  std::string_view l(list);
  for (size_t start = 0; start <= l.size();) {
    size_t end = l.find(',', start);
    if (end == std::string_view::npos) end = l.size();
    if (l.substr(start, end - start) == step) return true;
    start = end + 1;
  }
  return false;
}
}  // namespace

// VPNRUN_FAULT=STEP makes STEP fail; with VPNRUN_FAULT_MODE=crash the process
// dies there instead (no rollback), as after a SIGKILL or power loss.
Status fault_point(const char *step) {
  const char *want = std::getenv("VPNRUN_FAULT");
  if (!want || !wanted(want, step)) return {};
  const char *mode = std::getenv("VPNRUN_FAULT_MODE");
  if (mode && std::string_view(mode) == "crash") ::_exit(99);
  return make_error("injected fault", step, EIO);
}

}  // namespace vpnrun
#endif
