//===- backends/cuda/CudaBackend.cpp - The CUDA target --------------------===//
#include "backends/cuda/CudaBackend.h"

#include "backends/Process.h"
#include "backends/cpu/Descriptor.h"
#include "backends/cpu/ObjectEmitter.h"
#include "backends/cpu/TargetSetup.h"
#include "backends/cuda/CudaArchitectures.h"
#include "backends/cuda/CudaSource.h"

#include "snn/output_file.h"
#include "snn/temporary_file.h"

#include "llvm/IR/Module.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace snn::cuda {

namespace {

using backends::BackendError;

/// A temporary file of this compile, removed when done.
struct Scratch {
  TemporaryFile marked;
  std::string path;
  explicit Scratch(const char *suffix) {
    int fd = marked.create("snnc-cuda", suffix, path);
    if (fd < 0)
      throw BackendError(BackendError::Reason::ObjectEmission,
                         std::string("cannot create a temporary file: ") + std::strerror(errno));
    close(fd);
  }
  ~Scratch() { unlink(path.c_str()); }
};

void write_text(const std::string &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary);
  if (!(out << text) || !out.flush())
    throw BackendError(BackendError::Reason::ObjectEmission, "cannot write '" + path + "': " + std::strerror(errno));
}

void run_tool(const std::vector<std::string> &args, const char *what) {
  std::string log;
  int code = backends::run_process(args, log);
  if (code == 0)
    return;
  while (!log.empty() && std::isspace(static_cast<unsigned char>(log.back())))
    log.pop_back();
  std::string detail = code == 127 ? "cannot run " + args.front() : std::string(what) + " failed";
  throw BackendError(BackendError::Reason::Toolchain, detail + (log.empty() ? "" : ":\n" + log));
}

class CudaBackend : public backends::Backend {
public:
  explicit CudaBackend(const backends::BackendOptions &options) : options_(options) {
    cpu::CodegenOptions host;
    host.double_precision = options.double_precision;
    host.opt_level = options.opt_level;
    host.cpu = options.cpu;
    std::string error;
    machine_ = cpu::create_target_machine(host, error);
    if (!machine_)
      throw BackendError(BackendError::Reason::UnknownCpu, error);
    std::string bad_item;
    std::optional<CudaArchitectures> archs = parse_cuda_architectures(options.cuda_arch, bad_item);
    if (!archs)
      throw BackendError(BackendError::Reason::UnknownCudaArch, bad_item);
    archs_ = std::move(*archs);
  }

  backends::Target target() const override { return backends::Target::Cuda; }

  std::string code_text(const lower::Program &program, StageTimes &times) override {
    return times.time("codegen", [&] { return print_source(program); });
  }

  std::string assembly_text(const lower::Program &program, StageTimes &times) override {
    require_nvcc();
    Scratch source(".cu"), ptx(".ptx");
    write_text(source.path, code_text(program, times));
    times.time("nvcc", [&] {
      std::vector<std::string> args = nvcc_args(source.path, {archs_.ptx_flag()});
      args.insert(args.end(), {"-ptx", "-o", ptx.path});
      run_tool(args, "nvcc");
    });
    std::ifstream in(ptx.path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  void write_object(const lower::Program &program, const std::string &path, StageTimes &times) override {
    if (!options_.cuda_host_emulation)
      require_nvcc();
    Scratch source(".cu"), device(".o"), host(".o");
    write_text(source.path, code_text(program, times));
    times.time(options_.cuda_host_emulation ? "host-emulation" : "nvcc", [&] {
      std::vector<std::string> args;
      if (options_.cuda_host_emulation)
        // The CPU backend's rounding: no contraction into fused multiply-adds.
        args = {options_.host_compiler,   "-std=c++17", "-O2", "-ffp-contract=off", "-DSNN_CUDA_EMULATION", "-I",
                options_.runtime_include, "-x",         "c++", source.path};
      else
        args = nvcc_args(source.path, archs_.nvcc_flags());
      args.insert(args.end(), {"-c", "-o", device.path});
      run_tool(args, options_.cuda_host_emulation ? "the host compiler" : "nvcc");
    });
    times.time("object", [&] {
      llvm::LLVMContext context;
      llvm::Module module(program.name.empty() ? "snn_model" : program.name, context);
      module.setTargetTriple(machine_->getTargetTriple().str());
      module.setDataLayout(machine_->createDataLayout());
      // The entry points and the device are defined by the printed file and
      // the runtime's device library.
      auto *entry_type =
          llvm::FunctionType::get(llvm::Type::getVoidTy(context),
                                  {llvm::PointerType::getUnqual(context), llvm::Type::getInt64Ty(context)}, false);
      std::vector<llvm::Function *> entries;
      for (const lower::EntryPoint &e : program.entries)
        entries.push_back(
            llvm::Function::Create(entry_type, llvm::GlobalValue::ExternalLinkage, entry_symbol(e.name), module));
      auto *device_desc = new llvm::GlobalVariable(module, llvm::Type::getInt8Ty(context), /*isConstant=*/true,
                                                   llvm::GlobalValue::ExternalLinkage, nullptr, "snn_cuda_device");
      cpu::define_model_function(module, cpu::build_descriptor(module, program, entries, device_desc));
      std::string error;
      if (!cpu::write_object(module, *machine_, host.path, error))
        throw BackendError(BackendError::Reason::ObjectEmission, error);
      // One relocatable object, written beside the target and renamed.
      OutputPlan plan = plan_output(path);
      TemporaryFile marked(plan.temporary);
      std::string out = plan.temporary.empty() ? plan.target : plan.temporary;
      try {
        run_tool({options_.host_compiler, "-r", "-nostdlib", device.path, host.path, "-o", out},
                 "the relocatable link");
      } catch (...) {
        if (!plan.temporary.empty())
          unlink(out.c_str());
        throw;
      }
      if (!plan.temporary.empty() && std::rename(out.c_str(), plan.target.c_str()) != 0) {
        unlink(out.c_str());
        throw BackendError(BackendError::Reason::ObjectEmission,
                           "cannot rename '" + out + "' to '" + plan.target + "': " + std::strerror(errno));
      }
    });
  }

  std::unique_ptr<backends::LoadedModel> load(const lower::Program &, StageTimes &) override {
    throw BackendError(BackendError::Reason::Load,
                       "a --target=cuda model runs as an executable (-o FILE); --run compiles for the CPU only");
  }

private:
  void require_nvcc() const {
    if (options_.nvcc.empty())
      throw BackendError(BackendError::Reason::Toolchain,
                         options_.nvcc_missing.empty() ? "no nvcc" : options_.nvcc_missing);
  }

  /// nvcc's command for `source` with the architecture flags `archs`.
  std::vector<std::string> nvcc_args(const std::string &source, const std::vector<std::string> &archs) const {
    // -fmad=false: no contraction into fused multiply-adds, so the device
    // rounds as the CPU backend does and both give the same spikes.
    // --threads 0: the architectures' ptxas runs side by side.
    std::vector<std::string> args = {options_.nvcc, "-std=c++17", "-O3", "-fmad=false", "--threads", "0"};
    args.insert(args.end(), archs.begin(), archs.end());
    args.insert(args.end(), {"-I", options_.runtime_include, "-x", "cu", source});
    return args;
  }

  backends::BackendOptions options_;
  CudaArchitectures archs_;
  std::unique_ptr<llvm::TargetMachine> machine_;
};

} // namespace

std::unique_ptr<backends::Backend> make_cuda_backend(const backends::BackendOptions &options) {
  return std::make_unique<CudaBackend>(options);
}

} // namespace snn::cuda
