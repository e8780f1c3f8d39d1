// The name validators: NetnsName, IfName, IfPattern, ContainerId, and the
// interface names vpnrun derives from namespace names and container ids.
// Untrusted strings stop here.
#include "fuzz.hpp"
#include "vpnrun/attach.hpp"
#include "vpnrun/config.hpp"
#include "vpnrun/names.hpp"

using namespace vpnrun;

namespace {

// Errors quote the refused string; they must not carry control bytes to a terminal.
bool printable(const std::string &s) {
  for (unsigned char c : s)
    if (c < 0x20 || c >= 0x7f) return false;
  return true;
}

void derived(const NetnsName &n, std::string_view prefix, const IfName &d) {
  FUZZ_CHECK(d.str().size() <= kMaxIfNameLen);
  FUZZ_CHECK(d.str().rfind(prefix, 0) == 0);
  FUZZ_CHECK(IfName::parse(d.str()).ok());
  // Short enough: the name itself; else a hash tail that no plain name has.
  if (prefix.size() + n.str().size() <= kMaxIfNameLen) FUZZ_CHECK(d.str() == std::string(prefix) + n.str());
  else FUZZ_CHECK(d.str().find('+') == kMaxIfNameLen - 5);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view s = fuzz::text(data, size);
  auto n = NetnsName::parse(s);
  auto i = IfName::parse(s);
  auto p = IfPattern::parse(s);
  auto c = ContainerId::parse(s);
  for (const Error *e : {n ? nullptr : &n.error(), i ? nullptr : &i.error(), p ? nullptr : &p.error(),
                         c ? nullptr : &c.error()})
    if (e) FUZZ_CHECK(printable(e->message()));
  if (n) {
    FUZZ_CHECK(n->str() == s && !s.empty() && s.size() <= kMaxIfNameLen);
    FUZZ_CHECK(s != "vpnrun" && s.find('/') == std::string_view::npos && s != "." && s != "..");
    FUZZ_CHECK(i.ok());  // it names interfaces too
    derived(*n, "wg-", tunnel_ifname(*n, VpnType::wireguard));
    derived(*n, "tun-", tunnel_ifname(*n, VpnType::openvpn));
    derived(*n, "vr-", derived_ifname("vr-", n->str()));
  }
  if (i) {
    FUZZ_CHECK(i->str() == s && s.size() <= kMaxIfNameLen);
    FUZZ_CHECK(p.ok() && p->matches(s));
  }
  if (c) {
    FUZZ_CHECK(c->str() == s && s.size() <= kMaxContainerIdLen && s.front() != '.' && s.find('/') == std::string_view::npos);
    for (unsigned attempt = 0; attempt < 2; ++attempt) {
      const IfName v = container_veth_name(*c, attempt);
      FUZZ_CHECK(v.str().size() == kMaxIfNameLen && v.str().rfind("vc-", 0) == 0 && IfName::parse(v.str()).ok());
    }
  }
  if (p) {
    FUZZ_CHECK(p->str() == s);
    if (s.back() == '*') {
      std::string base(s.substr(0, s.size() - 1));
      FUZZ_CHECK(p->matches(base) && p->matches(base + "0") && !p->matches(base.substr(1)));
    } else {
      FUZZ_CHECK(i.ok() && p->matches(s) && !p->matches(std::string(s) + "0"));
    }
  }
  return 0;
}
