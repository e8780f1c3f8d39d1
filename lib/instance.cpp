#include "vpnrun/instance.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <fcntl.h>

#include <algorithm>
#include <memory>

#include "vpnrun/fd.hpp"

namespace vpnrun {

namespace {

struct Known {
  const char *program;
  std::vector<const char *> comms;  // what /proc/PID/comm says for it
  const char *separate;             // how to start a separate instance
};

const std::vector<Known> &known() {
  static const std::vector<Known> k = {
      {"firefox", {"firefox", "firefox-esr", "firefox-bin"}, "firefox --new-instance --profile DIR"},
      {"firefox-esr", {"firefox-esr", "firefox"}, "firefox-esr --new-instance --profile DIR"},
      {"chromium", {"chromium"}, "chromium --user-data-dir=DIR"},
      {"google-chrome", {"chrome"}, "google-chrome --user-data-dir=DIR"},
      {"qbittorrent", {"qbittorrent"}, "qbittorrent --profile=DIR"},
      {"tmux", {"tmux", "tmux: server"}, "tmux -L vpn"},
  };
  return k;
}

}  // namespace

std::optional<InstanceWarning> outside_instance(const std::string &program, uid_t uid,
                                                ino_t netns_inode, const std::string &ns_name,
                                                const std::vector<std::string> &extra) {
  const std::string base = program.substr(program.rfind('/') + 1);
  std::vector<std::string> comms;
  std::string separate;
  for (const auto &k : known())
    if (base == k.program) {
      comms.assign(k.comms.begin(), k.comms.end());
      separate = k.separate;
    }
  if (comms.empty() && std::find(extra.begin(), extra.end(), base) != extra.end()) {
    comms.push_back(base.substr(0, 15));
    separate = base + " with its option for a separate instance or profile";
  }
  if (comms.empty()) return std::nullopt;

  std::unique_ptr<DIR, int (*)(DIR *)> d(::opendir("/proc"), ::closedir);
  if (!d) return std::nullopt;
  while (dirent *de = ::readdir(d.get())) {
    if (de->d_name[0] < '1' || de->d_name[0] > '9') continue;
    const std::string dir = std::string("/proc/") + de->d_name;
    struct stat st;
    if (::stat(dir.c_str(), &st) < 0 || st.st_uid != uid) continue;
    // Read with read(2), not a stream: the launcher links no iostreams.
    auto fd = open_at(AT_FDCWD, dir + "/comm", O_RDONLY);
    if (!fd) continue;
    auto text = read_all(fd->get(), dir + "/comm");
    if (!text) continue;
    const std::string comm = text->substr(0, text->find('\n'));
    if (std::find(comms.begin(), comms.end(), comm) == comms.end()) continue;
    struct stat ns;
    if (::stat((dir + "/ns/net").c_str(), &ns) < 0 || ns.st_ino == netns_inode) continue;
    InstanceWarning w;
    w.pid = static_cast<pid_t>(std::stol(de->d_name));
    w.text = base + " is already running outside '" + ns_name + "' (pid " + de->d_name +
             "): a new window would open in that instance and bypass the VPN. Start a separate "
             "instance instead: vpnrun -n " + ns_name + " -- " + separate;
    return w;
  }
  return std::nullopt;
}

}  // namespace vpnrun
