#include "vpnrun/sysctl.hpp"

#include <fcntl.h>

#include "vpnrun/fd.hpp"

namespace vpnrun {

namespace {
std::string full(const std::string &key) { return "/proc/sys/net/" + key; }
}  // namespace

Status sysctl_check_key(const std::string &key) {
  if (key.empty() || key.front() == '/' || key.back() == '/')
    return make_error("sysctl", key, "bad key");
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string::npos) end = key.size();
    std::string part = key.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return make_error("sysctl", key, "bad key");
    for (char c : part)
      if (c <= ' ' || c == 0x7f) return make_error("sysctl", key, "bad key");
    start = end + 1;
  }
  return {};
}

Result<std::string> sysctl_read(const std::string &key) {
  VR_TRY(sysctl_check_key(key));
  VR_ASSIGN(UniqueFd fd, open_at(AT_FDCWD, full(key), O_RDONLY | O_NOFOLLOW));
  VR_ASSIGN(std::string v, read_all(fd.get(), full(key)));
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v;
}

Status sysctl_write(const std::string &key, const std::string &value) {
  VR_TRY(sysctl_check_key(key));
  VR_ASSIGN(UniqueFd fd, open_at(AT_FDCWD, full(key), O_WRONLY | O_NOFOLLOW));
  return write_all(fd.get(), value + "\n", full(key));
}

}  // namespace vpnrun
