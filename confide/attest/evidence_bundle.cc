#include "confide/attest/evidence_bundle.h"

#include "confide/attest/internal/det_cbor.h"

namespace confide::attest {

namespace {

using internal::kMajorArray;
using internal::kMajorBytes;
using internal::kMajorTag;

// Intel quote header: version (u16 LE) at 0, attestation key type (u16) at 2, TEE type (u32 LE)
// at 4 (Intel TDX DCAP Quote Generation Library, "Quote Header"): 0x00 SGX, 0x81 TDX.
constexpr uint32_t kIntelTeeTypeTdx = 0x81;

uint64_t TagFor(TeeType tee) {
  switch (tee) {
    case TeeType::kSevSnp: return kTagSnpReport;
    case TeeType::kSgx:
    case TeeType::kTdx: return kTagIntelQuote;
    case TeeType::kNitro: return kTagNitroDocument;
  }
  return kTagSnpReport;
}

Result<TeeType> IntelTeeType(ByteSpan quote) {
  ByteReader r(quote);
  uint16_t version, key_type;
  uint32_t tee_type;
  if (!r.ReadU16Le(&version) || !r.ReadU16Le(&key_type) || !r.ReadU32Le(&tee_type)) {
    return MalformedError("evidence bundle: Intel quote too short for its header");
  }
  return tee_type == kIntelTeeTypeTdx ? TeeType::kTdx : TeeType::kSgx;
}

}  // namespace

Bytes EncodeEvidenceBundle(const EvidenceBundle& b) {
  ByteWriter w;
  internal::WriteHead(w, kMajorTag, TagFor(b.tee));
  internal::WriteHead(w, kMajorArray, b.endorsements.empty() ? 2 : 3);
  internal::WriteByteString(w, b.evidence);
  internal::WriteByteString(w, b.claims);
  if (!b.endorsements.empty()) internal::WriteByteString(w, b.endorsements);
  return std::move(w).Take();
}

Result<EvidenceBundle> DecodeEvidenceBundle(ByteSpan cbor) {
  ByteReader r(cbor);
  CONFIDE_ASSIGN_OR_RETURN(internal::Head tag, internal::ReadHead(r));
  if (tag.major != kMajorTag) return MalformedError("evidence bundle: not a tagged item");
  EvidenceBundle b;
  if (tag.argument == kTagSnpReport) {
    b.tee = TeeType::kSevSnp;
  } else if (tag.argument == kTagNitroDocument) {
    b.tee = TeeType::kNitro;
  } else if (tag.argument != kTagIntelQuote) {
    return UnsupportedError("evidence bundle: unknown evidence tag " +
                            std::to_string(tag.argument));
  }
  CONFIDE_ASSIGN_OR_RETURN(internal::Head array, internal::ReadHead(r));
  if (array.major != kMajorArray || array.argument < 2 || array.argument > 3) {
    return MalformedError("evidence bundle: expected an array of 2 or 3 byte strings at offset " +
                          std::to_string(r.offset()));
  }
  CONFIDE_ASSIGN_OR_RETURN(ByteSpan evidence, internal::ReadString(r, kMajorBytes));
  CONFIDE_ASSIGN_OR_RETURN(ByteSpan claims, internal::ReadString(r, kMajorBytes));
  ByteSpan endorsements;
  if (array.argument == 3) {
    CONFIDE_ASSIGN_OR_RETURN(endorsements, internal::ReadString(r, kMajorBytes));
    // An empty third element would not round-trip: the encoder omits it.
    if (endorsements.empty()) return MalformedError("evidence bundle: empty endorsements");
  }
  if (!r.empty()) return MalformedError("evidence bundle: trailing bytes after the item");
  if (tag.argument == kTagIntelQuote) {
    CONFIDE_ASSIGN_OR_RETURN(b.tee, IntelTeeType(evidence));
  }
  b.evidence.assign(evidence.begin(), evidence.end());
  b.claims.assign(claims.begin(), claims.end());
  b.endorsements.assign(endorsements.begin(), endorsements.end());
  return b;
}

}  // namespace confide::attest
