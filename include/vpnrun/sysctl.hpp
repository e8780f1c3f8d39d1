// Network sysctls of the namespace the caller is in (/proc/sys/net is per
// namespace). Keys are paths below /proc/sys/net: "ipv4/conf/eth0/forwarding".
#pragma once
#include <string>

#include "vpnrun/error.hpp"

namespace vpnrun {

Status sysctl_check_key(const std::string &key);
Result<std::string> sysctl_read(const std::string &key);  // value without the newline
Status sysctl_write(const std::string &key, const std::string &value);

}  // namespace vpnrun
