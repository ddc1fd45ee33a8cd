#include "confide/kbs/store.h"

#include "confide/base/hex.h"
#include "confide/crypto/aead.h"
#include "confide/crypto/constant_time.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/hmac.h"
#include "confide/crypto/random.h"
#include "confide/kbs/protocol.h"

namespace confide::kbs {

namespace {

using audit::Db;
using audit::Stmt;

// Migration i brings the schema from version i to i + 1. Append only; never edit a released one.
constexpr std::string_view kMigrations[] = {
    // 0 -> 1: models and key versions.
    "CREATE TABLE models(model_id TEXT PRIMARY KEY, policy TEXT NOT NULL,"
    " policy_digest TEXT NOT NULL, retired INTEGER NOT NULL DEFAULT 0,"
    " created INTEGER NOT NULL, updated INTEGER NOT NULL);"
    "CREATE TABLE model_keys(model_id TEXT NOT NULL REFERENCES models(model_id),"
    " version INTEGER NOT NULL, wrapped BLOB, manifest_digest BLOB NOT NULL,"
    " retired INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL, retired_at INTEGER,"
    " PRIMARY KEY(model_id, version));",
    // 1 -> 2: a check value of the master key, so a wrong key fails at open, not at release.
    "CREATE TABLE kbs_meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);",
};
static_assert(std::size(kMigrations) == kStoreSchemaVersion);

constexpr std::string_view kWrapInfo = "confide-kbs-v1 key wrap";
constexpr std::string_view kCheckLabel = "confide-kbs-v1 master key check";

Bytes WrapAad(const std::string& model_id, uint32_t version) {
  ByteWriter w;
  w.WriteBytes(AsBytes("confide-kbs-v1 model key"));
  w.WriteU8(0);
  w.WritePrefixedU16Be(AsBytes(model_id));
  w.WriteU32Be(version);
  return std::move(w).Take();
}

Status StepDone(Stmt& s) {
  CONFIDE_ASSIGN_OR_RETURN(bool row, s.Step());
  (void)row;
  return OkStatus();
}

int64_t Seconds(Time t) { return t.time_since_epoch().count(); }

}  // namespace

Result<std::unique_ptr<KeyStore>> KeyStore::Open(const std::string& path, SecretBytes master_key) {
  if (master_key.size() != kMasterKeySize) {
    return InvalidArgumentError("kbs store: the master key must be 32 bytes");
  }
  CONFIDE_ASSIGN_OR_RETURN(Db db, Db::Open(path));
  // secure_delete: content a statement removes (a retired key's wrapped bytes) is overwritten
  // with zeros in its page, not left in free space (see Retire for the WAL).
  CONFIDE_TRY(
      db.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
              " PRAGMA secure_delete=ON"));
  CONFIDE_ASSIGN_OR_RETURN(SecretBytes wrap_key,
                           crypto::Hkdf(crypto::HashAlg::kSha256, {}, master_key.Expose(),
                                        AsBytes(kWrapInfo), 32));
  std::unique_ptr<KeyStore> store(new KeyStore(std::move(db), std::move(wrap_key)));
  CONFIDE_TRY(store->Migrate());
  CONFIDE_TRY(store->CheckMasterKey(master_key));
  return store;
}

Status KeyStore::Migrate() {
  CONFIDE_ASSIGN_OR_RETURN(int64_t version, db_.UserVersion());
  if (version > kStoreSchemaVersion) {
    return UnsupportedError("kbs store: schema version " + std::to_string(version) +
                            " is newer than this build (" + std::to_string(kStoreSchemaVersion) + ")");
  }
  for (int64_t v = version; v < kStoreSchemaVersion; ++v) {
    CONFIDE_TRY(db_.Exec("BEGIN IMMEDIATE"));
    Status s = db_.Exec(kMigrations[v]);
    if (s.ok()) s = db_.Exec("PRAGMA user_version = " + std::to_string(v + 1));
    if (s.ok()) s = db_.Exec("COMMIT");
    if (!s.ok()) {
      (void)db_.Exec("ROLLBACK");
      return s;
    }
  }
  return OkStatus();
}

Status KeyStore::CheckMasterKey(const SecretBytes& master_key) {
  Bytes check = crypto::Hmac(crypto::HashAlg::kSha256, master_key.Expose(), AsBytes(kCheckLabel));
  CONFIDE_ASSIGN_OR_RETURN(Stmt get, db_.Prepare("SELECT value FROM kbs_meta WHERE key='mk_check'"));
  CONFIDE_ASSIGN_OR_RETURN(bool row, get.Step());
  if (row) {
    if (!crypto::ConstantTimeEqual(get.ColumnBlob(0), check)) {
      return VerificationFailedError("kbs store: the master key does not match this database");
    }
    return OkStatus();
  }
  CONFIDE_ASSIGN_OR_RETURN(Stmt put, db_.Prepare("INSERT INTO kbs_meta VALUES('mk_check', ?1)"));
  put.BindBlob(1, check);
  return StepDone(put);
}

