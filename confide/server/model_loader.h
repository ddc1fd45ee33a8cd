// Bringing a model into the TEE: obtain its key (sealed cache, then the key broker, then a key
// file), verify the package's owner signature, decrypt the payload as a stream into TEE memory,
// load it into the engine, and seal the key for the next start.
//
//   KeySources keys{.cache_dir = state_dir, .key_file = "model.key"};
//   CONFIDE_ASSIGN_OR_RETURN(ServedModel m, LoadServedModel(
//       {.package_path = "model.cfpkg"}, keys, trust, platform, clock.Now(), engine_options));
#ifndef CONFIDE_SERVER_MODEL_LOADER_H_
#define CONFIDE_SERVER_MODEL_LOADER_H_

#include <functional>
#include <memory>
#include <string>

#include "confide/base/clock.h"
#include "confide/base/secret.h"
#include "confide/engine/engine.h"
#include "confide/package/reader.h"
#include "confide/package/trust.h"
#include "confide/tee/platform.h"

namespace confide::server {

// Asks a key broker for the key of the package whose verified prefix is given. Returns
// kUnavailable when the broker cannot be reached (the loader then tries the next source).
using KeyBrokerFn = std::function<Result<SecretBytes>(const package::PackagePrefix&)>;

struct ModelSource {
  std::string package_path;
  std::string key_file;  // plain model key file (confide pack --key-out); empty = none
};

struct KeySources {
  std::string cache_dir;  // sealed key cache; empty = no cache
  KeyBrokerFn key_broker;  // empty = no broker
};

// Whether a served model has its key: kPending = no key source had it and the server awaits its
// owner's push (`confide provision`); its package is verified but still encrypted.
enum class ModelState { kReady, kPending };

// What LoadServedModel does when no key source has the model's key.
enum class IfNoKey { kFail, kPending };

struct ServedModel {
  ModelState state = ModelState::kReady;
  std::string name;
  std::string version;
  package::Digest manifest_digest{};
  std::string key_origin;  // "sealed-cache", "kbs", "key-file" or "provision"; "pending"
  std::unique_ptr<engine::Model> model;  // null while pending (awaiting `confide provision`)
  package::Digest signer_key_id{};       // the manifest's: who may push the key
};

// Loads one model, opening and verifying its package once. Key order: the sealed cache (if
// present and it unseals), the key broker, the key file. When no source has the key:
// kNotFound with `if_no_key` kFail; with kPending (the server runs with --await-provision) a
// ServedModel in state kPending (key_origin "pending", model null, nothing decrypted). Errors:
// the package's (kNotFound, kMalformed, kVerificationFailed for a bad signature or wrong key),
// the engine's on load. A failure to write the sealed cache is not an error (the next start asks
// the broker again). The decrypted ONNX bytes live only in memory and are wiped after the engine
// loaded them. Does not trim the heap: the caller calls ReleaseFreedHeap once all are loaded.
Result<ServedModel> LoadServedModel(const ModelSource& source, const KeySources& keys,
                                    const package::TrustList& trust, tee::Platform& platform,
                                    Time now, const engine::LoadOptions& engine_options,
                                    IfNoKey if_no_key = IfNoKey::kFail);

// Loads a model with a key pushed by its owner (key_origin "provision"); does not seal the key
// (the caller does, with StoreKeyInCache, once the push is audited), nor trim the heap. Errors:
// kVerificationFailed "wrong model key" (the manifest's key_check), the package's and the
// engine's, as LoadServedModel.
Result<ServedModel> LoadServedModelWithKey(const ModelSource& source, const SecretBytes& key,
                                           const KeySources& keys, const package::TrustList& trust,
                                           tee::Platform& platform, Time now,
                                           const engine::LoadOptions& engine_options);

// Seals `key` into keys.cache_dir (no-op without one). Failures are not reported: the next start
// then needs the key again.
void StoreKeyInCache(const KeySources& keys, tee::Platform& platform, const SecretBytes& key,
                     const package::Digest& manifest_digest);

}  // namespace confide::server

#endif  // CONFIDE_SERVER_MODEL_LOADER_H_
