// Audit records: one event of the tamper-evident log (docs/formats/audit-record.md), its
// canonical binary encoding, and the chain hash that links each record to the one before.
//
//   AuditEvent e{.time = now, .kind = "release", .model_id = "resnet", .result = "released"};
//   Bytes record = SerializeAuditRecord(e);          // e.seq and e.prev_hash set by the log
//   CONFIDE_ASSIGN_OR_RETURN(AuditEvent back, ParseAuditRecord(record));
//   ChainHash h = RecordHash(record);
#ifndef CONFIDE_AUDIT_RECORD_H_
#define CONFIDE_AUDIT_RECORD_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "confide/base/bytes.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"

namespace confide::audit {

using ChainHash = std::array<uint8_t, 32>;

// One logged decision. Every text field is free of secrets by contract: the producer puts in
// digests, names and reason codes, never key material or private evidence fields.
struct AuditEvent {
  uint64_t seq = 0;             // 1, 2, 3, ... assigned by the log
  Time time{};                  // when the decision was made
  std::string kind;             // "release", "refusal", "admin", ...
  std::string model_id;         // empty when not about one model
  uint32_t key_version = 0;     // 0 when none
  Bytes evidence_digest;        // SHA-256 of the evidence bundle bytes, or empty
  std::string tee_type;         // "sev-snp", ... or empty
  std::string claims_summary;   // e.g. "measurement=ab12.. debug=0 tcb=bl=3 tee=0 snp=8 ucode=115"
  std::string policy_digest;    // "sha256:<hex>" of the policy applied, or empty
  std::string collateral;       // versions of the endorsements used (e.g. the TCB, cert table)
  std::string result;           // "released", "refused", "ok", "error"
  std::vector<std::string> reasons;  // stable reason codes; empty on success
  std::string requester;        // the peer address as the server saw it
  ChainHash prev_hash{};        // RecordHash of record seq-1; all zero for seq 1
  bool operator==(const AuditEvent&) const = default;
};

// Limits the encoder enforces (CONFIDE_CHECK) and the decoder checks (kMalformed).
inline constexpr size_t kMaxAuditText = 4096;    // bytes per text field
inline constexpr size_t kMaxAuditReasons = 64;

// Canonical encoding (docs/formats/audit-record.md): version 1, fields in declaration order,
// big-endian integers, u16-length-prefixed text and digest. Deterministic: equal events encode
// to equal bytes. Precondition: every field within the limits above (the log truncates text
// before it gets here).
Bytes SerializeAuditRecord(const AuditEvent& event);
// Strict decoder of untrusted bytes: kMalformed on truncation, over-long fields, a digest that
// is neither empty nor 32 bytes, invalid UTF-8 is NOT checked (text is opaque bytes), trailing
// bytes; kUnsupported for a version other than 1. Accepted input re-serializes to itself.
Result<AuditEvent> ParseAuditRecord(ByteSpan record);
// SHA-256("confide-audit-record-v1" || 0x00 || record): the value the next record's
// prev_hash carries and checkpoints sign.
ChainHash RecordHash(ByteSpan record);
// Cuts `text` to at most kMaxAuditText bytes (for producers).
std::string ClampAuditText(std::string text);
// JSON view for `confide audit export --json` (hex digests, RFC 3339 time).
nlohmann::json AuditEventToJson(const AuditEvent& event);

}  // namespace confide::audit

#endif  // CONFIDE_AUDIT_RECORD_H_
