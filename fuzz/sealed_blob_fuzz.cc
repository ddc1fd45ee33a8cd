// ParseSealedBlob and Unseal on arbitrary bytes. Invariants: an accepted blob serializes back to
// exactly the input (no trailing bytes are ignored); Unseal under a fixed key never returns
// plaintext of another length than the ciphertext minus the tag.
#include <cstdint>

#include "confide/base/check.h"
#include "confide/tee/seal/sealed_blob.h"

namespace {

using namespace confide;

// A platform whose sealing key is a constant: the fuzzer explores the parser and the AEAD path.
class FixedKeyPlatform final : public tee::Platform {
 public:
  tee::PlatformInfo Describe() const override { return {.backend = "fuzz"}; }
  Result<tee::Evidence> GetEvidence(const tee::ReportData&) override {
    return UnsupportedError("fuzz");
  }
  Result<SecretBytes> SealingKey(tee::SealBinding, std::string_view) override {
    return SecretBytes::CopyFrom(Bytes(32, 0x5a));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteSpan input(data, size);
  Result<tee::SealedBlob> blob = tee::ParseSealedBlob(input);
  if (!blob.ok()) return 0;
  CONFIDE_CHECK(tee::SerializeSealedBlob(*blob) == Bytes(input.begin(), input.end()));
  FixedKeyPlatform platform;
  auto plain = tee::Unseal(platform, blob->binding, blob->label, input, {});
  if (plain.ok()) CONFIDE_CHECK(plain->size() + 16 == blob->ciphertext.size());
  return 0;
}
