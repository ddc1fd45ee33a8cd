// Fuzzes the audit record decoder (confide/audit/record.h): no crash, and an accepted record
// re-serializes to exactly the input bytes.
#include <algorithm>

#include "confide/audit/record.h"
#include "confide/base/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  confide::ByteSpan input(data, size);
  auto event = confide::audit::ParseAuditRecord(input);
  if (event.ok()) {
    confide::Bytes again = confide::audit::SerializeAuditRecord(*event);
    CONFIDE_CHECK(std::ranges::equal(again, input));
  }
  return 0;
}
