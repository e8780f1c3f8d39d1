// Attachment::parse: the record of one container's attachment
// (/run/vpnrun/NAME/ctr/ID), read back by detach and gc. What parses is
// written back to a record that parses to the same.
#include "fuzz.hpp"
#include "vpnrun/attach.hpp"

using namespace vpnrun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto a = Attachment::parse(std::string(fuzz::text(data, size)));
  if (!a) return 0;
  FUZZ_CHECK(NetnsName::parse(a->netns).ok() && IfName::parse(a->link).ok());
  FUZZ_CHECK(a->address.family == AF_INET && a->link_index >= 0);
  auto b = Attachment::parse(a->text());
  FUZZ_CHECK(b.ok());
  FUZZ_CHECK(b->netns == a->netns && b->netns_inode == a->netns_inode && b->container_inode == a->container_inode &&
             b->address == a->address && b->link == a->link && b->link_index == a->link_index);
  return 0;
}
