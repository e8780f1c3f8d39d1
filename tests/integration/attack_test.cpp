// The attack suite (issue 7): each case is one attack class, named after it
// (and after the advisory that made it famous, where there is one), and
// asserts the exact refusal: the exit status and the error line naming the
// object and the cause, or, where the attack is a race, that every one of
// many launches either refused exactly or ran correctly.
//
//   Attack.*            the setuid and file-capability installs, run by nobody
//   AttackAnyCaller.*   the same two, and plain root
//   AttackHook.*        vpnrun-hook, fed crafted OCI state on stdin
//
// The cases that were written with the launcher and the hook (launcher_test,
// hook_test) are not repeated here; docs/security.md lists them all.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"
#include "vpnrun/doctor.hpp"

using vt::sh;

namespace {

std::string g_dir;  // the installed forms (vt::install_forms)

const char *kNs = "ax";
const char *kUser = "setpriv --reuid=65534 --regid=65534 --groups=65534,100 ";
const char *kConfig = "[access]\nusers = [\"nobody\"]\n[dns]\nservers = [\"198.51.100.54\"]\n";
const char *kResolv = "/etc/netns/ax/resolv.conf";

class Attack : public ::testing::TestWithParam<std::string> {
 public:
  static void SetUpTestSuite() {
    g_dir = vt::up_with_forms(kNs, kConfig);
    ASSERT_FALSE(g_dir.empty());
  }
  static void TearDownTestSuite() { vt::down_with_forms(kNs, g_dir); }

