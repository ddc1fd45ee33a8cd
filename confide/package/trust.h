// The trust list of model signers (signers.toml, docs/formats/package.md §6): which owner keys may
// sign packages, each with a validity window and a revocation flag, so keys can be rotated.
//
//   CONFIDE_ASSIGN_OR_RETURN(TrustList trust, TrustList::Load("signers.toml"));
//   CONFIDE_ASSIGN_OR_RETURN(const TrustedSigner* s, trust.FindSigner(key_id, clock.Now()));
#ifndef CONFIDE_PACKAGE_TRUST_H_
#define CONFIDE_PACKAGE_TRUST_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confide/base/clock.h"
#include "confide/base/result.h"
#include "confide/crypto/keys.h"
#include "confide/package/manifest.h"

namespace confide::package {

// SHA-256 of the DER SubjectPublicKeyInfo: the "signer key id" in manifests and trust lists.
Digest SignerKeyId(const crypto::PublicKey& key);

struct TrustedSigner {
  std::string name;                 // for messages only
  crypto::PublicKey key;            // P-256
  Digest key_id{};                  // SignerKeyId(key)
  std::optional<Time> not_before;   // inclusive; none means "since always"
  std::optional<Time> not_after;    // inclusive; none means "forever"
  bool revoked = false;
};

// An immutable-after-load set of signers. Thread compatible.
class TrustList {
 public:
  // Parses signers.toml text. A relative `public_key_file` is resolved against `base_dir`.
  // kMalformed for TOML syntax errors, unknown keys, wrong types, a key that is not a P-256
  // public key, or not_before > not_after (the message names the signer entry); kNotFound if a
  // key file is missing. Never throws (toml++ exceptions are caught here).
  static Result<TrustList> Parse(std::string_view toml_text, const std::string& base_dir);
  // Reads and parses a file; relative key files are resolved against the file's folder.
  static Result<TrustList> Load(const std::string& path);

  // Adds a signer (used by tests and by Parse). Computes key_id from `signer.key`.
  void Add(TrustedSigner signer);
  const std::vector<TrustedSigner>& signers() const { return signers_; }

  // The signer with `key_id` if it may sign at `now`. kVerificationFailed, each with its own
  // message: "unknown signer" (no entry), "signer revoked" (any entry for the key is revoked —
  // revocation wins over every window), "signer not yet valid", "signer expired".
  // The pointer lives as long as this TrustList.
  Result<const TrustedSigner*> FindSigner(const Digest& key_id, Time now) const;

 private:
  std::vector<TrustedSigner> signers_;
};

}  // namespace confide::package

#endif  // CONFIDE_PACKAGE_TRUST_H_
