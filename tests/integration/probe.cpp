// probe: run inside the namespace by the launcher tests; prints what one
// operation returned, so a test can tell the seccomp filter's EPERM from the
// kernel's own answer (which differs: ENOTTY, EBADF, success, ...). Also put
// in vpnrun-admin's place, where `status` prints the privilege it got.
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace {

int report(long rc) {
  if (rc < 0) std::printf("%s\n", strerrorname_np(errno));
  else std::printf("ok\n");
  return 0;
}

// i386 getpid through int 0x80, in a child in case the kernel lacks IA32.
int foreign_arch() {
  pid_t pid = fork();
  if (pid == 0) {
    long r;
    asm volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
    if (r == -EPERM) _exit(1);
    _exit(r == getpid() ? 0 : 2);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  if (WIFSIGNALED(st)) std::printf("signal\n");
  else std::printf(WEXITSTATUS(st) == 1 ? "EPERM\n" : WEXITSTATUS(st) == 0 ? "ok\n" : "other\n");
  return 0;
}

std::string first_line(const std::string &path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// The attacker of the ptrace class (bubblewrap CVE-2016-8659): run BIN ARGS
// `trials` times as its own child; stop it with SIGSTOP after a delay that
// grows with each trial, and while it is still vpnrun (not yet the program),
// try everything the kernel checks with ptrace access: attach, /proc/PID/mem,
// /proc/PID/environ, /proc/PID/fd, process_vm_readv. Stopped after the exec,
// the same attempts succeed (the program is the caller's): that is the
// control, proving the attacks work when nothing forbids them.
int stop_attack(int trials, char **cmd) {
  int in_vpnrun = 0, in_program = 0, gained = 0, control_ok = 0;
  for (int t = 0; t < trials; ++t) {
    pid_t pid = fork();
    if (pid == 0) {
      execv(cmd[0], cmd);
      _exit(127);
    }
    // A busy wait: finer than any sleep, 0 .. ~2 ms in steps.
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    long wait_ns = (t % 50) * 40000L;
    do clock_gettime(CLOCK_MONOTONIC, &b);
    while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < wait_ns);
    kill(pid, SIGSTOP);
    int st = 0;
    if (waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st)) {
      const std::string proc = "/proc/" + std::to_string(pid);
      const bool vpnrun = first_line(proc + "/comm").rfind("vpnrun", 0) == 0;
      int ok = 0;
      if (ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) == 0) {
        ++ok;
        ptrace(PTRACE_DETACH, pid, nullptr, nullptr);
      }
      for (const char *f : {"/mem", "/environ"}) {
        int fd = open((proc + f).c_str(), O_RDONLY);
        if (fd >= 0) {
          ++ok;
          close(fd);
        }
      }
      if (DIR *d = opendir((proc + "/fd").c_str())) {
        if (readdir(d)) ++ok;  // EACCES shows on the first read
        closedir(d);
      }
      char buf[8];
      char *target = reinterpret_cast<char *>(0x10000);  // any address: EPERM comes first
      struct iovec local{buf, sizeof buf}, remote{target, sizeof buf};
      if (process_vm_readv(pid, &local, 1, &remote, 1, 0) >= 0 || errno != EPERM) ++ok;
      if (vpnrun) {
        ++in_vpnrun;
        gained += ok;
      } else {
        ++in_program;
        control_ok += ok >= 4;
      }
      kill(pid, SIGCONT);
      waitpid(pid, &st, 0);
    }
  }
  std::printf("stopped-in-vpnrun>0 %d gained %d control %d\n", in_vpnrun > 0, gained, in_program > 0 && control_ok > 0);
  std::fprintf(stderr, "stopped in vpnrun %d, in the program %d (%d fully open)\n", in_vpnrun, in_program, control_ok);
  return 0;
}

// The swapper of the check-and-use races: exchange two names in a loop, as
// fast as the kernel does it (renameat2 RENAME_EXCHANGE, atomic), until killed.
// A failure (EBUSY while one is a mount point) is passed over.
[[noreturn]] void exchange(const char *a, const char *b) {
  for (;;) syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */);
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  std::string op = argv[1];
  char c = 'x';
  if (op == "tiocsti") return report(ioctl(0, TIOCSTI, &c));
  if (op == "tiocsti-high") return report(syscall(SYS_ioctl, 0, 0x100000000UL | TIOCSTI, &c));
  if (op == "tioclinux") return report(ioctl(0, TIOCLINUX, &c));
  if (op == "setns") return report(setns(-1, 0));  // EBADF without the filter
  if (op == "userns-mount") {
    // User namespaces stay allowed (browser sandboxes); mounting inside one,
    // which the kernel would allow, is refused by the filter.
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) return report(-1);
    return report(mount("none", "/tmp", "tmpfs", 0, nullptr));
  }
  if (op == "foreign-arch") return foreign_arch();
  if (op == "fds") {
    DIR *d = opendir("/proc/self/fd");
    std::string out;
    while (dirent *de = readdir(d)) {
      if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d)) continue;
      out += std::string(out.empty() ? "" : " ") + de->d_name;
    }
    closedir(d);
    std::printf("%s\n", out.c_str());
    return 0;
  }
  if (op == "status") {  // in place of vpnrun-admin: what `vpnrun status` hands it
    std::printf("argv0=%s launcher=%s\n", argv[0], getenv("VPNRUN_LAUNCHER") ? getenv("VPNRUN_LAUNCHER") : "");
    FILE *f = fopen("/proc/self/status", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
      if (!strncmp(line, "Uid:", 4) || !strncmp(line, "Gid:", 4) || !strncmp(line, "Cap", 3)) std::fputs(line, stdout);
    if (f) fclose(f);
    return 0;
  }
  if (op == "exec0" && argc >= 3) {  // execve with argc == 0
    char *none[] = {nullptr};
    execve(argv[2], none, environ);
    return report(-1);
  }
  if (op == "exchange" && argc == 4) exchange(argv[2], argv[3]);
  if (op == "stop-attack" && argc >= 4) return stop_attack(atoi(argv[2]), argv + 3);
  return 2;
}
