// The `vpnrun` subcommands, in vpnrun-admin (admin.cpp), which the launcher
// execs for them. Each registers itself on the CLI11 app and returns the exit
// status through `*exit_code` when it runs.
#pragma once
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "launcher.hpp"
#include "vpnrun/error.hpp"
#include "vpnrun/names.hpp"

namespace vpnrun::cli {

void add_up(CLI::App &app, int *exit_code);
void add_down(CLI::App &app, int *exit_code);
void add_status(CLI::App &app, int *exit_code);
void add_list(CLI::App &app, int *exit_code);
void add_openvpn_up(CLI::App &app, int *exit_code);
// `launcher`: the vpnrun whose privilege form doctor reports.
void add_doctor(CLI::App &app, int *exit_code, const std::string &launcher);
void add_gc(CLI::App &app, int *exit_code);

// One line on stderr: "vpnrun up: create veth('vr-x'/'uplink'): File exists".
int fail(const std::string &cmd, const Error &e);
// Refuse unless the real uid is root.
bool require_root(const std::string &cmd, int *exit_code);
// Parse a NAME argument; on error print it, set *exit_code and return nullopt.
std::optional<NetnsName> parse_name(const std::string &cmd, const std::string &arg, int *exit_code);

}  // namespace vpnrun::cli