 protected:
  bool root() const { return GetParam() == "root"; }
  std::string bin() const { return root() ? std::string(VPNRUN_BIN) : g_dir + "/vpnrun-" + GetParam(); }
  std::string caller() const { return root() ? "" : kUser; }
  // vpnrun in this form, run by its caller from /tmp; ARGS follow.
  std::string vpnrun(const std::string &args) const { return "cd /tmp && " + caller() + bin() + " " + args; }
  vt::Out in_ns(const std::string &prog) const { return sh(vpnrun(std::string("-q -n ") + kNs + " -- " + prog)); }
  // SETUP; DIGEST prints the same inside vpnrun as outside, a SHA-256 line.
  void expect_same_inside(const std::string &setup, const std::string &digest) const {
    auto want = sh(setup + digest);
    auto got = sh(setup + vpnrun("-q -n ax -- ") + digest);
    EXPECT_EQ(0, got.code) << got.err;
    EXPECT_EQ(want.out, got.out);
    EXPECT_EQ(68u, got.out.size());  // "HASH  -\n"
  }
  std::string ns_link() const {
    std::string ino = sh(std::string("stat -L -c %i /run/netns/") + kNs + " | tr -d '\\n'").out;
    return "net:[" + ino + "]\n";
  }
};

class AttackAnyCaller : public Attack {};

// One launch's outcome in a race, as "CODE|OUTPUT" (stdout and stderr).
std::map<std::string, int> outcomes(const std::string &file) {
  std::map<std::string, int> seen;
  std::ifstream in(file);
  std::stringstream all;
  all << in.rdbuf();
  // Records are separated by a line "--".
  std::string rec, line;
  std::istringstream lines(all.str());
  while (std::getline(lines, line)) {
    if (line == "--") {
      ++seen[rec];
      rec.clear();
    } else {
      rec += line + "\n";
    }
  }
  return seen;
}

// Every outcome of the race in FILE is WANT_OK or one of REFUSALS, N in all,
// and each kind was seen (else the swapper never met a launch).
void expect_race(const std::string &file, int n, const std::string &want_ok, const std::set<std::string> &refusals) {
  int ran = 0, refused = 0;
  for (const auto &[rec, count] : outcomes(file)) {
    if (rec == want_ok) ran += count;
    else if (refusals.count(rec)) refused += count;
    else ADD_FAILURE() << count << " launch(es) ended otherwise: " << rec;
  }
  EXPECT_EQ(n, ran + refused);
  EXPECT_GT(ran, 0) << "no launch ran: the race did not race";
  EXPECT_GT(refused, 0) << "no launch met a swapped file: the race did not race";
  std::fprintf(stderr, "race: %d ran, %d refused\n", ran, refused);
}

// The shell loop that launches N times, recording each outcome in FILE.
std::string launches(int n, const std::string &launch, const std::string &file) {
  return "for i in $(seq " + std::to_string(n) + "); do out=$(" + launch + " 2>&1); echo \"$?|$out\"; echo --; done > " +
         file;
}

// ---- privileged process --------------------------------------------------------

TEST_P(Attack, PtraceAndProcMemWhilePrivileged_bubblewrap_CVE_2016_8659) {
  // 200 launches, each stopped by its caller at a different moment; while it
  // is still vpnrun, nothing of it can be traced or read.
  const std::string before = sh("cat /proc/self/mountinfo").out;
  auto r = sh("cd /tmp && " + std::string(kUser) + g_dir + "/probe stop-attack 200 " + bin() + " -q -n " + kNs +
              " -- /bin/sleep 0.01");
  EXPECT_EQ("stopped-in-vpnrun>0 1 gained 0 control 1\n", r.out) << r.err;
  // Launches stopped and continued at every point leave the host's mounts alone.
  EXPECT_EQ(before, sh("cat /proc/self/mountinfo").out);
}

TEST_P(AttackAnyCaller, InheritableAndAmbientCapabilitiesOnEntry_runc_CVE_2022_29162) {
  // The caller arrives with CAP_NET_RAW and CAP_NET_ADMIN inheritable and
  // ambient (the shell it runs from has them in effect).
  const std::string entry = "setpriv --inh-caps=+net_raw,+net_admin --ambient-caps=+net_raw,+net_admin " +
                            (root() ? std::string() : std::string(kUser).substr(8));
  const std::string caps = "grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status";
  auto control = sh("cd /tmp && setpriv " + entry + "bash -c \"" + caps + "\"");
  EXPECT_NE(std::string::npos, control.out.find("CapAmb:\t0000000000003000\n")) << control.out << control.err;
  auto r = sh("cd /tmp && setpriv " + entry + bin() + " -q -n " + kNs + " -- " + caps);
  EXPECT_EQ(0, r.code) << r.err;
  EXPECT_EQ("CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n"
            "CapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\n", r.out);
  // A program with file capabilities in its inheritable set gains nothing
  // from them either.
  auto fi = sh("cd /tmp && setpriv " + entry + bin() + " -q -n " + kNs + " -- " + g_dir +
               "/grep-p ^CapPrm /proc/self/status");
  EXPECT_EQ("CapPrm:\t0000000000000000\n", fi.out) << fi.err;
}

TEST_P(Attack, BoundingSetWithoutTheNeededCapabilitiesOnEntry) {
  // A caller that emptied the bounding set of what vpnrun needs gets a
  // refusal, never a program with privilege it could not drop.
  const std::string want = GetParam() == "setuid" ? "vpnrun: prctl(PR_CAPBSET_DROP)('vpnrun'): Operation not permitted\n"
                                                  : "vpnrun: capset('vpnrun'): Operation not permitted\n";
  auto r = sh("cd /tmp && setpriv --bounding-set=-setpcap " + std::string(kUser).substr(8) + bin() + " -q -n " + kNs +
              " -- echo ran");
  EXPECT_EQ(125, r.code);
  EXPECT_EQ("", r.out);
  EXPECT_EQ(want, r.err);
  const std::string want2 = GetParam() == "setuid"
                                ? "vpnrun: unshare(CLONE_NEWNS)('vpnrun'): Operation not permitted\n"
                                : "vpnrun: raise privilege('vpnrun'): not installed setuid root or with file "
                                  "capabilities (see vpnrun(1))\n";
  auto r2 = sh("cd /tmp && setpriv --bounding-set=-sys_admin " + std::string(kUser).substr(8) + bin() + " -q -n " +
               kNs + " -- echo ran");
  EXPECT_EQ(125, r2.code);
  EXPECT_EQ("", r2.out);
  EXPECT_EQ(want2, r2.err);
}

TEST_P(AttackAnyCaller, NssModulesOfTheNamespaceNeverLoadedWhilePrivileged_sudo_CVE_2025_32463) {
  // The namespace's nsswitch.conf names a module; [access] needs a group
  // lookup. vpnrun, privileged, must never read that file or load the module:
  // only the program (here `id`, after the exec) does.
  sh(std::string("cp /etc/netns/ax/nsswitch.conf /tmp/nss.keep; "
                 "printf 'passwd: vpnrunevil files\\ngroup: vpnrunevil files\\nhosts: files dns\\n' > /etc/netns/ax/nsswitch.conf"));
  vt::write_config(kNs, "[access]\ngroups = [\"users\"]\n[dns]\nservers = [\"198.51.100.54\"]\n");
  auto r = sh("cd /tmp && strace -f -qq -e trace=openat,execve -e signal=none " + caller() + bin() + " -q -n " + kNs +
              " -- id 2>&1 >/dev/null");
  vt::write_config(kNs, kConfig);
  sh("cp /tmp/nss.keep /etc/netns/ax/nsswitch.conf; rm /tmp/nss.keep");
  // The program's execve: the last one, of /usr/bin/id (or /bin/id).
  auto exec_at = r.out.find("execve(\"/usr/bin/id\"");
  if (exec_at == std::string::npos) exec_at = r.out.find("execve(\"/bin/id\"");
  ASSERT_NE(std::string::npos, exec_at) << r.out;
  EXPECT_EQ(std::string::npos, r.out.substr(0, exec_at).find("vpnrunevil")) << r.out;
  // Control: the program does look for the module (its /etc is the namespace's).
  EXPECT_NE(std::string::npos, r.out.find("libnss_vpnrunevil", exec_at)) << r.out;
}

// ---- the namespace and its files, swapped between check and use --------------

TEST_P(AttackAnyCaller, NetnsSwappedBetweenCheckAndUse_Race) {
  // While 150 launches run, /run/netns/ax is replaced, over and over, by a
  // symlink to another namespace, a bind mount of a network namespace made in
  // a user namespace, one of a UTS namespace, and a plain file, then put back.
  // Every launch either runs in ax or refuses with the exact line.
  const std::string keep = "/tmp/attack-netns.pids";
  ASSERT_EQ(0, sh("{ ip netns exec ax sleep 120 & echo $! > " + keep + "; } ; "
                  "{ unshare -U -n --map-root-user sleep 120 & echo $! >> " + keep + "; } ; "
                  "{ unshare -u sleep 120 & echo $! >> " + keep + "; } ; sleep 0.3").code);
  auto pids = sh("tr '\\n' ' ' < " + keep).out;
  std::istringstream ps(pids);
  int ax = 0, userns = 0, uts = 0;
  ps >> ax >> userns >> uts;
  ASSERT_GT(uts, 0) << pids;
  const std::string put = "rm -f /run/netns/ax; touch /run/netns/ax; mount --bind /proc/" + std::to_string(ax) +
                          "/ns/net /run/netns/ax";
  const std::string swapper =
      "while :; do "
      "umount /run/netns/ax; rm -f /run/netns/ax; ln -s /run/netns/wan /run/netns/ax; sleep 0.001; "
      "rm -f /run/netns/ax; touch /run/netns/ax; mount --bind /proc/" + std::to_string(userns) + "/ns/net /run/netns/ax; sleep 0.001; "
      "umount /run/netns/ax; mount --bind /proc/" + std::to_string(uts) + "/ns/uts /run/netns/ax; sleep 0.001; "
      "umount /run/netns/ax; sleep 0.001; " + put + "; sleep 0.002; done";
  const std::string want_ok = "0|" + ns_link();
  const std::set<std::string> refusals = {
      "125|vpnrun: open('ax'): Too many levels of symbolic links\n",
      "125|vpnrun: open namespace('/run/netns/ax'): owned by another user namespace\n",
      "125|vpnrun: open namespace('/run/netns/ax'): not a network namespace\n",
      "125|vpnrun: open namespace('/run/netns/ax'): not a namespace (not on nsfs)\n",
      "125|vpnrun: open namespace('/run/netns/ax'): no such namespace (is `vpnrun up ax` done?)\n",
  };
  sh("bash -c '" + swapper + "' >/dev/null 2>&1 & echo $! > /tmp/attack-swapper.pid; " +
     launches(150, vpnrun("-q -n ax -- readlink /proc/self/ns/net"), "/tmp/attack-race.out") +
     "; kill $(cat /tmp/attack-swapper.pid); wait");
  sh("umount /run/netns/ax 2>/dev/null; " + put);
  expect_race("/tmp/attack-race.out", 150, want_ok, refusals);
  sh("kill $(cat " + keep + "); rm -f " + keep + " /tmp/attack-race.out /tmp/attack-swapper.pid; sleep 0.1");
  EXPECT_EQ(want_ok, "0|" + in_ns("readlink /proc/self/ns/net").out);
}

TEST_P(AttackAnyCaller, ResolvConfSwappedBetweenCheckAndUse_Race) {
  // While 150 launches run, /etc/netns/ax/resolv.conf is replaced (renamed
  // over) by a symlink to a user's file, by a user's file, by a world-writable
  // file, and covered by a bind mount of a user's file, then put back. Every
  // launch sees the namespace's server or refuses with the exact line; none
  // ever sees the user's server.
  sh("cp " + std::string(kResolv) + " /tmp/attack-resolv.good; echo 'nameserver 192.0.2.66' > /tmp/attack-resolv.evil; "
     "chown 65534 /tmp/attack-resolv.evil");
  const std::string f = kResolv, t = std::string(kResolv) + ".new";
  const std::string swapper =
      "while :; do "
      "ln -sfn /tmp/attack-resolv.evil " + t + " && mv -T " + t + " " + f + "; sleep 0.001; "
      "cp /tmp/attack-resolv.evil " + t + " && chown 65534 " + t + " && mv -T " + t + " " + f + "; sleep 0.001; "
      "cp /tmp/attack-resolv.evil " + t + " && chmod 666 " + t + " && mv -T " + t + " " + f + "; sleep 0.001; "
      "cp /tmp/attack-resolv.good " + t + " && mv -T " + t + " " + f + " && mount --bind /tmp/attack-resolv.evil " + f +
      "; sleep 0.001; umount " + f + "; sleep 0.002; done";
  // Beside it, a tight loop exchanges whatever is at resolv.conf with a
  // symlink to the user's file (renameat2 RENAME_EXCHANGE): many thousand
  // swaps a second, so that a second lookup of the path after the check, if
  // there were one, would be met.
  const std::string x = std::string(kResolv) + ".x";
  const std::string want_ok = "0|nameserver 198.51.100.54\n";
  const std::set<std::string> refusals = {
      "125|vpnrun: open('" + f + "'): Too many levels of symbolic links\n",
      "125|vpnrun: open('" + f + "'): not a root-owned regular file writable only by root\n",
  };
  sh("ln -s /tmp/attack-resolv.evil " + x + "; bash -c '" + swapper + "' >/dev/null 2>&1 & echo $! > /tmp/attack-swapper.pid; " +
     g_dir + "/probe exchange " + f + " " + x + " & echo $! >> /tmp/attack-swapper.pid; " +
     launches(150, vpnrun("-q -n ax -- grep ^nameserver /etc/resolv.conf"), "/tmp/attack-race.out") +
     "; kill $(cat /tmp/attack-swapper.pid); wait");
  // Put back by a rename: cp, chmod or chown on what may be a symlink now
  // would act on the user's file instead.
  sh("umount " + f + " 2>/dev/null; rm -f " + t + " " + x + "; cp /tmp/attack-resolv.good " + t + " && mv -T " + t + " " + f);
  expect_race("/tmp/attack-race.out", 150, want_ok, refusals);
  sh("rm -f /tmp/attack-resolv.good /tmp/attack-resolv.evil /tmp/attack-race.out /tmp/attack-swapper.pid");
  EXPECT_EQ(want_ok, "0|" + in_ns("grep ^nameserver /etc/resolv.conf").out);
}

TEST_P(AttackAnyCaller, ResolvConfBindMountedFromAUsersFile) {
  sh("echo 'nameserver 192.0.2.66' > /tmp/attack-resolv.evil; chown 65534 /tmp/attack-resolv.evil; "
     "mount --bind /tmp/attack-resolv.evil " + std::string(kResolv));
  auto r = in_ns("cat /etc/resolv.conf");
  sh("umount " + std::string(kResolv) + "; rm -f /tmp/attack-resolv.evil");
  EXPECT_EQ(125, r.code);
  EXPECT_EQ("", r.out);
  EXPECT_EQ("vpnrun: open('" + std::string(kResolv) + "'): not a root-owned regular file writable only by root\n", r.err);
}

TEST_P(AttackAnyCaller, EtcNetnsDirectoryUnsafe) {
  const std::string d = "/etc/netns/ax";
  sh("chmod 777 " + d);
  auto w = in_ns("true");
  sh("chmod 755 " + d + "; chown 65534 " + d);
  auto u = in_ns("true");
  sh("chown 0 " + d + "; mv " + d + " /etc/netns/ax.real; ln -s ax.real " + d);
  auto l = in_ns("true");
  sh("rm " + d + "; mv /etc/netns/ax.real " + d);
  const std::string unsafe = "vpnrun: open('" + d + "'): not a root-owned directory writable only by root\n";
  EXPECT_EQ(125, w.code);
  EXPECT_EQ(unsafe, w.err);
  EXPECT_EQ(125, u.code);
  EXPECT_EQ(unsafe, u.err);
  EXPECT_EQ(125, l.code);
  EXPECT_EQ("vpnrun: open('" + d + "'): Not a directory\n", l.err);  // O_DIRECTORY|O_NOFOLLOW on a link
  EXPECT_EQ(0, in_ns("true").code);
}

// Whoever can write /etc/netns can put any root-owned directory (another
// namespace's) in NAME's place: the parent must be root's alone too.
TEST_P(AttackAnyCaller, EtcNetnsParentUnsafe) {
  sh("chmod 777 /etc/netns");
  auto w = in_ns("true");
  sh("chmod 755 /etc/netns; chown 65534 /etc/netns");
  auto u = in_ns("true");
  sh("chown 0 /etc/netns");
  const std::string unsafe = "vpnrun: open('/etc/netns'): not a root-owned directory writable only by root\n";
  EXPECT_EQ(125, w.code);
  EXPECT_EQ(unsafe, w.err);
  EXPECT_EQ(125, u.code);
  EXPECT_EQ(unsafe, u.err);
  EXPECT_EQ(0, in_ns("true").code);
}

// ---- /etc/vpnrun ------------------------------------------------------------------

TEST_P(AttackAnyCaller, UserWritableNamespaceConfig) {
  const std::string f = "/etc/vpnrun/ax.toml";
  auto refused = [&](const std::string &setup, const std::string &detail) {
    sh(setup);
    auto r = in_ns("echo ran");
    sh("rm -f " + f + " /etc/vpnrun/ax.real");  // never write through a link or into a FIFO
    vt::write_config(kNs, kConfig);
    EXPECT_EQ(125, r.code) << setup;
    EXPECT_EQ("", r.out) << setup;
    EXPECT_EQ("vpnrun: open config('" + f + "'): " + detail + "\n", r.err) << setup;
  };
  refused("chmod 666 " + f, "writable by users other than root");
  refused("chgrp 100 " + f + "; chmod 664 " + f, "writable by users other than root");
  refused("chown 65534 " + f, "not owned by root");
  refused("mv " + f + " /etc/vpnrun/ax.real; ln -s ax.real " + f, "Too many levels of symbolic links");
  refused("rm " + f + "; mkfifo -m 644 " + f, "not a regular file");
  EXPECT_EQ(0, in_ns("true").code);
}

TEST_P(AttackAnyCaller, UserWritableGlobalConfig) {
  const std::string f = "/etc/vpnrun/vpnrun.toml";
  sh("echo 'default_netns = \"ax\"' > " + f + "; chmod 666 " + f);
  auto w = in_ns("echo ran");
  sh("chmod 644 " + f + "; chown 65534 " + f);
  auto u = in_ns("echo ran");
  sh("rm " + f);
  EXPECT_EQ(125, w.code);
  EXPECT_EQ("", w.out);
  EXPECT_EQ("vpnrun: open config('" + f + "'): writable by users other than root\n", w.err);
  EXPECT_EQ(125, u.code);
  EXPECT_EQ("vpnrun: open config('" + f + "'): not owned by root\n", u.err);
}

TEST_P(AttackAnyCaller, UserWritableConfigDirectory) {
  // With /etc/vpnrun writable by others, a user could rename another
  // namespace's root-owned config over this one's: the directory is refused.
  sh("chmod 777 /etc/vpnrun");
  auto r = in_ns("echo ran");
  sh("chmod 755 /etc/vpnrun");
  EXPECT_EQ(125, r.code);
  EXPECT_EQ("", r.out);
  EXPECT_EQ("vpnrun: open config('/etc/vpnrun'): not a root-owned directory writable only by root\n", r.err);
  EXPECT_EQ(0, in_ns("true").code);
}

// ---- what reaches the program ---------------------------------------------------

TEST_P(AttackAnyCaller, CwdIsAProcSelfFdLinkToAHostDirectory_runc_CVE_2024_21626) {
  // The caller's working directory is the host's /etc, entered through a
  // descriptor. The program is in /etc again by name, so `resolv.conf` is the
  // namespace's (the host's one would be reachable through a directory
  // carried across), and the descriptor itself is not there.
  auto r = sh("exec 7</etc; cd /proc/self/fd/7 && " + caller() + bin() + " -q -n ax -- sh -c "
              "'pwd -P; grep ^nameserver resolv.conf; cd /proc/self/fd/7 2>/dev/null || echo no fd 7; " + g_dir +
              "/probe fds'");
  EXPECT_EQ(0, r.code) << r.err;
  EXPECT_EQ("/etc\nnameserver 198.51.100.54\nno fd 7\n0 1 2\n", r.out);
}

TEST_P(AttackAnyCaller, CwdThatCannotBeNamedIsRefused) {
  // A deleted working directory has no name to enter again: refused, instead
  // of carried across into the program.
  auto r = sh("d=$(mktemp -d /tmp/attack-cwd.XXXXXX); chmod 777 $d; cd $d && rmdir $d && " + caller() + bin() +
              " -q -n ax -- pwd");
  EXPECT_EQ(125, r.code);
  EXPECT_EQ("", r.out);
  EXPECT_EQ("vpnrun: get working directory('.'): No such file or directory\n", r.err);
}

TEST_P(AttackAnyCaller, TIOCSTIOnTheCallersTerminal_CVE_2017_5226) {
  // On a real terminal, the caller's controlling one (script(1) makes a pty),
  // the kernel lets its owner push input (legacy TIOCSTI); inside vpnrun, the
  // filter refuses it, with and without the high bits.
  for (const char *op : {"tiocsti", "tiocsti-high", "tioclinux"}) {
    auto r = sh("script -qec '" + caller() + bin() + " -q -n ax -- " + g_dir + "/probe " + op + "' /dev/null");
    EXPECT_EQ("EPERM\r\n", r.out) << op << r.err;
  }
  auto control = sh("script -qec '" + caller() + g_dir + "/probe tiocsti' /dev/null");
  // Kernels since 6.2 may refuse it to all but CAP_SYS_ADMIN (dev.tty.legacy_tiocsti = 0).
  const bool legacy = sh("cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1").out != "0\n";
  EXPECT_EQ(legacy || root() ? "xok\r\n" : "EIO\r\n", control.out)
      << "control: the kernel allows it on one's own terminal (the x is the input pushed)";
}

TEST_P(AttackAnyCaller, EmptyArgvZeroIsRefused_pkexec_CVE_2021_4034) {
  // argv[0] == "" (what Linux 5.18+ makes of argc == 0; the argc == 0 case is
  // Refusal.ArgcZeroRunsNothing): nothing runs, nothing is parsed.
  auto r = sh("cd /tmp && " + caller() + "bash -c 'exec -a \"\" " + bin() + " -n ax -- echo ran'");
  EXPECT_EQ(125, r.code);
  EXPECT_EQ("", r.out);
  EXPECT_EQ("", r.err);
}

TEST_P(AttackAnyCaller, OneMiBOfArgumentsPassUntouched) {
  // Eight arguments of 128 KiB less one byte (the kernel's limit for one),
  // among them vpnrun's own options and shell syntax: all reach the program
  // as they were.
  const std::string args =
      "a=$(head -c 131071 /dev/zero | tr '\\0' A); set -- -n wan --preserve-fds 9 -- '$(id)' \"; id\" "
      "\"$a\" \"$a\" \"$a\" \"$a\" \"$a\" \"$a\" \"$a\" \"$a\"; ";
  const std::string digest = "sh -c 'for x; do printf \"%s\\n\" \"$x\"; done | sha256sum' sh \"$@\"";
  expect_same_inside(args, digest);
}

TEST_P(AttackAnyCaller, OneMiBOfEnvironmentPassesUntouched) {
  const std::string env =
      "a=$(head -c 131000 /dev/zero | tr '\\0' B); export V1=$a V2=$a V3=$a V4=$a V5=$a V6=$a V7=$a V8=\"$a;\\$(id)\"; ";
  const std::string digest = "sh -c 'printf %s \"$V1$V2$V3$V4$V5$V6$V7$V8\" | sha256sum'";
  expect_same_inside(env, digest);
}

TEST_P(AttackAnyCaller, OversizedNamespaceNameIsRefused) {
  // 128 KiB less one byte: the most one argument can be (1 MiB fails in execve).
  auto r = sh("n=$(head -c 131071 /dev/zero | tr '\\0' N); " + vpnrun("-n \"$n\" -- echo ran"));
  EXPECT_EQ(125, r.code);
  EXPECT_EQ("", r.out);
  EXPECT_EQ("vpnrun: parse namespace name('" + std::string(64, 'N') + "...'): longer than 15 characters\n", r.err);
}

TEST_P(AttackAnyCaller, OptionsAfterTheProgramAreThePrograms) {
  // Nothing from PROGRAM on is read as vpnrun's, with or without `--`.
  auto a = in_ns("printf '%s|' -n wan --preserve-fds 9 -q -- --netns=wan");
  EXPECT_EQ(0, a.code) << a.err;
  EXPECT_EQ("-n|wan|--preserve-fds|9|-q|--|--netns=wan|", a.out);
  auto b = sh(vpnrun("-n ax printf '%s|' -n wan"));
  EXPECT_EQ("-n|wan|", b.out) << b.err;
}

TEST_P(AttackAnyCaller, PreserveFdsOutOfRangeIsRefused) {
  for (const char *n : {"1025", "-1", "3x", "''", "99999999999999999999"}) {
    auto r = sh(vpnrun(std::string("--preserve-fds ") + n + " -n ax -- echo ran"));
    EXPECT_EQ(125, r.code) << n;
    EXPECT_EQ("", r.out) << n;
    EXPECT_EQ("vpnrun: --preserve-fds needs a number 0-1024\nTry 'vpnrun --help'.\n", r.err) << n;
  }
  // Exactly N: fd 5 is not passed with --preserve-fds 2.
  EXPECT_EQ("0 1 2 3 4\n", sh("exec 3</etc/hostname 4</etc/hostname 5</etc/hostname; " +
                              vpnrun("-q -n ax --preserve-fds 2 -- " + g_dir + "/probe fds")).out);
}

INSTANTIATE_TEST_SUITE_P(Forms, Attack, ::testing::Values("setuid", "caps"),
                         [](const auto &param_info) { return param_info.param; });
INSTANTIATE_TEST_SUITE_P(Forms, AttackAnyCaller, ::testing::Values("root", "setuid", "caps"),
                         [](const auto &param_info) { return param_info.param; });

// ---- the hook ------------------------------------------------------------------

const char *kHookNs = "ah";

class AttackHook : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    vt::write_config(kHookNs, "[containers]\nenable = true\nsubnet = \"10.252.0.0/24\"\n");
    auto u = vt::run(std::string("up -q ") + kHookNs);
    ASSERT_EQ(0, u.code) << u.err;
  }
  static void TearDownTestSuite() {
    vt::run(std::string("down -q ") + kHookNs);
    vt::run("gc -q");
    vt::remove_config(kHookNs);
  }

 protected:
  void SetUp() override {
    bundle_ = vt::make_bundle("attack-bundle");
    ASSERT_FALSE(bundle_.empty());
  }
  void TearDown() override {
    vt::reap(pids_);
    for (const auto &id : attached_) hook("teardown", state(id, 0));
    sh("rm -rf " + bundle_);
    EXPECT_EQ("0\n", links()) << "a container link is left";
    EXPECT_EQ("0\n", sh("ls /run/vpnrun/_containers/ah/addr 2>/dev/null | wc -l").out) << "a lease is left";
  }
  // A process in a network namespace of its own (WRAPPER runs `sleep`).
  int container(const std::string &wrapper = "unshare --net") {
    int pid = vt::spawn_sleeper(wrapper);
    pids_.push_back(pid);
    return pid;
  }
  std::string state(const std::string &id, int pid, const std::string &annotation_value = kHookNs,
                    const std::string &annotation_key = "io.vpnrun.netns") const {
    std::string s = "{\"ociVersion\":\"1.0.2\",\"id\":\"" + id + "\",\"status\":\"creating\",";
    if (pid > 0) s += "\"pid\":" + std::to_string(pid) + ",";
    return s + "\"bundle\":\"" + bundle_ + "\",\"annotations\":{\"" + annotation_key + "\":\"" + annotation_value +
           "\"}}";
  }
  // The hook with JSON on stdin, from a file: no shell ever sees the text.
  vt::Out hook(const std::string &stage, const std::string &json) {
    std::ofstream(bundle_ + "/state.json") << json;
    return sh(HOOK_BIN " " + stage + " < " + bundle_ + "/state.json");
  }
  static std::string links() { return sh("ip -n ah -o link show | grep -c ' vc-'").out; }

  std::string bundle_;
  std::vector<int> pids_;
  std::vector<std::string> attached_;
};

