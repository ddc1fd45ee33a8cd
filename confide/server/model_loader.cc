#include "confide/server/model_loader.h"

#include <filesystem>

#include "confide/base/file.h"
#include "confide/package/model_key.h"
#include "confide/server/key_cache.h"

namespace confide::server {

namespace {

// Keeps decrypted plaintext in memory; wipes it on Discard and on destruction.
class WipingSink final : public package::PlaintextSink {
 public:
  explicit WipingSink(size_t expected) { bytes_.reserve(expected); }
  ~WipingSink() override { Discard(); }
  Status Consume(ByteSpan plaintext) override {
    if (bytes_.size() + plaintext.size() > bytes_.capacity()) {
      return InvalidArgumentError("package payload larger than its manifest says");
    }
    bytes_.insert(bytes_.end(), plaintext.begin(), plaintext.end());
    return OkStatus();
  }
  Status Commit() override { return OkStatus(); }
  void Discard() override {
    SecureWipe(MutableByteSpan(bytes_.data(), bytes_.size()));
    bytes_.clear();
  }
  ByteSpan bytes() const { return bytes_; }

 private:
  Bytes bytes_;
};

struct ObtainedKey {
  SecretBytes key;
  std::string origin;
};

Result<ObtainedKey> FromCache(const KeySources& keys, tee::Platform& platform,
                              const package::Digest& digest) {
  if (keys.cache_dir.empty()) return NotFoundError("no sealed key cache");
  CONFIDE_ASSIGN_OR_RETURN(Bytes file, ReadFile(CachedKeyPath(keys.cache_dir, digest), 4096));
  CONFIDE_ASSIGN_OR_RETURN(SecretBytes key, OpenCachedKey(platform, file, digest));
  return ObtainedKey{std::move(key), "sealed-cache"};
}

Result<ObtainedKey> FromKeyFile(const ModelSource& source) {
  if (source.key_file.empty()) return NotFoundError("no key file");
  CONFIDE_ASSIGN_OR_RETURN(Bytes file, ReadFile(source.key_file, 4096));
  auto key = package::ParseModelKey(file);
  SecureWipe(file);
  if (!key.ok()) return key.error();
  return ObtainedKey{*std::move(key), "key-file"};
}

// Tries each source in order. The only error is kNotFound: no source has the key.
Result<ObtainedKey> ObtainKey(const ModelSource& source, const KeySources& keys,
                              tee::Platform& platform, const package::PackagePrefix& prefix) {
  auto cached = FromCache(keys, platform, prefix.manifest_digest);
  if (cached.ok()) return cached;
  if (keys.key_broker) {
    auto released = keys.key_broker(prefix);
    if (released.ok()) return ObtainedKey{*std::move(released), "kbs"};
  }
  auto from_file = FromKeyFile(source);
  if (from_file.ok()) return from_file;
  return NotFoundError("no key for model '" + prefix.manifest.name +
                       "': no sealed cache entry, no key broker release, no key file");
}

void StoreInCache(const KeySources& keys, tee::Platform& platform, const SecretBytes& key,
                  const package::Digest& digest) {
  if (keys.cache_dir.empty()) return;
  auto sealed = SealCachedKey(platform, key, digest);
  if (!sealed.ok()) return;
  std::error_code ec;
  std::filesystem::create_directories(keys.cache_dir, ec);
  (void)WriteFile(CachedKeyPath(keys.cache_dir, digest), *sealed, 0600);
}

// Decrypts with `key`, loads the engine model and seals the key unless it came from the cache.
Result<ServedModel> DecryptAndLoad(package::FileSource& in, package::PackageReader& reader,
                                   ObtainedKey key, const KeySources& keys,
                                   tee::Platform& platform,
                                   const engine::LoadOptions& engine_options) {
  const package::PackagePrefix& prefix = reader.prefix();
  WipingSink sink(prefix.manifest.payload_size);
  CONFIDE_TRY(reader.Decrypt(key.key, in, sink));
  CONFIDE_ASSIGN_OR_RETURN(std::unique_ptr<engine::Model> model,
                           engine::Model::Load(sink.bytes(), engine_options));
  sink.Discard();
  // A pushed key is sealed by the caller once its audit entry is durable (StoreKeyInCache).
  if (key.origin != "sealed-cache" && key.origin != "provision") {
    StoreInCache(keys, platform, key.key, prefix.manifest_digest);
  }
  return ServedModel{.name = prefix.manifest.name,
                     .version = prefix.manifest.model_version,
                     .manifest_digest = prefix.manifest_digest,
                     .key_origin = key.origin,
                     .model = std::move(model),
                     .signer_key_id = prefix.manifest.signer_key_id};
}

}  // namespace

Result<ServedModel> LoadServedModel(const ModelSource& source, const KeySources& keys,
                                    const package::TrustList& trust, tee::Platform& platform,
                                    Time now, const engine::LoadOptions& engine_options,
                                    IfNoKey if_no_key) {
  CONFIDE_ASSIGN_OR_RETURN(package::FileSource in, package::FileSource::Open(source.package_path));
  CONFIDE_ASSIGN_OR_RETURN(package::PackageReader reader,
                           package::PackageReader::Open(in, trust, now));
  auto key = ObtainKey(source, keys, platform, reader.prefix());
  if (!key.ok() && key.error().code == ErrorCode::kNotFound && if_no_key == IfNoKey::kPending) {
    const package::PackagePrefix& prefix = reader.prefix();
    return ServedModel{.state = ModelState::kPending,
                       .name = prefix.manifest.name,
                       .version = prefix.manifest.model_version,
                       .manifest_digest = prefix.manifest_digest,
                       .key_origin = "pending",
                       .model = nullptr,
                       .signer_key_id = prefix.manifest.signer_key_id};
  }
  if (!key.ok()) return key.error();
  return DecryptAndLoad(in, reader, *std::move(key), keys, platform, engine_options);
}

void StoreKeyInCache(const KeySources& keys, tee::Platform& platform, const SecretBytes& key,
                     const package::Digest& manifest_digest) {
  StoreInCache(keys, platform, key, manifest_digest);
}

Result<ServedModel> LoadServedModelWithKey(const ModelSource& source, const SecretBytes& key,
                                           const KeySources& keys, const package::TrustList& trust,
                                           tee::Platform& platform, Time now,
                                           const engine::LoadOptions& engine_options) {
  CONFIDE_ASSIGN_OR_RETURN(package::FileSource in, package::FileSource::Open(source.package_path));
  CONFIDE_ASSIGN_OR_RETURN(package::PackageReader reader,
                           package::PackageReader::Open(in, trust, now));
  ObtainedKey pushed{SecretBytes::CopyFrom(key.Expose()), "provision"};
  return DecryptAndLoad(in, reader, std::move(pushed), keys, platform, engine_options);
}

}  // namespace confide::server
