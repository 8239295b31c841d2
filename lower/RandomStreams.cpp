//===- lower/RandomStreams.cpp - The counters of every random draw --------===//
#include "lower/RandomStreams.h"

#include "snn/philox.h"

namespace snn::lower {

std::array<Value, 2> run_key() { return {local("key.0", Type::U32), local("key.1", Type::U32)}; }

std::array<Value, 2> split_words(Value v) {
  ir::internal_check(v->type == Type::I64, "only an i64 splits into two words");
  Value high = IntOp::make(IntOpKind::Shr, v, i64(32));
  return {Cast::make(Type::U32, v), Cast::make(Type::U32, high)};
}

std::array<Value, 2> emit_example_key(KernelBuilder &k) {
  Value example = k.let("example", local("first_example", Type::I64) + local("b", Type::I64));
  auto [low, high] = split_words(example);
  k.emit(Philox::make("example_key", {low, high, u32(0), u32(snn_philox_tag(SNN_RNG_EXAMPLE, 0))}, run_key()));
  return {Philox::word("example_key", 0), Philox::word("example_key", 1)};
}

Value random_tag(uint32_t domain, Value stream, uint32_t site) {
  ir::internal_check(site < kMaxRandomSites, "random call site " + std::to_string(site) + " exceeds 255");
  Value shifted = IntOp::make(IntOpKind::Shl, Cast::make(Type::U32, std::move(stream)), u32(8));
  return IntOp::make(IntOpKind::Or, shifted, u32(snn_philox_tag(domain, site)));
}

Value emit_draw(KernelBuilder &k, const std::string &name, std::array<Value, 4> counter, std::array<Value, 2> key,
                ir::Distribution dist) {
  k.emit(Philox::make(name, std::move(counter), std::move(key)));
  std::array<Value, 4> words;
  for (int w = 0; w < 4; ++w)
    words[w] = Philox::word(name, w);
  return k.let(name + ".real", RandomReal::make(dist, words));
}

} // namespace snn::lower
