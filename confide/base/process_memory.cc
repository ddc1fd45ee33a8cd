#include "confide/base/process_memory.h"

#include <fstream>
#include <string>

namespace confide {

uint64_t StatusKib(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::stoull(line.substr(field.size()));
  }
  return 0;
}

uint64_t ResidentKib() { return StatusKib("VmRSS:"); }
uint64_t PeakResidentKib() { return StatusKib("VmHWM:"); }

bool ResetPeakResident() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return clear.good();
}

}  // namespace confide
