//===- frontend/Frontend.h - Source text to a checked IR Module -*- C++ -*-===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"
#include "frontend/ExprLowering.h"
#include "frontend/NirImport.h"
#include "ir/Module.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace snn::frontend {

/// Parses a main file, resolves its imports (`import std.neurons.LIF` reads
/// `std/neurons.snn` from the importing file's folder or an import path),
/// checks everything and lowers it to one ir::Module.
class Frontend {
public:
  Frontend(diag::SourceFiles &sources, diag::Diagnostics &diags, std::vector<std::string> import_paths)
      : sources_(sources), diags_(diags), import_paths_(std::move(import_paths)) {}

  /// Parses `text` as the file `name`; null after syntax errors.
  std::unique_ptr<ast::File> parse(const std::string &name, std::string text);

  /// Checks and lowers a parsed main file; nothing after errors.
  std::optional<ir::Module> lower(const ast::File &file);

private:
  struct LoadedModule {
    std::unique_ptr<ast::File> ast;
    std::vector<ir::NeuronModel> models; ///< its own and those it imports
    std::vector<ir::SynapseModel> synapses;
    FunctionTable functions; ///< its own and those it imports
    bool ok = false;
  };

  /// Models and functions visible in `file`: its imports' (and `more`
  /// imports') and its own, checked.
  bool collect_models(const ast::File &file, std::vector<ir::NeuronModel> &out, std::vector<ir::SynapseModel> &synapses,
                      FunctionTable &functions, const std::vector<ast::Import> &more = {});
  /// The network of the file's `import nir "..." as NAME`; nothing after
  /// errors.
  std::optional<NirNetwork> import_file(const ast::File &file);
  const LoadedModule *load_module(const ast::Import &imp);
  bool suggest_module(const ast::Import &imp, const std::vector<std::string> &dirs, const std::string &dotted,
                      const SourceLocation &at);

  diag::SourceFiles &sources_;
  diag::Diagnostics &diags_;
  std::vector<std::string> import_paths_;
  std::map<std::string, std::unique_ptr<LoadedModule>> loaded_;
  std::set<std::string> loading_;
};

/// The folder part of a path ("" for a bare file name).
std::string directory_of(const std::string &path);

} // namespace snn::frontend
