// ParseAttestationResponse (the /dev/nsm answer, decoded with libcbor) on arbitrary bytes.
// Invariant: an accepted response re-encodes (EncodeAttestationResponse) to a message that
// parses to the same document.
#include <cstdint>

#include "confide/base/check.h"
#include "confide/tee/nitro/nsm_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace nitro = confide::tee::nitro;
  confide::Result<confide::Bytes> doc = nitro::ParseAttestationResponse({data, size});
  if (!doc.ok()) return 0;
  auto again = nitro::ParseAttestationResponse(nitro::EncodeAttestationResponse(*doc));
  CONFIDE_CHECK(again.ok() && *again == *doc);
  (void)nitro::ParseAttestationRequest({data, size});
  return 0;
}
