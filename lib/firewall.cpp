#include "vpnrun/firewall.hpp"

#include <nftables/libnftables.h>

#include <nlohmann/json.hpp>

namespace vpnrun {

void Nft::Freer::operator()(nft_ctx *c) const { nft_ctx_free(c); }

Result<Nft> Nft::open() {
  nft_ctx *c = nft_ctx_new(NFT_CTX_DEFAULT);
  if (!c) return make_error("open nftables context", "", ENOMEM);
  Nft n(c);
  if (nft_ctx_buffer_output(c) < 0 || nft_ctx_buffer_error(c) < 0)
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

Status Nft::run(const std::string &cmds, const std::string &what) {
  nft_ctx_output_set_flags(ctx_.get(), 0);
  if (nft_run_cmd_from_buffer(ctx_.get(), cmds.c_str()) != 0)
    return make_error("nftables", what, first_error_line(nft_ctx_get_error_buffer(ctx_.get())));
  return {};
}

Result<std::string> Nft::run_json(const std::string &cmd, const std::string &what) {
  nft_ctx_output_set_flags(ctx_.get(), NFT_CTX_OUTPUT_JSON);
  int rc = nft_run_cmd_from_buffer(ctx_.get(), cmd.c_str());
  nft_ctx_output_set_flags(ctx_.get(), 0);
  if (rc != 0) {
    std::string err = first_error_line(nft_ctx_get_error_buffer(ctx_.get()));
    if (err.find("No such file or directory") != std::string::npos)
      return make_error("nftables", what, ENOENT);
    return make_error("nftables", what, err);
  }
  const char *out = nft_ctx_get_output_buffer(ctx_.get());
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

}  // namespace

std::string killswitch_ruleset(const KillSwitchSpec &s) {
  const std::string e4 = elements(s.endpoints, AF_INET);
  const std::string e6 = elements(s.endpoints, AF_INET6);
  std::string r;
  r += "  counter blocked {}\n";
  r += "  counter blocked6 {}\n";
  r += "  counter unsolicited {}\n";
  r += "  set endpoints4 { type ipv4_addr . inet_proto . inet_service;";
  if (!e4.empty()) r += " elements = { " + e4 + " };";
  r += " }\n";
  r += "  set endpoints6 { type ipv6_addr . inet_proto . inet_service;";
  if (!e6.empty()) r += " elements = { " + e6 + " };";
  r += " }\n";
  r += "  chain output {\n";
  r += "    type filter hook output priority filter; policy drop;\n";
  r += "    oifname \"lo\" accept\n";
  if (!s.ipv6) r += "    meta nfproto ipv6 counter name \"blocked6\" drop\n";
  if (!s.uplink.empty()) {
    const std::string up = quoted(s.uplink);
    r += "    oifname " + up + " ip daddr . meta l4proto . th dport @endpoints4 accept\n";
    if (s.ipv6) r += "    oifname " + up + " ip6 daddr . meta l4proto . th dport @endpoints6 accept\n";
  }
  for (const auto &t : s.tunnels) r += "    oifname " + quoted(t.str()) + " accept\n";
  // Refused, not dropped: programs get an error at once instead of hanging.
  r += "    meta l4proto tcp counter name \"blocked\" reject with tcp reset\n";
  r += "    counter name \"blocked\" reject with icmpx admin-prohibited\n";
  r += "  }\n";
  r += "  chain input {\n";
  r += "    type filter hook input priority filter; policy accept;\n";
  if (!s.uplink.empty()) {
    r += "    iifname " + quoted(s.uplink) + " ct state established,related accept\n";
    r += "    iifname " + quoted(s.uplink) + " counter name \"unsolicited\" drop\n";
  }
  r += "  }\n";
  r += "  chain forward {\n";
  r += "    type filter hook forward priority filter; policy drop;\n";
  r += "  }\n";
  return replace_table(kKillSwitchFamily, kKillSwitchTable, r);
}

std::string host_table_name(const NetnsName &name) { return "vpnrun-" + name.str(); }

std::string host_ruleset(const HostNatSpec &s) {
  const std::string veth = quoted(s.host_veth.str());
  const std::string up = quoted(s.uplink.str());
  const std::string e4 = elements(s.endpoints, AF_INET);
  std::string r;
  r += "  chain forward {\n";
  r += "    type filter hook forward priority filter; policy accept;\n";
  if (!e4.empty())
    r += "    iifname " + veth + " oifname " + up + " ip daddr . meta l4proto . th dport { " + e4 +
         " } accept\n";
  r += "    iifname " + veth + " counter drop\n";
  r += "    oifname " + veth + " ct state established,related accept\n";
  r += "    oifname " + veth + " counter drop\n";
  if (s.guard_uplink)
    r += "    iifname " + up + " oifname != \"" + std::string(kHostVethPrefix) + "*\" counter drop\n";
  r += "  }\n";
  r += "  chain postrouting {\n";
  r += "    type nat hook postrouting priority srcnat; policy accept;\n";
  r += "    oifname " + up + " ip saddr " + s.transit.str() + " masquerade\n";
  r += "  }\n";
  return replace_table(kHostFamily, s.table, r);
}

std::string replace_table(const std::string &family, const std::string &table,
                          const std::string &body) {
  // add + delete + declare in one transaction: an atomic replace that works
  // whether or not the table exists (e.g. left by a crash).
  return "add table " + family + " " + table + "\n" + "delete table " + family + " " + table +
         "\n" + "table " + family + " " + table + " {\n" + body + "}\n";
}

Status delete_table(Nft &nft, const std::string &family, const std::string &table) {
  return nft.run("add table " + family + " " + table + "\ndelete table " + family + " " + table +
                     "\n",
                 family + " " + table);
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