Result<Bytes> KeyStore::Wrap(const std::string& model_id, uint32_t version, const SecretBytes& key) {
  Bytes nonce = crypto::RandomBytes(12);
  CONFIDE_ASSIGN_OR_RETURN(Bytes sealed, crypto::AeadSeal(crypto::AeadAlg::kAes256Gcm,
                                                          wrap_key_.Expose(), nonce,
                                                          WrapAad(model_id, version), key.Expose()));
  return Concat({nonce, sealed});
}

Status KeyStore::InsertKey(const std::string& model_id, uint32_t version, const SecretBytes& key,
                           ByteSpan manifest_digest, Time now) {
  if (key.size() != kModelKeySize) return InvalidArgumentError("kbs store: model key must be 32 bytes");
  Bytes digest(manifest_digest.begin(), manifest_digest.end());
  if (digest.empty()) digest.assign(32, 0);
  if (digest.size() != 32) return InvalidArgumentError("kbs store: manifest digest must be 32 bytes");
  CONFIDE_ASSIGN_OR_RETURN(Bytes wrapped, Wrap(model_id, version, key));
  CONFIDE_ASSIGN_OR_RETURN(Stmt put, db_.Prepare(
      "INSERT INTO model_keys(model_id, version, wrapped, manifest_digest, created)"
      " VALUES(?1, ?2, ?3, ?4, ?5)"));
  put.BindText(1, model_id);
  put.BindInt(2, version);
  put.BindBlob(3, wrapped);
  put.BindBlob(4, digest);
  put.BindInt(5, Seconds(now));
  return StepDone(put);
}

Result<uint32_t> KeyStore::AddModel(const std::string& model_id, const std::string& policy,
                                    const SecretBytes& key, ByteSpan manifest_digest, Time now) {
  if (!IsValidModelId(model_id)) return InvalidArgumentError("kbs store: invalid model id");
  std::lock_guard lock(mu_);
  if (GetModelLocked(model_id).ok()) {
    return InvalidArgumentError("kbs store: model " + model_id + " exists (rotate instead)");
  }
  CONFIDE_TRY(db_.Exec("BEGIN IMMEDIATE"));
  Status s = [&]() -> Status {
    CONFIDE_ASSIGN_OR_RETURN(Stmt put, db_.Prepare(
        "INSERT INTO models(model_id, policy, policy_digest, created, updated)"
        " VALUES(?1, ?2, ?3, ?4, ?4)"));
    put.BindText(1, model_id);
    put.BindText(2, policy);
    put.BindText(3, HexEncode(crypto::Sha256(AsBytes(policy))));
    put.BindInt(4, Seconds(now));
    CONFIDE_TRY(StepDone(put));
    CONFIDE_TRY(InsertKey(model_id, 1, key, manifest_digest, now));
    return db_.Exec("COMMIT");
  }();
  if (!s.ok()) {
    (void)db_.Exec("ROLLBACK");
    return s.error();
  }
  return 1u;
}

Result<uint32_t> KeyStore::RotateKey(const std::string& model_id, const SecretBytes& key,
                                     ByteSpan manifest_digest, Time now) {
  std::lock_guard lock(mu_);
  CONFIDE_ASSIGN_OR_RETURN(ModelInfo model, GetModelLocked(model_id));
  if (model.retired) return InvalidArgumentError("kbs store: model " + model_id + " is retired");
  uint32_t next = model.keys.empty() ? 1 : model.keys.back().version + 1;
  CONFIDE_TRY(InsertKey(model_id, next, key, manifest_digest, now));
  return next;
}

Status KeyStore::SetPolicy(const std::string& model_id, const std::string& policy, Time now) {
  std::lock_guard lock(mu_);
  CONFIDE_ASSIGN_OR_RETURN(Stmt put, db_.Prepare(
      "UPDATE models SET policy = ?2, policy_digest = ?3, updated = ?4 WHERE model_id = ?1"));
  put.BindText(1, model_id);
  put.BindText(2, policy);
  put.BindText(3, HexEncode(crypto::Sha256(AsBytes(policy))));
  put.BindInt(4, Seconds(now));
  CONFIDE_TRY(StepDone(put));
  if (db_.Changes() == 0) return NotFoundError("kbs store: no model " + model_id);
  return OkStatus();
}

