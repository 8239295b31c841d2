//===- lib/ExecutableLinker.cpp - Linking a model with the runtime --------===//
#include "lib/ExecutableLinker.h"
#include "lib/Resources.h"

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

namespace {
/// Runs argv[0] with the given arguments; captures its stderr into `output`.
int run_process(const std::vector<std::string> &args, std::string &output) {
  TemporaryFile marked_log;
  std::string log_path;
  int log_fd = marked_log.create("snnc-link", ".log", log_path);
  if (log_fd < 0) {
    output = "cannot create a temporary file";
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    unlink(log_path.c_str());
    output = "cannot start the linker";
    return -1;
  }
  if (pid == 0) {
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    std::vector<char *> argv;
    for (const auto &a : args)
      argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  {
    TemporaryFileWriter writer(pid); // a signal stops the linker before removing its output
    waitpid(pid, &status, 0);
  }
  lseek(log_fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n;
  while ((n = read(log_fd, buf, sizeof buf)) > 0 && output.size() < 20000)
    output.append(buf, static_cast<size_t>(n));
  close(log_fd);
  unlink(log_path.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
} // namespace

bool link_executable(const std::string &object, const std::string &output, std::string &error) {
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
  std::vector<std::string> args = {SNN_LINKER_DRIVER, "-o", tmp, object};
#ifdef SNN_LINKER_FLAG
  // gold links the model about twice as fast as the default BFD linker
  // (half of a whole compile's CPU time was the link); the build checks
  // that the driver accepts it.
  args.push_back(SNN_LINKER_FLAG);
#endif
#ifdef SNN_LINKER_SANITIZE
  args.push_back(SNN_LINKER_SANITIZE);
#endif
  args.push_back(resources().runtime_main_lib);
  args.push_back(resources().runtime_lib);
  // What the runtime's data set reader needs (zlib, HDF5): '|'-separated
  // paths from CMake, linked only if the model's objects pull that code in.
  args.push_back("-Wl,--as-needed");
  std::string dependencies = SNN_RUNTIME_DEPENDENCIES;
  for (std::size_t begin = 0, end; begin < dependencies.size(); begin = end + 1) {
    end = std::min(dependencies.find('|', begin), dependencies.size());
    if (end > begin)
      args.push_back(dependencies.substr(begin, end - begin));
  }
  args.push_back("-Wl,--no-as-needed");
  args.push_back("-lm");
  args.push_back("-pthread");
  std::string log;
  int code = run_process(args, log);
  while (!log.empty() && std::isspace(static_cast<unsigned char>(log.back())))
    log.pop_back(); // the diagnostic's kind follows the log's last line
  if (code != 0) {
    unlink(tmp.c_str());
    error = std::string(code == 127 ? "cannot run the linker " SNN_LINKER_DRIVER : "the linker failed") +
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
