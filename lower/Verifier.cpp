//===- lower/Verifier.cpp - Checks of a lowered Program -------------------===//
#include "lower/Verifier.h"

#include "ir/Simplify.h"
#include "lower/SpikeBlocks.h"

#include <map>
#include <set>
#include <type_traits>

namespace snn::lower {

namespace {

bool readable(Param::Access a) { return a != Param::Access::Write; }
bool writable(Param::Access a) { return a != Param::Access::Read; }

/// Checks one kernel: its domain, and the scoping and types of its body.
class KernelVerifier {
public:
  KernelVerifier(const Program &p, const Kernel &k, std::vector<std::string> &problems)
      : program_(p), kernel_(k), problems_(problems) {}

  void run() {
    const Domain &d = kernel_.domain;
    bind("batch", Type::I64);
    bind("first_example", Type::I64);
    bind("key.0", Type::U32);
    bind("key.1", Type::U32);
    bind("step", Type::I64);
    bind("t", Type::Real);
    if (d.batched)
      bind("b", Type::I64);
    switch (d.kind) {
    case DomainKind::Neurons:
      bind("n", Type::I64);
      break;
    case DomainKind::SpikingRows:
      bind("pre", Type::I64);
      check_buffer_param(d.spikes, "spike flags", ElemType::U8);
      break;
    case DomainKind::Synapses:
      bind("pre", Type::I64);
      bind("s", Type::I64);
      check_buffer_param(d.rows, "row offsets", ElemType::U32);
      break;
    case DomainKind::BatchReduction:
      bind("i", Type::I64);
      if (!d.batched)
        fail("a batch reduction must be batched");
      break;
    }
    if (d.runs_past_extent && d.kind != DomainKind::Neurons)
      fail("only a Neurons domain runs past its extent");
    if (d.extent < 0 || size_t(d.extent) >= kernel_.params.size() ||
        kernel_.params[d.extent].kind != Param::Kind::Scalar || kernel_.params[d.extent].type != Type::I64)
      fail("its domain has no i64 extent parameter");
    std::set<std::string> param_names;
    for (const Param &param : kernel_.params) {
      if (!param_names.insert(param.name).second)
        fail("parameter '" + param.name + "' declared twice");
      if (param.kind == Param::Kind::Scalar)
        bind(param.name, param.type);
      else if ((param.elem == ElemType::F32 || param.elem == ElemType::F64) && param.elem != program_.real)
        fail("buffer parameter '" + param.name + "' is " + name_of(param.elem) + " in a " + name_of(program_.real) +
             " program");
    }
    if (!kernel_.body)
      fail("it has no body");
    else
      stmt(kernel_.body);
  }

private:
  void fail(const std::string &what) { problems_.push_back("kernel " + kernel_.name + ": " + what); }

  void bind(const std::string &name, Type type) {
    if (!bound_.insert(name).second)
      fail("'" + name + "' is bound twice");
    scopes_.back().emplace(name, type);
  }

  void check_buffer_param(int index, const char *what, ElemType elem) {
    if (index < 0 || size_t(index) >= kernel_.params.size() || kernel_.params[index].kind != Param::Kind::Buffer ||
        kernel_.params[index].elem != elem)
      fail(std::string("its domain's ") + what + " are not a " + name_of(elem) + " buffer parameter");
  }

  const Param *buffer_param(int index, const char *use) {
    if (index < 0 || size_t(index) >= kernel_.params.size() || kernel_.params[index].kind != Param::Kind::Buffer) {
      fail(std::string(use) + " of parameter " + std::to_string(index) + ", which is not a buffer");
      return nullptr;
    }
    return &kernel_.params[index];
  }

  void expect(const Value &v, Type type, const std::string &what) {
    if (!v) {
      fail(what + " is missing");
      return;
    }
    value(v);
    if (v->type != type)
      fail(what + " is " + name_of(v->type) + ", expected " + name_of(type));
  }

  void value(const Value &v) {
    visit_value(v, [&](const auto &node) { check(node); });
  }