TEST_F(AttackHook, AnnotationWithShellOrRegexMetacharacters) {
  // The annotation's value (JSON-escaped here) is parsed into a name first:
  // no shell, no regular expression, no path ever sees it.
  int c = container();
  sh("rm -f /tmp/apwn");
  const std::string chars = "may contain only letters, digits and '_.-'";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"$(touch /tmp/apwn)", "('$(touch /tmp/apwn)'): longer than 15 characters"},
      {"ah;touch /tmp/a", "('ah;touch /tmp/a'): " + chars},
      {"`touch /apwn`", "('`touch /apwn`'): " + chars},
      {"ah.*", "('ah.*'): " + chars},
      {"^ah$", "('^ah$'): " + chars},
      {"a[h]", "('a[h]'): " + chars},
      {"ah|vpn", "('ah|vpn'): " + chars},
      {"../ah", "('../ah'): " + chars},
      {".ah", "('.ah'): must start with a letter or a digit"},
      {"ah\\n", "('ah\\x0a'): " + chars},
      {"ah\\u0000x", "('ah\\x00x'): " + chars},
      {"", ": empty name"},
  };
  for (const auto &[json, err] : cases) {
    auto r = hook("create", state("meta", c, json));
    EXPECT_EQ(1, r.code) << json;
    EXPECT_EQ("vpnrun-hook: create meta: annotation io.vpnrun.netns: parse namespace name" + err + "\n", r.err);
  }
  EXPECT_EQ(1, sh("test -e /tmp/apwn || test -e /apwn").code) << "a shell ran the annotation";
  EXPECT_EQ("0\n", links());
}

