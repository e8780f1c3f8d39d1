#include "vpnrun/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "vpnrun/fd.hpp"

namespace vpnrun {

namespace {
constexpr const char *kSystemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
int pidfd_signal(int fd, int sig) { return static_cast<int>(::syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0)); }

// In a forked child: nothing of the parent's but what the program must have.
[[noreturn]] void exec_child(const std::vector<std::string> &argv, const std::vector<std::string> &env,
                             int netns_fd, const std::string &log, int report) {
  auto die = [&](int err) {
    (void)!::write(report, &err, sizeof err);
    ::_exit(127);
  };
  if (netns_fd >= 0 && ::setns(netns_fd, CLONE_NEWNET) < 0) die(errno);
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (in < 0 || ::dup2(in, 0) < 0) die(errno);
  if (!log.empty()) {
    int out = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (out < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) die(errno);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int s = 1; s < NSIG; ++s) ::signal(s, SIG_DFL);
  if (::chdir("/") < 0) die(errno);
  auto path = find_program(argv[0]);
  if (!path) die(ENOENT);
  std::vector<char *> a, e;
  for (const auto &s : argv) a.push_back(const_cast<char *>(s.c_str()));
  for (const auto &s : env) e.push_back(const_cast<char *>(s.c_str()));
  a.push_back(nullptr);
  e.push_back(nullptr);
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  ::execve(path->c_str(), a.data(), e.data());
  die(errno);
  __builtin_unreachable();
}

// Read the child's report: EOF means exec succeeded.
Status exec_report(int fd, const std::string &program) {
  int err = 0;
  ssize_t n;
  do n = ::read(fd, &err, sizeof err);
  while (n < 0 && errno == EINTR);
  if (n == sizeof err) {
    if (err == ENOENT) return make_error("start", program, "not found in " + std::string(kSystemPath));
    return make_error("start", program, err);
  }
  return {};
}

}  // namespace

std::string ProcessId::str() const { return std::to_string(pid) + ":" + std::to_string(start); }

Result<ProcessId> ProcessId::parse(const std::string &s) {
  auto colon = s.find(':');
  auto digits = [](const std::string &t) {
    return !t.empty() && t.size() < 20 && t.find_first_not_of("0123456789") == std::string::npos;
  };
  if (colon == std::string::npos || !digits(s.substr(0, colon)) || !digits(s.substr(colon + 1)))
    return make_error("parse process id", s, "expected PID:START");
  ProcessId p{static_cast<pid_t>(std::stol(s.substr(0, colon))), std::stoull(s.substr(colon + 1))};
  if (p.pid <= 1) return make_error("parse process id", s, "bad pid");
  return p;
}

namespace {
struct StatFields {
  char state = '?';
  unsigned long long start = 0;
};

Result<StatFields> read_stat(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  VR_ASSIGN(UniqueFd fd, open_at(AT_FDCWD, path, O_RDONLY));
  VR_ASSIGN(std::string stat, read_all(fd.get(), path));
  // "PID (COMM) STATE ..." where COMM may hold spaces and parentheses: fields
  // are counted after the last ')'. state is field 3, starttime field 22.
  auto close = stat.rfind(')');
  if (close == std::string::npos) return make_error("parse", path, "no ')'");
  StatFields f;
  size_t pos = close + 1;
  for (int field = 3; field <= 22; ++field) {
    pos = stat.find_first_not_of(' ', pos);
    if (pos == std::string::npos) return make_error("parse", path, "too few fields");
    size_t end = stat.find(' ', pos);
    if (field == 3) f.state = stat[pos];
    if (field == 22) {
      f.start = std::stoull(stat.substr(pos, end - pos));
      return f;
    }
    pos = end;
  }
  return make_error("parse", path, "too few fields");
}
}  // namespace

Result<unsigned long long> process_start_time(pid_t pid) {
  VR_ASSIGN(StatFields f, read_stat(pid));
  return f.start;
}

std::optional<std::string> find_program(const std::string &name) {
  if (name.find('/') != std::string::npos)
    return ::access(name.c_str(), X_OK) == 0 ? std::optional(name) : std::nullopt;
  std::string dirs = kSystemPath;
  for (size_t start = 0; start <= dirs.size();) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string p = dirs.substr(start, end - start) + "/" + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
    start = end + 1;
  }
  return std::nullopt;
}

