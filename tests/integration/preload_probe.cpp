// Loaded through LD_PRELOAD by a hostile caller: records, in the file named by
// PRELOAD_LOG, every process it was loaded into. vpnrun, privileged, must not be
// one of them (the loader ignores LD_PRELOAD for setuid and file-cap programs).
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

__attribute__((constructor)) static void loaded() {
  const char *log = std::getenv("PRELOAD_LOG");
  if (!log) return;
  char comm[64] = {0};
  int c = open("/proc/self/comm", O_RDONLY);
  if (c >= 0) {
    ssize_t n = read(c, comm, sizeof comm - 1);
    if (n > 0 && comm[n - 1] == '\n') comm[n - 1] = 0;
    close(c);
  }
  int fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0666);
  if (fd < 0) return;
  char line[128];
  int len = std::snprintf(line, sizeof line, "%s euid=%d\n", comm, static_cast<int>(geteuid()));
  (void)!write(fd, line, static_cast<size_t>(len));
  close(fd);
}