TEST_F(AttackHook, AnnotationKeyLookalikesAreNotOurs) {
  // Only the exact key counts: regex and case look-alikes change nothing and
  // succeed (the container is not asking for the VPN).
  int c = container();
  for (const char *key : {"io.vpnrun.netns.", "ioXvpnrunXnetns", "IO.VPNRUN.NETNS", " io.vpnrun.netns", "io.vpnrun.netns*"}) {
    auto r = hook("create", state("lookalike", c, kHookNs, key));
    EXPECT_EQ(0, r.code) << key;
    EXPECT_EQ("", r.err) << key;
  }
  EXPECT_EQ("0\n", links());
  EXPECT_EQ("", sh("nsenter -t " + std::to_string(c) + " -n ip -o link show eth0 2>/dev/null").out);
}

TEST_F(AttackHook, HostileContainerIds) {
  int c = container();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"../../etc/passwd", "parse container id('../../etc/passwd'): may contain only letters, digits and '_+.-'"},
      {".hidden", "parse container id('.hidden'): starts with '.'"},
      {"..", "parse container id('..'): starts with '.'"},
      {"a/b", "parse container id('a/b'): may contain only letters, digits and '_+.-'"},
      {"$(id)", "parse container id('$(id)'): may contain only letters, digits and '_+.-'"},
      {"a\\nb", "parse container id('a\\x0ab'): may contain only letters, digits and '_+.-'"},
      {"", "parse container id: empty id"},
      {std::string(129, 'a'), "parse container id('" + std::string(64, 'a') + "...'): longer than 128 characters"},
  };
  for (const auto &[id, err] : cases) {
    auto r = hook("create", state(id, c));
    EXPECT_EQ(1, r.code) << id;
    EXPECT_EQ("vpnrun-hook: create: " + err + "\n", r.err) << id;
  }
  EXPECT_EQ("0\n", links());
  EXPECT_EQ("", sh("find /run/vpnrun/_containers -newer " + bundle_ + "/config.json -name '*passwd*' 2>/dev/null").out);
}

