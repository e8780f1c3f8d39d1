// The sanitizers' settings, linked into every executable of a VPNRUN_SANITIZE
// build. They are built in rather than taken from ASAN_OPTIONS because the
// runtime reads the environment from /proc/self/environ, which a
// file-capability program (non-dumpable, so owned by root) cannot open; the
// environment can still add to them where it is readable. No suppressions.
// This file is not instrumented: the runtime calls it while it starts, before
// its shadow memory and interceptors are ready.
//
// exitcode=86: a report is never mistaken for one of vpnrun's own exit
// statuses (1, 125, 126, 127) or a fault-injection crash (99); the integration
// harness also fails any command that exits 86 or prints a report, even where
// the command was meant to fail.
//
// One exception, decided at start: LeakSanitizer is off in a setuid-root
// program run by another user (real uid not its effective uid at exec).
// LeakSanitizer stops the process at exit by attaching to it with ptrace
// from a helper task, and the kernel refuses that attach while the saved uid
// is root and the real uid is the caller's (vpnrun's setuid form until it
// drops privilege for good, and at every refusal, which exits before that).
// Every other check stays on there, and the same code runs with leak checking
// in the root and file-capability forms.
#include <sys/auxv.h>

extern "C" {

__attribute__((used, visibility("default"))) const char *__asan_default_options() {
#define VPNRUN_ASAN_COMMON                                                                        \
  "halt_on_error=1:abort_on_error=0:exitcode=86:detect_stack_use_after_return=1:"                \
  "check_initialization_order=1:strict_init_order=1:strict_string_checks=1:print_summary=1:"
  // The uids the kernel passed at exec (the saved uid is the effective one
  // then): no system call, which a test of vpnrun's first steps would see.
  if (getauxval(AT_UID) != getauxval(AT_EUID)) return VPNRUN_ASAN_COMMON "detect_leaks=0";
  return VPNRUN_ASAN_COMMON "detect_leaks=1";
#undef VPNRUN_ASAN_COMMON
}

__attribute__((used, visibility("default"))) const char *__ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1:exitcode=86";
}

__attribute__((used, visibility("default"))) const char *__lsan_default_options() {
  return "exitcode=86";
}

}  // extern "C"