  void check(const IntImm &) {}
  void check(const Local &l) {
    for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
      auto found = scope->find(l.name);
      if (found == scope->end())
        continue;
      if (found->second != l.type)
        fail("'" + l.name + "' is read as " + name_of(l.type) + " but bound as " + name_of(found->second));
      return;
    }
    fail("'" + l.name + "' is read where it is not bound");
  }
  void check(const IntOp &op) {
    value(op.a);
    value(op.b);
  }
  void check(const Cast &c) { value(c.a); }
  void check(const Load &l) {
    if (const Param *p = buffer_param(l.param, "a load")) {
      if (!readable(p->access))
        fail("it loads from write-only parameter '" + p->name + "'");
      if (value_type(p->elem) != l.type)
        fail("a load from '" + p->name + "' has type " + name_of(l.type));
    }
    expect(l.index, Type::I64, "a load index");
  }
  void check(const Math &m) {
    ir::mentions(m.expr, [&](const ir::Variable &v) {
      if (v.var_kind != ir::VarKind::Local) {
        fail(std::string("an expression reads ") + ir::name_of(v.var_kind) + " '" + v.name + "'");
        return false;
      }
      check(Local(v.name, type_of(v.type)));
      return false;
    });
    if (ir::mentions_random(m.expr))
      fail("an expression draws a random number outside a Philox block");
  }
  void check(const RandomReal &r) {
    for (const Value &w : r.words)
      expect(w, Type::U32, "a random word");
  }
  void check(const GeometricSkip &g) {
    expect(g.hi, Type::U32, "a random word");
    expect(g.lo, Type::U32, "a random word");
    if (!(g.log_q < 0))
      fail("a geometric skip has log(1 - p) = " + std::to_string(g.log_q));
  }

  void stmt(const Stmt &s) {
    visit_stmt(s, [&](const auto &node) { check(node); });
  }

  void check(const Block &b) {
    scopes_.emplace_back();
    for (const Stmt &s : b.stmts)
      stmt(s);
    scopes_.pop_back();
  }
  void check(const Let &l) {
    value(l.value);
    bind(l.name, l.value->type);
  }
  void check_write(int param, const Value &index, const Value &v, const char *what) {
    const Param *p = buffer_param(param, what);
    if (p && !writable(p->access))
      fail(std::string(what) + " to read-only parameter '" + p->name + "'");
    expect(index, Type::I64, std::string(what) + " index");
    if (p)
      expect(v, value_type(p->elem), std::string(what) + " to '" + p->name + "'");
  }
  void check(const Store &s) { check_write(s.param, s.index, s.value, "a store"); }
  void check(const AtomicAdd &a) {
    check_write(a.param, a.index, a.value, "an atomic add");
    if (const Param *p = buffer_param(a.param, "an atomic add"); p && !readable(p->access))
      fail("an atomic add to write-only parameter '" + p->name + "'");
  }
  void check(const If &i) {
    expect(i.cond, Type::Bool, "a condition");
    ++nesting_;
    stmt(i.then_body);
    if (i.else_body)
      stmt(i.else_body);
    --nesting_;
  }
  void check(const For &f) {
    expect(f.begin, Type::I64, "a loop start");
    expect(f.end, Type::I64, "a loop end");
    scopes_.emplace_back();
    bind(f.var, Type::I64);
    ++nesting_;
    stmt(f.body);
    --nesting_;
    scopes_.pop_back();
  }
  void check(const Philox &p) {
    for (const Value &c : p.counter)
      expect(c, Type::U32, "a Philox counter word");
    for (const Value &k : p.key)
      expect(k, Type::U32, "a Philox key word");
    for (int w = 0; w < 4; ++w)
      bind(p.name + "." + std::to_string(w), Type::U32);
  }

