// Errors are values: what was attempted, on which object, and why.
#pragma once
#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace vpnrun {

struct Error {
  std::string op;      // what was attempted: "setns", "create veth", ...
  std::string object;  // what it was attempted on, printed in single quotes
  int err = 0;         // errno, 0 when `detail` says it all
  std::string detail;  // replaces strerror(err) when set

  // "setns('/run/netns/vpn'): Operation not permitted"
  std::string message() const;
};

Error make_error(std::string op, std::string object, int err);
Error make_error(std::string op, std::string object, std::string detail);
// Same, with the current errno.
Error errno_error(std::string op, std::string object);

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T &value() & { return std::get<0>(v_); }
  T &&value() && { return std::get<0>(std::move(v_)); }
  const T &value() const & { return std::get<0>(v_); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }
  T &operator*() & { return value(); }
  const Error &error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : e_(std::move(e)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error &error() const { return e_; }

 private:
  Error e_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace vpnrun

// Propagate a failed Result out of the enclosing function.
#define VR_TRY(expr)                             \
  do {                                           \
    auto vr_try_r_ = (expr);                     \
    if (!vr_try_r_.ok()) return vr_try_r_.error(); \
  } while (0)

#define VR_CONCAT_(a, b) a##b
#define VR_CONCAT(a, b) VR_CONCAT_(a, b)
#define VR_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                    \
  if (!tmp.ok()) return tmp.error();    \
  lhs = std::move(tmp).value()
// `VR_ASSIGN(auto fd, open_thing());`
#define VR_ASSIGN(lhs, expr) VR_ASSIGN_IMPL_(VR_CONCAT(vr_assign_r_, __LINE__), lhs, expr)
