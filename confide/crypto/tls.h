// TLS 1.3 context set-up for attested TLS. The TLS library (cpp-httplib over OpenSSL) owns the
// SSL_CTX; these functions configure it without exposing OpenSSL to the caller: a server presents
// a certificate and key made inside the TEE; a client hands the server's leaf certificate to a
// TlsPeerVerifier inside the handshake, before any application byte is sent.
//
//   httplib::SSLServer server([&](SSL_CTX& ctx) {
//     return ConfigureTlsServer(&ctx, identity.certificate, identity.tls_key).ok(); });
//   ConfigureTlsClient(client.ssl_context(), &verifier);
#ifndef CONFIDE_CRYPTO_TLS_H_
#define CONFIDE_CRYPTO_TLS_H_

#include "confide/base/result.h"
#include "confide/crypto/keys.h"
#include "confide/crypto/x509.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace confide::crypto {

// Decides whether to continue a handshake with the peer that presented `leaf`. Called on the
// connecting thread, inside the handshake. Returning false aborts the handshake.
class TlsPeerVerifier {
 public:
  virtual ~TlsPeerVerifier() = default;
  virtual bool VerifyPeer(const Certificate& leaf) = 0;
};

// TLS 1.3 only; installs `cert` and `key` (which must match: kInvalidArgument otherwise); no
// session tickets (a resumed session would skip the certificate and its evidence).
Status ConfigureTlsServer(ssl_ctx_st* ctx, const Certificate& cert, const PrivateKey& key);

// TLS 1.3 only; replaces CA-based verification with `verifier`, which must outlive `ctx`. The
// handshake fails unless the peer presents a certificate and `verifier` accepts it. TLS itself
// proves the peer holds the certificate's private key (CertificateVerify).
Status ConfigureTlsClient(ssl_ctx_st* ctx, TlsPeerVerifier* verifier);

}  // namespace confide::crypto

#endif  // CONFIDE_CRYPTO_TLS_H_
