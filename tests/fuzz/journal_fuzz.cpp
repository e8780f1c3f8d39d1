// JournalEntry::parse: one line of /run/vpnrun/NAME/journal. An entry that
// parses prints back to one line that parses to the same entry.
#include "fuzz.hpp"
#include "vpnrun/journal.hpp"

using namespace vpnrun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string line(fuzz::text(data, size));
  auto e = JournalEntry::parse(line);
  if (!e) return 0;
  const std::string out = e->line();
  FUZZ_CHECK(!out.empty() && out.find('\n') == out.size() - 1);
  auto again = JournalEntry::parse(out);
  FUZZ_CHECK(again.ok() && again.value() == e.value());
  (void)e->shared_key();
  return 0;
}
