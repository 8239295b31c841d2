//===- backends/Process.cpp - Running a tool of the toolchain -------------===//
#include "backends/Process.h"

#include "snn/temporary_file.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace snn::backends {

int run_process(const std::vector<std::string> &args, std::string &output) {
  TemporaryFile marked_log;
  std::string log_path;
  int log_fd = marked_log.create("snnc-tool", ".log", log_path);
  if (log_fd < 0) {
    output = "cannot create a temporary file";
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    unlink(log_path.c_str());
    output = "cannot start " + args.front();
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
    TemporaryFileWriter writer(pid); // a signal stops the tool before removing its output
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

} // namespace snn::backends
