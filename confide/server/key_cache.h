// The sealed model-key cache (docs/formats/sealed-key-cache.md): after a start that obtained a
// model key (from the key broker, a key file or an owner push), the server seals it under the
// TEE's measurement-bound sealing key so that the next start of the same code on the same
// platform can unseal it without the broker. The host stores only ciphertext.
//
//   CONFIDE_ASSIGN_OR_RETURN(Bytes file, SealCachedKey(platform, key, manifest_digest));
//   CONFIDE_ASSIGN_OR_RETURN(SecretBytes key, OpenCachedKey(platform, file, manifest_digest));
#ifndef CONFIDE_SERVER_KEY_CACHE_H_
#define CONFIDE_SERVER_KEY_CACHE_H_

#include <string>

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/base/secret.h"
#include "confide/package/manifest.h"
#include "confide/tee/platform.h"

namespace confide::server {

inline constexpr char kSealLabel[] = "confide-server model-key cache v1";
inline constexpr size_t kCachedKeyFileSize = 76;

// AES-256-GCM under Platform::SealingKey(kMeasurement, kSealLabel), fresh random nonce, AAD =
// the file's 16-byte header || manifest_digest. Errors: the platform's (kUnsupported where the TEE
// cannot seal), kInvalidArgument if the key is not 32 bytes.
Result<Bytes> SealCachedKey(tee::Platform& platform, const SecretBytes& model_key,
                            const package::Digest& manifest_digest);
// The inverse. kMalformed for a wrong size, magic or reserved bytes; kUnsupported for another
// version; kVerificationFailed when the tag fails (other code, other platform, other package,
// tampering). Never returns partial plaintext.
Result<SecretBytes> OpenCachedKey(tee::Platform& platform, ByteSpan file,
                                  const package::Digest& manifest_digest);
// "<dir>/<hex manifest digest>.sealedkey".
std::string CachedKeyPath(const std::string& dir, const package::Digest& manifest_digest);

}  // namespace confide::server

#endif  // CONFIDE_SERVER_KEY_CACHE_H_
