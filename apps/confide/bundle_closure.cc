#include "apps/confide/bundle_closure.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace confide::cli {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// "PATH (0x7f...)" -> "PATH"; a line without the address keeps its text.
std::string_view DropAddress(std::string_view s) {
  size_t open = s.rfind(" (0x");
  if (open != std::string_view::npos && s.back() == ')') s = s.substr(0, open);
  return Trim(s);
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Reads everything from `fd` into `out`, up to `limit` bytes (the rest is drained).
void ReadAll(int fd, std::string* out, size_t limit) {
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    size_t room = limit - std::min(limit, out->size());
    out->append(buf, std::min(room, static_cast<size_t>(n)));
  }
}

}  // namespace

bool IsSystemLibrary(std::string_view soname) {
  std::string_view name = BaseName(soname);
  static constexpr std::string_view kPrefixes[] = {
      "ld-linux",   "ld64.so",       "linux-vdso.so", "linux-gate.so", "libc.so",
      "libm.so",    "libpthread.so", "libdl.so",      "librt.so",      "libresolv.so",
      "libutil.so", "libanl.so",     "libnss_",       "libmvec.so"};
  for (std::string_view p : kPrefixes) {
    if (StartsWith(name, p)) return true;
  }
  return false;
}

Result<LibraryClosure> ParseLddOutput(std::string_view text) {
  LibraryClosure closure;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (line.empty()) continue;
    if (line == "statically linked" || line == "not a dynamic executable") continue;
    size_t arrow = line.find(" => ");
    if (arrow == std::string_view::npos) {
      // "/lib64/ld-linux-x86-64.so.2 (0x...)" or "linux-vdso.so.1 (0x...)".
      std::string_view name = DropAddress(line);
      if (name.empty() || name.find(' ') != std::string_view::npos) {
        return MalformedError("ldd output line " + std::to_string(line_no) + ": " +
                              std::string(line));
      }
      if (!IsSystemLibrary(name)) {
        closure.bundled.push_back({std::string(BaseName(name)), std::string(name)});
      } else {
        closure.system.emplace_back(BaseName(name));
      }
      continue;
    }
    std::string_view soname = Trim(line.substr(0, arrow));
    std::string_view target = Trim(line.substr(arrow + 4));
    if (soname.empty() || soname.find(' ') != std::string_view::npos ||
        soname.find('/') != std::string_view::npos) {
      return MalformedError("ldd output line " + std::to_string(line_no) + ": " +
                            std::string(line));
    }
    if (target == "not found") {
      return NotFoundError("shared library " + std::string(soname) +
                           " not found (ldd); the bundle would not start");
    }
    std::string_view path = DropAddress(target);
    if (IsSystemLibrary(soname)) {
      closure.system.emplace_back(soname);
      continue;
    }
    if (path.empty() || path.front() != '/' || path.find(' ') != std::string_view::npos) {
      return MalformedError("ldd output line " + std::to_string(line_no) + ": " +
                            std::string(line));
    }
    closure.bundled.push_back({std::string(soname), std::string(path)});
  }
  return closure;
}

Result<std::string> RunAndCapture(const std::vector<std::string>& argv) {
  if (argv.empty()) return InvalidArgumentError("RunAndCapture: empty command");
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    return UnavailableError(std::string("pipe: ") + std::strerror(errno));
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return UnavailableError(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<char*> args;
  for (const std::string& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return UnavailableError(argv[0] + ": cannot run: " + std::strerror(rc));
  }
  // ldd and tar write little to stderr; read stdout fully first, then stderr.
  std::string out, err;
  ReadAll(out_pipe[0], &out, 16u << 20);
  ReadAll(err_pipe[0], &err, 4096);
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return UnavailableError(argv[0] + " failed" +
                            (WIFEXITED(status)
                                 ? " (exit " + std::to_string(WEXITSTATUS(status)) + ")"
                                 : std::string(" (signal)")) +
                            (err.empty() ? "" : ": " + std::string(Trim(err))));
  }
  return out;
}

}  // namespace confide::cli
