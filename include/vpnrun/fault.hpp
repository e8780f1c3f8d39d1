// Fault injection for tests: in builds made with VPNRUN_FAULT_INJECTION, the
// step named by the environment variable VPNRUN_FAULT (one step, or several
// separated by commas) fails (or, with VPNRUN_FAULT_MODE=crash, the process
// exits there without rolling back). In every other build fault_point() is an
// empty inline function.
#pragma once
#include "vpnrun/error.hpp"

namespace vpnrun {

#ifdef VPNRUN_FAULT_INJECTION
Status fault_point(const char *step);
#else
inline Status fault_point(const char *) { return {}; }
#endif

}  // namespace vpnrun
