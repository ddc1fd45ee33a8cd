#include "confide/base/check.h"

#include <cstdio>
#include <cstdlib>

namespace confide::internal {

void CheckFailed(const char* file, int line, const char* expr) {
  std::fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
  std::abort();
}

}  // namespace confide::internal
