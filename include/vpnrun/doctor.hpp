// `vpnrun doctor`: what on this host would stop a VPN namespace from working,
// one finding per check, each with its fix. Reads only; the kernel probes run
// in a throwaway network namespace that vanishes with the probe.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vpnrun/names.hpp"

namespace vpnrun {

// fail: something would break; warn: works, with a caveat worth fixing.
enum class Verdict { ok, warn, fail };
const char *to_string(Verdict v);

struct Finding {
  Verdict verdict = Verdict::ok;
  std::string check;   // "kernel", "firewall", "dns", ...
  std::string detail;  // what was found
  std::string fix;     // empty when there is nothing to do
};

// "FAIL  firewall: ...; fix: ..."
std::string format(const Finding &f);

struct DoctorRequest {
  std::optional<NetnsName> name;           // also check this namespace's config and state
  std::string binary = "/proc/self/exe";   // whose privilege form to report
};

// Every check, in a fixed order.
std::vector<Finding> doctor(const DoctorRequest &req);

// The pure parts, exposed for tests.
// Base chains at the forward hook, in tables not vpnrun's, that drop what
// they do not accept (policy drop, or a last rule that drops or rejects
// everything), and whose table has no rule naming a "vr-" interface; from
// `nft -j list ruleset` output.
std::vector<Finding> check_forward_chains(const std::string &ruleset_json);
// A loopback nameserver in the host's resolv.conf (a stub resolver: there is
// none on the namespace's own loopback).
Finding check_host_resolv(std::string_view resolv_conf);
// The OCI hooks.d JSON files in DIRS whose hook.path names a vpnrun-hook: one
// finding each, fail when that program is not there. Podman skips such a hook
// without a word and runs the annotated container outside the VPN.
std::vector<Finding> check_hook_files(const std::vector<std::string> &dirs);

}  // namespace vpnrun
