// Programs vpnrun starts and outlives: the VPN clients. A process is known by
// its pid and its start time (/proc/PID/stat), so a recycled pid is never
// mistaken for it; it is signalled through a pidfd, never by a bare pid.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "vpnrun/error.hpp"

namespace vpnrun {

struct ProcessId {
  pid_t pid = 0;
  unsigned long long start = 0;  // clock ticks after boot, field 22 of /proc/PID/stat
  std::string str() const;       // "PID:START", as the journal keeps it
  static Result<ProcessId> parse(const std::string &s);
  bool operator==(const ProcessId &) const = default;
};

// The start time of `pid`, or ENOENT (ESRCH) when there is no such process.
Result<unsigned long long> process_start_time(pid_t pid);

// Start argv[0] (looked up in a fixed system PATH) as a daemon: a new session,
// reparented away from the caller, stdin from /dev/null, stdout and stderr
// appended to `log`, only the environment `env`, and, when `netns_fd` >= 0,
// inside that network namespace. Returns once exec succeeded; an exec failure
// comes back as the error.
//
// `record` is called with the daemon's id before the daemon may exec: it
// waits for a go-ahead on a pipe, and exits without running anything if the
// caller dies first (SIGKILL) or `record` fails. So a daemon never runs that
// the caller has not recorded (in a journal, say).
using RecordProcess = std::function<Status(const ProcessId &)>;
Result<ProcessId> spawn_daemon(const std::vector<std::string> &argv,
                               const std::vector<std::string> &env, int netns_fd,
                               const std::string &log, const RecordProcess &record);

// Run argv to completion (same PATH and namespace rules, output to `log` or
// inherited when empty). Returns an error unless it exits 0.
Status run_program(const std::vector<std::string> &argv, int netns_fd, const std::string &log);

bool process_alive(const ProcessId &p);

// SIGTERM, then SIGKILL after `grace`; returns when the process is gone.
// A process that is already gone (or whose pid now belongs to another) is done.
Status process_stop(const ProcessId &p, std::chrono::milliseconds grace);

// The file's full path when it is an executable in the system PATH.
std::optional<std::string> find_program(const std::string &name);

}  // namespace vpnrun
