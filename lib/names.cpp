#include "vpnrun/names.hpp"

#include <cstdio>

namespace vpnrun {
namespace {

bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Printable form of an untrusted string for error messages: no control characters.
std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s.substr(0, 64)) {
    if (c < 0x20 || c == 0x7f || c >= 0x80) {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > 64) out += "...";
  return out;
}

Status check_chars(std::string_view s, std::string_view what, std::string_view extra) {
  if (s.empty()) return make_error("parse " + std::string(what), "", "empty name");
  if (s.size() > kMaxIfNameLen)
    return make_error("parse " + std::string(what), printable(s),
                      "longer than 15 characters");
  for (char c : s) {
    if (!alnum(c) && extra.find(c) == std::string_view::npos)
      return make_error("parse " + std::string(what), printable(s),
                        "may contain only letters, digits and '" + std::string(extra) + "'");
  }
  return {};
}

}  // namespace

Result<NetnsName> NetnsName::parse(std::string_view s) {
  VR_TRY(check_chars(s, "namespace name", "_.-"));
  if (!alnum(s.front()))
    return make_error("parse namespace name", printable(s),
                      "must start with a letter or a digit");
  if (s == "vpnrun")
    return make_error("parse namespace name", printable(s),
                      "reserved: /etc/vpnrun/vpnrun.toml is vpnrun's own config");
  return NetnsName(std::string(s));
}

Result<IfName> IfName::parse(std::string_view s) {
  VR_TRY(check_chars(s, "interface name", "_.-@+"));
  if (s == "." || s == "..")
    return make_error("parse interface name", printable(s), "not a valid interface name");
  return IfName(std::string(s));
}

Result<IfPattern> IfPattern::parse(std::string_view s) {
  std::string_view base = s;
  if (!s.empty() && s.back() == '*') base.remove_suffix(1);
  if (base.empty()) return make_error("parse interface pattern", printable(s), "empty prefix");
  VR_TRY(check_chars(base, "interface pattern", "_.-@+"));
  if (s == "." || s == "..") return make_error("parse interface pattern", printable(s), "not a valid interface name");
  return IfPattern(std::string(s));
}

bool IfPattern::matches(std::string_view ifname) const {
  if (!s_.empty() && s_.back() == '*')
    return ifname.substr(0, s_.size() - 1) == std::string_view(s_).substr(0, s_.size() - 1);
  return ifname == s_;
}

Result<ContainerId> ContainerId::parse(std::string_view s) {
  if (s.empty()) return make_error("parse container id", "", "empty id");
  if (s.size() > kMaxContainerIdLen)
    return make_error("parse container id", printable(s), "longer than 128 characters");
  for (char c : s)
    if (!alnum(c) && std::string_view("_+.-").find(c) == std::string_view::npos)
      return make_error("parse container id", printable(s),
                        "may contain only letters, digits and '_+.-'");
  if (s.front() == '.') return make_error("parse container id", printable(s), "starts with '.'");
  return ContainerId(std::string(s));
}

IfName derived_ifname(std::string_view prefix, std::string_view id) {
  std::string n = std::string(prefix) + std::string(id);
  if (n.size() > kMaxIfNameLen) {
    uint32_t h = 2166136261u;  // FNV-1a
    for (unsigned char c : id) h = (h ^ c) * 16777619u;
    // '+' cannot appear in a namespace name or a container id: a shortened
    // name never equals a short one.
    char tail[6];
    snprintf(tail, sizeof tail, "+%04x", h & 0xffff);
    n = std::string(prefix) + std::string(id.substr(0, kMaxIfNameLen - prefix.size() - 5)) + tail;
  }
  return IfName::parse(n).value();
}

}  // namespace vpnrun