TEST_F(AttackHook, StatePidOfTheHost) {
  // The runtime's own process (this test, in the sandbox's network namespace,
  // which is the hook's), and pid 1, the machine's init, in the machine's.
  const std::string self = std::to_string(::getpid());
  auto r = hook("create", state("host-self", ::getpid()));
  EXPECT_EQ(1, r.code);
  EXPECT_EQ("vpnrun-hook: create host-self (ah): attach('pid " + self +
                "'): the container uses the host's network namespace; run it with --network none\n", r.err);
  // Where this root may open init's namespace (a plain machine) the same
  // refusal; where it may not (this VM's init is not dumpable), that one.
  const bool readable = sh("readlink /proc/1/ns/net").code == 0;
  auto i = hook("create", state("host-init", 1));
  EXPECT_EQ(1, i.code);
  EXPECT_EQ(readable ? "vpnrun-hook: create host-init (ah): attach('pid 1'): the container uses the host's network "
                       "namespace; run it with --network none\n"
                     : "vpnrun-hook: create host-init (ah): open('/proc/1/ns/net'): Permission denied\n", i.err);
  EXPECT_EQ("0\n", links());
}

TEST_F(AttackHook, StatePidOfAnotherUsersProcess_PidReuse) {
  // The pid names a process of an unprivileged user in a network namespace of
  // its own user namespace (as if the container's pid had been reused by it):
  // wiring it would give that user the VPN without [access].
  int c = container("setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U -n --map-root-user");
  attached_.push_back("reused");  // torn down if it were attached
  auto r = hook("create", state("reused", c));
  EXPECT_EQ(1, r.code);
  EXPECT_EQ("vpnrun-hook: create reused (ah): attach('pid " + std::to_string(c) +
                "'): the network namespace belongs to a user namespace made by uid 65534, not by root\n", r.err);
  EXPECT_EQ("0\n", links());
}

