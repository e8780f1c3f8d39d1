// vpnrun-hook: the OCI hook. Not implemented yet (see the container-hook issue);
// it refuses loudly rather than let a container start unprotected.
#include <cstdio>

int main() {
  std::fprintf(stderr, "vpnrun-hook: not implemented yet; refusing (no container is wired)\n");
  return 1;
}
