// RunCommand: runs a shell command line and captures what it prints, for
// the tests that drive the `creneau` CLI as a user would.
#ifndef CRENEAU_TESTS_SUPPORT_RUN_COMMAND_H_
#define CRENEAU_TESTS_SUPPORT_RUN_COMMAND_H_

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace creneau::testing {

struct CommandOutput {
  int code = -1;     // The exit code; -1 when it did not exit normally.
  std::string text;  // Standard output and standard error, interleaved.
};

// Runs `command_line` with /bin/sh, its standard error joined to its
// standard output; waits for it to end.
inline CommandOutput RunCommand(const std::string& command_line) {
  CommandOutput out;
  FILE* pipe = popen((command_line + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    out.text.append(buffer, n);
  }
  const int status = pclose(pipe);
  out.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

}  // namespace creneau::testing

#endif  // CRENEAU_TESTS_SUPPORT_RUN_COMMAND_H_
