#include "vpnrun/ipam.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>


namespace vpnrun {

std::string ipam_dir(const NetnsName &name) { return std::string(kContainersDir) + "/" + name.str(); }

namespace {

constexpr const char *kHint = "next";
const std::string kNewRecordPrefix = ".new-";

Status mkdirs(const std::string &path) {
  for (size_t pos = 1; pos != std::string::npos;) {
    pos = path.find('/', pos + 1);
    const std::string part = path.substr(0, pos);
    if (::mkdir(part.c_str(), 0755) < 0 && errno != EEXIST) return errno_error("mkdir", part);
  }
  return {};
}

Result<UniqueFd> subdir(int dfd, const std::string &dir, const char *name) {
  if (::mkdirat(dfd, name, 0755) < 0 && errno != EEXIST) return errno_error("mkdir", dir + "/" + name);
  return open_at(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
}

Result<std::optional<std::string>> read_small(int dfd, const std::string &name, const std::string &what) {
  int fd = ::openat(dfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return errno_error("open", what);
  }
  UniqueFd f(fd);
  VR_ASSIGN(std::string text, read_all(f.get(), what));
  return std::optional<std::string>(std::move(text));
}

// Names in a directory, except those starting with '.' unless `hidden`.
Result<std::vector<std::string>> entries(int dfd, const std::string &what, bool hidden = false) {
  int dup = ::openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup < 0) return errno_error("open", what);
  std::unique_ptr<DIR, int (*)(DIR *)> d(::fdopendir(dup), ::closedir);
  if (!d) {
    ::close(dup);
    return errno_error("read directory", what);
  }
  std::vector<std::string> out;
  while (dirent *de = ::readdir(d.get()))
    if (de->d_name[0] != '.' || (hidden && std::strcmp(de->d_name, ".") && std::strcmp(de->d_name, "..")))
      out.emplace_back(de->d_name);
  return out;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Result<Ipam> Ipam::open(const std::string &dir, int lock_wait_ms) {
  for (int tries = 0;; ++tries) {
    VR_TRY(mkdirs(dir));
    auto locked = FileLock::acquire(dir, lock_wait_ms);
    // Removed by `vpnrun gc` between mkdir and open: make it again.
    if (!locked && locked.error().err == ENOENT && tries < 3) continue;
    VR_ASSIGN(FileLock lock, std::move(locked));
    VR_ASSIGN(UniqueFd dfd, open_at(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    // `vpnrun gc` may have removed the directory while we waited: the lock
    // then belongs to a directory nobody else will see. Start again.
    struct stat st;
    if (::fstat(dfd.get(), &st) < 0) return errno_error("stat", dir);
    if (st.st_nlink == 0) continue;
    VR_ASSIGN(UniqueFd addr, subdir(dfd.get(), dir, "addr"));
    VR_ASSIGN(UniqueFd ctr, subdir(dfd.get(), dir, "ctr"));
    VR_ASSIGN(UniqueFd netns, subdir(dfd.get(), dir, "netns"));
    return Ipam(dir, std::move(lock), std::move(dfd), std::move(addr), std::move(ctr), std::move(netns));
  }
}

IpAddr Ipam::gateway(const IpNet &pool) { return IpAddr::v4(pool.addr.v4_host() + 1); }

uint32_t Ipam::capacity(const IpNet &pool) {
  if (pool.addr.family != AF_INET || pool.len > 30) return 0;
  return static_cast<uint32_t>((uint64_t{1} << (32 - pool.len)) - 3);
}

std::optional<std::string> Ipam::holder(const std::string &file) {
  auto r = read_small(addr_.get(), file, dir_ + "/addr/" + file);
  if (!r || !r.value()) return std::nullopt;
  return trimmed(*r.value());
}

Result<IpAddr> Ipam::lease(const IpNet &pool, const ContainerId &id, const StaleCheck &stale) {
  const uint32_t cap = capacity(pool);
  if (cap == 0) return make_error("lease address", pool.str(), "not an IPv4 prefix of /30 or larger");
  uint32_t start = 0;
  if (auto h = read_small(dfd_.get(), kHint, dir_ + "/" + kHint); h && h.value()) {
    const std::string v = trimmed(*h.value());
    if (!v.empty() && v.size() < 11 && v.find_first_not_of("0123456789") == std::string::npos)
      start = static_cast<uint32_t>(std::stoul(v) % cap);
  }
  for (uint32_t k = 0; k < cap; ++k) {
    const uint32_t i = (start + k) % cap;
    const IpAddr a = IpAddr::v4(pool.addr.v4_host() + 2 + i);
    const std::string file = a.str();
    for (int attempt = 0; attempt < 2; ++attempt) {
      int fd = ::openat(addr_.get(), file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd >= 0) {
        UniqueFd f(fd);
        VR_TRY(write_all(f.get(), id.str() + "\n", dir_ + "/addr/" + file));
        // The hint only speeds up the next search; losing it costs nothing.
        if (int h = ::openat(dfd_.get(), kHint, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644); h >= 0) {
          UniqueFd hf(h);
          (void)write_all(hf.get(), std::to_string(i + 1) + "\n", dir_ + "/" + kHint);
        }
        return a;
      }
      if (errno != EEXIST) return errno_error("create lease", dir_ + "/addr/" + file);
      auto who = holder(file);
      if (who && *who == id.str()) return a;
      // Empty or damaged: a crash between O_EXCL and the write (we hold the lock).
      bool gone = !who || !ContainerId::parse(*who);
      if (!gone) { VR_ASSIGN(gone, stale(*who)); }
      if (!gone) break;
      if (::unlinkat(addr_.get(), file.c_str(), 0) < 0 && errno != ENOENT)
        return errno_error("release stale lease", dir_ + "/addr/" + file);
    }
  }
  return make_error("lease address", pool.str(), "every address is leased (" + std::to_string(cap) +
                                                      "); run `vpnrun gc` or use a larger [containers] subnet");
}

Status Ipam::release(const IpAddr &addr, const std::string &holder_id) {
  const std::string file = addr.str();
  auto who = holder(file);
  if (!who || *who != holder_id) return {};
  if (::unlinkat(addr_.get(), file.c_str(), 0) < 0 && errno != ENOENT)
    return errno_error("release lease", dir_ + "/addr/" + file);
  return {};
}

Result<std::vector<std::pair<IpAddr, std::string>>> Ipam::leases() {
  VR_ASSIGN(auto names, entries(addr_.get(), dir_ + "/addr"));
  std::vector<std::pair<IpAddr, std::string>> out;
  for (const auto &n : names) {
    auto a = IpAddr::parse(n);
    if (!a) continue;
    out.emplace_back(a.value(), holder(n).value_or(""));
  }
  return out;
}

Result<std::optional<std::string>> Ipam::read_record(const ContainerId &id) {
  return read_small(ctr_.get(), id.str(), dir_ + "/ctr/" + id.str());
}

Status Ipam::write_record(const ContainerId &id, const std::string &text) {
  // Whole or not at all: a new file renamed over the old one.
  const std::string tmp = kNewRecordPrefix + id.str();
  const std::string path = dir_ + "/ctr/" + id.str();
  {
    VR_ASSIGN(UniqueFd f, open_at(ctr_.get(), tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644));
    VR_TRY(write_all(f.get(), text, path));
  }
  if (::renameat(ctr_.get(), tmp.c_str(), ctr_.get(), id.str().c_str()) < 0) return errno_error("rename", path);
  return {};
}

Status Ipam::remove_record(const ContainerId &id) {
  if (::unlinkat(ctr_.get(), id.str().c_str(), 0) < 0 && errno != ENOENT)
    return errno_error("unlink", dir_ + "/ctr/" + id.str());
  return {};
}

Result<std::vector<ContainerId>> Ipam::records() {
  VR_ASSIGN(auto names, entries(ctr_.get(), dir_ + "/ctr", true));
  std::vector<ContainerId> out;
  for (const auto &n : names) {
    // A record's new text that was never renamed into place: its writer died
    // (writers hold the lock we hold now).
    if (n.rfind(kNewRecordPrefix, 0) == 0) {
      if (::unlinkat(ctr_.get(), n.c_str(), 0) < 0 && errno != ENOENT) return errno_error("unlink", dir_ + "/ctr/" + n);
      continue;
    }
    if (auto id = ContainerId::parse(n)) out.push_back(id.value());
  }
  return out;
}

Result<std::optional<std::string>> Ipam::netns_holder(unsigned long inode) {
  const std::string name = std::to_string(inode);
  VR_ASSIGN(auto text, read_small(netns_.get(), name, dir_ + "/netns/" + name));
  if (!text) return std::optional<std::string>();
  return std::optional<std::string>(trimmed(*text));
}

Status Ipam::index_netns(unsigned long inode, const ContainerId &id) {
  const std::string name = std::to_string(inode);
  VR_ASSIGN(UniqueFd f, open_at(netns_.get(), name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644));
  return write_all(f.get(), id.str() + "\n", dir_ + "/netns/" + name);
}

Status Ipam::unindex_netns(unsigned long inode, const ContainerId &id) {
  VR_ASSIGN(auto who, netns_holder(inode));
  if (!who || *who != id.str()) return {};
  return unlink_netns_entry(inode);
}

Status Ipam::drop_damaged_netns_entry(unsigned long inode) {
  VR_ASSIGN(auto who, netns_holder(inode));
  if (!who || ContainerId::parse(*who)) return {};
  return unlink_netns_entry(inode);
}

Status Ipam::unlink_netns_entry(unsigned long inode) {
  const std::string name = std::to_string(inode);
  if (::unlinkat(netns_.get(), name.c_str(), 0) < 0 && errno != ENOENT)
    return errno_error("unlink", dir_ + "/netns/" + name);
  return {};
}

Result<std::vector<std::pair<unsigned long, std::string>>> Ipam::netns_index() {
  VR_ASSIGN(auto names, entries(netns_.get(), dir_ + "/netns"));
  std::vector<std::pair<unsigned long, std::string>> out;
  for (const auto &n : names) {
    if (n.empty() || n.size() > 19 || n.find_first_not_of("0123456789") != std::string::npos) continue;
    VR_ASSIGN(auto who, netns_holder(std::stoul(n)));
    out.emplace_back(std::stoul(n), who.value_or(""));
  }
  return out;
}

Status Ipam::remove() {
  for (const auto &[sub, fd] :
       {std::pair{"addr", addr_.get()}, std::pair{"ctr", ctr_.get()}, std::pair{"netns", netns_.get()}}) {
    VR_ASSIGN(auto names, entries(fd, dir_ + "/" + sub, true));
    for (const auto &n : names)
      if (::unlinkat(fd, n.c_str(), 0) < 0 && errno != ENOENT) return errno_error("unlink", dir_ + "/" + sub + "/" + n);
    if (::unlinkat(dfd_.get(), sub, AT_REMOVEDIR) < 0 && errno != ENOENT)
      return errno_error("rmdir", dir_ + "/" + sub);
  }
  if (::unlinkat(dfd_.get(), kHint, 0) < 0 && errno != ENOENT) return errno_error("unlink", dir_ + "/" + kHint);
  if (::rmdir(dir_.c_str()) < 0 && errno != ENOENT) return errno_error("rmdir", dir_);
  return {};
}

}  // namespace vpnrun