TEST_F(AttackHook, StatePidOfAnotherAttachedContainer_PidReuse) {
  // Container B's state names container A's pid. B is not wired into A's
  // netns twice, A's wiring is untouched, and B's teardown leaves A alone.
  int a = container();
  const std::string ida = "aaaaaaaaaaaa" + std::string(52, '1');
  ASSERT_EQ(0, hook("create", state(ida, a)).code);
  attached_.push_back(ida);
  const std::string addr = sh("nsenter -t " + std::to_string(a) + " -n ip -4 -o addr show dev eth0").out;
  auto b = hook("create", state("bbbbbbbbbbbb", a));
  EXPECT_EQ(0, b.code) << b.err;
  EXPECT_EQ("1\n", links());
  EXPECT_EQ(0, hook("teardown", state("bbbbbbbbbbbb", 0)).code);
  EXPECT_EQ("1\n", links());
  EXPECT_EQ(addr, sh("nsenter -t " + std::to_string(a) + " -n ip -4 -o addr show dev eth0").out);
}

TEST_F(AttackHook, ContainerIdMakesInterfaceNamesCollide) {
  // A link of someone else's already has the name the id maps to: the hook
  // takes another name, and its teardown deletes its own link only.
  const std::string id = "abcdef012345" + std::string(52, 'f');
  ASSERT_EQ(0, sh("ip -n ah link add vc-abcdef012345 type veth peer name foreign0").code);
  int c = container();
  auto r = hook("create", state(id, c));
  ASSERT_EQ(0, r.code) << r.err;
  attached_.push_back(id);
  EXPECT_EQ("2\n", links());
  EXPECT_EQ(0, hook("teardown", state(id, 0)).code);
  attached_.clear();
  EXPECT_EQ(0, sh("ip -n ah link show vc-abcdef012345 >/dev/null").code) << "the foreign link was deleted";
  EXPECT_EQ("1\n", links());
  sh("ip -n ah link del vc-abcdef012345");
}

