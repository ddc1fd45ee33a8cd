// ParseReport on arbitrary bytes. Invariants: an accepted input re-serializes to the same bytes,
// and the TCB and generation helpers accept whatever ParseReport accepted.
#include <algorithm>
#include <cstdint>

#include "confide/attest/snp/report.h"
#include "confide/base/check.h"

namespace snp = confide::attest::snp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  confide::ByteSpan input(data, size);
  confide::Result<snp::Report> report = snp::ParseReport(input);
  if (!report.ok()) return 0;
  CONFIDE_CHECK(std::ranges::equal(snp::SerializeReport(*report), input));
  CONFIDE_CHECK(snp::SignedRegion(input).size() == snp::kSignedRegionSize);
  for (snp::TcbLayout layout : {snp::TcbLayout::kMilanGenoa, snp::TcbLayout::kTurin}) {
    snp::Tcb tcb = snp::DecodeTcb(report->reported_tcb, layout);
    CONFIDE_CHECK(snp::DecodeTcb(snp::EncodeTcb(tcb, layout), layout) == tcb);
  }
  (void)snp::GenerationFromCpuid(*report);
  return 0;
}
