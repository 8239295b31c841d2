//===- Error.cpp - The runtime's user and internal errors -----------------===//

#include "snn/runtime.h"

#include <utility>

namespace snn::rt {
namespace {

std::string format_error(Error::Kind kind, const std::string &location, const std::string &message) {
  std::string text;
  if (!location.empty())
    text = location + ": ";
  text += kind == Error::Kind::User ? "error: " : "internal error: ";
  return text + message;
}

} // namespace

Error::Error(Kind kind, std::string location, std::string message)
    : std::runtime_error(format_error(kind, location, message)), kind_(kind), location_(std::move(location)),
      message_(std::move(message)) {}

Error::Error(std::string message) : Error(Kind::User, std::string(), std::move(message)) {}

Error::Error(std::string location, std::string message) : Error(Kind::User, std::move(location), std::move(message)) {}

Error Error::internal(std::string message) { return Error(Kind::Internal, std::string(), std::move(message)); }

} // namespace snn::rt
