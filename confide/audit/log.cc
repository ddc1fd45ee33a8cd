#include "confide/audit/log.h"

#include "confide/crypto/constant_time.h"
#include "confide/crypto/ecdsa.h"

namespace confide::audit {

namespace {

constexpr std::string_view kCheckpointLabel = "confide-audit-checkpoint-v1";

constexpr std::string_view kSchema =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY, record BLOB NOT NULL,"
    " hash BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS checkpoints(seq INTEGER PRIMARY KEY, head_hash BLOB NOT NULL,"
    " time INTEGER NOT NULL, signature BLOB NOT NULL);";

// Records the log key on first use; afterwards insists on the same key.
Status BindLogKey(Db& db, const crypto::PublicKey& pub) {
  CONFIDE_ASSIGN_OR_RETURN(Stmt get, db.Prepare("SELECT value FROM meta WHERE key='log_key'"));
  CONFIDE_ASSIGN_OR_RETURN(bool row, get.Step());
  Bytes der = pub.ToDer();
  if (row) {
    if (!crypto::ConstantTimeEqual(get.ColumnBlob(0), der)) {
      return InvalidArgumentError("audit log: was created with another signing key");
    }
    return OkStatus();
  }
  CONFIDE_ASSIGN_OR_RETURN(Stmt put, db.Prepare(
      "INSERT INTO meta(key, value) VALUES('log_key', ?1), ('format', 'confide-audit-v1')"));
  put.BindBlob(1, der);
  CONFIDE_ASSIGN_OR_RETURN(bool unused, put.Step());
  (void)unused;
  return OkStatus();
}

}  // namespace

Bytes CheckpointMessage(uint64_t seq, const ChainHash& head_hash, Time time) {
  ByteWriter w;
  w.WriteBytes(AsBytes(kCheckpointLabel));
  w.WriteU8(0);
  w.WriteU64Be(seq);
  w.WriteBytes(head_hash);
  w.WriteU64Be(static_cast<uint64_t>(time.time_since_epoch().count()));
  return std::move(w).Take();
}

AuditLog::AuditLog(Db db, crypto::PrivateKey key, const AuditLogOptions& opts)
    : db_(std::move(db)), key_(std::move(key)), public_key_(key_.public_key()), opts_(opts) {
  if (opts_.clock == nullptr) opts_.clock = &system_clock_;
}

AuditLog::~AuditLog() { (void)Close(); }

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path,
                                                 crypto::PrivateKey signing_key,
                                                 const AuditLogOptions& opts) {
  if (signing_key.type() != crypto::KeyType::kP256) {
    return InvalidArgumentError("audit log: the signing key must be P-256");
  }
  CONFIDE_ASSIGN_OR_RETURN(Db db, Db::Open(path));
  CONFIDE_TRY(db.Exec("PRAGMA journal_mode=WAL"));
  CONFIDE_TRY(db.Exec(opts.sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  CONFIDE_TRY(db.Exec(kSchema));
  CONFIDE_TRY(BindLogKey(db, signing_key.public_key()));
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(db), std::move(signing_key), opts));
  CONFIDE_TRY(log->LoadHead());
  return log;
}

Status AuditLog::LoadHead() {
  CONFIDE_ASSIGN_OR_RETURN(Stmt last,
                           db_.Prepare("SELECT seq, record, hash FROM events ORDER BY seq DESC "
                                       "LIMIT 1"));
  CONFIDE_ASSIGN_OR_RETURN(bool row, last.Step());
  if (row) {
    ChainHash h = RecordHash(last.ColumnBlob(1));
    if (!crypto::ConstantTimeEqual(h, last.ColumnBlob(2))) {
      return VerificationFailedError("audit log: the last entry does not match its hash");
    }
    head_ = h;
    durable_seq_ = static_cast<uint64_t>(last.ColumnInt(0));
    next_seq_ = durable_seq_ + 1;
  }
  CONFIDE_ASSIGN_OR_RETURN(Stmt cp, db_.Prepare("SELECT MAX(seq) FROM checkpoints"));
  CONFIDE_ASSIGN_OR_RETURN(bool cp_row, cp.Step());
  if (cp_row && !cp.ColumnIsNull(0)) checkpoint_seq_ = static_cast<uint64_t>(cp.ColumnInt(0));
  return OkStatus();
}

