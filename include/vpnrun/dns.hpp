// The namespace's name-resolution files under /etc/netns/NAME/, which
// `ip netns exec` and `vpnrun` bind over /etc inside the namespace.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "vpnrun/addr.hpp"
#include "vpnrun/names.hpp"

namespace vpnrun {

inline constexpr const char *kEtcNetnsDir = "/etc/netns";
inline constexpr const char *kDnsFiles[] = {"resolv.conf", "nsswitch.conf", "hosts"};

std::string etc_netns_dir(const NetnsName &name);

std::string resolv_conf(const NetnsName &name, const std::vector<IpAddr> &servers);
// The servers of "nameserver ADDRESS" lines (others, and bad addresses, are skipped).
std::vector<IpAddr> parse_nameservers(std::string_view resolv);
// The resolv.conf vpnrun-hook gives a container attached to the namespace.
std::string container_resolv_conf(const NetnsName &name, const std::vector<IpAddr> &servers);
// The host's nsswitch.conf with its `hosts:` line replaced by `hosts: files dns`:
// other databases (passwd, group, ...) resolve as on the host, but host names go
// only to the namespace's DNS, never to host daemons (resolved, mdns, myhostname).
std::string nsswitch_conf(std::string_view host_nsswitch);
std::string hosts_file();

// The content for one of kDnsFiles.
std::string dns_file_content(const std::string &file, const NetnsName &name,
                             const std::vector<IpAddr> &servers, std::string_view host_nsswitch);

}  // namespace vpnrun
