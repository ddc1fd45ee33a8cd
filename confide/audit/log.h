// The append-only, hash-chained, signed audit log (docs/formats/audit-record.md). Each event's record
// carries the hash of the record before it; every `checkpoint_every` events (at the end of the
// commit batch that reaches the multiple) and at Close(), the log signs the head with its own
// ECDSA P-256 key. Stored in SQLite (WAL); Append returns only once the event is committed.
//
//   CONFIDE_ASSIGN_OR_RETURN(auto log, AuditLog::Open(path, std::move(key), {}));
//   CONFIDE_ASSIGN_OR_RETURN(uint64_t seq, log->Append(event));   // durable when it returns
//   CONFIDE_TRY(log->Close());                                     // final checkpoint
#ifndef CONFIDE_AUDIT_LOG_H_
#define CONFIDE_AUDIT_LOG_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "confide/audit/record.h"
#include "confide/audit/sqlite.h"
#include "confide/base/clock.h"
#include "confide/crypto/keys.h"

namespace confide::audit {

struct AuditLogOptions {
  uint64_t checkpoint_every = 100;  // sign the head at least this often (0: only at Close)
  // true: PRAGMA synchronous=FULL (a committed event survives power loss); false: NORMAL
  // (survives a process crash, may lose the last commits on power loss).
  bool sync_full = true;
  const Clock* clock = nullptr;     // checkpoint times; nullptr = the system clock
};

// SHA-256("confide-audit-checkpoint-v1" || 0x00 || u64be seq || head_hash || u64be time): the
// message a checkpoint signs (ECDSA P-256, SHA-256, DER).
Bytes CheckpointMessage(uint64_t seq, const ChainHash& head_hash, Time time);

class AuditLog {
 public:
  // Opens or creates the log at `path`. The first open records `signing_key`'s public key in the
  // log; later opens must use the same key (kInvalidArgument otherwise). Checks that the last
  // stored record hashes to its stored hash (kVerificationFailed otherwise: run
  // `confide audit verify`). kInvalidArgument if the key is not P-256; kUnavailable for I/O.
  static Result<std::unique_ptr<AuditLog>> Open(const std::string& path,
                                                crypto::PrivateKey signing_key,
                                                const AuditLogOptions& opts);
  ~AuditLog();  // Close(), ignoring its error

  // Assigns the next seq and the chain hash, commits (group commit: concurrent appends share one
  // transaction), and returns the seq once durable. `event.seq`/`prev_hash` are overwritten; text
  // fields are clamped to kMaxAuditText and reasons to kMaxAuditReasons. After any write failure
  // the log refuses all further appends with that error (fail closed: the chain in memory is
  // ahead of the disk). Thread safe.
  Result<uint64_t> Append(AuditEvent event);
  // Writes a checkpoint over the current head if it has none yet. Thread safe.
  Status Checkpoint();
  // Checkpoint, then refuse further appends (kUnavailable). Idempotent.
  Status Close();

  uint64_t head_seq() const;
  const crypto::PublicKey& public_key() const { return public_key_; }

 private:
  struct Pending {
    uint64_t seq;
    Bytes record;
    ChainHash hash;
  };
  AuditLog(Db db, crypto::PrivateKey key, const AuditLogOptions& opts);
  Status LoadHead();
  Status WriteBatch(const std::vector<Pending>& batch, bool checkpoint);
  Status WriteCheckpoint(uint64_t seq, const ChainHash& head);
  Status FlushLocked(std::unique_lock<std::mutex>& lock, uint64_t seq);

  Db db_;  // used only by the thread that holds flushing_, or under mu_ when nobody flushes
  crypto::PrivateKey key_;
  crypto::PublicKey public_key_;
  AuditLogOptions opts_;
  SystemClock system_clock_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t next_seq_ = 1;
  ChainHash head_{};
  uint64_t durable_seq_ = 0;
  uint64_t checkpoint_seq_ = 0;
  std::vector<Pending> queue_;
  bool flushing_ = false;
  bool closed_ = false;
  std::optional<Error> failed_;
};

}  // namespace confide::audit

#endif  // CONFIDE_AUDIT_LOG_H_