Result<ProcessId> spawn_daemon(const std::vector<std::string> &argv,
                               const std::vector<std::string> &env, int netns_fd,
                               const std::string &log, const RecordProcess &record) {
  int p[2], g[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return errno_error("pipe", argv[0]);
  UniqueFd rd(p[0]), wr(p[1]);
  if (::pipe2(g, O_CLOEXEC) < 0) return errno_error("pipe", argv[0]);
  UniqueFd go_rd(g[0]), go_wr(g[1]);
  pid_t mid = ::fork();
  if (mid < 0) return errno_error("fork", argv[0]);
  if (mid == 0) {
    // The middle child: a new session, then the daemon, then gone, so that
    // the daemon is nobody's child here and never a zombie of ours.
    ::setsid();
    go_wr.reset();
    pid_t d = ::fork();
    if (d < 0) ::_exit(1);
    if (d == 0) {
      // Only once the caller has recorded us: EOF means it died or gave up.
      char go = 0;
      ssize_t n;
      do n = ::read(go_rd.get(), &go, 1);
      while (n < 0 && errno == EINTR);
      if (n != 1) ::_exit(0);
      exec_child(argv, env, netns_fd, log, wr.get());
    }
    (void)!::write(wr.get(), &d, sizeof d);
    ::_exit(0);
  }
  wr.reset();
  go_rd.reset();
  int status = 0;
  while (::waitpid(mid, &status, 0) < 0 && errno == EINTR) {}
  pid_t daemon = 0;
  if (::read(rd.get(), &daemon, sizeof daemon) != sizeof daemon || daemon <= 0)
    return make_error("start", argv[0], "could not fork");
  // The start time does not change at exec.
  auto start = process_start_time(daemon);
  if (!start) return make_error("start", argv[0], "could not fork");
  const ProcessId id{daemon, start.value()};
  VR_TRY(record(id));
  if (::write(go_wr.get(), "g", 1) != 1) return errno_error("start", argv[0]);
  go_wr.reset();
  VR_TRY(exec_report(rd.get(), argv[0]));
  if (!process_alive(id)) return make_error("start", argv[0], "exited at once" + (log.empty() ? "" : "; see " + log));
  return id;
}

Status run_program(const std::vector<std::string> &argv, int netns_fd, const std::string &log) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return errno_error("pipe", argv[0]);
  UniqueFd rd(p[0]), wr(p[1]);
  pid_t pid = ::fork();
  if (pid < 0) return errno_error("fork", argv[0]);
  if (pid == 0) exec_child(argv, {"PATH=" + std::string(kSystemPath)}, netns_fd, log, wr.get());
  wr.reset();
  Status exec = exec_report(rd.get(), argv[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  VR_TRY(exec);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  std::string how = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                      : "killed by signal " + std::to_string(WTERMSIG(status));
  return make_error("run", argv[0], how + (log.empty() ? "" : "; see " + log));
}

bool process_alive(const ProcessId &p) {
  // A zombie has exited: its parent (not vpnrun) has not reaped it yet.
  auto s = read_stat(p.pid);
  return s && s->start == p.start && s->state != 'Z' && s->state != 'X';
}

Status process_stop(const ProcessId &p, std::chrono::milliseconds grace) {
  UniqueFd fd(pidfd_open(p.pid));
  if (!fd.valid()) return errno == ESRCH ? Status() : errno_error("pidfd_open", std::to_string(p.pid));
  // The pidfd pins the process; now check it is still the one we started.
  auto s = process_start_time(p.pid);
  if (!s || s.value() != p.start) return {};
  for (auto [sig, wait] : {std::pair{SIGTERM, grace}, std::pair{SIGKILL, std::chrono::milliseconds(5000)}}) {
    if (pidfd_signal(fd.get(), sig) < 0) {
      if (errno == ESRCH) return {};
      return errno_error("signal", "process " + std::to_string(p.pid));
    }
    pollfd pfd{fd.get(), POLLIN, 0};
    int r;
    do r = ::poll(&pfd, 1, static_cast<int>(wait.count()));
    while (r < 0 && errno == EINTR);
    if (r > 0) return {};
  }
  return make_error("stop", "process " + std::to_string(p.pid), "still running after SIGKILL");
}

}  // namespace vpnrun
