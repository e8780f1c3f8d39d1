#include "vpnrun/toml_text.hpp"

#include <algorithm>
#include <cstdio>

namespace vpnrun {

namespace {

bool high(char c) { return static_cast<unsigned char>(c) >= 0x80; }

// The UTF-8 sequence at t[i]: its length, and its code point in `cp`; 0 when
// it is not UTF-8 (strict: no overlong forms, no surrogates, up to U+10FFFF).
size_t utf8_at(std::string_view t, size_t i, char32_t &cp) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(t[i + k]); };
  size_t n;
  char32_t min;
  if (byte(0) >= 0xc2 && byte(0) <= 0xdf) n = 2, cp = byte(0) & 0x1f, min = 0x80;
  else if (byte(0) >= 0xe0 && byte(0) <= 0xef) n = 3, cp = byte(0) & 0x0f, min = 0x800;
  else if (byte(0) >= 0xf0 && byte(0) <= 0xf4) n = 4, cp = byte(0) & 0x07, min = 0x10000;
  else return 0;
  if (t.size() - i < n) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (byte(k) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

std::string escape(char32_t cp) {
  char buf[12];
  std::snprintf(buf, sizeof buf, cp <= 0xffff ? "\\u%04X" : "\\U%08X", static_cast<unsigned>(cp));
  return buf;
}

size_t run(std::string_view t, size_t i, char q) {
  size_t n = 0;
  while (i + n < t.size() && t[i + n] == q) ++n;
  return n;
}

}  // namespace

Result<std::string> toml_ascii(std::string_view t, const std::string &source) {
  enum class In { bare, comment, basic, ml_basic, ml_literal } in = In::bare;
  int line = 1;
  auto refuse = [&](const std::string &why) {
    return make_error("parse config", source, "line " + std::to_string(line) + ": " + why);
  };
  // The non-ASCII character at t[i] as `in` has it, or a refusal.
  auto non_ascii = [&](size_t &i, std::string &to) -> Status {
    char32_t cp;
    const size_t n = utf8_at(t, i, cp);
    if (n == 0) return refuse("not UTF-8");
    if (in == In::bare) return refuse("a non-ASCII character outside a string or comment");
    if (in == In::ml_literal)
      return refuse("a non-ASCII character in a '''multi-line literal string''' (use a \"\"\"basic\"\"\" one)");
    to += in == In::comment ? " " : escape(cp);
    i += n;
    return {};
  };
  std::string out;
  out.reserve(t.size());
  size_t i = t.substr(0, 3) == "\xef\xbb\xbf" ? 3 : 0;  // a byte-order mark, which toml++ skips
  while (i < t.size()) {
    const char c = t[i];
    if (high(c)) {
      VR_TRY(non_ascii(i, out));
      continue;
    }
    if (c == '\n') ++line;
    if (in == In::bare && (c == '"' || c == '\'')) {
      // One quote opens a string, two are an empty one, three open a
      // multi-line string (whose content may start with more quotes).
      const size_t n = run(t, i, c);
      if (n == 1 && c == '\'') {
        // A literal string: as it is, or as the same basic string.
        const size_t end = t.find_first_of("'\n", i + 1);
        const std::string_view body = t.substr(i + 1, end == t.npos ? t.npos : end - i - 1);
        if (std::none_of(body.begin(), body.end(), high)) {
          out.append(t.substr(i, body.size() + 1));
          i += body.size() + 1;
        } else {
          in = In::basic;
          out += '"';
          for (size_t k = i + 1; k < i + 1 + body.size();) {
            if (high(t[k])) {
              VR_TRY(non_ascii(k, out));
              continue;
            }
            if (t[k] == '\\' || t[k] == '"') out += '\\';
            out += t[k++];
          }
          i += body.size() + 1;
          in = In::bare;
          if (i < t.size() && t[i] == '\'') out += '"', ++i;
        }
        continue;
      }
      if (n == 1) in = In::basic;
      if (n >= 3) in = c == '"' ? In::ml_basic : In::ml_literal;
      out.append(t.substr(i, n >= 3 ? 3 : n));
      i += n >= 3 ? 3 : n;
      continue;
    }
    if ((in == In::basic || in == In::ml_basic) && c == '\\') {
      // An escape, kept whole (\" and \\ end nothing); an escape of a
      // non-ASCII character is no escape TOML knows.
      if (i + 1 < t.size() && high(t[i + 1])) return refuse("a non-ASCII character after a backslash");
      out += c;
      if (i + 1 < t.size() && t[i + 1] != '\n') out += t[++i];
      ++i;
      continue;
    }
    if ((in == In::ml_basic && c == '"') || (in == In::ml_literal && c == '\'')) {
      // Three to five quotes end it (up to two of them content).
      const size_t n = run(t, i, c);
      if (n >= 3) in = In::bare;
      out.append(t.substr(i, n));
      i += n;
      continue;
    }
    if (in == In::bare && c == '#') in = In::comment;
    else if ((in == In::comment || in == In::basic) && c == '\n') in = In::bare;
    else if (in == In::basic && c == '"') in = In::bare;
    out += c;
    ++i;
  }
  return out;
}

}  // namespace vpnrun
