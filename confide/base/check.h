// CONFIDE_CHECK: aborts on a broken invariant (a bug), never on bad input.
//
//   CONFIDE_CHECK(offset <= size);
#ifndef CONFIDE_BASE_CHECK_H_
#define CONFIDE_BASE_CHECK_H_

namespace confide::internal {
// Prints "file:line: check failed: expr" to stderr and aborts. Never returns.
[[noreturn]] void CheckFailed(const char* file, int line, const char* expr);
}  // namespace confide::internal

#define CONFIDE_CHECK(cond)                                          \
  do {                                                               \
    if (!(cond)) ::confide::internal::CheckFailed(__FILE__, __LINE__, #cond); \
  } while (false)

#endif  // CONFIDE_BASE_CHECK_H_
