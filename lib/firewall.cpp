#include "vpnrun/firewall.hpp"

#include <dlfcn.h>
#include <nftables/libnftables.h>

#include <nlohmann/json.hpp>
#include <type_traits>

namespace vpnrun {

namespace {
// libnftables is loaded by the first Nft::open() (up, down, status), not at
// exec: the launcher never uses nftables, and linking it would make every
// launch load and relocate it and its four dependencies (docs/performance.md).
// The pointers have the header's own types, so a signature change is a
// compile error. RTLD_NOW: every symbol bound at load, as the binary itself is.
struct LibNftables {
  decltype(&::nft_ctx_new) ctx_new;
  decltype(&::nft_ctx_free) ctx_free;
  decltype(&::nft_ctx_buffer_output) buffer_output;
  decltype(&::nft_ctx_buffer_error) buffer_error;
  decltype(&::nft_ctx_output_set_flags) output_set_flags;
  decltype(&::nft_run_cmd_from_buffer) run_cmd_from_buffer;
  decltype(&::nft_ctx_get_output_buffer) get_output_buffer;
  decltype(&::nft_ctx_get_error_buffer) get_error_buffer;
};

Error dl_error() {
  const char *e = ::dlerror();
  return make_error("load", VPNRUN_LIBNFTABLES, e ? e : "a symbol is missing");
}

Result<const LibNftables *> libnftables() {
  static const Result<const LibNftables *> loaded = []() -> Result<const LibNftables *> {
    void *h = ::dlopen(VPNRUN_LIBNFTABLES, RTLD_NOW | RTLD_LOCAL);
    if (!h) return dl_error();
    static LibNftables api;
    auto sym = [h](auto &fn, const char *name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(h, name));
      return fn != nullptr;
    };
    if (!sym(api.ctx_new, "nft_ctx_new") || !sym(api.ctx_free, "nft_ctx_free") ||
        !sym(api.buffer_output, "nft_ctx_buffer_output") || !sym(api.buffer_error, "nft_ctx_buffer_error") ||
        !sym(api.output_set_flags, "nft_ctx_output_set_flags") ||
        !sym(api.run_cmd_from_buffer, "nft_run_cmd_from_buffer") ||
        !sym(api.get_output_buffer, "nft_ctx_get_output_buffer") ||
        !sym(api.get_error_buffer, "nft_ctx_get_error_buffer"))
      return dl_error();
    return &api;
  }();
  return loaded;
}

// Only reached through an Nft, which exists only once the library is loaded.
const LibNftables &nft_api() { return *libnftables().value(); }
}  // namespace

void Nft::Freer::operator()(nft_ctx *c) const { nft_api().ctx_free(c); }

Result<Nft> Nft::open() {
  VR_ASSIGN(const LibNftables *api, libnftables());
  nft_ctx *c = api->ctx_new(NFT_CTX_DEFAULT);
  if (!c) return make_error("open nftables context", "", ENOMEM);
  Nft n(c);
  if (api->buffer_output(c) < 0 || api->buffer_error(c) < 0)
    return make_error("open nftables context", "", ENOMEM);
  return n;
}

namespace {
std::string first_error_line(const char *buf) {
  std::string s = buf ? buf : "";
  // libnftables prints "Error: ...\n<input line>\n<carets>"; the first line says it.
  auto nl = s.find('\n');
  if (nl != std::string::npos) s.resize(nl);
  if (s.rfind("Error: ", 0) == 0) s.erase(0, 7);
  return s.empty() ? "nftables refused the ruleset" : s;
}
}  // namespace

namespace {
// libnftables reports errors as text; "No such file or directory" is the
// kernel's ENOENT (an object that is not there), which callers may tolerate.
Error nft_error(const std::string &what, const char *buf) {
  std::string err = first_error_line(buf);
  if (err.find("No such file or directory") != std::string::npos) return make_error("nftables", what, ENOENT);
  if (err.find("File exists") != std::string::npos) return make_error("nftables", what, EEXIST);
  return make_error("nftables", what, err);
}
}  // namespace

