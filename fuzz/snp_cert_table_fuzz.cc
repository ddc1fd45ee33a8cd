// ParseCertTable on arbitrary bytes. Invariant: an accepted table serializes to a blob that parses
// back to the same table, and that blob is a fixed point of Serialize∘Parse.
#include <cstdint>

#include "confide/attest/snp/cert_table.h"
#include "confide/base/check.h"

namespace snp = confide::attest::snp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  confide::Result<snp::CertTable> table = snp::ParseCertTable({data, size});
  if (!table.ok()) return 0;
  confide::Bytes blob = snp::SerializeCertTable(*table);
  confide::Result<snp::CertTable> again = snp::ParseCertTable(blob);
  CONFIDE_CHECK(again.ok() && *again == *table);
  CONFIDE_CHECK(snp::SerializeCertTable(*again) == blob);
  return 0;
}
