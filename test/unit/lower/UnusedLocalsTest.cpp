//===- test/unit/lower/UnusedLocalsTest.cpp - lower::remove_unused_locals -===//
//
// Lets and Philox blocks that nothing reads go, with those read only by
// them, in nested bodies too; whatever a store, a condition, a loop bound
// or a random word reads stays; the scheduled Program still verifies.
//
//===----------------------------------------------------------------------===//
#include "TestNetwork.h"

#include "lower/KernelBuilder.h"
#include "lower/Printer.h"
#include "lower/Schedule.h"
#include "lower/UnusedLocals.h"
#include "lower/Verifier.h"

#include <gtest/gtest.h>

namespace snn::test {
namespace {

using lower::BatchAxis;
using lower::DomainKind;
using lower::ElemType;
using lower::KernelBuilder;
using lower::Param;
using lower::ScopeKind;
using lower::Stmt;
using lower::Type;
using lower::Value;

/// The names each statement of `body` (a Block) binds or writes, in order:
/// "let x", "philox r", "var c", "store", "if", "for i", ...
std::vector<std::string> outline(const Stmt &body) {
  std::vector<std::string> lines;
  const lower::Block *block = body.as<lower::Block>();
  if (!block)
    return {"(not a block)"};
  for (const Stmt &s : block->stmts) {
    if (const auto *l = s.as<lower::Let>())
      lines.push_back("let " + l->name);
    else if (const auto *p = s.as<lower::Philox>())
      lines.push_back("philox " + p->name);
    else if (const auto *v = s.as<lower::Var>())
      lines.push_back("var " + v->name);
    else if (s.as<lower::Store>())
      lines.push_back("store");
    else if (s.as<lower::Assign>())
      lines.push_back("assign");
    else if (const auto *i = s.as<lower::If>()) {
      lines.push_back("if {");
      for (const std::string &inner : outline(i->then_body))
        lines.push_back("  " + inner);
      lines.push_back("}");
    } else if (const auto *f = s.as<lower::For>()) {
      lines.push_back("for " + f->var + " {");
      for (const std::string &inner : outline(f->body))
        lines.push_back("  " + inner);
      lines.push_back("}");
    } else {
      lines.push_back("other");
    }
  }
  return lines;
}

using Outline = std::vector<std::string>;

struct Pruned {
  Outline before, after;
  size_t removed = 0;
};

/// Builds a kernel with a read-only i32 buffer and a writable one, runs
/// `body` on the builder, and prunes the result.
Pruned prune(const std::function<void(KernelBuilder &, int in, int out)> &body) {
  KernelBuilder k("probe", DomainKind::Neurons, true);
  int in = k.buffer("in", ElemType::I32, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  int out = k.buffer("out", ElemType::I32, ScopeKind::Global, BatchAxis::Shared, Param::Access::ReadWrite);
  k.scalar("size");
  k.set_extent("size");
  body(k, in, out);
  lower::Kernel kernel = k.finish();
  Pruned result;
  result.before = outline(kernel.body);
  result.after = outline(lower::remove_unused_locals(kernel.body, result.removed));
  return result;
}

TEST(UnusedLocals, UnreadLetsGoWithTheLetsOnlyTheyRead) {
  Pruned p = prune([](KernelBuilder &k, int in, int out) {
    Value a = k.let("a", k.load(in, lower::i64(0)));
    Value b = k.let("b", a + a); // read only by c
    k.let("c", b * b);           // read by nothing
    Value d = k.let("d", k.load(in, lower::i64(1)));
    k.store(out, lower::i64(0), d);
  });
  EXPECT_EQ(p.before, (Outline{"let a", "let b", "let c", "let d", "store"}));
  EXPECT_EQ(p.after, (Outline{"let d", "store"}));
  EXPECT_EQ(p.removed, 3u);
}

TEST(UnusedLocals, ReadsInNestedBodiesConditionsAndBoundsKeepALet) {
  Pruned p = prune([](KernelBuilder &k, int in, int out) {
    Value bound = k.let("bound", lower::i64(4));
    Value limit = k.let("limit", k.load(in, lower::i64(0)));
    Value unused_outer = k.let("unused_outer", k.load(in, lower::i64(1)));
    Value inner_source = k.let("inner_source", k.load(in, lower::i64(2)));
    Stmt loop = k.nested([&] {
      Value x = k.let("x", inner_source);
      k.let("dead_inner", x + unused_outer);
      k.store(out, lower::local("i", Type::I64), x);
    });
    k.emit(lower::For::make("i", lower::i64(0), bound, loop));
    Stmt then_body = k.nested([&] { k.store(out, lower::i64(1), limit); });
    k.emit(lower::If::make(lower::Cast::make(Type::Bool, limit), then_body));
  });
  EXPECT_EQ(p.after, (Outline{"let bound", "let limit", "let inner_source", "for i {", "  let x", "  store", "}",
                              "if {", "  store", "}"}));
  EXPECT_EQ(p.removed, 2u) << "dead_inner, then unused_outer which only it read";
}

TEST(UnusedLocals, PhiloxBlocksGoOnlyWhenNoneOfTheirWordsIsRead) {
  Pruned p = prune([](KernelBuilder &k, int, int out) {
    std::array<Value, 4> counter = {lower::u32(1), lower::u32(2), lower::u32(3), lower::u32(4)};
    Value key_word = k.let("key_word", lower::u32(7)); // read only by the dropped block
    k.emit(lower::Philox::make("dropped", counter, {key_word, lower::u32(0)}));
    k.emit(lower::Philox::make("kept", counter, {lower::u32(5), lower::u32(6)}));
    // Only the third word of `kept` is read.
    std::array<Value, 4> words = {lower::Philox::word("kept", 2), lower::Philox::word("kept", 2),
                                  lower::Philox::word("kept", 2), lower::Philox::word("kept", 2)};
    k.store(out, lower::i64(0),
            lower::Cast::make(Type::I32, lower::RandomReal::make(ir::Distribution::Uniform01, words)));
  });
  EXPECT_EQ(p.after, (Outline{"philox kept", "store"}));
  EXPECT_EQ(p.removed, 2u);
}

TEST(UnusedLocals, ABodyWithNothingUnreadIsTheSameNode) {
  KernelBuilder k("probe", DomainKind::Neurons, true);
  int out = k.buffer("out", ElemType::F32, ScopeKind::Global, BatchAxis::Shared, Param::Access::Write);
  k.scalar("size");
  k.set_extent("size");
  Value one = k.let("one", lower::Cast::make(Type::Real, lower::i64(1)));
  k.store(out, lower::i64(0), one);
  lower::Kernel kernel = k.finish();
  size_t removed = 0;
  EXPECT_EQ(lower::remove_unused_locals(kernel.body, removed).get(), kernel.body.get());
  EXPECT_EQ(removed, 0u);
}

// Every example and e2e model is checked for unread lets, on the printed
// Program, by test/e2e/test_cuda_ptx.py.
TEST(UnusedLocals, TheScheduledProgramVerifiesAndASecondRunFindsNothing) {
  lower::Program p = lower::schedule(test_network(), lower::ScheduleOptions{});
  EXPECT_TRUE(lower::verify(p).empty());
  std::string printed = lower::to_string(p);
  EXPECT_EQ(lower::remove_unused_locals(p), 0u);
  EXPECT_EQ(lower::to_string(p), printed);
}

} // namespace
} // namespace snn::test
