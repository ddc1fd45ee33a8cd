#include "apps/confide/package_cli.h"

#include <unistd.h>

#include <fstream>
#include <iostream>

#include "apps/confide/exit_codes.h"

namespace confide::cli {

namespace {
constexpr uint64_t kMinBarSize = uint64_t{16} << 20;
constexpr int kBarWidth = 40;
}  // namespace

ProgressBar::ProgressBar(std::string label, uint64_t total)
    : label_(std::move(label)), total_(total), enabled_(::isatty(2) && total >= kMinBarSize) {}

ProgressBar::~ProgressBar() {
  if (enabled_ && last_percent_ >= 0) std::cerr << "\n";
}

package::ProgressFn ProgressBar::Callback() {
  return [this](uint64_t done, uint64_t) { Draw(done); };
}

void ProgressBar::Draw(uint64_t done) {
  if (!enabled_ || total_ == 0) return;
  int percent = static_cast<int>(done * 100 / total_);
  if (percent == last_percent_) return;
  last_percent_ = percent;
  int filled = percent * kBarWidth / 100;
  std::cerr << "\r" << label_ << " [" << std::string(filled, '#')
            << std::string(kBarWidth - filled, ' ') << "] " << percent << "% "
            << (done >> 20) << "/" << (total_ >> 20) << " MiB" << std::flush;
}

int FailPackage(const Error& error) {
  std::cerr << "confide: " << error.ToString() << "\n";
  switch (error.code) {
    case ErrorCode::kMalformed:
    case ErrorCode::kUnsupported:
    case ErrorCode::kVerificationFailed:
      return kExitRejected;
    default:
      return ExitCodeFor(error);
  }
}

std::string PublicKeyPathFor(const std::string& private_key_path) {
  const std::string suffix = ".key";
  if (private_key_path.size() > suffix.size() &&
      private_key_path.compare(private_key_path.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return private_key_path.substr(0, private_key_path.size() - suffix.size()) + ".pub";
  }
  return private_key_path + ".pub";
}

uint64_t PeakRssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

}  // namespace confide::cli
