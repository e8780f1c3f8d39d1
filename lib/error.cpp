#include "vpnrun/error.hpp"

#include <cstring>

namespace vpnrun {

std::string Error::message() const {
  std::string m = op;
  if (!object.empty()) m += "('" + object + "')";
  m += ": ";
  m += detail.empty() ? std::string(std::strerror(err)) : detail;
  return m;
}

Error make_error(std::string op, std::string object, int err) {
  return Error{std::move(op), std::move(object), err, {}};
}

Error make_error(std::string op, std::string object, std::string detail) {
  return Error{std::move(op), std::move(object), 0, std::move(detail)};
}

Error errno_error(std::string op, std::string object) {
  return make_error(std::move(op), std::move(object), errno);
}

}  // namespace vpnrun
