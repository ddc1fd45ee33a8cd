// Intel PCK certificate extension and CRL handling. The input is tried as the SGX extension's
// extnValue (accepted values re-serialize to something that parses back to the same fields), as
// a DER certificate (ParsePckExtensions) and as a DER CRL (dates, revocation lookup and the
// signature check against the Intel root must not crash).
#include <cstdint>

#include "confide/attest/intel/intel_roots.h"
#include "confide/attest/intel/pck_extensions.h"
#include "confide/base/check.h"
#include "confide/crypto/crl_signature.h"

namespace intel = confide::attest::intel;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  confide::ByteSpan input(data, size);
  if (confide::Result<intel::PckExtensions> ext = intel::ParsePckExtensionsDer(input); ext.ok()) {
    confide::Result<intel::PckExtensions> back =
        intel::ParsePckExtensionsDer(intel::SerializePckExtensions(*ext));
    CONFIDE_CHECK(back.ok() && *back == *ext);
  }
  if (auto cert = confide::crypto::Certificate::FromDer(input); cert.ok()) {
    (void)intel::ParsePckExtensions(*cert);
  }
  static const confide::crypto::Certificate root = *intel::IntelSgxRootCa();
  if (auto crl = confide::crypto::Crl::FromDer(input); crl.ok()) {
    (void)crl->this_update();
    (void)crl->next_update();
    (void)crl->issuer();
    (void)crl->IsRevoked(root);
    (void)confide::crypto::CrlIsSignedBy(*crl, root);
  }
  return 0;
}
