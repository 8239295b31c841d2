//===- frontend/ExprLowering.h - Checking and lowering expressions -*- C++ -*-===//
//
// Turns AST expressions into typed IR expressions, checking names, types and
// physical dimensions on the way. Every mistake is a located diagnostic; the
// result is then null and the caller carries on to find further mistakes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"
#include "ir/Expr.h"
#include "ir/Module.h"

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace snn::frontend {

/// What names mean where an expression is written, and what it may use.
struct Scope {
  /// The IR expression a name stands for, or null when the scope lacks it.
  std::function<ir::Expr(const std::string &)> lookup;
  /// Names to offer in "did you mean" notes.
  std::vector<std::string> names;
  /// Where the expression stands, for messages ("a differential equation").
  std::string context;
  bool allow_random = false;   ///< rand(), randn()
  bool allow_stimulus = false; ///< stimulus()
  bool allow_noise = false;    ///< white noise `xi`, `xi_NAME` (neuron ODEs)
  bool synapse = false;        ///< synapse code: `pre.X` / `post.X` are not values there
  /// `OBJECT.MEMBER` where the context gives it a value (`post.v` in a
  /// synapse's post block): the value, or null after reporting an error.
  /// May be empty.
  std::function<ir::Expr(const ast::Ident &object, const ast::Ident &member)> member;
  /// Next call-site number for random draws; required when allow_random.
  uint32_t *random_sites = nullptr;
  /// Calls only this context knows (`dc(...)` in a current source): the
  /// value, or null after reporting an error; nullopt for a call it does
  /// not handle. May be empty.
  std::function<std::optional<ir::Expr>(const ast::CallExpr &)> extra_call;
  /// Whether a name's declaration failed with an error already reported;
  /// its uses then report nothing more. May be empty.
  std::function<bool(const std::string &)> failed;
};

/// User functions by name (`function f(x, w = 1) = ...`), expanded inline
/// where they are called; the declarations outlive the lowering.
using FunctionTable = std::map<std::string, const ast::FunctionDecl *>;

class ExprLowering {
public:
  explicit ExprLowering(diag::Diagnostics &diags, const FunctionTable *functions = nullptr)
      : diags_(diags), functions_(functions) {}

  /// Lowers `e` in `scope`; null after reporting an error.
  ir::Expr lower(const ast::Expr &e, const Scope &scope);

  /// Lowers and folds `e`, which must be a real constant of dimension `dim`
  /// (any dimension when `dim` is null). `what` names it in messages.
  std::optional<double> constant(const ast::Expr &e, const std::string &what,
                                 std::optional<ir::Dimension> dim = std::nullopt);

  /// Like `constant`, and the value must be an integer in [min, max].
  std::optional<uint64_t> integer(const ast::Expr &e, const std::string &what, uint64_t min, uint64_t max);

  /// Reports a dimension mismatch at `loc` unless `actual == expected`.
  bool expect_dimension(const ir::Expr &actual, ir::Dimension expected, const std::string &what,
                        const SourceLocation &loc);

  /// Checks the value of constant `let` where it is defined, once: on an
  /// error it is marked failed, and its uses report nothing more.
  bool check_constant(const ast::FunctionDecl &let);

  /// The scope of constant expressions: numbers, units and arithmetic only.
  static Scope constant_scope(const std::string &context);

private:
  ir::Expr call(const ast::CallExpr &c, const Scope &scope);
  /// A call of a user function: its body with each parameter bound to the
  /// argument's value, checked after substitution.
  ir::Expr expand(const ast::FunctionDecl &f, const ast::CallExpr &c, const Scope &scope);
  /// The `let` constant called `name`, or null.
  const ast::FunctionDecl *constant_named(const std::string &name) const;
  /// A use at `at` of constant `let`: its value, lowered as a constant
  /// (whatever the scope of the use, it reads only constants).
  ir::Expr expand_constant(const ast::FunctionDecl &let, const SourceLocation &at);
  ir::Expr unary(const ast::UnaryExpr &u, const Scope &scope);
  ir::Expr binary(const ast::BinaryExpr &b, const Scope &scope);
  bool need_real(const ir::Expr &e, const ast::Expr &at, const std::string &what);
  bool need_bool(const ir::Expr &e, const ast::Expr &at, const std::string &what);

  diag::Diagnostics &diags_;
  const FunctionTable *functions_;
  std::vector<std::string> expanding_;  ///< the functions being expanded, outermost first
  std::set<std::string> shadow_warned_; ///< constants hidden by a local name, warned once
};

/// Whether `name` is a built-in function (exp, max, rand, ...).
bool is_builtin_function(const std::string &name);

/// "V", or "V (a voltage)" for the dimensions users meet most.
std::string describe(ir::Dimension d);

/// Warns about each declared parameter that no expression of `uses` reads
/// (and that did not fail to lower: `failed`), as a parameter of `model`.
void warn_unused_parameters(const std::vector<ast::ParamDecl> &declared, const std::vector<ir::Expr> &uses,
                            const std::string &model, const std::set<std::string> &failed, diag::Diagnostics &diags);

/// "model 'M' has no state 'x'", with the states of `states` as suggestions.
void report_unknown_state(const ast::Ident &name, const std::string &model, const std::vector<ir::StateVar> &states,
                          diag::Diagnostics &diags);

} // namespace snn::frontend
