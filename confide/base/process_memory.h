// This process's memory as Linux reports it (/proc/self/status), for `confide run --memory-report`
// and bench/engine_memory.
#ifndef CONFIDE_BASE_PROCESS_MEMORY_H_
#define CONFIDE_BASE_PROCESS_MEMORY_H_

#include <cstdint>
#include <string>

namespace confide {

// Resident set size now (VmRSS) and its peak (VmHWM) in KiB; 0 if unknown.
uint64_t ResidentKib();
uint64_t PeakResidentKib();
// Any "Name:  N kB" field of /proc/self/status ("RssAnon:", "RssFile:"); 0 if missing.
uint64_t StatusKib(const std::string& field);
// Resets the peak to the current RSS (writes "5" to /proc/self/clear_refs, Linux >= 4.0), so a
// later PeakResidentKib() covers only what follows. False if the kernel refused.
bool ResetPeakResident();

}  // namespace confide

#endif  // CONFIDE_BASE_PROCESS_MEMORY_H_
