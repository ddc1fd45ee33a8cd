#include "confide/base/result.h"

namespace confide {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kMalformed: return "malformed";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kVerificationFailed: return "verification failed";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal error";
  }
  return "unknown";
}

std::string Error::ToString() const {
  std::string out(ErrorCodeName(code));
  if (!message.empty()) out += ": " + message;
  return out;
}

Error InvalidArgumentError(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
Error MalformedError(std::string m) { return {ErrorCode::kMalformed, std::move(m)}; }
Error UnsupportedError(std::string m) { return {ErrorCode::kUnsupported, std::move(m)}; }
Error VerificationFailedError(std::string m) {
  return {ErrorCode::kVerificationFailed, std::move(m)};
}
Error NotFoundError(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
Error UnavailableError(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
Error InternalError(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

}  // namespace confide
