// The record of what `up` made, under /run/vpnrun/NAME/journal. Each entry is
// written before its step runs, so a crash at any point leaves a journal that
// `down` (or the next `up`) can undo. Undo tolerates objects already gone.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "vpnrun/error.hpp"
#include "vpnrun/fd.hpp"
#include "vpnrun/names.hpp"

namespace vpnrun {

inline constexpr const char *kRunDir = "/run/vpnrun";

struct JournalEntry {
  // netns NAME | link IFNAME | sysctl KEY OLD | nft-table FAMILY TABLE |
  // nft-elem SET ELEMENT (of the host table) | dir PATH | file PATH |
  // ns-sysctl KEY OLD | ns-nft FAMILY TABLE | info KEY VALUE | up |
  // process PID:START PROGRAM (a VPN client) | ns-link IFNAME (in the namespace)
  std::string kind;
  std::vector<std::string> args;

  std::string line() const;
  static Result<JournalEntry> parse(const std::string &line);
  // What another namespace's journal must hold to share this resource
  // (a host sysctl or directory); empty when the entry is not shareable.
  std::string shared_key() const;
  bool operator==(const JournalEntry &) const = default;
};

class Journal {
 public:
  static std::string dir(const NetnsName &name);
  // Create a fresh journal; EEXIST when one is there.
  static Result<Journal> create(const NetnsName &name);
  // The journal of NAME, or nullopt when there is none. A read-only journal
  // (for `list` by any user) cannot be appended to or rewritten.
  static Result<std::optional<Journal>> load(const NetnsName &name, bool writable = true);
  // Names of all namespaces with a journal.
  static std::vector<std::string> names();

  const NetnsName &name() const { return name_; }
  const std::vector<JournalEntry> &entries() const { return entries_; }
  bool complete() const;                      // holds `up`
  std::optional<std::string> info(const std::string &key) const;
  Status append(const JournalEntry &e);
  // Replace the journal's contents (e.g. entries `down` could not undo).
  Status rewrite(const std::vector<JournalEntry> &entries);
  // Remove the journal file and its directory.
  Status remove();

 private:
  Journal(NetnsName name, UniqueFd fd) : name_(std::move(name)), fd_(std::move(fd)) {}
  NetnsName name_;
  UniqueFd fd_;
  std::vector<JournalEntry> entries_;
};

}  // namespace vpnrun
