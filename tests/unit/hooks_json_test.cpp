// The OCI hooks.d JSON: contrib/oci-hooks.d as committed, and the copies the
// build makes for the build tree and for `cmake --install`. One malformed file
// in a hooks directory makes Podman refuse every container, so this runs
// during the build as well as under ctest.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

using nlohmann::json;

json load(const std::string &path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << path << " is not valid JSON";
  return j;
}

std::set<std::string> keys(const json &o) {
  std::set<std::string> k;
  for (const auto &[key, v] : o.items()) k.insert(key);
  return k;
}

// What Podman's hooks 1.0.0 schema requires, plus vpnrun's own rules.
void check(const std::string &path, const std::string &stage, const std::string &want_path) {
  SCOPED_TRACE(path);
  const json j = load(path);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(keys(j), (std::set<std::string>{"version", "hook", "when", "stages"}));
  EXPECT_EQ(j.value("version", ""), "1.0.0");

  const json &h = j["hook"];
  ASSERT_TRUE(h.is_object());
  EXPECT_EQ(keys(h), (std::set<std::string>{"path", "args", "env", "timeout"}));
  ASSERT_TRUE(h["path"].is_string());
  const std::string prog = h["path"];
  EXPECT_EQ(prog.front(), '/') << "hook.path must be absolute";
  if (!want_path.empty()) {
    EXPECT_EQ(prog, want_path);
  }
  ASSERT_TRUE(h["args"].is_array());
  // args[0] is the program's name, as in execve; then the stage.
  EXPECT_EQ(h["args"], json::array({"vpnrun-hook", stage == "createRuntime" ? "create" : "teardown"}));
  EXPECT_EQ(prog.substr(prog.rfind('/') + 1), "vpnrun-hook");
  // An explicit PATH: runtimes give hooks no environment of their own.
  ASSERT_TRUE(h["env"].is_array());
  bool has_path = false;
  for (const auto &e : h["env"]) {
    ASSERT_TRUE(e.is_string());
    EXPECT_NE(std::string::npos, e.get<std::string>().find('=')) << e;
    has_path = has_path || e.get<std::string>().rfind("PATH=/", 0) == 0;
  }
  EXPECT_TRUE(has_path);
  ASSERT_TRUE(h["timeout"].is_number_integer());
  EXPECT_GT(h["timeout"].get<int>(), 0);
  EXPECT_LE(h["timeout"].get<int>(), 60);

  const json &w = j["when"];
  ASSERT_TRUE(w.is_object());
  EXPECT_EQ(keys(w), (std::set<std::string>{"annotations"})) << "only the annotation decides";
  ASSERT_TRUE(w["annotations"].is_object());
  ASSERT_EQ(w["annotations"].size(), 1u);
  const auto entry = w["annotations"].begin();
  const std::string key_re = entry.key();
  const json &value_re_json = entry.value();
  ASSERT_TRUE(value_re_json.is_string());
  EXPECT_EQ(key_re.front(), '^');
  EXPECT_EQ(key_re.back(), '$');
  const std::regex key(key_re), value(value_re_json.get<std::string>());
  EXPECT_TRUE(std::regex_search("io.vpnrun.netns", key));
  for (const char *other : {"io.vpnrun.netnsx", "xio.vpnrun.netns", "ioXvpnrunXnetns", "io.vpnrun", ""})
    EXPECT_FALSE(std::regex_search(other, key)) << other;
  // Every value reaches the hook, which refuses bad names: a value the
  // regex skipped would start the container without the VPN.
  for (const char *v : {"vpn", "", "../x", "a b"}) EXPECT_TRUE(std::regex_search(v, value)) << v;

  EXPECT_EQ(j["stages"], json::array({stage}));
}

TEST(HooksJson, CommittedFiles) {
  check(HOOKS_SRC_DIR "/vpnrun-create.json", "createRuntime", "/usr/libexec/vpnrun/vpnrun-hook");
  check(HOOKS_SRC_DIR "/vpnrun-teardown.json", "poststop", "/usr/libexec/vpnrun/vpnrun-hook");
}

TEST(HooksJson, BuildTreeFilesNameTheBuiltHook) {
  check(HOOKS_BUILD_DIR "/vpnrun-create.json", "createRuntime", HOOK_BIN);
  check(HOOKS_BUILD_DIR "/vpnrun-teardown.json", "poststop", HOOK_BIN);
}

TEST(HooksJson, InstalledFilesNameTheInstalledHook) {
  check(HOOKS_INSTALL_DIR "/vpnrun-create.json", "createRuntime", INSTALLED_HOOK);
  check(HOOKS_INSTALL_DIR "/vpnrun-teardown.json", "poststop", INSTALLED_HOOK);
}

}  // namespace
