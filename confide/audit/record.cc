#include "confide/audit/record.h"

#include <string_view>

#include "confide/base/hex.h"
#include "confide/crypto/hash.h"

namespace confide::audit {

namespace {

constexpr uint8_t kVersion = 1;
constexpr std::string_view kHashLabel = "confide-audit-record-v1";

void WriteText(ByteWriter& w, std::string_view text) {
  CONFIDE_CHECK(text.size() <= kMaxAuditText);
  w.WritePrefixedU16Be(AsBytes(text));
}

[[nodiscard]] bool ReadText(ByteReader& r, std::string* out) {
  ByteSpan s;
  if (!r.ReadPrefixedU16Be(&s) || s.size() > kMaxAuditText) return false;
  *out = ToString(s);
  return true;
}

}  // namespace

Bytes SerializeAuditRecord(const AuditEvent& e) {
  CONFIDE_CHECK(e.reasons.size() <= kMaxAuditReasons);
  CONFIDE_CHECK(e.evidence_digest.empty() || e.evidence_digest.size() == 32);
  ByteWriter w;
  w.WriteU8(kVersion);
  w.WriteU64Be(e.seq);
  w.WriteU64Be(static_cast<uint64_t>(e.time.time_since_epoch().count()));
  WriteText(w, e.kind);
  WriteText(w, e.model_id);
  w.WriteU32Be(e.key_version);
  w.WritePrefixedU16Be(e.evidence_digest);
  WriteText(w, e.tee_type);
  WriteText(w, e.claims_summary);
  WriteText(w, e.policy_digest);
  WriteText(w, e.collateral);
  WriteText(w, e.result);
  w.WriteU16Be(static_cast<uint16_t>(e.reasons.size()));
  for (const std::string& reason : e.reasons) WriteText(w, reason);
  WriteText(w, e.requester);
  w.WriteBytes(e.prev_hash);
  return std::move(w).Take();
}

Result<AuditEvent> ParseAuditRecord(ByteSpan record) {
  ByteReader r(record);
  AuditEvent e;
  uint8_t version = 0;
  if (!r.ReadU8(&version)) return MalformedError("audit record: empty");
  if (version != kVersion) {
    return UnsupportedError("audit record: version " + std::to_string(version));
  }
  uint64_t time = 0;
  ByteSpan digest;
  uint16_t num_reasons = 0;
  bool ok = r.ReadU64Be(&e.seq) && r.ReadU64Be(&time) && ReadText(r, &e.kind) &&
            ReadText(r, &e.model_id) && r.ReadU32Be(&e.key_version) &&
            r.ReadPrefixedU16Be(&digest) && (digest.empty() || digest.size() == 32) &&
            ReadText(r, &e.tee_type) && ReadText(r, &e.claims_summary) &&
            ReadText(r, &e.policy_digest) && ReadText(r, &e.collateral) &&
            ReadText(r, &e.result) && r.ReadU16Be(&num_reasons) &&
            num_reasons <= kMaxAuditReasons;
  for (uint16_t i = 0; ok && i < num_reasons; ++i) {
    ok = ReadText(r, &e.reasons.emplace_back());
  }
  ok = ok && ReadText(r, &e.requester) && r.ReadArray(&e.prev_hash);
  if (!ok) return MalformedError("audit record: bad field at offset " + std::to_string(r.offset()));
  // The time is a signed count on the wire's unsigned field: refuse values that do not fit.
  if (time > static_cast<uint64_t>(INT64_MAX)) return MalformedError("audit record: time range");
  if (!r.empty()) return MalformedError("audit record: trailing bytes");
  e.time = Time(std::chrono::seconds(static_cast<int64_t>(time)));
  e.evidence_digest.assign(digest.begin(), digest.end());
  return e;
}

ChainHash RecordHash(ByteSpan record) {
  crypto::Hasher h(crypto::HashAlg::kSha256);
  h.Update(AsBytes(kHashLabel));
  const uint8_t zero = 0;
  h.Update(ByteSpan(&zero, 1));
  h.Update(record);
  Bytes digest = h.Finish();
  ChainHash out{};
  std::copy(digest.begin(), digest.end(), out.begin());
  return out;
}

std::string ClampAuditText(std::string text) {
  if (text.size() > kMaxAuditText) text.resize(kMaxAuditText);
  return text;
}

nlohmann::json AuditEventToJson(const AuditEvent& e) {
  nlohmann::json reasons = nlohmann::json::array();
  for (const std::string& r : e.reasons) reasons.push_back(r);
  return {{"seq", e.seq},
          {"time", FormatRfc3339(e.time)},
          {"kind", e.kind},
          {"model_id", e.model_id},
          {"key_version", e.key_version},
          {"evidence_digest", HexEncode(e.evidence_digest)},
          {"tee_type", e.tee_type},
          {"claims_summary", e.claims_summary},
          {"policy_digest", e.policy_digest},
          {"collateral", e.collateral},
          {"result", e.result},
          {"reasons", reasons},
          {"requester", e.requester},
          {"prev_hash", HexEncode(e.prev_hash)}};
}

}  // namespace confide::audit
