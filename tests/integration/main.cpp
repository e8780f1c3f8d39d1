// Integration tests: real kernel objects, as root, inside tests/sandbox only.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "harness.hpp"

int main(int argc, char **argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const char *sb = std::getenv("VPNRUN_SANDBOX");
  if (getuid() != 0 || !sb || std::strcmp(sb, "1") != 0) {
    std::fprintf(stderr,
                 "vpnrun_integration: must run as root inside the sandbox: "
                 "tests/sandbox --wan %s\n", argv[0]);
    return 1;
  }
  // Load the kernel modules (nf_tables, nat, conntrack, veth) once: they are
  // machine-wide and add sysctls, which is not vpnrun's residue.
  vt::run("up -q warmup");
  vt::run("down -q warmup");
  return RUN_ALL_TESTS();
}
