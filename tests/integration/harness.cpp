#include "harness.hpp"

#include <fcntl.h>
#include <signal.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace vt {

namespace {
std::string slurp(const std::string &path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

Out sh(const std::string &cmd) {
  char o[] = "/tmp/vt-out-XXXXXX", e[] = "/tmp/vt-err-XXXXXX";
  int ofd = mkstemp(o), efd = mkstemp(e);
  Out r;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(ofd, 1);
    dup2(efd, 2);
    execl("/bin/bash", "bash", "-c", cmd.c_str(), static_cast<char *>(nullptr));
    _exit(127);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  r.out = slurp(o);
  r.err = slurp(e);
  close(ofd);
  close(efd);
  unlink(o);
  unlink(e);
#ifdef VPNRUN_SANITIZE
  // Under the sanitizers a report from anything the test ran fails the test,
  // even where the command was meant to fail (tests/sanitizer/options.cpp).
  bool report = r.code == 86;
  for (const char *mark : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"})
    report = report || r.out.find(mark) != std::string::npos || r.err.find(mark) != std::string::npos;
  if (report) ADD_FAILURE() << "sanitizer report (exit " << r.code << ") from: " << cmd << "\n" << r.out << r.err;
#endif
  return r;
}

Out run(const std::string &args, const std::string &env) {
  return sh(env + " " VPNRUN_BIN " " + args);
}

std::string snapshot() {
  // Counters and kernel-wide statistics move on their own; everything else must
  // come back byte for byte. Of mounts: where, how, what; not the superblock's
  // options, which are shared with other mount namespaces (a cgroup2 remounted
  // by a container runtime elsewhere on the machine).
  return sh(
             "set -o pipefail;"
             "echo '## links'; ip -d link show | sed -E 's/^[0-9]+: //';"
             "echo '## addresses'; ip addr show; ip -6 addr show;"
             "echo '## routes'; ip route show table all; ip -6 route show table all;"
             "echo '## rules'; ip rule; ip -6 rule;"
             "echo '## nft'; nft list ruleset;"
             "echo '## sysctl'; sysctl -a --pattern '^net\\.' 2>/dev/null"
             "  | grep -vE 'nf_conntrack_count|^net\\.netfilter\\.nf_log|stable_secret|"
             "flow_limit|netdev_rss_key|hash_rnd|nf_conntrack_events';"
             "echo '## netns'; ip netns list;"
             "echo '## mounts'; awk '{s = $5 \" \" $6; for (i = 7; $i != \"-\"; i++) s = s \" \" $i;"
             "  print s, $(i + 1), $(i + 2)}' /proc/self/mountinfo | sort;"
             "echo '## files'; find /run/netns /run/vpnrun /etc/netns /etc/vpnrun -printf '%p %M %u %s\\n' | sort;")
      .out;
}

std::string residue() {
  // The processes vpnrun starts or is: in this sandbox's mount namespace (the
  // machine may run other sandboxes with clients of the same names).
  return snapshot() +
         sh("echo '## named namespaces'; for ns in $(ip netns list | awk '{print $1}'); do"
            "  echo \"# $ns\"; ip -n \"$ns\" -d link show | sed -E 's/^[0-9]+: //';"
            "  ip -n \"$ns\" addr show; ip -n \"$ns\" route show table all; ip -n \"$ns\" -6 route show table all;"
            "  ip -n \"$ns\" rule; nsenter --net=/run/netns/\"$ns\" nft list ruleset; done;"
            "echo '## wireguard sockets'; find /run/wireguard -printf '%p %M %u\\n' | sort;"
            "echo '## processes'; self=$(readlink /proc/self/ns/mnt);"
            "for c in $(grep -lxE 'openvpn|wireguard-go|vpnrun|vpnrun-hook' /proc/[0-9]*/comm 2>/dev/null); do"
            "  p=${c%/comm}; [ \"$(readlink $p/ns/mnt 2>/dev/null)\" = \"$self\" ] || continue;"
            "  echo \"$(cat $c) $(tr '\\0' ' ' <$p/cmdline)\"; done | sort;")
             .out;
}

std::string settled_residue() {
  // The simulated internet's link-local IPv6 address and routes come up to a
  // second after the sandbox (the kernel's link watch): wait for them.
  std::string prev = residue();
  for (int i = 0; i < 30; ++i) {
    ::usleep(100000);
    std::string now = residue();
    if (now == prev) return now;
    prev = now;
  }
  return prev;
}

std::string diff(const std::string &a, const std::string &b) {
  if (a == b) return "";
  std::ofstream("/tmp/vt-a") << a;
  std::ofstream("/tmp/vt-b") << b;
  return sh("diff -u /tmp/vt-a /tmp/vt-b | head -60").out;
}

void write_config(const std::string &name, const std::string &toml, unsigned mode) {
  std::string path = "/etc/vpnrun/" + name + ".toml";
  std::ofstream(path) << toml;
  chmod(path.c_str(), mode);
}

void remove_config(const std::string &name) {
  unlink(("/etc/vpnrun/" + name + ".toml").c_str());
}

std::string install_forms() {
  std::string d = sh("d=$(mktemp -d /tmp/vpnrun-launch.XXXXXX) && chmod 755 $d && echo -n $d").out;
  if (d.empty()) return d;
  auto r = sh("cd " + d + " && cp " VPNRUN_BIN " vpnrun-setuid && chmod 4755 vpnrun-setuid && "
              "cp " VPNRUN_BIN " vpnrun-caps && setcap cap_sys_admin,cap_setpcap+p vpnrun-caps && "
              "cp " PROBE_BIN " probe && cp /usr/bin/id id-setuid && chmod 4755 id-setuid && "
              "cp /usr/bin/grep grep-ep && setcap cap_net_raw+ep grep-ep && "
              "cp /usr/bin/grep grep-p && setcap cap_net_raw+p grep-p && "
              "cp " VPNRUN_ADMIN_BIN " vpnrun-admin");
  if (r.code != 0) {
    ADD_FAILURE() << "install_forms: " << r.err;
    return "";
  }
  return d;
}

std::string up_with_forms(const std::string &name, const std::string &toml) {
  write_config(name, toml);
  auto u = run("up -q " + name);
  if (u.code != 0) {
    ADD_FAILURE() << "up " << name << ": " << u.err;
    return "";
  }
  return install_forms();
}

void down_with_forms(const std::string &name, const std::string &dir) {
  run("down -q " + name);
  remove_config(name);
  if (!dir.empty()) sh("rm -rf " + dir);
}

int spawn_sleeper(const std::string &wrapper) {
  // fork + exec directly: the caller must own (and reap) the process.
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    std::string cmd = "exec " + wrapper + " sleep 1000";
    ::execl("/bin/bash", "bash", "-c", cmd.c_str(), static_cast<char *>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 200; ++i) {
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string c;
    std::getline(comm, c);
    if (c == "sleep") break;
    ::usleep(5000);
  }
  return pid;
}

void reap(std::vector<int> &pids) {
  for (int pid : pids) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  pids.clear();
}

std::string make_bundle(const std::string &prefix) {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  if (!::mkdtemp(tmpl.data())) return "";
  sh("mkdir -p " + tmpl + "/rootfs/etc && echo '{\"root\":{\"path\":\"rootfs\"}}' > " + tmpl + "/config.json");
  return tmpl;
}

}  // namespace vt
