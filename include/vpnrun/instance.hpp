// Single-instance programs (Firefox, Chromium, qBittorrent, tmux, ...) hand a
// new window to an instance already running. Started through vpnrun while one
// runs outside the namespace, the new window would belong to that instance and
// bypass the VPN. vpnrun warns, and says how to start a separate instance.
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace vpnrun {

struct InstanceWarning {
  pid_t pid = 0;
  std::string text;  // the whole warning, one line
};

// A process of `uid` running PROGRAM (by basename) outside the network
// namespace `netns_inode`, for a program known to be single-instance or listed
// in `extra` (single_instance in vpnrun.toml).
std::optional<InstanceWarning> outside_instance(const std::string &program, uid_t uid,
                                                ino_t netns_inode, const std::string &ns_name,
                                                const std::vector<std::string> &extra);

}  // namespace vpnrun
