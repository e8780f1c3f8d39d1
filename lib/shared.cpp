#include "vpnrun/shared.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "vpnrun/fd.hpp"
#include "vpnrun/journal.hpp"

namespace vpnrun {

std::string SharedIndex::path() { return std::string(kRunDir) + "/_shared"; }
std::string SharedIndex::tmp_path() { return path() + ".new"; }

// One row a line: KEY <tab> ORIGINAL <tab> HOLDER. Keys and values come from
// validated names and sysctl values: no tabs or newlines.
Result<SharedIndex> SharedIndex::load() {
  SharedIndex idx;
  // A new text never renamed into place: its writer was killed in save()
  // (writers hold the lock our caller holds now).
  if (::unlink(tmp_path().c_str()) < 0 && errno != ENOENT) return errno_error("unlink", tmp_path());
  int fd = ::open(path().c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return idx;
    return errno_error("open", path());
  }
  UniqueFd f(fd);
  struct stat st;
  if (::fstat(f.get(), &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
    return make_error("open", path(), "not a root-owned file writable only by root");
  VR_ASSIGN(std::string text, read_all(f.get(), path()));
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    auto t1 = line.find('\t'), t2 = line.find('\t', t1 == std::string::npos ? t1 : t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos) continue;  // torn last line
    idx.rows_.push_back({line.substr(0, t1), line.substr(t1 + 1, t2 - t1 - 1), line.substr(t2 + 1)});
  }
  return idx;
}

std::optional<std::string> SharedIndex::held_elsewhere(const std::string &key,
                                                       const NetnsName &self) const {
  for (const auto &r : rows_)
    if (r.key == key && r.holder != self.str()) return r.original;
  return std::nullopt;
}

Status SharedIndex::join(const std::string &key, const std::string &original, const NetnsName &self) {
  for (const auto &r : rows_)
    if (r.key == key && r.holder == self.str()) return {};
  rows_.push_back({key, original, self.str()});
  return save();
}

Status SharedIndex::forget(const NetnsName &self, const std::vector<std::string> &keep) {
  auto before = rows_.size();
  std::erase_if(rows_, [&](const Row &r) {
    return r.holder == self.str() && std::find(keep.begin(), keep.end(), r.key) == keep.end();
  });
  return rows_.size() == before ? Status() : save();
}

Status SharedIndex::save() {
  const std::string tmp = tmp_path();
  if (rows_.empty()) {
    if (::unlink(path().c_str()) < 0 && errno != ENOENT) return errno_error("unlink", path());
    return {};
  }
  std::string text;
  for (const auto &r : rows_) text += r.key + "\t" + r.original + "\t" + r.holder + "\n";
  VR_ASSIGN(UniqueFd fd, open_at(AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644));
  VR_TRY(write_all(fd.get(), text, tmp));
  if (::rename(tmp.c_str(), path().c_str()) < 0) return errno_error("rename", tmp);
  return {};
}

}  // namespace vpnrun
