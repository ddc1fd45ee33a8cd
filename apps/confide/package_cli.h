// Helpers shared by the package commands (keygen, pack, inspect, package verify, unpack).
#ifndef CONFIDE_APPS_CONFIDE_PACKAGE_CLI_H_
#define CONFIDE_APPS_CONFIDE_PACKAGE_CLI_H_

#include <cstdint>
#include <string>

#include "confide/base/result.h"
#include "confide/package/stream.h"

namespace confide::cli {

// A one-line progress bar on stderr, drawn only when stderr is a terminal and the work is at
// least 16 MiB; otherwise it prints nothing. Not thread safe.
class ProgressBar {
 public:
  ProgressBar(std::string label, uint64_t total);
  ~ProgressBar();  // ends the line if anything was drawn
  // A ProgressFn that redraws when the percentage changes. Valid while this object lives.
  package::ProgressFn Callback();

 private:
  void Draw(uint64_t done);
  std::string label_;
  uint64_t total_;
  bool enabled_;
  int last_percent_ = -1;
};

// For commands that judge a package: a malformed, unsupported or unverifiable package is a
// rejection (exit 1), other errors (missing file, I/O) keep their ExitCodeFor code. Prints
// "confide: <error>" to stderr.
int FailPackage(const Error& error);

// The path of the public key beside a private key: "owner.key" -> "owner.pub", else + ".pub".
std::string PublicKeyPathFor(const std::string& private_key_path);

// Peak resident set size of this process in KiB (VmHWM from /proc/self/status), 0 if unknown.
uint64_t PeakRssKib();

}  // namespace confide::cli

#endif  // CONFIDE_APPS_CONFIDE_PACKAGE_CLI_H_
