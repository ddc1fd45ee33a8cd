// The VCEK/VLEK certificate extension parser. The input is tried as one extnValue (INTEGER and
// IA5String decoders: an accepted value re-serializes to the same bytes) and as a whole DER
// certificate (ParseVekExtensions must not crash; accepted SPLs re-encode to the extension bytes).
#include <algorithm>
#include <cstdint>

#include "confide/attest/snp/vek_extensions.h"
#include "confide/base/check.h"

namespace snp = confide::attest::snp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  confide::ByteSpan input(data, size);
  if (confide::Result<uint64_t> v = snp::ParseDerUnsigned(input); v.ok()) {
    CONFIDE_CHECK(std::ranges::equal(snp::SerializeDerUnsigned(*v), input));
  }
  if (confide::Result<std::string> s = snp::ParseDerIa5String(input); s.ok()) {
    CONFIDE_CHECK(std::ranges::equal(snp::SerializeDerIa5String(*s), input));
  }
  confide::Result<confide::crypto::Certificate> cert = confide::crypto::Certificate::FromDer(input);
  if (!cert.ok()) return 0;
  confide::Result<snp::VekExtensions> ext = snp::ParseVekExtensions(*cert);
  if (!ext.ok()) return 0;
  for (const auto& [oid, value] : snp::SerializeVekExtensions(*ext)) {
    if (oid == snp::kOidStructVersion) continue;  // optional; serialized as 0 when absent
    CONFIDE_CHECK(cert->Extension(oid) == value);
  }
  return 0;
}
