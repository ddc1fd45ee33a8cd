// Exit codes of the confide CLI (documented in `confide --help` and docs/cli.md).
#ifndef CONFIDE_APPS_CONFIDE_EXIT_CODES_H_
#define CONFIDE_APPS_CONFIDE_EXIT_CODES_H_

#include "confide/base/result.h"

namespace confide::cli {

inline constexpr int kExitOk = 0;        // success; evidence or package accepted
inline constexpr int kExitRejected = 1;  // verification failed or policy rejected
inline constexpr int kExitUsage = 2;     // bad command line
inline constexpr int kExitError = 3;     // I/O or internal error

// Maps an Error to the exit code above: kVerificationFailed → 1, kInvalidArgument → 2, else 3.
int ExitCodeFor(const Error& error);
// Prints "confide: <error>" to stderr and returns ExitCodeFor(error).
int Fail(const Error& error);

}  // namespace confide::cli

#endif  // CONFIDE_APPS_CONFIDE_EXIT_CODES_H_
