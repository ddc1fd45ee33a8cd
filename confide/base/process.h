// Process-level protection of secrets held in memory.
//
//   CONFIDE_TRY(DisableCoreDumps());   // first thing in main(), before any key is loaded
#ifndef CONFIDE_BASE_PROCESS_H_
#define CONFIDE_BASE_PROCESS_H_

#include "confide/base/result.h"

namespace confide {

// Keeps this process's memory (model keys, weights, TLS keys, plaintext tensors) out of core
// dumps: RLIMIT_CORE 0 and not dumpable (PR_SET_DUMPABLE 0, which also refuses ptrace attach by
// other unprivileged processes). kInternal if the kernel refuses.
Status DisableCoreDumps();

}  // namespace confide

#endif  // CONFIDE_BASE_PROCESS_H_
