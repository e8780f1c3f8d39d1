// Shared by the fuzz targets: a property that does not hold is a crash, with
// the input's text where it is text.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace vpnrun::fuzz {

[[noreturn]] inline void violated(const char *what, const char *file, int line) {
  std::fprintf(stderr, "%s:%d: property violated: %s\n", file, line, what);
  std::abort();
}

inline std::string_view text(const uint8_t *data, size_t size) {
  return {reinterpret_cast<const char *>(data), size};
}

// An absolute path with no empty, ".." or trailing component, no NUL: what
// the OCI parsers promise of the paths they return.
inline bool clean_path(const std::string &p) {
  if (p.empty() || p.front() != '/' || p.find('\0') != std::string::npos) return false;
  if (p == "/") return true;
  return p.back() != '/' && p.find("//") == std::string::npos && (p + "/").find("/../") == std::string::npos;
}

}  // namespace vpnrun::fuzz

#define FUZZ_CHECK(cond) \
  do {                   \
    if (!(cond)) ::vpnrun::fuzz::violated(#cond, __FILE__, __LINE__); \
  } while (0)
