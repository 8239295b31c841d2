//===- lib/ExecutableLinker.cpp - Linking a model with the runtime --------===//
#include "lib/ExecutableLinker.h"
#include "lib/Resources.h"
#include "lib/Toolchain.h"

#include "backends/Process.h"

#include "snn/output_file.h"
#include "snn/temporary_file.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace snn {

bool link_executable(const std::string &object, const std::string &output, const std::vector<std::string> &device,
                     std::string &error) {
  // Linked beside the target and renamed over it; a device target (e.g.
  // /dev/null) gets a copy of an executable linked in $TMPDIR (else /tmp) instead.
  OutputPlan plan = plan_output(output);
  bool in_place = plan.temporary.empty();
  TemporaryFile marked(plan.temporary); // marks nothing when in place
  std::string tmp = plan.temporary;
  if (in_place) {
    int fd = marked.create("snnc-exe", "", tmp);
    if (fd < 0) {
      error = std::string("cannot create a temporary file: ") + std::strerror(errno);
      return false;
    }
    close(fd);
  }
  const Toolchain &tools = toolchain();
  std::vector<std::string> args = {tools.cxx, "-o", tmp, object};
  // gold links the model about twice as fast as the default BFD linker
  // (half of a whole compile's CPU time was the link).
  if (!tools.gold_flag.empty())
    args.push_back(tools.gold_flag);
#ifdef SNN_LINKER_SANITIZE
  args.push_back(SNN_LINKER_SANITIZE);
#endif
  args.push_back(resources().runtime_main_lib);
  args.push_back(resources().runtime_lib);
  args.insert(args.end(), device.begin(), device.end());
  // What the runtime's data set reader needs (zlib, HDF5, MPI), linked
  // only if the model's objects pull that code in.
  args.push_back("-Wl,--as-needed");
  args.insert(args.end(), tools.link_dependencies.begin(), tools.link_dependencies.end());
  args.push_back("-Wl,--no-as-needed");
  args.push_back("-lm");
  args.push_back("-pthread");
  std::string log;
  int code = backends::run_process(args, log);
  while (!log.empty() && std::isspace(static_cast<unsigned char>(log.back())))
    log.pop_back(); // the diagnostic's kind follows the log's last line
  if (code != 0) {
    unlink(tmp.c_str());
    error = (code == 127 ? "cannot run the linker " + tools.cxx + " (SNNC_CXX names another)" : "the linker failed") +
            (log.empty() ? "" : ":\n" + log);
    return false;
  }
  if (in_place) {
    std::ifstream in(tmp, std::ios::binary);
    std::ofstream out(plan.target, std::ios::binary);
    bool copied = in && out && (out << in.rdbuf()) && out.flush();
    unlink(tmp.c_str());
    if (!copied)
      error = std::strerror(errno);
    return copied;
  }
  if (std::rename(tmp.c_str(), plan.target.c_str()) != 0) {
    error = std::strerror(errno);
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

} // namespace snn
