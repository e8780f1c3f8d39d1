#include "vpnrun/oci.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "vpnrun/fd.hpp"

namespace vpnrun {

using nlohmann::json;

std::optional<std::string> OciState::annotation(const std::string &key) const {
  auto it = annotations.find(key);
  if (it == annotations.end()) return std::nullopt;
  return it->second;
}

namespace {

Result<json> parse_object(std::string_view text, const std::string &what) {
  if (text.size() > kMaxOciJson) return make_error("parse", what, "larger than 4 MiB");
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) return make_error("parse", what, "not valid JSON");
  if (!doc.is_object()) return make_error("parse", what, "not a JSON object");
  return doc;
}

// A path as OCI writes them: absolute, no NUL, no ".." component.
bool clean_absolute(const std::string &p) {
  if (p.empty() || p.front() != '/' || p.find('\0') != std::string::npos) return false;
  return ("/" + p + "/").find("/../") == std::string::npos;
}

std::string normalized(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  std::string out;
  for (size_t i = 0; i < p.size(); ++i)
    if (!(p[i] == '/' && i + 1 < p.size() && p[i + 1] == '/')) out += p[i];
  return out;
}

}  // namespace

Result<OciState> parse_oci_state(std::string_view text) {
  VR_ASSIGN(json doc, parse_object(text, "OCI state"));
  auto id_it = doc.find("id");
  if (id_it == doc.end() || !id_it->is_string())
    return make_error("parse", "OCI state", "no string \"id\"");
  VR_ASSIGN(ContainerId id, ContainerId::parse(id_it->get<std::string>()));
  OciState st{std::move(id), std::nullopt, {}, {}};

  if (auto p = doc.find("pid"); p != doc.end() && !p->is_null()) {
    if (!p->is_number_integer()) return make_error("parse", "OCI state", "\"pid\" is not an integer");
    long long v = p->get<long long>();
    if (v > 0 && v <= 0x7fffffff) st.pid = static_cast<pid_t>(v);
  }
  // "bundle" (OCI 1.0) or "bundlePath" (runtimes before it).
  for (const char *key : {"bundle", "bundlePath"}) {
    auto b = doc.find(key);
    if (b == doc.end() || b->is_null()) continue;
    if (!b->is_string()) return make_error("parse", "OCI state", std::string("\"") + key + "\" is not a string");
    std::string path = b->get<std::string>();
    if (!clean_absolute(path))
      return make_error("parse", "OCI state", std::string("\"") + key + "\" is not a clean absolute path");
    st.bundle = normalized(path);
    break;
  }
  if (auto a = doc.find("annotations"); a != doc.end() && !a->is_null()) {
    if (!a->is_object()) return make_error("parse", "OCI state", "\"annotations\" is not an object");
    for (const auto &[k, v] : a->items())
      if (v.is_string()) st.annotations.emplace(k, v.get<std::string>());
  }
  return st;
}

Result<OciBundle> parse_oci_config(std::string_view text, const std::string &bundle) {
  const std::string what = bundle + "/config.json";
  VR_ASSIGN(json doc, parse_object(text, what));
  OciBundle out;
  auto root = doc.find("root");
  if (root == doc.end() || !root->is_object() || !root->contains("path") || !(*root)["path"].is_string())
    return make_error("parse", what, "no \"root\": {\"path\": ...}");
  std::string rp = (*root)["path"].get<std::string>();
  if (rp.empty()) return make_error("parse", what, "empty root.path");
  out.root = normalized(rp.front() == '/' ? rp : bundle + "/" + rp);
  if (!clean_absolute(out.root)) return make_error("parse", what, "root.path is not a clean path");

  if (auto m = doc.find("mounts"); m != doc.end() && !m->is_null()) {
    if (!m->is_array()) return make_error("parse", what, "\"mounts\" is not an array");
    // The last mount on a destination is the one the container sees.
    for (const auto &mount : *m) {
      if (!mount.is_object()) continue;
      auto d = mount.find("destination");
      auto s = mount.find("source");
      if (d == mount.end() || !d->is_string() || s == mount.end() || !s->is_string()) continue;
      if (normalized(d->get<std::string>()) != "/etc/resolv.conf") continue;
      std::string src = s->get<std::string>();
      if (!src.empty() && src.front() != '/') src = bundle + "/" + src;
      if (!clean_absolute(src)) return make_error("parse", what, "the /etc/resolv.conf mount's source is not a clean path");
      out.resolv_source = normalized(src);
    }
  }
  return out;
}

Result<OciBundle> load_oci_config(const std::string &bundle) {
  VR_ASSIGN(UniqueFd dir, open_at(AT_FDCWD, bundle, O_RDONLY | O_DIRECTORY));
  VR_ASSIGN(UniqueFd fd, open_at(dir.get(), "config.json", O_RDONLY | O_NOFOLLOW | O_NONBLOCK));
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return errno_error("stat", bundle + "/config.json");
  if (!S_ISREG(st.st_mode)) return make_error("open", bundle + "/config.json", "not a regular file");
  if (static_cast<size_t>(st.st_size) > kMaxOciJson)
    return make_error("parse", bundle + "/config.json", "larger than 4 MiB");
  VR_ASSIGN(std::string text, read_all(fd.get(), bundle + "/config.json"));
  return parse_oci_config(text, bundle);
}

}  // namespace vpnrun