  void check(const Var &v) {
    value(v.value);
    bind(v.name, v.value->type);
    vars_.insert(v.name);
  }
  void check(const Assign &a) {
    value(a.value);
    if (!vars_.count(a.name)) {
      fail("it assigns '" + a.name + "', which is not a var");
      return;
    }
    // The var must be visible here, with the value's type.
    check(Local(a.name, a.value->type));
  }
  void check(const While &w) {
    expect(w.cond, Type::Bool, "a condition");
    scopes_.emplace_back();
    ++nesting_;
    stmt(w.body);
    --nesting_;
    scopes_.pop_back();
  }
  void check(const Stage &st) {
    // Every point of a device block must reach the Stage and run the same
    // tiles: at the top of a body that runs past its extent, with bounds
    // the same at every point of a block.
    if (nesting_ > 0)
      fail("a stage inside an if, a loop or another stage");
    if (!kernel_.domain.runs_past_extent)
      fail("a stage in a domain that does not run past its extent");
    if (const Param *p = buffer_param(st.param, "a stage")) {
      if (p->access != Param::Access::Read)
        fail("it stages '" + p->name + "', which it writes");
      if (p->elem == ElemType::Bits)
        fail("it stages bit-packed '" + p->name + "'");
    }
    expect(st.base, Type::I64, "a stage's base");
    expect(st.extent, Type::I64, "a stage's extent");
    uniform(st.base, "base");
    uniform(st.extent, "extent");
    scopes_.emplace_back();
    bind(st.var, Type::I64);
    ++nesting_;
    stmt(st.body);
    --nesting_;
    scopes_.pop_back();
  }
  /// Fails unless `v` reads only what every point of a block shares: the
  /// scalars, the built-ins and the example.
  void uniform(const Value &v, const char *what) {
    if (!v)
      return;
    visit_value(v, [&](const auto &node) {
      using N = std::decay_t<decltype(node)>;
      if constexpr (std::is_same_v<N, Local>) {
        static const std::set<std::string> shared = {"batch", "first_example", "key.0", "key.1", "step", "t", "b"};
        int param = kernel_.param(node.name);
        if (!shared.count(node.name) && (param < 0 || kernel_.params[size_t(param)].kind != Param::Kind::Scalar))
          fail(std::string("a stage's ") + what + " reads '" + node.name + "', which differs between points");
      } else if constexpr (std::is_same_v<N, IntOp>) {
        uniform(node.a, what);
        uniform(node.b, what);
      } else if constexpr (std::is_same_v<N, Cast>) {
        uniform(node.a, what);
      } else if constexpr (!std::is_same_v<N, IntImm>) {
        fail(std::string("a stage's ") + what + " is not integer arithmetic on scalars");
      }
    });
  }

  const Program &program_;
  const Kernel &kernel_;
  /// The names bound by a Var: the only ones an Assign may change.
  std::set<std::string> vars_;
  /// Enclosing If, For, While and Stage bodies (Blocks do not count).
  int nesting_ = 0;
  std::vector<std::string> &problems_;
  /// Every name bound so far in the kernel (names are never rebound).
  std::set<std::string> bound_;
  /// The names visible here: built-ins, domain and parameters, then one map
  /// per enclosing Block or For.
  std::vector<std::map<std::string, Type>> scopes_{1};
};

class ProgramVerifier {
public:
  explicit ProgramVerifier(const Program &p) : p_(p) {}

  std::vector<std::string> run() {
    if (p_.real != ElemType::F32 && p_.real != ElemType::F64)
      fail("the real type is " + std::string(name_of(p_.real)));
    if (p_.batch < 1)
      fail("the default batch is 0");
    for (size_t k = 0; k < p_.buffers.size(); ++k)
      check_buffer(p_.buffers[k]);
    for (const Kernel &k : p_.kernels)
      KernelVerifier(p_, k, problems_).run();
    const std::vector<std::string> &names = entry_point_names();
    if (p_.entries.size() != names.size())
      fail("it has " + std::to_string(p_.entries.size()) + " entry points");
    for (size_t e = 0; e < p_.entries.size(); ++e) {
      if (e < names.size() && p_.entries[e].name != names[e])
        fail("entry point " + std::to_string(e) + " is '" + p_.entries[e].name + "', expected '" + names[e] + "'");
      for (const Launch &l : p_.entries[e].launches)
        check_launch(p_.entries[e].name, l);
    }
    check_network();
    return std::move(problems_);
  }

private:
  void fail(const std::string &what) { problems_.push_back(what); }

  bool valid_buffer(int b) const { return b >= 0 && size_t(b) < p_.buffers.size(); }

  void check_buffer(const Buffer &b) {
    if ((b.type == ElemType::F32 || b.type == ElemType::F64) && b.type != p_.real)
      fail("buffer " + b.name + " is " + name_of(b.type) + " in a " + name_of(p_.real) + " program");
    int owner = b.scope.owner;
    switch (b.scope.kind) {
    case ScopeKind::Neuron:
      if (owner < 0 || size_t(owner) >= p_.populations.size())
        fail("buffer " + b.name + " belongs to no population");
      else if (b.extent != p_.populations[owner].size)
        fail("buffer " + b.name + " has " + std::to_string(b.extent) + " elements for " +
             std::to_string(p_.populations[owner].size) + " neurons");
      break;
    case ScopeKind::Synapse:
    case ScopeKind::Pre:
    case ScopeKind::Post:
    case ScopeKind::Row:
    case ScopeKind::Column:
      if (owner < 0 || size_t(owner) >= p_.projections.size())
        fail("buffer " + b.name + " belongs to no projection");
      else
        check_projection_extent(b, p_.projections[owner]);
      break;
    case ScopeKind::Global:
      break;
    }
  }

