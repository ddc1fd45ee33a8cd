// The key broker's store: models, their release policies (TOML text) and their key versions,
// in SQLite (WAL) with a versioned schema and forward migrations. Model keys are encrypted at
// rest with AES-256-GCM under a key derived from the KBS master key, which the caller supplies
// (read from a 0600 file or the environment by the CLI) and which is never written here.
//
//   CONFIDE_ASSIGN_OR_RETURN(auto store, KeyStore::Open("kbs.db", std::move(master_key)));
//   CONFIDE_ASSIGN_OR_RETURN(uint32_t v, store->AddModel("resnet", policy_toml, key, digest, now));
//   CONFIDE_ASSIGN_OR_RETURN(StoredKey k, store->GetKey("resnet", 0));   // newest active
#ifndef CONFIDE_KBS_STORE_H_
#define CONFIDE_KBS_STORE_H_

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "confide/audit/sqlite.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"
#include "confide/base/secret.h"

namespace confide::kbs {

inline constexpr int64_t kStoreSchemaVersion = 2;
inline constexpr size_t kMasterKeySize = 32;
inline constexpr size_t kModelKeySize = 32;

struct KeyVersionInfo {
  uint32_t version = 0;
  bool retired = false;
  Bytes manifest_digest;  // 32 bytes (zeros when imported without one)
  Time created{};
};

struct ModelInfo {
  std::string model_id;
  bool retired = false;
  std::string policy;         // the TOML text
  std::string policy_digest;  // hex SHA-256 of the text
  std::vector<KeyVersionInfo> keys;  // ascending version
};

struct StoredKey {
  uint32_t version = 0;
  SecretBytes key;  // kModelKeySize bytes
  Bytes manifest_digest;
};

// Thread safe: every method takes an internal mutex.
class KeyStore {
 public:
  // Opens or creates the database and migrates it to kStoreSchemaVersion. The first open records
  // a check value of the master key; later opens with another key fail (kVerificationFailed).
  // kInvalidArgument if the master key is not 32 bytes; kUnsupported if the database's schema is
  // newer than this build; kUnavailable for I/O.
  static Result<std::unique_ptr<KeyStore>> Open(const std::string& path, SecretBytes master_key);

  // Creates `model_id` with key version 1. kInvalidArgument if it exists, the id is invalid, or
  // the key is not 32 bytes. The policy text is stored as given (the caller parses it first).
  Result<uint32_t> AddModel(const std::string& model_id, const std::string& policy,
                            const SecretBytes& key, ByteSpan manifest_digest, Time now);
  // Adds the next key version; older versions stay releasable until retired. kNotFound if the
  // model does not exist; kInvalidArgument if it is retired.
  Result<uint32_t> RotateKey(const std::string& model_id, const SecretBytes& key,
                             ByteSpan manifest_digest, Time now);
  // Replaces the model's policy. kNotFound if absent.
  Status SetPolicy(const std::string& model_id, const std::string& policy, Time now);
  // Retires one key version (its key material is erased), or with version 0 the whole model and
  // all its keys. kNotFound if absent.
  Status Retire(const std::string& model_id, uint32_t version, Time now);
  // kNotFound if absent. Never returns key material.
  Result<ModelInfo> GetModel(const std::string& model_id);
  Result<std::vector<ModelInfo>> ListModels();
  // Decrypts key `version` (0: the newest active one). kNotFound if the model, the version or an
  // active version does not exist or it is retired; kVerificationFailed if the stored ciphertext
  // does not open (tampered database).
  Result<StoredKey> GetKey(const std::string& model_id, uint32_t version);

 private:
  KeyStore(audit::Db db, SecretBytes wrap_key) : db_(std::move(db)), wrap_key_(std::move(wrap_key)) {}
  Status Migrate();
  Status CheckMasterKey(const SecretBytes& master_key);
  Result<Bytes> Wrap(const std::string& model_id, uint32_t version, const SecretBytes& key);
  Status InsertKey(const std::string& model_id, uint32_t version, const SecretBytes& key,
                   ByteSpan manifest_digest, Time now);
  Result<ModelInfo> GetModelLocked(const std::string& model_id);

  std::mutex mu_;
  audit::Db db_;
  SecretBytes wrap_key_;
};

}  // namespace confide::kbs

#endif  // CONFIDE_KBS_STORE_H_