Status Nft::run(const std::string &cmds, const std::string &what) {
  const LibNftables &api = nft_api();
  api.output_set_flags(ctx_.get(), 0);
  if (api.run_cmd_from_buffer(ctx_.get(), cmds.c_str()) != 0)
    return nft_error(what, api.get_error_buffer(ctx_.get()));
  return {};
}

Result<std::string> Nft::run_json(const std::string &cmd, const std::string &what) {
  const LibNftables &api = nft_api();
  api.output_set_flags(ctx_.get(), NFT_CTX_OUTPUT_JSON);
  int rc = api.run_cmd_from_buffer(ctx_.get(), cmd.c_str());
  api.output_set_flags(ctx_.get(), 0);
  if (rc != 0) return nft_error(what, api.get_error_buffer(ctx_.get()));
  const char *out = api.get_output_buffer(ctx_.get());
  return std::string(out ? out : "");
}

namespace {

std::string quoted(const std::string &s) { return "\"" + s + "\""; }

std::string elements(const std::vector<Endpoint> &eps, int family) {
  std::string out;
  for (const auto &e : eps) {
    if (e.addr.family != family) continue;
    if (!out.empty()) out += ", ";
    out += e.addr.str() + " . " + proto_name(e.proto) + " . " + std::to_string(e.port);
  }
  return out;
}

// The kill switch's lines for container veths, per chain ("" = table level).
std::string container_rules(const KillSwitchSpec &s, const std::string &chain) {
  if (!s.containers) return "";
  const std::string vc = quoted(std::string(kContainerVethPrefix) + "*");
  std::string r;
  if (chain.empty()) return "  counter blocked_containers {}\n";
  if (chain == "input") {
    r += "    iifname " + vc + " ct state established,related accept\n";
    r += "    iifname " + vc + " counter name \"blocked_containers\" drop\n";
  } else if (chain == "forward") {
    for (const auto &t : s.tunnels)
      r += "    iifname " + vc + " oifname " + quoted(t.str()) + " meta nfproto ipv4 accept\n";
    for (const auto &t : s.tunnels)
      r += "    iifname " + quoted(t.str()) + " oifname " + vc + " ct state established,related accept\n";
    r += "    iifname " + vc + " counter name \"blocked_containers\" drop\n";
  } else if (chain == "postrouting") {
    r += "  chain postrouting {\n";
    r += "    type nat hook postrouting priority srcnat; policy accept;\n";
    for (const auto &t : s.tunnels)
      r += "    iifname " + vc + " oifname " + quoted(t.str()) + " masquerade\n";
    r += "  }\n";
  }
  return r;
}

}  // namespace

