#include "confide/server/provision_request.h"

#include <nlohmann/json.hpp>

#include "confide/base/base64.h"
#include "confide/crypto/ecdsa.h"
#include "confide/crypto/hpke.h"

namespace confide::server {

namespace {

constexpr size_t kMaxDerSignatureSize = 72;  // P-256: SEQUENCE of two INTEGERs of <= 33 bytes

const crypto::hpke::Suite kSuite{crypto::hpke::KemId::kX25519HkdfSha256,
                                 crypto::hpke::KdfId::kHkdfSha256,
                                 crypto::hpke::AeadId::kAes256Gcm};

Result<Bytes> Member(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) {
    return MalformedError(std::string("provision request: '") + name + "' must be a string");
  }
  auto bytes = Base64Decode(it->get_ref<const std::string&>());
  if (!bytes.ok())
    return MalformedError(std::string("provision request: '") + name + "' is not base64");
  return bytes;
}

}  // namespace

Result<ProvisionRequest> ParseProvisionRequest(std::string_view body) {
  if (body.size() > kMaxProvisionBodySize) return MalformedError("provision request: too large");
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return MalformedError("provision request: not a JSON object");
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "sealed_key" && key != "signature") {
      return MalformedError("provision request: unknown member");
    }
  }
  ProvisionRequest req;
  CONFIDE_ASSIGN_OR_RETURN(req.sealed_key, Member(j, "sealed_key"));
  CONFIDE_ASSIGN_OR_RETURN(req.signature, Member(j, "signature"));
  if (req.sealed_key.size() != kProvisionSealedKeySize) {
    return MalformedError("provision request: 'sealed_key' must be " +
                          std::to_string(kProvisionSealedKeySize) + " bytes");
  }
  if (req.signature.empty() || req.signature.size() > kMaxDerSignatureSize) {
    return MalformedError("provision request: 'signature' has a wrong size");
  }
  return req;
}

std::string SerializeProvisionRequest(const ProvisionRequest& req) {
  return nlohmann::json{{"sealed_key", Base64Encode(req.sealed_key)},
                        {"signature", Base64Encode(req.signature)}}
      .dump();
}

Bytes ProvisionHpkeInfo(std::string_view model_name, const package::Digest& manifest_digest) {
  ByteWriter w;
  w.WriteBytes(AsBytes(kProvisionInfo));
  w.WritePrefixedU16Be(AsBytes(model_name));
  w.WriteBytes(manifest_digest);
  return std::move(w).Take();
}

Bytes ProvisionSignedMessage(const package::Digest& manifest_digest, ByteSpan hpke_pub,
                             ByteSpan sealed_key) {
  return Concat({AsBytes(kProvisionContext), manifest_digest, hpke_pub, sealed_key});
}

Result<Bytes> SealProvisionKey(ByteSpan hpke_pub, std::string_view model_name,
                               const package::Digest& manifest_digest, const SecretBytes& key) {
  if (key.size() != 32) return InvalidArgumentError("a model key is 32 bytes");
  auto recipient = crypto::PublicKey::FromRaw(crypto::KeyType::kX25519, hpke_pub);
  if (!recipient.ok()) return InvalidArgumentError("the attested HPKE key is not an X25519 key");
  CONFIDE_ASSIGN_OR_RETURN(
      crypto::hpke::Sealed sealed,
      crypto::hpke::SealBase(kSuite, *recipient, ProvisionHpkeInfo(model_name, manifest_digest), {},
                             key.Expose()));
  return sealed.Concatenated();
}

Result<SecretBytes> OpenProvisionKey(const crypto::PrivateKey& hpke_key,
                                     std::string_view model_name,
                                     const package::Digest& manifest_digest, ByteSpan sealed_key) {
  if (sealed_key.size() != kProvisionSealedKeySize) {
    return MalformedError("provision: sealed key has a wrong size");
  }
  size_t enc_size = crypto::hpke::EncSize(kSuite.kem);
  auto opened = crypto::hpke::OpenBase(kSuite, sealed_key.first(enc_size), hpke_key,
                                       ProvisionHpkeInfo(model_name, manifest_digest), {},
                                       sealed_key.subspan(enc_size));
  if (!opened.ok()) {
    return VerificationFailedError(
        "the sealed key does not open (not sealed to this server, "
        "this model and this package)");
  }
  SecretBytes key = SecretBytes::CopyFrom(*opened);
  SecureWipe(*opened);
  if (key.size() != 32) return MalformedError("provision: the sealed key is not 32 bytes");
  return key;
}

Result<Bytes> SignProvision(const crypto::PrivateKey& signer,
                            const package::Digest& manifest_digest, ByteSpan hpke_pub,
                            ByteSpan sealed_key) {
  return crypto::EcdsaSign(signer, crypto::HashAlg::kSha256,
                           ProvisionSignedMessage(manifest_digest, hpke_pub, sealed_key),
                           crypto::SigFormat::kDer);
}

bool VerifyProvisionSignature(const crypto::PublicKey& signer,
                              const package::Digest& manifest_digest, ByteSpan hpke_pub,
                              const ProvisionRequest& req) {
  return crypto::EcdsaVerify(signer, crypto::HashAlg::kSha256,
                             ProvisionSignedMessage(manifest_digest, hpke_pub, req.sealed_key),
                             req.signature, crypto::SigFormat::kDer);
}

}  // namespace confide::server
