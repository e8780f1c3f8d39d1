// Validated names. Untrusted strings become these types at the edge, or are refused.
#pragma once
#include <string>
#include <string_view>

#include "vpnrun/error.hpp"

namespace vpnrun {

// A VPN namespace name: 1-15 of [A-Za-z0-9_.-], starting with a letter or digit.
// It names /run/netns/NAME, /etc/vpnrun/NAME.toml, /etc/netns/NAME and nft tables,
// so it must be a single safe path component and an nft identifier suffix.
class NetnsName {
 public:
  static Result<NetnsName> parse(std::string_view s);
  const std::string &str() const { return s_; }
  bool operator==(const NetnsName &) const = default;

 private:
  explicit NetnsName(std::string s) : s_(std::move(s)) {}
  std::string s_;
};

// A network interface name as the kernel accepts it (dev_valid_name), minus
// characters that would need quoting anywhere: 1-15 of [A-Za-z0-9_.-@+].
class IfName {
 public:
  static Result<IfName> parse(std::string_view s);
  const std::string &str() const { return s_; }
  bool operator==(const IfName &) const = default;

 private:
  explicit IfName(std::string s) : s_(std::move(s)) {}
  std::string s_;
};

// An interface name, or a prefix followed by '*' ("wg*"), as nftables matches it.
class IfPattern {
 public:
  static Result<IfPattern> parse(std::string_view s);
  const std::string &str() const { return s_; }
  bool matches(std::string_view ifname) const;
  bool operator==(const IfPattern &) const = default;

 private:
  explicit IfPattern(std::string s) : s_(std::move(s)) {}
  std::string s_;
};

inline constexpr size_t kMaxIfNameLen = 15;  // IFNAMSIZ - 1

// An OCI container id, as runtimes accept it (runc: [A-Za-z0-9_+.-]+), at most
// 128 characters and not starting with '.': it names a file under /run/vpnrun.
class ContainerId {
 public:
  static Result<ContainerId> parse(std::string_view s);
  const std::string &str() const { return s_; }
  // The first 12 characters, as `podman ps` shows it: for messages.
  std::string short_id() const { return s_.substr(0, 12); }
  bool operator==(const ContainerId &) const = default;

 private:
  explicit ContainerId(std::string s) : s_(std::move(s)) {}
  std::string s_;
};

inline constexpr size_t kMaxContainerIdLen = 128;

// PREFIX + ID when that fits in an interface name; otherwise PREFIX, the start
// of ID and "+" + 4 hex digits of a hash of all of ID. ID must be made of
// IfName characters other than '+'.
IfName derived_ifname(std::string_view prefix, std::string_view id);

}  // namespace vpnrun