  void check_projection_extent(const Buffer &b, const ProjectionInfo &pr) {
    auto size = [&](int population) -> uint64_t {
      return population >= 0 && size_t(population) < p_.populations.size() ? p_.populations[population].size : 0;
    };
    uint64_t expected = b.extent;
    if (b.scope.kind == ScopeKind::Pre)
      expected = size(pr.pre);
    else if (b.scope.kind == ScopeKind::Post)
      expected = size(pr.post);
    else if (b.scope.kind == ScopeKind::Row)
      expected = size(pr.pre) + 1;
    else if (b.scope.kind == ScopeKind::Column)
      expected = size(pr.post) + 1;
    if (b.extent != expected)
      fail("buffer " + b.name + " has " + std::to_string(b.extent) + " elements, expected " + std::to_string(expected));
  }

  void check_launch(const std::string &entry, const Launch &l) {
    std::string where = "launch in " + entry + " (" + l.what + ")";
    if (l.kernel < 0 || size_t(l.kernel) >= p_.kernels.size()) {
      fail(where + " of unknown kernel " + std::to_string(l.kernel));
      return;
    }
    const Kernel &k = p_.kernels[l.kernel];
    where = "launch of " + k.name + " in " + entry + " (" + l.what + ")";
    if (l.args.size() != k.params.size()) {
      fail(where + " has " + std::to_string(l.args.size()) + " arguments for " + std::to_string(k.params.size()) +
           " parameters");
      return;
    }
    std::map<int, std::vector<const Param *>> uses;
    for (size_t a = 0; a < l.args.size(); ++a) {
      const Param &param = k.params[a];
      const Argument &arg = l.args[a];
      if (param.kind == Param::Kind::Scalar) {
        if (arg.buffer >= 0)
          fail(where + " binds scalar '" + param.name + "' to a buffer");
        continue;
      }
      if (!valid_buffer(arg.buffer)) {
        fail(where + " binds '" + param.name + "' to no buffer");
        continue;
      }
      const Buffer &b = p_.buffers[arg.buffer];
      if (b.type != param.elem || b.scope.kind != param.scope || b.batch != param.batch)
        fail(where + " binds '" + param.name + "' to buffer " + b.name + " of another type, scope or batch axis");
      uses[arg.buffer].push_back(&param);
    }
    for (const auto &[buffer, params] : uses) {
      if (params.size() < 2)
        continue;
      for (const Param *param : params)
        if (writable(param->access))
          fail(where + " binds buffer " + p_.buffers[buffer].name + " to several parameters, one of them written");
    }
  }

