// vpnrun-hook: the OCI runtime hook that wires a container into a VPN namespace.
//
//   vpnrun-hook create     createRuntime stage (prestart is accepted too)
//   vpnrun-hook teardown   poststop stage
//
// The container state comes as JSON on stdin. Only containers annotated
// io.vpnrun.netns=NAME are touched. Exit 0 when done or when there is nothing
// to do; on failure exit 1 with one line on stderr and the same line in syslog
// (ident vpnrun-hook): the runtime then refuses to start the container, and
// nothing of the attach is left behind. See vpnrun-hook(8).
#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "vpnrun/attach.hpp"
#include "vpnrun/fd.hpp"
#include "vpnrun/oci.hpp"

namespace {

using namespace vpnrun;

enum class Stage { create, teardown };

int fail(const std::string &line) {
  std::fprintf(stderr, "vpnrun-hook: %s\n", line.c_str());
  ::syslog(LOG_ERR, "%s", line.c_str());
  return 1;
}

// Root of the initial user namespace. Rootless Podman runs hooks as "root" in
// a user namespace of its own, which can neither enter the VPN namespace nor
// make its links.
bool initial_root() {
  if (::geteuid() != 0) return false;
  std::ifstream in("/proc/self/uid_map");
  unsigned long inside = 1, outside = 1, count = 0;
  return static_cast<bool>(in >> inside >> outside >> count) && inside == 0 && outside == 0 &&
         count == 4294967295ul;
}

Result<std::string> read_stdin() {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("read", "stdin");
    }
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMaxOciJson) return make_error("read", "stdin", "OCI state larger than 4 MiB");
  }
}

int run(Stage stage, const char *stage_name) {
  const std::string prefix = stage_name;
  auto text = read_stdin();
  if (!text) return fail(prefix + ": " + text.error().message());
  auto state = parse_oci_state(text.value());
  if (!state) return fail(prefix + ": " + state.error().message());
  const std::string who = prefix + " " + state->id.short_id();
  auto want = state->annotation(kNetnsAnnotation);
  if (!want) return 0;  // not ours: nothing changed
  auto name = NetnsName::parse(*want);
  if (!name) return fail(who + ": annotation " + kNetnsAnnotation + ": " + name.error().message());
  const std::string where = who + " (" + name->str() + ")";

  if (!initial_root()) {
    // Nothing was attached, so there is nothing to tear down.
    if (stage == Stage::teardown) return 0;
    return fail(where + ": rootless containers are not supported: the hook needs root in the "
                "initial user namespace (use rootful podman, or remove the " + kNetnsAnnotation +
                " annotation)");
  }

  if (stage == Stage::teardown) {
    auto d = detach(name.value(), state->id);
    if (!d) return fail(where + ": " + d.error().message());
    if (d->was_attached) ::syslog(LOG_INFO, "%s: detached", where.c_str());
    return 0;
  }
  if (!state->pid) return fail(where + ": the runtime gave no pid; use the createRuntime stage");
  AttachRequest req{name.value(), state->id, *state->pid, state->bundle,
                    state->annotation("io.kubernetes.cri-o.SandboxID")};
  auto a = attach(req);
  if (!a) return fail(where + ": " + a.error().message());
  if (!a->already)
    ::syslog(LOG_INFO, "%s: attached as %s via %s", where.c_str(), a->address.str().c_str(), a->link.c_str());
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  ::openlog("vpnrun-hook", LOG_PID, LOG_DAEMON);
  const char *arg = argc == 2 ? argv[1] : "";
  if (!std::strcmp(arg, "create") || !std::strcmp(arg, "createRuntime") || !std::strcmp(arg, "prestart"))
    return run(Stage::create, "create");
  if (!std::strcmp(arg, "teardown") || !std::strcmp(arg, "poststop")) return run(Stage::teardown, "teardown");
  return fail("usage: vpnrun-hook create|teardown < OCI-STATE-JSON");
}
