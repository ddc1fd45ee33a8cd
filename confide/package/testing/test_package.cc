#include "confide/package/testing/test_package.h"

#include "confide/crypto/hash.h"

namespace confide::package::testing {

Time TestNow() { return *ParseRfc3339("2025-06-01T00:00:00Z"); }

TestOwner NewOwner() {
  TestOwner owner{.key = *crypto::PrivateKey::Generate(crypto::KeyType::kP256)};
  owner.trust.Add({.name = "test-owner", .key = owner.key.public_key()});
  return owner;
}

Bytes PackBytes(ByteSpan payload, const crypto::PrivateKey& owner_key, const SecretBytes& model_key,
                uint32_t chunk_size, const std::string& name) {
  Manifest m{.name = name, .model_version = "1", .chunk_size = chunk_size};
  m.payload_size = payload.size();
  m.payload_sha256 = crypto::Sha256(payload);
  m.created = TestNow();
  Result<PackageWriter> writer = PackageWriter::Create(m, owner_key, model_key);
  CONFIDE_CHECK(writer.ok());
  SpanSource source(payload);
  BufferSink out;
  CONFIDE_CHECK(writer->WriteAll(source, out).ok());
  return out.bytes();
}

Status UnpackBytes(ByteSpan package, const TrustList& trust, const SecretBytes& model_key,
                   PlaintextSink& sink, Time now) {
  SpanSource source(package);
  CONFIDE_ASSIGN_OR_RETURN(PackageReader reader, PackageReader::Open(source, trust, now));
  return reader.Decrypt(model_key, source, sink);
}

}  // namespace confide::package::testing
