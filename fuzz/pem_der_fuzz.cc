// Feeds the input to every key, certificate and CRL loader of confide/crypto. Invariants: no
// crash or leak on any input; an accepted DER certificate or SubjectPublicKeyInfo re-serializes to
// exactly the input; every certificate of an accepted PEM chain round-trips through DER; the
// public half of an accepted private key loads as a public key.
#include <cstdint>
#include <string_view>

#include "confide/base/bytes.h"
#include "confide/base/check.h"
#include "confide/crypto/keys.h"
#include "confide/crypto/x509.h"

using confide::ByteSpan;
using confide::Equal;
namespace crypto = confide::crypto;

namespace {

// Touches every accessor so the fuzzer reaches the decoding of each field.
void Exercise(const crypto::Certificate& cert) {
  (void)cert.subject();
  (void)cert.issuer();
  (void)cert.serial_number();
  (void)cert.not_before();
  (void)cert.not_after();
  (void)cert.Extension("1.3.6.1.4.1.3704.1.3.1");
  (void)cert.public_key().type();
  auto again = crypto::Certificate::FromDer(cert.ToDer());
  CONFIDE_CHECK(again.ok() && Equal(again->ToDer(), cert.ToDer()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteSpan bytes(data, size);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // OpenSSL 3.0's decoders cost far more to set up than to reject; skip the loaders that would
  // fail on their first byte anyway, to keep executions per second high.
  bool der = size > 0 && data[0] == 0x30;
  bool pem = text.find("-----BEGIN") != std::string_view::npos;

  if (der) {
    if (auto cert = crypto::Certificate::FromDer(bytes); cert.ok()) {
      CONFIDE_CHECK(Equal(cert->ToDer(), bytes));
      Exercise(*cert);
    }
    if (auto pub = crypto::PublicKey::FromDer(bytes); pub.ok()) {
      CONFIDE_CHECK(Equal(pub->ToDer(), bytes));
      (void)pub->ToRaw();
    }
    if (auto key = crypto::PrivateKey::FromDer(bytes); key.ok()) {
      CONFIDE_CHECK(crypto::PublicKey::FromDer(key->public_key().ToDer()).ok());
    }
    if (auto crl = crypto::Crl::FromDer(bytes); crl.ok()) {
      (void)crl->issuer();
      (void)crl->this_update();
      (void)crl->next_update();
    }
  }
  if (pem) {
    if (auto chain = crypto::Certificate::ChainFromPem(text); chain.ok()) {
      for (const crypto::Certificate& c : *chain) Exercise(c);
    }
    if (auto pub = crypto::PublicKey::FromPem(text); pub.ok()) {
      CONFIDE_CHECK(crypto::PublicKey::FromDer(pub->ToDer()).ok());
    }
    if (auto key = crypto::PrivateKey::FromPem(bytes); key.ok()) {
      CONFIDE_CHECK(crypto::PublicKey::FromDer(key->public_key().ToDer()).ok());
    }
  }
  return 0;
}
