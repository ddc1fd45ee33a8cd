// Fuzzes the owner key push body (confide/server/provision_request.h): no crash on any body; an
// accepted request re-serializes to a body that parses to the same request; opening any
// accepted sealed key with a fixed HPKE key fails cleanly (the fuzzer cannot seal to it).
#include "confide/base/check.h"
#include "confide/crypto/keys.h"
#include "confide/server/provision_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace confide;
  static const crypto::PrivateKey* hpke_key =
      new crypto::PrivateKey(*crypto::PrivateKey::Generate(crypto::KeyType::kX25519));
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto req = server::ParseProvisionRequest(body);
  if (!req.ok()) return 0;
  auto again = server::ParseProvisionRequest(server::SerializeProvisionRequest(*req));
  CONFIDE_CHECK(again.ok() && again->sealed_key == req->sealed_key &&
                again->signature == req->signature);
  CONFIDE_CHECK(req->sealed_key.size() == server::kProvisionSealedKeySize);
  package::Digest digest{};
  CONFIDE_CHECK(!server::OpenProvisionKey(*hpke_key, "m", digest, req->sealed_key).ok());
  return 0;
}
