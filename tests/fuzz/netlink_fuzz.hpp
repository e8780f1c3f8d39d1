// The netlink reply parsers get what Rtnl::transact hands them: one batch of
// messages as received, through run_reply_batch (the framing checked, then
// libmnl's mnl_cb_run, which stops at NLMSG_ERROR and NLMSG_DONE).
#pragma once
#include <cstring>
#include <memory>

#include "fuzz.hpp"
#include "vpnrun/netlink.hpp"

namespace vpnrun::fuzz {

template <class Parse, class Check>
void netlink_batch(const uint8_t *data, size_t size, Parse parse, Check check) {
  if (size < sizeof(nlmsghdr)) return;
  // A buffer of exactly the input's size (so ASan sees any read past it),
  // aligned for nlmsghdr as Rtnl::transact's is.
  std::unique_ptr<uint64_t[]> words(new uint64_t[(size + 7) / 8]);
  auto *buf = reinterpret_cast<char *>(words.get());
  std::memcpy(buf, data, size);
  // When the first length claims more than there is, claim all there is: an
  // inserted or removed byte still reaches the parser instead of the framing
  // check (later messages' lengths are left as they are).
  auto *first = reinterpret_cast<nlmsghdr *>(buf);
  if (first->nlmsg_len > size) first->nlmsg_len = static_cast<uint32_t>(size);
  auto r = run_reply_batch(buf, size, 0, 0, [&](const nlmsghdr *nlh) -> Status {
    auto p = parse(nlh);
    if (p) check(p.value());
    else FUZZ_CHECK(p.error().op == "parse netlink reply");
    return {};
  }, "fuzz", "reply");
  (void)r;
}

}  // namespace vpnrun::fuzz
