// Process-level protection of secrets held in memory.
//
//   CONFIDE_TRY(DisableCoreDumps());   // first thing in main(), before any key is loaded
#ifndef CONFIDE_BASE_PROCESS_H_
#define CONFIDE_BASE_PROCESS_H_

#include <signal.h>

#include "confide/base/result.h"

namespace confide {

// Keeps this process's memory (model keys, weights, TLS keys, plaintext tensors) out of core
// dumps: RLIMIT_CORE 0 and not dumpable (PR_SET_DUMPABLE 0, which also refuses ptrace attach by
// other unprivileged processes). kInternal if the kernel refuses.
Status DisableCoreDumps();

// For processes that serve or send requests in a loop (confide-server, `confide infer`): they
// allocate and free the same large buffers (bodies, tensors) many times a second. By default glibc
// gives blocks over 128 KiB back to the kernel (mmap, heap trimming), and every reuse then faults in
// fresh zeroed pages, which cost more than the TLS and HTTP work of a request. This keeps blocks up
// to 32 MiB on the heap and leaves up to 256 MiB of free heap untrimmed, so steady-state requests
// reuse memory. Peak RSS is unchanged; freed memory is kept, not returned. Kept blocks keep their
// old contents: keys are zeroized by their own types (secret.h), but request bodies and tensors
// are not, so call this only in processes that serve or send inference requests. Such memory
// stays inside the process (and, in a TEE, encrypted); DisableCoreDumps keeps it out of dumps.
void KeepFreedHeapForReuse();

// Gives free heap pages back to the kernel (malloc_trim): call it after a one-off peak, such as
// loading models (file bytes, the parsed protobuf, folding), which KeepFreedHeapForReuse would
// otherwise keep resident for the life of the process.
void ReleaseFreedHeap();

// Blocks the signals that ask a server to stop gracefully, in the calling thread and every
// thread it starts afterwards (call it first in main), and returns them for sigwait: SIGTERM,
// SIGINT, SIGQUIT, and SIGHUP (a closed terminal) unless it is ignored, as under `nohup`. A
// blocked signal would still be queued for sigwait when its disposition is "ignore".
sigset_t BlockStopSignals();

}  // namespace confide

#endif  // CONFIDE_BASE_PROCESS_H_