std::string killswitch_ruleset(const KillSwitchSpec &s) {
  const std::string e4 = elements(s.endpoints, AF_INET);
  const std::string e6 = elements(s.endpoints, AF_INET6);
  std::string r;
  r += "  counter blocked {}\n";
  r += "  counter blocked6 {}\n";
  r += "  counter unsolicited {}\n";
  r += container_rules(s, "");
  r += "  set endpoints4 { type ipv4_addr . inet_proto . inet_service;";
  if (!e4.empty()) r += " elements = { " + e4 + " };";
  r += " }\n";
  r += "  set endpoints6 { type ipv6_addr . inet_proto . inet_service;";
  if (!e6.empty()) r += " elements = { " + e6 + " };";
  r += " }\n";
  r += "  chain output {\n";
  r += "    type filter hook output priority filter; policy drop;\n";
  r += "    oifname \"lo\" accept\n";
  const std::string drop6 = "    meta nfproto ipv6 counter name \"blocked6\" drop\n";
  if (!s.ipv6) r += drop6;
  for (const auto &t : s.tunnels) r += "    oifname " + quoted(t.str()) + " accept\n";
  // IPv6 leaves through a tunnel or not at all: the uplink's NAT is IPv4.
  if (s.ipv6) r += drop6;
  if (!s.uplink.empty())
    r += "    oifname " + quoted(s.uplink) + " ip daddr . meta l4proto . th dport @endpoints4 accept\n";
  // Refused, not dropped: programs get an error at once instead of hanging.
  r += "    meta l4proto tcp counter name \"blocked\" reject with tcp reset\n";
  r += "    counter name \"blocked\" reject with icmpx admin-prohibited\n";
  r += "  }\n";
  r += "  chain input {\n";
  r += "    type filter hook input priority filter; policy accept;\n";
  if (!s.uplink.empty()) {
    // Stateless: only the endpoints may send in (and routers' errors about
    // our packets, for path MTU discovery). No conntrack in the namespace, so
    // no per-packet connection tracking of the tunnel's traffic either.
    r += "    iifname " + quoted(s.uplink) + " ip saddr . meta l4proto . th sport @endpoints4 accept\n";
    r += "    iifname " + quoted(s.uplink) + " icmp type { destination-unreachable, time-exceeded } accept\n";
    r += "    iifname " + quoted(s.uplink) + " counter name \"unsolicited\" drop\n";
  }
  r += container_rules(s, "input");
  r += "  }\n";
  r += "  chain forward {\n";
  r += "    type filter hook forward priority filter; policy drop;\n";
  r += container_rules(s, "forward");
  r += "  }\n";
  r += container_rules(s, "postrouting");
  return create_table(kKillSwitchFamily, kKillSwitchTable, r);
}

std::string host_table_ruleset() {
  const std::string vr = "\"" + std::string(kHostVethPrefix) + "*\"";
  std::string r;
  r += "  set allowed { type ifname . ifname . ipv4_addr . inet_proto . inet_service; }\n";
  // Exact addresses, no interval flag: for interval sets libnftables reads
  // every element before each change, which grows with the namespaces.
  r += "  set nat { type ipv4_addr . ifname; }\n";
  r += "  set guarded { type ifname; }\n";
  r += "  chain forward {\n";
  r += "    type filter hook forward priority filter; policy accept;\n";
  r += "    iifname . oifname . ip daddr . meta l4proto . th dport @allowed accept\n";
  r += "    iifname " + vr + " counter drop\n";
  r += "    oifname " + vr + " ct state established,related accept\n";
  r += "    oifname " + vr + " counter drop\n";
  r += "    iifname @guarded oifname != " + vr + " counter drop\n";
  r += "  }\n";
  r += "  chain postrouting {\n";
  r += "    type nat hook postrouting priority srcnat; policy accept;\n";
  r += "    ip saddr . oifname @nat masquerade\n";
  r += "  }\n";
  return create_table(kHostFamily, kHostTable, r);
}

namespace {

enum class Field { ifname, addr, net, proto, port };

const std::vector<Field> *fields_of(const std::string &set) {
  static const std::vector<Field> allowed{Field::ifname, Field::ifname, Field::addr, Field::proto,
                                          Field::port};
  static const std::vector<Field> nat{Field::addr, Field::ifname};
  static const std::vector<Field> guarded{Field::ifname};
  if (set == "allowed") return &allowed;
  if (set == "nat") return &nat;
  if (set == "guarded") return &guarded;
  return nullptr;
}

bool field_ok(Field f, const std::string &v) {
  switch (f) {
    case Field::ifname: return IfName::parse(v).ok();
    case Field::addr: {
      auto a = IpAddr::parse(v);
      return a && a->family == AF_INET;
    }
    case Field::net: {
      auto n = IpNet::parse(v);
      return n && n->addr.family == AF_INET;
    }
    case Field::proto: return v == "udp" || v == "tcp";
    case Field::port:
      return !v.empty() && v.size() <= 5 && v.find_first_not_of("0123456789") == std::string::npos &&
             std::stoul(v) >= 1 && std::stoul(v) <= 65535;
  }
  return false;
}

}  // namespace

