// The subject CNs of Intel's SGX PKI (PCK Certificate and CRL Profile Specification) and a
// matcher over crypto::Certificate's one-line RFC 2253 names. The simulator's PKI uses the same
// CNs (its root's CN differs; roots are pinned by certificate, never by name).
#ifndef CONFIDE_ATTEST_INTEL_INTERNAL_INTEL_NAMES_H_
#define CONFIDE_ATTEST_INTEL_INTERNAL_INTEL_NAMES_H_

#include <string>
#include <string_view>

namespace confide::attest::intel::internal {

inline constexpr std::string_view kCnTcbSigning = "Intel SGX TCB Signing";
inline constexpr std::string_view kCnRoot = "Intel SGX Root CA";
inline constexpr std::string_view kCnPlatform = "Intel SGX PCK Platform CA";
inline constexpr std::string_view kCnProcessor = "Intel SGX PCK Processor CA";

// True iff the one-line RFC 2253 name has the RDN CN=<cn> (exactly; not a prefix).
inline bool HasCn(const std::string& name, std::string_view cn) {
  const std::string want = "CN=" + std::string(cn);
  size_t at = name.find(want);
  while (at != std::string::npos) {
    const size_t end = at + want.size();
    if ((at == 0 || name[at - 1] == ',') && (end == name.size() || name[end] == ',')) return true;
    at = name.find(want, at + 1);
  }
  return false;
}

}  // namespace confide::attest::intel::internal

#endif  // CONFIDE_ATTEST_INTEL_INTERNAL_INTEL_NAMES_H_
