// Diffie-Hellman: X25519 (RFC 7748) and ECDH on P-256/P-384/P-521 (SEC1 x-coordinate).
//
//   CONFIDE_ASSIGN_OR_RETURN(SecretBytes shared, Ecdh(my_private, peer_public));
#ifndef CONFIDE_CRYPTO_ECDH_H_
#define CONFIDE_CRYPTO_ECDH_H_

#include "confide/base/result.h"
#include "confide/base/secret.h"
#include "confide/crypto/keys.h"

namespace confide::crypto {

// The shared secret: 32 bytes for X25519, the field size for P-curves.
// kInvalidArgument if the two keys are of different types or not DH-capable.
// kVerificationFailed if the peer key is invalid (not on the curve) or, for X25519, a low-order
// point gives the all-zero output (RFC 7748 §6.1; RFC 9180 §7.1.4 requires the check).
Result<SecretBytes> Ecdh(const PrivateKey& own, const PublicKey& peer);

}  // namespace confide::crypto

#endif  // CONFIDE_CRYPTO_ECDH_H_