Status KeyStore::Retire(const std::string& model_id, uint32_t version, Time now) {
  std::lock_guard lock(mu_);
  CONFIDE_TRY(GetModelLocked(model_id));
  // The wrapped key is erased: a retired version can never be released again.
  CONFIDE_ASSIGN_OR_RETURN(Stmt keys, db_.Prepare(
      "UPDATE model_keys SET retired = 1, wrapped = NULL, retired_at = ?3"
      " WHERE model_id = ?1 AND (?2 = 0 OR version = ?2) AND retired = 0"));
  keys.BindText(1, model_id);
  keys.BindInt(2, version);
  keys.BindInt(3, Seconds(now));
  CONFIDE_TRY(StepDone(keys));
  if (version != 0 && db_.Changes() == 0) {
    return NotFoundError("kbs store: no active key version " + std::to_string(version));
  }
  if (version == 0) {
    CONFIDE_ASSIGN_OR_RETURN(
        Stmt model, db_.Prepare("UPDATE models SET retired = 1, updated = ?2 WHERE model_id = ?1"));
    model.BindText(1, model_id);
    model.BindInt(2, Seconds(now));
    CONFIDE_TRY(StepDone(model));
  }
  // The write-ahead log still holds the pages with the wrapped key (from when it was stored):
  // copy the log into the database and truncate it, so no file keeps the erased bytes. Best
  // effort, after the retirement is committed: a process reading the database at that moment (a
  // backup) can keep the log from being truncated, and the retirement stands either way.
  (void)db_.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return OkStatus();
}

Result<ModelInfo> KeyStore::GetModelLocked(const std::string& model_id) {
  CONFIDE_ASSIGN_OR_RETURN(Stmt get, db_.Prepare(
      "SELECT policy, policy_digest, retired FROM models WHERE model_id = ?1"));
  get.BindText(1, model_id);
  CONFIDE_ASSIGN_OR_RETURN(bool row, get.Step());
  if (!row) return NotFoundError("kbs store: no model " + model_id);
  ModelInfo m{model_id, get.ColumnInt(2) != 0, get.ColumnText(0), get.ColumnText(1), {}};
  CONFIDE_ASSIGN_OR_RETURN(Stmt keys, db_.Prepare(
      "SELECT version, retired, manifest_digest, created FROM model_keys WHERE model_id = ?1"
      " ORDER BY version"));
  keys.BindText(1, model_id);
  while (true) {
    CONFIDE_ASSIGN_OR_RETURN(bool key_row, keys.Step());
    if (!key_row) break;
    m.keys.push_back({static_cast<uint32_t>(keys.ColumnInt(0)), keys.ColumnInt(1) != 0,
                      keys.ColumnBlob(2), Time(std::chrono::seconds(keys.ColumnInt(3)))});
  }
  return m;
}

Result<ModelInfo> KeyStore::GetModel(const std::string& model_id) {
  std::lock_guard lock(mu_);
  return GetModelLocked(model_id);
}

Result<std::vector<ModelInfo>> KeyStore::ListModels() {
  std::lock_guard lock(mu_);
  CONFIDE_ASSIGN_OR_RETURN(Stmt ids, db_.Prepare("SELECT model_id FROM models ORDER BY model_id"));
  std::vector<std::string> names;
  while (true) {
    CONFIDE_ASSIGN_OR_RETURN(bool row, ids.Step());
    if (!row) break;
    names.push_back(ids.ColumnText(0));
  }
  std::vector<ModelInfo> out;
  for (const std::string& id : names) {
    CONFIDE_ASSIGN_OR_RETURN(ModelInfo m, GetModelLocked(id));
    out.push_back(std::move(m));
  }
  return out;
}

Result<StoredKey> KeyStore::GetKey(const std::string& model_id, uint32_t version) {
  std::lock_guard lock(mu_);
  CONFIDE_ASSIGN_OR_RETURN(Stmt get, db_.Prepare(
      "SELECT version, wrapped, manifest_digest FROM model_keys"
      " WHERE model_id = ?1 AND (?2 = 0 OR version = ?2) AND retired = 0"
      " AND wrapped IS NOT NULL ORDER BY version DESC LIMIT 1"));
  get.BindText(1, model_id);
  get.BindInt(2, version);
  CONFIDE_ASSIGN_OR_RETURN(bool row, get.Step());
  if (!row) return NotFoundError("kbs store: no active key for " + model_id);
  StoredKey out;
  out.version = static_cast<uint32_t>(get.ColumnInt(0));
  Bytes wrapped = get.ColumnBlob(1);
  out.manifest_digest = get.ColumnBlob(2);
  if (wrapped.size() != 12 + kModelKeySize + 16) {
    return VerificationFailedError("kbs store: a stored key has the wrong size");
  }
  ByteSpan w(wrapped);
  auto key = crypto::AeadOpen(crypto::AeadAlg::kAes256Gcm, wrap_key_.Expose(), w.first(12),
                              WrapAad(model_id, out.version), w.subspan(12));
  if (!key.ok()) return VerificationFailedError("kbs store: a stored key does not open");
  out.key = SecretBytes::CopyFrom(*key);
  SecureWipe(*key);
  return out;
}

}  // namespace confide::kbs
