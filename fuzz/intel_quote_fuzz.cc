// ParseQuote (SGX v3, TDX v4/v5) on arbitrary bytes. Invariants: an accepted quote has exactly
// one body, matching its body type; its signed bytes are a prefix of the input ending where the
// body ends; quote_size never exceeds the input and equals signed bytes + 4 + signature data.
#include <algorithm>
#include <cstdint>

#include "confide/attest/intel/quote.h"
#include "confide/base/check.h"

namespace intel = confide::attest::intel;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  confide::ByteSpan input(data, size);
  confide::Result<intel::Quote> q = intel::ParseQuote(input);
  if (!q.ok()) return 0;
  CONFIDE_CHECK(q->sgx.has_value() != q->td.has_value());
  CONFIDE_CHECK(q->td.has_value() == (q->body_type != intel::BodyType::kSgx));
  CONFIDE_CHECK(q->quote_size <= size);
  CONFIDE_CHECK(q->quote_size == q->signed_bytes.size() + 4 + q->signature_data_len);
  CONFIDE_CHECK(std::ranges::equal(q->signed_bytes, input.first(q->signed_bytes.size())));
  CONFIDE_CHECK(q->qe_report_bytes.size() == intel::kSgxReportBodySize);
  CONFIDE_CHECK(q->cert_data_type == intel::kCertDataPckChain);
  confide::Result<intel::SgxReportBody> qe = intel::ParseSgxReportBody(q->qe_report_bytes);
  CONFIDE_CHECK(qe.ok() && *qe == q->qe_report);
  (void)q->report_data();
  return 0;
}
