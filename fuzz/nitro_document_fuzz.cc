// nitro::ParseDocument on arbitrary bytes. Invariants: an accepted document keeps every field
// within the documented limits, its payload re-encodes (EncodePayload) to bytes that parse back to
// the same payload, and VerifyDocument against the AWS root decides (never errors) without
// trusting anything: at a fixed time, only documents really signed by an AWS chain could pass.
#include <cstdint>

#include "confide/attest/nitro/document.h"
#include "confide/attest/nitro/verify.h"
#include "confide/base/check.h"

namespace nitro = confide::attest::nitro;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  confide::Result<nitro::Document> doc = nitro::ParseDocument(confide::ByteSpan(data, size));
  if (!doc.ok()) return 0;
  const nitro::Payload& p = doc->payload;
  CONFIDE_CHECK(doc->alg == nitro::kCoseAlgEs384);
  CONFIDE_CHECK(doc->signature.size() == nitro::kSignatureSize);
  CONFIDE_CHECK(!p.pcrs.empty() && p.pcrs.size() <= nitro::kMaxPcrIndex + 1);
  for (const auto& [index, value] : p.pcrs) {
    CONFIDE_CHECK(index <= nitro::kMaxPcrIndex && value.size() == nitro::kPcrSize);
  }
  CONFIDE_CHECK(p.cabundle.size() <= nitro::kMaxCabundleSize);
  CONFIDE_CHECK(p.digest == "SHA384");

  const confide::Bytes payload = nitro::EncodePayload(p);
  confide::Result<nitro::Document> again = nitro::ParseDocument(
      nitro::EncodeCoseSign1(doc->protected_header, payload, doc->signature));
  CONFIDE_CHECK(again.ok());
  CONFIDE_CHECK(again->payload == p);

  static const confide::Result<confide::crypto::Certificate> root = nitro::AwsNitroRoot();
  CONFIDE_CHECK(root.ok());
  confide::Result<nitro::Verification> v = nitro::VerifyDocument(
      *doc, {.now = confide::Time(std::chrono::seconds(1725719980)), .trusted_roots = {*root}});
  CONFIDE_CHECK(v.ok());
  CONFIDE_CHECK(v->checks.size() == 2);
  return 0;
}
