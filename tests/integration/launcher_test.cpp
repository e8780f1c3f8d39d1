// The launcher, against its three forms: plain root, setuid root and file
// capabilities (the last two run by an unprivileged user). Regression tests
// are named after the bug class they cover.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "harness.hpp"

using vt::sh;

namespace {

std::string g_dir;  // root-owned, 0755: the installed copies

const char *kNs = "lx";
const char *kUser = "setpriv --reuid=65534 --regid=65534 --groups=65534,100 ";

class Launcher : public ::testing::TestWithParam<std::string> {
 public:
  static void SetUpTestSuite() {
    g_dir = vt::up_with_forms(kNs, "[access]\nusers = [\"nobody\"]\n[dns]\nservers = [\"198.51.100.53\"]\n");
    ASSERT_FALSE(g_dir.empty());
  }
  static void TearDownTestSuite() { vt::down_with_forms(kNs, g_dir); }

 protected:
  // The command that runs vpnrun in this form, as its caller, from /tmp.
  std::string vpnrun() const {
    if (GetParam() == "root") return std::string("cd /tmp && " VPNRUN_BIN);
    return "cd /tmp && " + std::string(kUser) + g_dir + "/vpnrun-" + GetParam();
  }
  std::string caller() const { return GetParam() == "root" ? "" : kUser; }
  vt::Out in_ns(const std::string &args) { return sh(vpnrun() + " -n " + kNs + " -- " + args); }
  std::string probe(const std::string &op) { return in_ns(g_dir + "/probe " + op).out; }
};

TEST_P(Launcher, EveryCapabilitySetIsEmpty_InheritableCapabilities_runc_CVE_2022_29162) {
  auto r = in_ns("grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status");
  ASSERT_EQ(0, r.code) << r.err;
  EXPECT_EQ("CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n"
            "CapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\n", r.out);
}

TEST_P(Launcher, NoNewPrivsAndSeccompFilter) {
  auto r = in_ns("grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status");
  EXPECT_EQ("NoNewPrivs:\t1\nSeccomp:\t2\n", r.out) << r.err;
}

TEST_P(Launcher, IdsAndGroupsAreTheCallers_PrivilegeInferredFromGeteuid_bubblewrap_CVE_2020_5291) {
  std::string want = sh("cd /tmp && " + caller() + "sh -c 'id -u; id -g; id -G; id -ru; id -rg'").out;
  auto r = in_ns("sh -c 'id -u; id -g; id -G; id -ru; id -rg'");
  EXPECT_EQ(want, r.out) << r.err;
  EXPECT_FALSE(want.empty());
}

TEST_P(Launcher, RunsInTheNamespace) {
  std::string ino = sh(std::string("stat -L -c %i /run/netns/") + kNs).out;
  EXPECT_EQ("net:[" + ino.substr(0, ino.size() - 1) + "]\n", in_ns("readlink /proc/self/ns/net").out);
  EXPECT_EQ("lo\nuplink\n", in_ns("ls /sys/class/net").out);
  EXPECT_EQ("lx\n", in_ns("sh -c 'echo $VPNRUN_NETNS'").out);
}

TEST_P(Launcher, ResolvConfIsTheNamespaces) {
  auto r = in_ns("cat /etc/resolv.conf");
  EXPECT_NE(std::string::npos, r.out.find("nameserver 198.51.100.53\n")) << r.out << r.err;
  EXPECT_EQ("hosts:          files dns\n", in_ns("grep ^hosts: /etc/nsswitch.conf").out);
  // The rest of /etc is the host's, read-only.
  EXPECT_EQ(sh("cat /etc/os-release").out, in_ns("cat /etc/os-release").out);
}

TEST_P(Launcher, OnlyStdioReachesTheProgram_FdLeak_runc_CVE_2024_21626) {
  EXPECT_EQ("0 1 2\n", sh("exec 5</etc/hostname 7</etc/hostname; " + vpnrun() + " -n lx -- " + g_dir +
                          "/probe fds").out);
  EXPECT_EQ("0 1 2 3 4 5\n", sh("exec 3</etc/hostname 4</etc/hostname 5</etc/hostname 7</etc/hostname; " +
                                vpnrun() + " -n lx --preserve-fds 3 -- " + g_dir + "/probe fds").out);
}

TEST_P(Launcher, SetuidOrFileCapProgramInsideGainsNothing) {
  std::string want = sh("cd /tmp && " + caller() + "id -u").out;
  EXPECT_EQ(want, in_ns(g_dir + "/id-setuid -u").out);
  // File capabilities: a +p program runs with nothing permitted; a +ep one,
  // which the kernel cannot give its capabilities under no_new_privs, is not
  // run at all.
  EXPECT_EQ("CapPrm:\t0000000000000000\n", in_ns(g_dir + "/grep-p ^CapPrm /proc/self/status").out);
  auto ep = in_ns(g_dir + "/grep-ep ^CapEff /proc/self/status");
  EXPECT_EQ(126, ep.code);
  EXPECT_EQ("", ep.out);
  // Control: outside vpnrun, as nobody, the same programs do gain CAP_NET_RAW.
  EXPECT_EQ("CapPrm:\t0000000000002000\n",
            sh("cd /tmp && " + std::string(kUser) + g_dir + "/grep-p ^CapPrm /proc/self/status").out);
  EXPECT_EQ("CapEff:\t0000000000002000\n",
            sh("cd /tmp && " + std::string(kUser) + g_dir + "/grep-ep ^CapEff /proc/self/status").out);
}

TEST_P(Launcher, DeniedSyscallsFail_TIOCSTI_CVE_2017_5226) {
  EXPECT_EQ("EPERM\n", probe("tiocsti"));
  EXPECT_EQ("EPERM\n", probe("tiocsti-high"));
  EXPECT_EQ("EPERM\n", probe("tioclinux"));
  EXPECT_EQ("EPERM\n", probe("setns"));
  EXPECT_EQ("EPERM\n", probe("foreign-arch"));
  // Without vpnrun the same calls get the kernel's own answers.
  EXPECT_EQ("ENOTTY\n", sh(g_dir + "/probe tiocsti </dev/null").out);
  EXPECT_EQ("EBADF\n", sh(g_dir + "/probe setns").out);
}

TEST_P(Launcher, UserNamespacesStayAllowedButNotMounts) {
  EXPECT_EQ("EPERM\n", probe("userns-mount"));
  EXPECT_EQ("ok\n", sh("cd /tmp && " + std::string(kUser) + g_dir + "/probe userns-mount").out)
      << "control: the kernel allows it without vpnrun";
}

TEST_P(Launcher, ExitStatusIsTheProgramsOr125_126_127) {
  EXPECT_EQ(7, in_ns("sh -c 'exit 7'").code);
  auto nf = in_ns("/nonexistent/program");
  EXPECT_EQ(127, nf.code);
  EXPECT_EQ("vpnrun: run('/nonexistent/program'): No such file or directory\n", nf.err);
  auto na = in_ns("/etc/passwd");
  EXPECT_EQ(126, na.code);
  EXPECT_EQ("vpnrun: run('/etc/passwd'): Permission denied\n", na.err);
  EXPECT_EQ(127, in_ns("no-such-program-on-path").code);
  EXPECT_EQ(125, sh(vpnrun() + " -n nosuchns -- true").code);
}

TEST_P(Launcher, WorkingDirectoryIsKept) {
  EXPECT_EQ("/tmp\n", in_ns("pwd").out);
  // /sys is the namespace's own inside: a host-only directory cannot be entered.
  auto r = sh("cd /sys/class/net/eth0 && " + caller() + (GetParam() == "root" ? std::string(VPNRUN_BIN) : g_dir + "/vpnrun-" + GetParam()) + " -n lx -- pwd");
  EXPECT_EQ(125, r.code);
  // The directory is kept by its physical path (getcwd), resolved before the mounts.
  EXPECT_EQ("vpnrun: enter working directory('" + sh("cd -P /sys/class/net/eth0 && pwd | tr -d '\\n'").out +
                "'): No such file or directory\n", r.err);
}

INSTANTIATE_TEST_SUITE_P(Forms, Launcher, ::testing::Values("root", "setuid", "caps"),
                         [](const auto &param_info) { return param_info.param; });

// ---- refusals (setuid form, as an unprivileged user) ------------------------

class Refusal : public Launcher {
 protected:
  vt::Out in_ns_named(const std::string &name) {
    return sh("cd /tmp && " + std::string(kUser) + g_dir + "/vpnrun-" + GetParam() + " -n " + name + " -- true");
  }
};

TEST_P(Refusal, UserNotInAccessIsRefused) {
  auto r = sh("cd /tmp && setpriv --reuid=1234 --regid=1234 --clear-groups " + g_dir +
              "/vpnrun-" + GetParam() + " -n lx -- true");
  EXPECT_EQ(125, r.code);
  EXPECT_EQ("vpnrun: enter namespace('lx'): uid 1234 is not allowed by [access] in /etc/vpnrun/lx.toml\n", r.err);
}

TEST_P(Refusal, JoiningAnAttackerMadeNamespace_firejail_CVE_2022_31214) {
  sh("ln -s /run/netns/lx /run/netns/link; touch /run/netns/file; touch /run/netns/uts && mount --bind /proc/self/ns/uts /run/netns/uts");
  for (const char *n : {"link", "file", "uts"}) vt::write_config(n, "[access]\nusers = [\"nobody\"]\n");
  EXPECT_EQ("vpnrun: open('link'): Too many levels of symbolic links\n", in_ns_named("link").err);
  EXPECT_EQ("vpnrun: open namespace('/run/netns/file'): not a namespace (not on nsfs)\n", in_ns_named("file").err);
  EXPECT_EQ("vpnrun: open namespace('/run/netns/uts'): not a network namespace\n", in_ns_named("uts").err);
  // A network namespace made in a user namespace of its own.
  sh("unshare -U -n --map-root-user sleep 30 & sleep 0.3; touch /run/netns/userns && "
     "mount --bind /proc/$!/ns/net /run/netns/userns");
  vt::write_config("userns", "[access]\nusers = [\"nobody\"]\n");
  EXPECT_EQ("vpnrun: open namespace('/run/netns/userns'): owned by another user namespace\n",
            in_ns_named("userns").err);
  sh("pkill -f 'sleep 30'; umount /run/netns/uts /run/netns/userns; rm -f /run/netns/link /run/netns/file /run/netns/uts /run/netns/userns");
  for (const char *n : {"link", "file", "uts", "userns"}) vt::remove_config(n);
  // /run/netns writable by others.
  sh("chmod 777 /run/netns");
  EXPECT_EQ("vpnrun: open('/run/netns'): not a root-owned directory writable only by root\n", in_ns_named("lx").err);
  sh("chmod 755 /run/netns");
}

TEST_P(Refusal, MissingOrUnsafeResolvConfStopsTheLaunch) {
  const std::string f = "/etc/netns/lx/resolv.conf";
  sh("mv " + f + " /tmp/resolv.keep");
  auto missing = in_ns_named("lx");
  EXPECT_EQ(125, missing.code);
  EXPECT_EQ("vpnrun: open('" + f + "'): No such file or directory\n", missing.err);
  sh("ln -s /tmp/resolv.keep " + f);
  EXPECT_EQ("vpnrun: open('" + f + "'): Too many levels of symbolic links\n", in_ns_named("lx").err);
  sh("rm " + f + " && cp /tmp/resolv.keep " + f + " && chmod 666 " + f);
  EXPECT_EQ("vpnrun: open('" + f + "'): not a root-owned regular file writable only by root\n", in_ns_named("lx").err);
  sh("chmod 644 " + f + " && chown 65534 " + f);
  EXPECT_EQ("vpnrun: open('" + f + "'): not a root-owned regular file writable only by root\n", in_ns_named("lx").err);
  sh("chown 0 " + f + "; rm -f /tmp/resolv.keep");
  EXPECT_EQ(0, in_ns_named("lx").code);
}

TEST_P(Refusal, BadNamesAreRefused) {
  for (const char *n : {"''", "..", "a/b", "abcdefghijklmnop", "$'a\\nb'", "vpnrun"}) {
    auto r = sh("cd /tmp && " + std::string(kUser) + g_dir + "/vpnrun-" + GetParam() + " -n " + n + " -- true");
    EXPECT_EQ(125, r.code) << n;
    EXPECT_EQ(0u, r.err.rfind("vpnrun: parse namespace name", 0)) << n << ": " << r.err;
  }
}

TEST_P(Refusal, ArgcZeroRunsNothing_pkexec_CVE_2021_4034) {
  auto r = sh("cd /tmp && " + std::string(kUser) + g_dir + "/probe exec0 " + g_dir + "/vpnrun-" + GetParam());
  EXPECT_EQ(125, r.code) << r.out << r.err;
  EXPECT_EQ("", r.out);
}

TEST_P(Refusal, AProgramNamedLikeACommandNeedsDashDash) {
  auto r = sh("cd /tmp && " + std::string(kUser) + g_dir + "/vpnrun-" + GetParam() + " -n lx list");
  EXPECT_EQ(125, r.code);
  EXPECT_NE(std::string::npos, r.err.find("'list' is a vpnrun command")) << r.err;
}

TEST_P(Refusal, AdminCommandsStayRootOnly) {
  auto r = sh("cd /tmp && " + std::string(kUser) + g_dir + "/vpnrun-" + GetParam() + " down lx");
  EXPECT_EQ(1, r.code);
  EXPECT_NE(std::string::npos, r.err.find("must be run as root")) << r.err;
  EXPECT_EQ(0, vt::run("status lx").code);
}

TEST_P(Refusal, NssLookupsHappenBeforeTheMountNamespace_sudo_CVE_2025_32463) {
  // Traced by root (so the install form keeps its privilege), run by nobody:
  // every NSS file is read before unshare(CLONE_NEWNS), so nothing mounted for
  // the program can steer the lookups that decide access.
  auto r = sh("cd /tmp && strace -f -qq -e trace=openat,unshare -e signal=none " + std::string(kUser) + g_dir +
              "/vpnrun-" + GetParam() + " -n lx -- true 2>&1 >/dev/null");
  auto nss_at = r.out.find("\"/etc/nsswitch.conf\"");
  auto unshare_at = r.out.find("unshare(CLONE_NEWNS)");
  ASSERT_NE(std::string::npos, nss_at) << "no NSS lookup seen: " << r.out;
  ASSERT_NE(std::string::npos, unshare_at) << r.out;
  EXPECT_LT(nss_at, unshare_at);
  EXPECT_EQ(std::string::npos, r.out.find("\"/etc/nsswitch.conf\"", unshare_at)) << r.out;
  EXPECT_EQ(std::string::npos, r.out.find("libnss_", unshare_at)) << r.out;
}

TEST_P(Refusal, WarnsWhenASingleInstanceProgramRunsOutside) {
  // A stand-in "tmux" server of nobody's, outside the namespace.
  sh("mkdir -p /tmp/fake-bin && cp /bin/sleep /tmp/fake-bin/tmux && chmod 755 /tmp/fake-bin /tmp/fake-bin/tmux");
  sh(std::string(kUser) + "/tmp/fake-bin/tmux 30 & sleep 0.3");
  auto r = sh("cd /tmp && " + std::string(kUser) + g_dir + "/vpnrun-" + GetParam() + " -n lx -- /tmp/fake-bin/tmux 0");
  EXPECT_EQ(0, r.code) << r.err;
  EXPECT_NE(std::string::npos, r.err.find("vpnrun: warning: tmux is already running outside 'lx' (pid ")) << r.err;
  EXPECT_NE(std::string::npos, r.err.find("vpnrun -n lx -- tmux -L vpn")) << r.err;
  auto q = sh("cd /tmp && " + std::string(kUser) + g_dir + "/vpnrun-" + GetParam() + " -n lx -q -- /tmp/fake-bin/tmux 0");
  EXPECT_EQ("", q.err);
  sh("pkill -x tmux; sleep 0.2");
  // One inside the namespace is no reason to warn.
  sh("cd /tmp && " + std::string(kUser) + g_dir + "/vpnrun-" + GetParam() + " -n lx -- /tmp/fake-bin/tmux 30 & sleep 0.3");
  EXPECT_EQ("", sh("cd /tmp && " + std::string(kUser) + g_dir + "/vpnrun-" + GetParam() +
                   " -n lx -- /tmp/fake-bin/tmux 0").err);
  sh("pkill -x tmux; rm -rf /tmp/fake-bin");
}

TEST_P(Refusal, HostileEnvironmentChangesNothingPrivileged) {
  sh("cp " PRELOAD_PROBE " " + g_dir + "/preload.so && chmod 755 " + g_dir + "/preload.so; rm -f /tmp/preload.log");
  auto r = sh("cd /tmp && PRELOAD_LOG=/tmp/preload.log LD_PRELOAD=" + g_dir + "/preload.so LD_LIBRARY_PATH=/tmp "
              "GCONV_PATH=/tmp LOCPATH=/tmp " + std::string(kUser) + g_dir + "/vpnrun-" + GetParam() +
              " -n lx -- sh -c 'echo $LD_PRELOAD'");
  EXPECT_EQ(0, r.code) << r.err;
  // The C library removes loader variables from a setuid or file-cap
  // program's environment, so they reach neither vpnrun nor the program.
  EXPECT_EQ("\n", r.out);
  std::string log = sh("cat /tmp/preload.log").out;
  EXPECT_EQ(std::string::npos, log.find("vpnrun")) << log;
  // Control: the probe library does load where nothing forbids it (setpriv).
  EXPECT_NE(std::string::npos, log.find("setpriv euid=0")) << log;
  sh("rm -f /tmp/preload.log");
}

TEST_P(Refusal, ResolvConfHoldsWhenTheHostsIsASymlinkOrReplacedLater) {
  // In a mount namespace of the test's own, /etc is a writable copy whose
  // resolv.conf is a symlink (as with systemd-resolved), then replaced by a
  // rename while the program runs (as NetworkManager does).
  const std::string run_in_ns = "cd /tmp && " + std::string(kUser) + g_dir + "/vpnrun-" + GetParam() +
      R"( -n lx -- sh -c "grep nameserver /etc/resolv.conf; sleep 1; grep nameserver /etc/resolv.conf")";
  auto r = sh("unshare -m bash -c '"
              "d=$(mktemp -d /tmp/etc-copy.XXXXXX); cp -a /etc/. $d/ && mount --bind $d /etc && "
              "echo nameserver 192.0.2.1 > /run/host-resolv.conf && ln -sf /run/host-resolv.conf /etc/resolv.conf && " +
              run_in_ns + " & sleep 0.5; echo nameserver 192.0.2.2 > /etc/resolv.conf.new && "
              "mv /etc/resolv.conf.new /etc/resolv.conf; wait; umount /etc; rm -rf $d /run/host-resolv.conf'");
  EXPECT_EQ("nameserver 198.51.100.53\nnameserver 198.51.100.53\n", r.out) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Forms, Refusal, ::testing::Values("setuid", "caps"),
                         [](const auto &param_info) { return param_info.param; });

// ---- the admin commands: vpnrun-admin, never privileged ---------------------

// A private directory with a launcher of FORM and, at vpnrun-admin's place,
// the probe, which prints the ids and capability sets it was given.
std::string admin_probe_dir(const std::string &form, const std::string &mode = "755") {
  std::string d = sh("d=$(mktemp -d /tmp/vpnrun-admin.XXXXXX) && chmod " + mode + " $d && echo -n $d").out;
  std::string apply = form == "setuid" ? "chmod 4755 " + d + "/vpnrun"
                      : form == "caps" ? "setcap cap_sys_admin,cap_setpcap+p " + d + "/vpnrun"
                                       : "true";
  EXPECT_EQ(0, sh("cp " VPNRUN_BIN " " + d + "/vpnrun && " + apply + " && cp " PROBE_BIN " " + d + "/vpnrun-admin").code);
  return d;
}

std::string status_line(const std::string &out, const std::string &key) {
  auto at = out.find("\n" + key + ":\t");
  if (at == std::string::npos) return "(no " + key + ")";
  at += key.size() + 3;
  return out.substr(at, out.find('\n', at) - at);
}

class AdminHandOver : public ::testing::TestWithParam<std::string> {};

TEST_P(AdminHandOver, AdminCommandsRunWithTheCallersIdsAndNoCapability) {
  // What `vpnrun status` execs runs as the caller with no capability left:
  // the setuid root and file-caps launchers give everything up first. Root
  // stays root. argv passes unchanged, and the launcher names itself.
  std::string d = admin_probe_dir(GetParam());
  const bool root = GetParam() == "root";
  auto r = sh("cd /tmp && " + std::string(root ? "" : kUser) + d + "/vpnrun status lx");
  ASSERT_EQ(0, r.code) << r.err;
  EXPECT_EQ(0u, r.out.rfind("argv0=" + d + "/vpnrun launcher=" + d + "/vpnrun\n", 0)) << r.out;
  const std::string id = root ? "0" : "65534";
  EXPECT_EQ(id + "\t" + id + "\t" + id + "\t" + id, status_line(r.out, "Uid")) << r.out;
  EXPECT_EQ(id + "\t" + id + "\t" + id + "\t" + id, status_line(r.out, "Gid")) << r.out;
  const std::string none = "0000000000000000";
  if (root) {
    EXPECT_NE(none, status_line(r.out, "CapEff")) << r.out;
  } else {
    for (const char *set : {"CapInh", "CapPrm", "CapEff", "CapAmb"}) EXPECT_EQ(none, status_line(r.out, set)) << set;
  }
  sh("rm -rf " + d);
}

INSTANTIATE_TEST_SUITE_P(Forms, AdminHandOver, ::testing::Values("root", "setuid", "caps"),
                         [](const auto &param_info) { return param_info.param; });

TEST(AdminHandOverRoot, AnAdminProgramOthersCouldHavePutThereIsNotRun) {
  // Root running a vpnrun from a directory others may write to (like /tmp)
  // does not run the vpnrun-admin found there; nor one owned by another user.
  std::string open = admin_probe_dir("root", "1777");
  auto r = sh(open + "/vpnrun status lx");
  EXPECT_EQ(1, r.code);
  EXPECT_EQ("", r.out);
  EXPECT_NE(std::string::npos, r.err.find(open + "/vpnrun-admin: it or its directory is writable by others")) << r.err;
  std::string theirs = admin_probe_dir("root");
  sh("chown 65534 " + theirs + "/vpnrun-admin");
  auto t = sh(theirs + "/vpnrun --version");
  EXPECT_EQ(1, t.code);
  EXPECT_EQ("", t.out);
  EXPECT_NE(std::string::npos, t.err.find("owned by another user")) << t.err;
  sh("rm -rf " + open + " " + theirs);
}

TEST(AdminHandOverRoot, APrivilegedAdminProgramRefusesToRun) {
  // Installed setuid or with file capabilities by mistake, vpnrun-admin does
  // not parse a user's command line with privilege.
  std::string d = sh("d=$(mktemp -d /tmp/vpnrun-admin.XXXXXX) && chmod 755 $d && echo -n $d").out;
  ASSERT_EQ(0, sh("cp " VPNRUN_ADMIN_BIN " " + d + "/suid && chmod 4755 " + d + "/suid && cp " VPNRUN_ADMIN_BIN " " +
                  d + "/caps && setcap cap_sys_admin,cap_setpcap+p " + d + "/caps").code);
  for (const char *f : {"suid", "caps"}) {
    auto r = sh(std::string(kUser) + d + "/" + f + " --version");
    EXPECT_EQ(1, r.code) << f;
    EXPECT_EQ("", r.out) << f;
    EXPECT_NE(std::string::npos, r.err.find("only the launcher vpnrun may be privileged")) << f << ": " << r.err;
  }
  sh("rm -rf " + d);
}

// ---- the host is untouched ----------------------------------------------------

TEST(LauncherHost, MountTableIsUnchangedAfter100Launches) {
  vt::write_config("lh", "");
  ASSERT_EQ(0, vt::run("up -q lh").code);
  std::string before = sh("cat /proc/self/mountinfo").out;
  auto r = sh("for i in $(seq 100); do " VPNRUN_BIN " -n lh -- true || exit 1; done");
  EXPECT_EQ(0, r.code) << r.err;
  EXPECT_EQ(before, sh("cat /proc/self/mountinfo").out);
  vt::run("down -q lh");
  vt::remove_config("lh");
}

TEST(LauncherHost, NonDumpableBeforeAnythingElse_PtraceWhilePrivileged_bubblewrap_CVE_2016_8659) {
  vt::write_config("ld", "");
  ASSERT_EQ(0, vt::run("up -q ld").code);
  // The first thing main does: PR_SET_DUMPABLE 0, before vpnrun opens anything
  // of its own (libraries' constructors run earlier and touch nothing of ours).
  auto r = sh("strace -qq -e trace=prctl,openat,getresuid -e signal=none " VPNRUN_BIN " -n ld -- true 2>&1 >/dev/null");
  auto dumpable = r.out.find("prctl(PR_SET_DUMPABLE, SUID_DUMP_DISABLE)");
  ASSERT_NE(std::string::npos, dumpable) << r.out;
  for (const char *later : {"getresuid(", "/run/netns", "/etc/vpnrun", "/etc/netns"}) {
    auto at = r.out.find(later);
    ASSERT_NE(std::string::npos, at) << later << ": " << r.out;
    EXPECT_LT(dumpable, at) << later;
  }
  vt::run("down -q ld");
  vt::remove_config("ld");
}

}  // namespace
