// Offline verification of an audit log database (log.h): the hash chain, the sequence, and the
// signed checkpoints. Names the first bad entry. Also the unverified reader used for export.
//
//   CONFIDE_ASSIGN_OR_RETURN(AuditVerdict v, VerifyAuditLog("audit.db", &pinned_key));
//   if (!v.ok) std::cerr << "entry " << *v.first_bad_seq << ": " << v.problem;
#ifndef CONFIDE_AUDIT_VERIFY_H_
#define CONFIDE_AUDIT_VERIFY_H_

#include <optional>
#include <string>
#include <vector>

#include "confide/audit/record.h"
#include "confide/base/result.h"
#include "confide/crypto/keys.h"

namespace confide::audit {

struct AuditVerdict {
  bool ok = false;
  uint64_t num_events = 0;          // rows in the events table
  uint64_t num_checkpoints = 0;
  uint64_t last_checkpoint_seq = 0;  // entries after it are chained but not yet signed
  std::optional<uint64_t> first_bad_seq;  // the first entry that is changed, missing or moved
  std::string problem;              // what is wrong with it (empty when ok)
  std::string log_key_sha256;       // hex SHA-256 of the log key's SubjectPublicKeyInfo
};

// Checks, in order of seq: rows are 1..n without gaps; each record parses, states its own seq,
// hashes to its stored hash, and links (prev_hash) to the entry before; every checkpoint's
// signature verifies with the log key and its head hash equals the chain's hash at its seq, and
// no checkpoint covers entries that are gone. With `pinned_key`, the log key recorded in the
// database must equal it (otherwise the key is taken from the database, which only proves
// internal consistency). A tampered log is a verdict (ok = false), not an Error. Errors:
// kUnavailable if the database cannot be opened; kMalformed if it is not an audit log.
// Does not detect truncation of the tail after the last checkpoint (a crash leaves one too).
Result<AuditVerdict> VerifyAuditLog(const std::string& path, const crypto::PublicKey* pinned_key);

// Every event in seq order, parsed but NOT verified (run VerifyAuditLog first). Errors as above;
// kMalformed if a record does not parse.
Result<std::vector<AuditEvent>> ReadAuditEvents(const std::string& path);

}  // namespace confide::audit

#endif  // CONFIDE_AUDIT_VERIFY_H_
