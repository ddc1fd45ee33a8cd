#include "confide/audit/verify.h"

#include <map>

#include "confide/audit/log.h"
#include "confide/audit/sqlite.h"
#include "confide/base/hex.h"
#include "confide/crypto/constant_time.h"
#include "confide/crypto/ecdsa.h"
#include "confide/crypto/hash.h"

namespace confide::audit {

namespace {

struct Finding {
  uint64_t seq;
  std::string problem;
};

// Walks the events in seq order; returns the first problem, and fills `hashes` (index seq-1)
// with the chain hash of every entry before it.
Result<std::optional<Finding>> CheckChain(Db& db, std::vector<ChainHash>* hashes,
                                          uint64_t* num_events) {
  CONFIDE_ASSIGN_OR_RETURN(Stmt rows, db.Prepare("SELECT seq, record, hash FROM events ORDER BY seq"));
  ChainHash prev{};
  uint64_t expected = 1;
  std::optional<Finding> bad;
  while (true) {
    CONFIDE_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    ++*num_events;
    if (bad) continue;
    uint64_t seq = static_cast<uint64_t>(rows.ColumnInt(0));
    Bytes record = rows.ColumnBlob(1);
    if (seq != expected) {
      bad = Finding{expected, "missing (the next entry present is " + std::to_string(seq) + ")"};
      continue;
    }
    auto event = ParseAuditRecord(record);
    ChainHash h = RecordHash(record);
    if (!event.ok()) {
      bad = Finding{seq, "record does not parse: " + event.error().message};
    } else if (event->seq != seq) {
      bad = Finding{seq, "holds the record of entry " + std::to_string(event->seq) +
                             " (rows reordered or moved)"};
    } else if (!crypto::ConstantTimeEqual(h, rows.ColumnBlob(2))) {
      bad = Finding{seq, "changed (the record does not match its stored hash)"};
    } else if (!crypto::ConstantTimeEqual(event->prev_hash, prev)) {
      bad = Finding{seq, "does not link to entry " + std::to_string(seq - 1) +
                             " (that entry or this one was changed)"};
    } else {
      hashes->push_back(h);
      prev = h;
      ++expected;
    }
  }
  return bad;
}

// Checks every checkpoint against the key and the verified chain prefix `hashes`.
Result<std::optional<Finding>> CheckCheckpoints(Db& db, const crypto::PublicKey& key,
                                                const std::vector<ChainHash>& hashes,
                                                uint64_t num_events, AuditVerdict* v) {
  CONFIDE_ASSIGN_OR_RETURN(Stmt rows, db.Prepare(
      "SELECT seq, head_hash, time, signature FROM checkpoints ORDER BY seq"));
  uint64_t last_good = 0;
  while (true) {
    CONFIDE_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    ++v->num_checkpoints;
    uint64_t seq = static_cast<uint64_t>(rows.ColumnInt(0));
    Bytes head = rows.ColumnBlob(1);
    ChainHash head_arr{};
    if (head.size() == head_arr.size()) std::copy(head.begin(), head.end(), head_arr.begin());
    Time t(std::chrono::seconds(rows.ColumnInt(2)));
    if (head.size() != 32 ||
        !crypto::EcdsaVerify(key, crypto::HashAlg::kSha256, CheckpointMessage(seq, head_arr, t),
                             rows.ColumnBlob(3), crypto::SigFormat::kDer)) {
      return Finding{seq, "checkpoint signature does not verify with the log key"};
    }
    if (seq > num_events) {
      return Finding{num_events + 1, "missing (a signed checkpoint covers entries up to " +
                                         std::to_string(seq) + ")"};
    }
    if (seq > hashes.size()) break;  // beyond the verified prefix: the chain finding wins
    if (!crypto::ConstantTimeEqual(hashes[seq - 1], head_arr)) {
      return Finding{last_good + 1, "an entry in " + std::to_string(last_good + 1) + ".." +
                                        std::to_string(seq) +
                                        " was rewritten (the chain differs from the signed "
                                        "checkpoint at " + std::to_string(seq) + ")"};
    }
    last_good = seq;
    v->last_checkpoint_seq = seq;
  }
  return std::optional<Finding>();
}

Result<crypto::PublicKey> LogKey(Db& db) {
  auto get = db.Prepare("SELECT value FROM meta WHERE key='log_key'");
  if (!get.ok()) return MalformedError("not a confide audit log (no meta table)");
  CONFIDE_ASSIGN_OR_RETURN(bool row, get->Step());
  if (!row) return MalformedError("not a confide audit log (no log key)");
  return crypto::PublicKey::FromDer(get->ColumnBlob(0));
}

}  // namespace

Result<AuditVerdict> VerifyAuditLog(const std::string& path, const crypto::PublicKey* pinned_key) {
  CONFIDE_ASSIGN_OR_RETURN(Db db, Db::Open(path, /*read_only=*/true));
  CONFIDE_ASSIGN_OR_RETURN(crypto::PublicKey key, LogKey(db));
  AuditVerdict v;
  v.log_key_sha256 = HexEncode(crypto::Sha256(key.ToDer()));
  if (pinned_key != nullptr && !Equal(pinned_key->ToDer(), key.ToDer())) {
    v.problem = "the log was signed by another key than the pinned one";
    return v;
  }
  std::vector<ChainHash> hashes;
  CONFIDE_ASSIGN_OR_RETURN(std::optional<Finding> chain, CheckChain(db, &hashes, &v.num_events));
  CONFIDE_ASSIGN_OR_RETURN(std::optional<Finding> cps,
                           CheckCheckpoints(db, key, hashes, v.num_events, &v));
  std::optional<Finding> first = chain;
  if (cps && (!first || cps->seq < first->seq)) first = cps;
  if (first) {
    v.first_bad_seq = first->seq;
    v.problem = first->problem;
    return v;
  }
  v.ok = true;
  return v;
}

Result<std::vector<AuditEvent>> ReadAuditEvents(const std::string& path) {
  CONFIDE_ASSIGN_OR_RETURN(Db db, Db::Open(path, /*read_only=*/true));
  CONFIDE_TRY(LogKey(db));
  CONFIDE_ASSIGN_OR_RETURN(Stmt rows, db.Prepare("SELECT record FROM events ORDER BY seq"));
  std::vector<AuditEvent> out;
  while (true) {
    CONFIDE_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    CONFIDE_ASSIGN_OR_RETURN(AuditEvent e, ParseAuditRecord(rows.ColumnBlob(0)));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace confide::audit