Status AuditLog::WriteCheckpoint(uint64_t seq, const ChainHash& head) {
  Time now = opts_.clock->Now();
  CONFIDE_ASSIGN_OR_RETURN(Bytes sig, crypto::EcdsaSign(key_, crypto::HashAlg::kSha256,
                                                        CheckpointMessage(seq, head, now),
                                                        crypto::SigFormat::kDer));
  CONFIDE_ASSIGN_OR_RETURN(Stmt put, db_.Prepare(
      "INSERT OR REPLACE INTO checkpoints(seq, head_hash, time, signature) VALUES(?1,?2,?3,?4)"));
  put.BindInt(1, static_cast<int64_t>(seq));
  put.BindBlob(2, head);
  put.BindInt(3, now.time_since_epoch().count());
  put.BindBlob(4, sig);
  CONFIDE_ASSIGN_OR_RETURN(bool unused, put.Step());
  (void)unused;
  return OkStatus();
}

// One transaction for the whole batch (group commit), plus a checkpoint when asked.
Status AuditLog::WriteBatch(const std::vector<Pending>& batch, bool checkpoint) {
  CONFIDE_TRY(db_.Exec("BEGIN IMMEDIATE"));
  Status s = [&]() -> Status {
    CONFIDE_ASSIGN_OR_RETURN(Stmt put, db_.Prepare(
        "INSERT INTO events(seq, record, hash) VALUES(?1, ?2, ?3)"));
    for (const Pending& p : batch) {
      put.BindInt(1, static_cast<int64_t>(p.seq));
      put.BindBlob(2, p.record);
      put.BindBlob(3, p.hash);
      CONFIDE_ASSIGN_OR_RETURN(bool unused, put.Step());
      (void)unused;
      put.Reset();
    }
    if (checkpoint) CONFIDE_TRY(WriteCheckpoint(batch.back().seq, batch.back().hash));
    return db_.Exec("COMMIT");
  }();
  if (!s.ok()) (void)db_.Exec("ROLLBACK");
  return s;
}

// Waits until `seq` is durable, becoming the flushing leader when nobody else is.
Status AuditLog::FlushLocked(std::unique_lock<std::mutex>& lock, uint64_t seq) {
  while (durable_seq_ < seq && !failed_) {
    if (flushing_) {
      cv_.wait(lock);
      continue;
    }
    flushing_ = true;
    std::vector<Pending> batch;
    batch.swap(queue_);
    uint64_t every = opts_.checkpoint_every;
    bool checkpoint = every != 0 && (batch.back().seq / every) > (batch.front().seq - 1) / every;
    lock.unlock();
    Status s = WriteBatch(batch, checkpoint);
    lock.lock();
    flushing_ = false;
    if (s.ok()) {
      durable_seq_ = batch.back().seq;
      if (checkpoint) checkpoint_seq_ = durable_seq_;
    } else {
      failed_ = s.error();
    }
    cv_.notify_all();
  }
  if (durable_seq_ >= seq) return OkStatus();
  return *failed_;
}

Result<uint64_t> AuditLog::Append(AuditEvent event) {
  for (std::string* text : {&event.kind, &event.model_id, &event.tee_type, &event.claims_summary,
                            &event.policy_digest, &event.collateral, &event.result,
                            &event.requester}) {
    *text = ClampAuditText(std::move(*text));
  }
  if (event.reasons.size() > kMaxAuditReasons) event.reasons.resize(kMaxAuditReasons);
  for (std::string& r : event.reasons) r = ClampAuditText(std::move(r));
  if (!event.evidence_digest.empty() && event.evidence_digest.size() != 32) {
    return InvalidArgumentError("audit event: evidence digest must be 32 bytes");
  }
  std::unique_lock lock(mu_);
  if (failed_) return *failed_;
  if (closed_) return UnavailableError("audit log: closed");
  event.seq = next_seq_++;
  event.prev_hash = head_;
  Bytes record = SerializeAuditRecord(event);
  head_ = RecordHash(record);
  queue_.push_back({event.seq, std::move(record), head_});
  CONFIDE_TRY(FlushLocked(lock, event.seq));
  return event.seq;
}

Status AuditLog::Checkpoint() {
  std::unique_lock lock(mu_);
  CONFIDE_TRY(FlushLocked(lock, next_seq_ - 1));
  if (failed_) return *failed_;
  cv_.wait(lock, [this] { return !flushing_; });
  if (durable_seq_ == 0 || checkpoint_seq_ == durable_seq_) return OkStatus();
  Status s = WriteCheckpoint(durable_seq_, head_);
  if (s.ok()) checkpoint_seq_ = durable_seq_;
  return s;
}

Status AuditLog::Close() {
  {
    std::lock_guard lock(mu_);
    if (closed_) return OkStatus();
  }
  Status s = Checkpoint();
  std::lock_guard lock(mu_);
  closed_ = true;
  return s;
}

uint64_t AuditLog::head_seq() const {
  std::lock_guard lock(mu_);
  return durable_seq_;
}

}  // namespace confide::audit