TEST_F(AttackHook, MalformedOrOversizedState) {
  int c = container();
  const std::string pid = std::to_string(c);
  const std::string big = "{\"id\":\"big\",\"pad\":\"" + std::string(5 << 20, 'x') + "\"}";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {big, "create: read('stdin'): OCI state larger than 4 MiB"},
      {"[1,2]", "create: parse('OCI state'): not a JSON object"},
      {"{\"id\":\"x\",\"pid\":\"" + pid + "\",\"annotations\":{\"io.vpnrun.netns\":\"ah\"}}",
       "create: parse('OCI state'): \"pid\" is not an integer"},
      {"{\"id\":\"x\",\"pid\":" + pid + ",\"bundle\":\"/tmp/../etc\",\"annotations\":{\"io.vpnrun.netns\":\"ah\"}}",
       "create: parse('OCI state'): \"bundle\" is not a clean absolute path"},
      {"{\"id\":\"x\",\"pid\":-1,\"annotations\":{\"io.vpnrun.netns\":\"ah\"}}",
       "create x (ah): the runtime gave no pid; use the createRuntime stage"},
      {"{\"id\":\"x\",\"pid\":4294967297,\"annotations\":{\"io.vpnrun.netns\":\"ah\"}}",
       "create x (ah): the runtime gave no pid; use the createRuntime stage"},
  };
  for (const auto &[json, err] : cases) {
    auto r = hook("create", json);
    EXPECT_EQ(1, r.code) << err;
    EXPECT_EQ("vpnrun-hook: " + err + "\n", r.err);
  }
  EXPECT_EQ("0\n", links());
}

