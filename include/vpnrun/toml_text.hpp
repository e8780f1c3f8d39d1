// TOML text as toml++ can read it safely: the same document, in ASCII.
#pragma once
#include <string>
#include <string_view>

#include "vpnrun/error.hpp"

namespace vpnrun {

// toml++ 3.3.0 (Debian 12) reaches __builtin_unreachable, undefined behaviour,
// when it asks whether one of many non-ASCII characters (most of U+00A1-U+0499,
// U+2C5E-U+3057, U+FB26-U+FEFE) is whitespace, which it does wherever it scans
// outside the contents of a string (toml++ issues 190 and 295; found by
// tests/fuzz). So toml++ gets only ASCII, meaning the same: in "basic" and
// """multi-line basic""" strings a non-ASCII character becomes its \u or \U
// escape, a 'literal' string that holds one becomes a basic string, and in a
// comment it becomes a space. A leading byte-order mark is dropped. Refused,
// naming the line: text that is not UTF-8, a non-ASCII character outside
// strings and comments (where TOML allows none) or escaped with a backslash,
// and one in a '''multi-line literal''' string. ASCII text comes back as it is.
Result<std::string> toml_ascii(std::string_view text, const std::string &source);

}  // namespace vpnrun