Result<HostElement> HostElement::parse(const std::string &set, const std::string &token) {
  const auto *types = fields_of(set);
  if (!types) return make_error("parse host element", set, "unknown set");
  HostElement e{set, {}};
  size_t start = 0;
  for (;;) {
    size_t comma = token.find(',', start);
    e.fields.push_back(token.substr(start, comma == std::string::npos ? comma : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (e.fields.size() != types->size()) return make_error("parse host element", token, "wrong number of fields");
  for (size_t i = 0; i < types->size(); ++i)
    if (!field_ok((*types)[i], e.fields[i])) return make_error("parse host element", token, "bad field '" + e.fields[i] + "'");
  return e;
}

std::string HostElement::token() const {
  std::string t;
  for (const auto &f : fields) t += (t.empty() ? "" : ",") + f;
  return t;
}

std::string HostElement::nft() const {
  const auto *types = fields_of(set);
  std::string out;
  for (size_t i = 0; types && i < fields.size() && i < types->size(); ++i) {
    if (i) out += " . ";
    out += (*types)[i] == Field::ifname ? quoted(fields[i]) : fields[i];
  }
  return out;
}

std::vector<HostElement> host_elements(const IfName &veth, const IfName &uplink,
                                       const IpAddr &ns_addr, const std::vector<Endpoint> &eps) {
  std::vector<HostElement> out{{"nat", {ns_addr.str(), uplink.str()}}};
  for (const auto &e : eps)
    if (e.addr.family == AF_INET)
      out.push_back({"allowed", {veth.str(), uplink.str(), e.addr.str(), proto_name(e.proto),
                                 std::to_string(e.port)}});
  return out;
}

HostElement guard_element(const IfName &uplink) { return {"guarded", {uplink.str()}}; }

std::string add_elements(const std::vector<HostElement> &els) {
  std::string r;
  for (const auto &e : els)
    r += "add element " + std::string(kHostFamily) + " " + kHostTable + " " + e.set + " { " + e.nft() + " }\n";
  return r;
}

std::string delete_element(const HostElement &e) {
  return "delete element " + std::string(kHostFamily) + " " + kHostTable + " " + e.set + " { " + e.nft() + " }\n";
}

std::string create_table(const std::string &family, const std::string &table,
                         const std::string &body) {
  // `create` fails when the table exists: a table vpnrun did not journal is
  // never merged into or taken over. No deletion in the transaction either:
  // deletions make the kernel reclaim after an RCU grace period, and closing
  // the nft socket waits for that (~15 ms here).
  return "create table " + family + " " + table + "\n" + "table " + family + " " + table +
         " {\n" + body + "}\n";
}

Result<std::vector<Counter>> parse_counters_json(const std::string &json) {
  auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("nftables") ||
      !doc["nftables"].is_array())
    return make_error("parse nftables output", "counters", "not nftables JSON");
  std::vector<Counter> out;
  for (const auto &item : doc["nftables"]) {
    if (!item.is_object() || !item.contains("counter")) continue;
    const auto &c = item["counter"];
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string()) continue;
    Counter k;
    k.name = c["name"].get<std::string>();
    if (c.contains("packets") && c["packets"].is_number_unsigned()) k.packets = c["packets"].get<uint64_t>();
    if (c.contains("bytes") && c["bytes"].is_number_unsigned()) k.bytes = c["bytes"].get<uint64_t>();
    out.push_back(std::move(k));
  }
  return out;
}

Result<std::vector<Counter>> table_counters(Nft &nft, const std::string &family,
                                            const std::string &table) {
  VR_ASSIGN(std::string json, nft.run_json("list counters table " + family + " " + table,
                                           family + " " + table));
  return parse_counters_json(json);
}

}  // namespace vpnrun
