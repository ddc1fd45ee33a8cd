#include "apps/confide/exit_codes.h"

#include <iostream>

namespace confide::cli {

int ExitCodeFor(const Error& error) {
  switch (error.code) {
    case ErrorCode::kVerificationFailed: return kExitRejected;
    case ErrorCode::kInvalidArgument: return kExitUsage;
    default: return kExitError;
  }
}

int Fail(const Error& error) {
  std::cerr << "confide: " << error.ToString() << "\n";
  return ExitCodeFor(error);
}

}  // namespace confide::cli