  void check_network() {
    auto check = [&](int buffer, const std::string &what) {
      if (!valid_buffer(buffer))
        fail(what + " names no buffer");
    };
    for (const PopulationInfo &pop : p_.populations) {
      for (const VariableInfo &v : pop.states)
        check(v.buffer, "state " + pop.name + "." + v.name);
      for (const VariableInfo &v : pop.inputs)
        check(v.buffer, "input " + pop.name + "." + v.name);
      check(pop.spiked, "the spike flags of " + pop.name);
      if (pop.stimulus >= 0)
        check(pop.stimulus, "the stimulus of " + pop.name);
      if (pop.nonfinite >= 0) {
        check(pop.nonfinite, "the non-finite step of " + pop.name);
        if (valid_buffer(pop.nonfinite)) {
          const Buffer &first = p_.buffers[size_t(pop.nonfinite)];
          if (first.type != ElemType::I32 || first.role != BufferRole::NonfiniteStep ||
              first.extent != real_state_buffers(p_, pop).size() || first.batch != BatchAxis::PerExample ||
              pop.spike_block < 0)
            fail("the non-finite step of " + pop.name +
                 " is not an i32 per real state and example beside a spike block");
        }
      }
      if (pop.spike_block >= 0) {
        check(pop.spike_block, "the spike block of " + pop.name);
        if (!valid_buffer(pop.spike_block))
          continue;
        const Buffer &block = p_.buffers[size_t(pop.spike_block)];
        if (block.type != ElemType::Bits || block.role != BufferRole::SpikeBlock ||
            block.extent != uint64_t(p_.spike_block_steps) * 32 * spike_block_words(pop.size))
          fail("the spike block of " + pop.name + " is not " + std::to_string(p_.spike_block_steps) +
               " rows of whole words of bits");
      }
    }
    for (const ProjectionInfo &pr : p_.projections) {
      auto disallowed = [&] {
        fail("the projection " + pr.name + " is stored " + ir::name_of(pr.storage) +
             ", which its connectivity or its buffers do not allow");
      };
      if (pr.storage == ir::SynapseStorage::Bitmask || pr.storage == ir::SynapseStorage::Procedural) {
        // Nothing per synapse: the mask, or nothing at all.
        bool bitmask = pr.storage == ir::SynapseStorage::Bitmask;
        if (pr.row_start >= 0 || pr.target >= 0 || pr.weight >= 0 || pr.ring >= 0 || pr.delay >= 0 ||
            !pr.synapse_states.empty() || pr.delivery != DeliveryStrategy::Presynaptic ||
            (bitmask ? !valid_buffer(pr.mask) : pr.mask >= 0) ||
            (!bitmask &&
             !(pr.connectivity == Connectivity::FixedProbability && pr.probability > 0 && pr.probability < 1) &&
             pr.connectivity != Connectivity::Conv2D && pr.connectivity != Connectivity::AvgPool2D))
          disallowed();
        continue;
      }
      check(pr.row_start, "the rows of " + pr.name);
      if (pr.storage == ir::SynapseStorage::Ragged)
        check(pr.target, "the targets of " + pr.name);
      else if (pr.storage != ir::SynapseStorage::Dense || pr.target >= 0 ||
               !(pr.connectivity == Connectivity::Dense ||
                 (pr.connectivity == Connectivity::FixedProbability && pr.probability >= 1)))
        disallowed();
      check(pr.weight, "the weights of " + pr.name);
    }
    for (const RecordInfo &r : p_.records) {
      if (r.population < 0 || size_t(r.population) >= p_.populations.size())
        fail("a record of no population");
      else if (r.end > p_.populations[r.population].size || r.begin >= r.end || r.stride == 0)
        fail("a record of " + p_.populations[r.population].name + " has an invalid neuron range");
      if (!r.spikes)
        check(r.buffer, "a state record");
    }
    for (const StimulusInfo &s : p_.stimuli)
      if (s.population < 0 || size_t(s.population) >= p_.populations.size() ||
          p_.populations[s.population].stimulus < 0)
        fail("a stimulus of a population without a stimulus buffer");
    // The adjoint strategy's checkpoint: ascending, no history (the
    // runtime restores it around a segment's second forward pass).
    for (const PruneInfo &rule : p_.training.prune)
      if (rule.projection < 0 || size_t(rule.projection) >= p_.projections.size() ||
          p_.projections[size_t(rule.projection)].storage != ir::SynapseStorage::Ragged ||
          !(rule.density > 0 && rule.density < 1) || rule.epochs == 0)
        fail("a prune rule of no ragged projection, or with a density outside (0, 1) or no period");
    for (const RewireInfo &rule : p_.training.rewire)
      if (rule.projection < 0 || size_t(rule.projection) >= p_.projections.size() ||
          p_.projections[size_t(rule.projection)].storage != ir::SynapseStorage::Ragged || !valid_buffer(rule.dormant))
        fail("a Deep R rule of no ragged projection, or without its dormant flags");
    const std::vector<int> &segment = p_.training.segment_state;
    for (size_t i = 0; i < segment.size(); ++i) {
      check(segment[i], "the segment checkpoint");
      if (valid_buffer(segment[i]) && p_.buffers[size_t(segment[i])].role == BufferRole::History)
        fail("the segment checkpoint holds the history " + p_.buffers[size_t(segment[i])].name);
      if (i > 0 && segment[i] <= segment[i - 1])
        fail("the segment checkpoint's buffers are not in ascending order");
    }
    if (!segment.empty() && !p_.training.backward_pass)
      fail("a segment checkpoint without a backward pass");
    for (const TrainedParamInfo &param : p_.training.params)
      if (!param.feedback && !valid_buffer(param.example_gradient))
        fail("trained parameter " + param.name + " has no per-example gradient");
  }

  const Program &p_;
  std::vector<std::string> problems_;
};

} // namespace

std::vector<std::string> verify(const Program &program) { return ProgramVerifier(program).run(); }

} // namespace snn::lower
