// The launcher's seccomp filter: the BPF program built into vpnrun is the
// policy as libseccomp compiles it now, and loaded, it refuses what the policy
// refuses. The launcher tests (tests/integration) check the same from the
// program's side, foreign architectures included.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "vpnrun/privilege.hpp"
#include "vpnrun/seccomp_policy.hpp"

namespace vpnrun {
namespace {

TEST(SeccompFilter, BuiltInProgramIsThePolicyAsLibseccompCompilesIt) {
  auto policy = launch_policy_bpf();
  ASSERT_TRUE(policy.ok()) << policy.error().message();
  EXPECT_FALSE(policy->empty());
  EXPECT_EQ(policy.value(), std::string(seccomp_filter_program()))
      << "the filter built into vpnrun is stale: rebuild (lib/seccomp_gen.cpp)";
}

// errno of a call that must fail; 0 if it succeeded.
int err_of(long rc) { return rc < 0 ? errno : 0; }

int check(const char *what, int got, int want) {
  if (got == want) return 0;
  std::fprintf(stderr, "%s: errno %d, expected %d\n", what, got, want);
  return 1;
}

// In a child (EXPECT_EXIT forks): the same calls before and after loading.
[[noreturn]] void probe_before_and_after_loading() {
  int bad = 0;
  int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const unsigned long tiocsti_high = 0x100000000UL | TIOCSTI;
  // Before: the kernel's own answers.
  bad |= check("setns before", err_of(::setns(-1, CLONE_NEWNET)), EBADF);
  bad |= check("TIOCSTI before", err_of(::ioctl(null, TIOCSTI, "x")), ENOTTY);
  bad |= check("TIOCSTI|high bits before", err_of(::ioctl(null, tiocsti_high, "x")), ENOTTY);
  if (auto s = set_no_new_privs(); !s) bad |= check(s.error().message().c_str(), 1, 0);
  if (auto s = load_seccomp_filter(); !s) bad |= check(s.error().message().c_str(), 1, 0);
  // After: refused by the filter; other calls untouched.
  bad |= check("setns", err_of(::setns(-1, CLONE_NEWNET)), EPERM);
  bad |= check("TIOCSTI", err_of(::ioctl(null, TIOCSTI, "x")), EPERM);
  bad |= check("TIOCSTI|high bits", err_of(::ioctl(null, tiocsti_high, "x")), EPERM);
  bad |= check("TIOCLINUX", err_of(::ioctl(null, TIOCLINUX, "x")), EPERM);
  bad |= check("umount2", err_of(::umount2("/nonexistent-vpnrun-test", 0)), EPERM);
  bad |= check("fsopen", err_of(::syscall(SYS_fsopen, "tmpfs", 0)), EPERM);
  bad |= check("init_module", err_of(::syscall(SYS_init_module, nullptr, 0, "")), EPERM);
  bad |= check("TCGETS (allowed)", err_of(::ioctl(null, TCGETS, nullptr)), ENOTTY);
  bad |= check("getpid (allowed)", err_of(::getpid()), 0);
  std::_Exit(bad);
}

TEST(SeccompFilter, LoadedItRefusesWhatThePolicyRefuses) {
  EXPECT_EXIT(probe_before_and_after_loading(), testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace vpnrun
