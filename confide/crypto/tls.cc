#include "confide/crypto/tls.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "confide/crypto/internal/openssl_handles.h"
#include "confide/crypto/internal/openssl_util.h"

namespace confide::crypto {

namespace {

Status RequireTls13(SSL_CTX* ctx) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
    return internal::OpensslError("TLS 1.3");
  }
  return OkStatus();
}

// X509_STORE_CTX verify hook: wraps the leaf and asks the TlsPeerVerifier.
int VerifyCallback(X509_STORE_CTX* store_ctx, void* arg) {
  auto* verifier = static_cast<TlsPeerVerifier*>(arg);
  X509* leaf = X509_STORE_CTX_get0_cert(store_ctx);
  if (leaf == nullptr || X509_up_ref(leaf) != 1) {
    X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  }
  Certificate cert(std::make_shared<CertHandle>(CertHandle{std::unique_ptr<X509, X509Deleter>(leaf)}));
  if (!verifier->VerifyPeer(cert)) {
    X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  }
  return 1;
}

}  // namespace

Status ConfigureTlsServer(ssl_ctx_st* ctx, const Certificate& cert, const PrivateKey& key) {
  CONFIDE_TRY(RequireTls13(ctx));
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(ctx, 0);
  if (SSL_CTX_use_certificate(ctx, cert.handle().x509.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, key.handle().pkey.get()) != 1) {
    return internal::OpensslError("TLS server certificate");
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    internal::DrainErrors();
    return InvalidArgumentError("TLS server: the key does not match the certificate");
  }
  return OkStatus();
}

Status ConfigureTlsClient(ssl_ctx_st* ctx, TlsPeerVerifier* verifier) {
  CONFIDE_TRY(RequireTls13(ctx));
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_cert_verify_callback(ctx, VerifyCallback, verifier);
  return OkStatus();
}

}  // namespace confide::crypto