TEST_F(AttackHook, HooksDJsonWithAMissingBinary) {
  // Podman 4.3 skips a hooks.d entry whose binary is missing, silently, and
  // runs the annotated container without it, outside the VPN (seen with
  // tests/e2e/podman-env.sh: exit 0, the container ran). vpnrun cannot refuse
  // what never runs; `vpnrun doctor` reports it as a failure.
  const std::string dir = bundle_ + "/hooks.d";
  sh("mkdir " + dir + " && sed 's#/usr/libexec/vpnrun/vpnrun-hook#/nonexistent/vpnrun-hook#' " PROJECT_SOURCE
     "/contrib/oci-hooks.d/vpnrun-create.json > " + dir + "/vpnrun-create.json && "
     "sed 's#/usr/libexec/vpnrun/vpnrun-hook#" HOOK_BIN "#' " PROJECT_SOURCE "/contrib/oci-hooks.d/vpnrun-teardown.json > " +
     dir + "/vpnrun-teardown.json && echo '{\"hook\":{\"path\":\"/nonexistent/other\"}}' > " + dir + "/other.json");
  auto f = vpnrun::check_hook_files({dir});
  ASSERT_EQ(2u, f.size());
  EXPECT_EQ("FAIL  hooks: " + dir + "/vpnrun-create.json names /nonexistent/vpnrun-hook, which does not exist: "
            "Podman then runs containers annotated io.vpnrun.netns without the hook, outside the VPN; fix: install "
            "vpnrun-hook at /nonexistent/vpnrun-hook, or remove " + dir + "/vpnrun-create.json",
            vpnrun::format(f[0]));
  EXPECT_EQ("ok    hooks: " + dir + "/vpnrun-teardown.json names " HOOK_BIN, vpnrun::format(f[1]));
}

}  // namespace
