// probe: run inside the namespace by the launcher tests; prints what one
// operation returned, so a test can tell the seccomp filter's EPERM from the
// kernel's own answer (which differs: ENOTTY, EBADF, success, ...). Also put
// in vpnrun-admin's place, where `status` prints the privilege it got.
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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
  return 2;
}
