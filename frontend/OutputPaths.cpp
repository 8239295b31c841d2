//===- frontend/OutputPaths.cpp - Output paths checked at compile time ---===//
#include "frontend/OutputPaths.h"

#include <filesystem>
#include <system_error>

namespace snn::frontend {

namespace fs = std::filesystem;
using diag::DiagKind;

namespace {
/// Whether the text alone names a directory: ".", "..", or ending in "/",
/// "/." or "/..".
bool names_directory(const std::string &path) {
  fs::path p(path);
  std::string last = p.filename().string();
  return last.empty() || last == "." || last == "..";
}

/// Warns when the directory that would hold `path` does not exist.
void check_parent(const std::string &path, const SourceLocation &loc, diag::Diagnostics &diags) {
  fs::path parent = fs::path(path).parent_path();
  if (parent.empty())
    return; // the working directory
  std::error_code ec;
  fs::file_status status = fs::status(parent, ec);
  if (!fs::exists(status))
    diags.report(DiagKind::output_directory_missing, loc, parent.string());
  else if (!fs::is_directory(status))
    diags.report(DiagKind::output_parent_not_directory, loc, parent.string());
}
} // namespace

bool check_recording_path(const std::string &path, const SourceLocation &loc, diag::Diagnostics &diags) {
  std::error_code ec;
  if (names_directory(path) || fs::is_directory(path, ec)) {
    diags.report(DiagKind::recording_to_directory, loc, path);
    return false;
  }
  check_parent(path, loc, diags);
  return true;
}

bool check_checkpoint_directory(const std::string &path, const SourceLocation &loc, diag::Diagnostics &diags) {
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  // A missing directory is fine: the run creates it, parents included.
  if (fs::exists(status) && !fs::is_directory(status)) {
    diags.report(DiagKind::checkpoint_not_directory, loc, path);
    return false;
  }
  return true;
}

} // namespace snn::frontend
