// OCI runtime hooks: the container state a runtime writes on the hook's stdin,
// and the little the hook needs from the bundle's config.json. Runtimes differ
// (runc, crun, Podman, CRI-O): unknown keys are ignored, `bundle` and the older
// `bundlePath` are both accepted, `pid` is optional (poststop has none) and
// `status` is never relied on.
#pragma once
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "vpnrun/error.hpp"
#include "vpnrun/names.hpp"

namespace vpnrun {

// The annotation that asks for a VPN namespace: io.vpnrun.netns=NAME.
inline constexpr const char *kNetnsAnnotation = "io.vpnrun.netns";
// At most this much is read from stdin or from config.json.
inline constexpr size_t kMaxOciJson = 4 << 20;

struct OciState {
  ContainerId id;
  std::optional<pid_t> pid;  // absent, 0 or negative: not running
  std::string bundle;        // absolute path; empty when the runtime gave none
  std::map<std::string, std::string> annotations;  // string values only

  // The annotation's value, if present.
  std::optional<std::string> annotation(const std::string &key) const;
};

Result<OciState> parse_oci_state(std::string_view json);

// From config.json: where the container's root file system is, and which file
// (if any) the runtime bind-mounts on /etc/resolv.conf.
struct OciBundle {
  std::string root;                         // absolute (relative paths resolved against the bundle)
  std::optional<std::string> resolv_source;  // absolute
};

Result<OciBundle> parse_oci_config(std::string_view json, const std::string &bundle);
// Read BUNDLE/config.json (a regular file, not a link) and parse it.
Result<OciBundle> load_oci_config(const std::string &bundle);

}  // namespace vpnrun
