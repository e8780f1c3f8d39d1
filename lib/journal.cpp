#include "vpnrun/journal.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <sstream>

namespace vpnrun {

namespace {
constexpr const char *kFile = "journal";

bool token_ok(const std::string &t) {
  if (t.empty()) return false;
  for (char c : t)
    if (c <= ' ' || c == 0x7f) return false;
  return true;
}

size_t arity(const std::string &kind) {
  if (kind == "up") return 0;
  if (kind == "netns" || kind == "link" || kind == "dir" || kind == "file" || kind == "ns-link") return 1;
  if (kind == "sysctl" || kind == "nft-table" || kind == "nft-elem" || kind == "ns-sysctl" ||
      kind == "ns-nft" || kind == "info" || kind == "process")
    return 2;
  return SIZE_MAX;
}
}  // namespace

std::string JournalEntry::line() const {
  std::string l = kind;
  for (const auto &a : args) l += " " + a;
  return l + "\n";
}

Result<JournalEntry> JournalEntry::parse(const std::string &line) {
  std::istringstream in(line);
  JournalEntry e;
  in >> e.kind;
  for (std::string a; in >> a;) e.args.push_back(a);
  if (arity(e.kind) != e.args.size())
    return make_error("read journal", line, "unknown or malformed entry");
  return e;
}

std::string JournalEntry::shared_key() const {
  if (kind == "sysctl" || kind == "dir") return kind + " " + args[0];
  if (kind == "nft-table") return kind + " " + args[0] + " " + args[1];
  if (kind == "nft-elem" && args[0] == "guarded") return kind + " " + args[0] + " " + args[1];
  return {};
}

std::string Journal::dir(const NetnsName &name) { return std::string(kRunDir) + "/" + name.str(); }

// Entries after `up` record a client restarted later (see client.hpp).
bool Journal::complete() const {
  for (const auto &e : entries_)
    if (e.kind == "up") return true;
  return false;
}

std::optional<std::string> Journal::info(const std::string &key) const {
  for (const auto &e : entries_)
    if (e.kind == "info" && e.args[0] == key) return e.args[1];
  return std::nullopt;
}

Result<Journal> Journal::create(const NetnsName &name) {
  if (::mkdir(kRunDir, 0755) < 0 && errno != EEXIST) return errno_error("mkdir", kRunDir);
  const std::string d = dir(name);
  if (::mkdir(d.c_str(), 0755) < 0 && errno != EEXIST) return errno_error("mkdir", d);
  VR_ASSIGN(UniqueFd dfd, open_at(AT_FDCWD, d, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  VR_ASSIGN(UniqueFd fd, open_at(dfd.get(), kFile, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW, 0644));
  return Journal(name, std::move(fd));
}

Result<std::optional<Journal>> Journal::load(const NetnsName &name, bool writable) {
  const std::string path = dir(name) + "/" + kFile;
  int raw = ::open(path.c_str(), (writable ? O_RDWR | O_APPEND : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC);
  if (raw < 0) {
    if (errno == ENOENT) return std::optional<Journal>();
    return errno_error("open journal", path);
  }
  UniqueFd fd(raw);
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return errno_error("stat journal", path);
  if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
    return make_error("open journal", path, "not a root-owned file writable only by root");
  VR_ASSIGN(std::string text, read_all(fd.get(), path));
  Journal j(name, std::move(fd));
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    auto e = JournalEntry::parse(line);
    // A torn last line (crash mid-write) is the only acceptable damage.
    if (!e) {
      if (in.peek() == EOF) break;
      return make_error("read journal", path, e.error().detail + ": '" + line + "'");
    }
    j.entries_.push_back(std::move(e).value());
  }
  return std::optional<Journal>(std::move(j));
}

std::vector<std::string> Journal::names() {
  std::vector<std::string> out;
  std::unique_ptr<DIR, int (*)(DIR *)> d(::opendir(kRunDir), ::closedir);
  if (!d) return out;
  while (dirent *de = ::readdir(d.get())) {
    std::string n = de->d_name;
    if (!NetnsName::parse(n)) continue;
    struct stat st;
    if (::stat((std::string(kRunDir) + "/" + n + "/" + kFile).c_str(), &st) == 0) out.push_back(n);
  }
  return out;
}

Status Journal::append(const JournalEntry &e) {
  if (arity(e.kind) != e.args.size()) return make_error("write journal", e.kind, "malformed entry");
  for (const auto &a : e.args)
    if (!token_ok(a)) return make_error("write journal", a, "token has blanks or control characters");
  // One write() per entry: O_APPEND makes it land whole or, on a crash, torn at the end.
  VR_TRY(write_all(fd_.get(), e.line(), dir(name_) + "/" + kFile));
  entries_.push_back(e);
  return {};
}

Status Journal::rewrite(const std::vector<JournalEntry> &entries) {
  const std::string d = dir(name_);
  const std::string tmp = d + "/" + kFile + ".new";
  VR_ASSIGN(UniqueFd fd, open_at(AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644));
  std::string text;
  for (const auto &e : entries) text += e.line();
  VR_TRY(write_all(fd.get(), text, tmp));
  if (::rename(tmp.c_str(), (d + "/" + kFile).c_str()) < 0) return errno_error("rename", tmp);
  VR_ASSIGN(UniqueFd app, open_at(AT_FDCWD, d + "/" + kFile, O_WRONLY | O_APPEND | O_NOFOLLOW));
  fd_ = std::move(app);
  entries_ = entries;
  return {};
}

Status Journal::remove() {
  const std::string d = dir(name_);
  if (::unlink((d + "/" + kFile).c_str()) < 0 && errno != ENOENT) return errno_error("unlink", d + "/journal");
  if (::rmdir(d.c_str()) < 0 && errno != ENOENT) return errno_error("rmdir", d);
  fd_.reset();
  entries_.clear();
  return {};
}

}  // namespace vpnrun
