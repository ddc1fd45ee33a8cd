// Result<T>: a value or an Error, shaped like std::expected (see STYLE.md §5).
//
//   Result<Report> r = ParseReport(bytes);
//   if (!r.ok()) return r.error();
//   CONFIDE_ASSIGN_OR_RETURN(Report report, ParseReport(bytes));
//   CONFIDE_TRY(VerifySomething());          // for Result<void>
#ifndef CONFIDE_BASE_RESULT_H_
#define CONFIDE_BASE_RESULT_H_

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "confide/base/check.h"

namespace confide {

// The fixed set of failure kinds. "Decided: no" is never an ErrorCode; it is a Verdict.
enum class ErrorCode {
  kInvalidArgument,     // the caller passed something unusable (bad option, wrong size)
  kMalformed,           // untrusted bytes do not follow their format
  kUnsupported,         // well-formed, but a version/algorithm we do not handle
  kVerificationFailed,  // a signature, MAC, tag or chain did not verify
  kNotFound,            // a named thing (file, key, model) does not exist
  kUnavailable,         // a device, service or resource cannot be reached now
  kInternal,            // a library or system call failed unexpectedly
};

// Stable lowercase name of a code, e.g. "malformed".
std::string_view ErrorCodeName(ErrorCode code);

// A failure. `message` names the structure, field or offset; it never contains a secret.
struct Error {
  ErrorCode code;
  std::string message;

  // "malformed: snp report: bad field at offset 32"
  std::string ToString() const;
};

Error InvalidArgumentError(std::string message);
Error MalformedError(std::string message);
Error UnsupportedError(std::string message);
Error VerificationFailedError(std::string message);
Error NotFoundError(std::string message);
Error UnavailableError(std::string message);
Error InternalError(std::string message);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : v_(value) {}                   // NOLINT: implicit by design
  Result(T&& value) : v_(std::move(value)) {}             // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}           // NOLINT: implicit by design
  template <typename U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, Error> && !std::is_same_v<std::decay_t<U>, Result>)
  Result(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Precondition: ok(). Violations abort (a bug, not bad input).
  T& value() & { CONFIDE_CHECK(ok()); return std::get<0>(v_); }
  const T& value() const& { CONFIDE_CHECK(ok()); return std::get<0>(v_); }
  T&& value() && { CONFIDE_CHECK(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // Precondition: !ok().
  const Error& error() const& { CONFIDE_CHECK(!ok()); return std::get<1>(v_); }
  Error&& error() && { CONFIDE_CHECK(!ok()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT: implicit by design

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  void value() const { CONFIDE_CHECK(ok()); }
  const Error& error() const& { CONFIDE_CHECK(!ok()); return error_; }
  Error&& error() && { CONFIDE_CHECK(!ok()); return std::move(error_); }

 private:
  Error error_{ErrorCode::kInternal, {}};
  bool failed_ = false;
};

using Status = Result<void>;

inline Status OkStatus() { return Status(); }

}  // namespace confide

#define CONFIDE_CONCAT_INNER_(a, b) a##b
#define CONFIDE_CONCAT_(a, b) CONFIDE_CONCAT_INNER_(a, b)

// Evaluates `expr` (a Result); on failure returns its Error from the enclosing function.
#define CONFIDE_TRY(expr)                                               \
  do {                                                                  \
    auto&& confide_try_result_ = (expr);                                \
    if (!confide_try_result_.ok()) return std::move(confide_try_result_).error(); \
  } while (false)

// Evaluates `expr` (a Result<T>); on failure returns its Error, else assigns the value to `lhs`.
#define CONFIDE_ASSIGN_OR_RETURN(lhs, expr) \
  CONFIDE_ASSIGN_OR_RETURN_IMPL_(CONFIDE_CONCAT_(confide_result_, __COUNTER__), lhs, expr)
#define CONFIDE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return std::move(tmp).error();        \
  lhs = std::move(tmp).value()

#endif  // CONFIDE_BASE_RESULT_H_
