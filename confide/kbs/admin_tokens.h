// Admin bearer tokens, loaded from a 0600 file of lines "NAME TOKEN SCOPE" ('#' comments):
// SCOPE is "*" (every model) or a comma-separated list of model ids. Tokens are kept as SHA-256
// digests and compared in constant time.
//
//   CONFIDE_ASSIGN_OR_RETURN(AdminTokens tokens, ParseAdminTokens(file.Expose()));
//   std::optional<AdminIdentity> who = tokens.Authenticate(authorization_header);
//   if (!who || !who->Covers("resnet")) return 401/403;
#ifndef CONFIDE_KBS_ADMIN_TOKENS_H_
#define CONFIDE_KBS_ADMIN_TOKENS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/crypto/hash.h"

namespace confide::kbs {

inline constexpr size_t kMinTokenSize = 16;

struct AdminIdentity {
  std::string name;
  bool all_models = false;
  std::vector<std::string> models;
  // True if this identity may manage `model_id`.
  bool Covers(std::string_view model_id) const;
};

class AdminTokens {
 public:
  // The identity whose token equals the one in `authorization` ("Bearer <token>"), or nullopt.
  // Compares against every token in constant time (no early exit). Thread safe.
  std::optional<AdminIdentity> Authenticate(std::string_view authorization) const;
  size_t size() const { return entries_.size(); }

 private:
  friend Result<AdminTokens> ParseAdminTokens(ByteSpan text);
  std::vector<std::pair<crypto::Sha256Digest, AdminIdentity>> entries_;
};

// kInvalidArgument (with the line number, never the token) for a line without three fields, a
// token shorter than kMinTokenSize, an invalid model id in a scope, or a duplicate name.
Result<AdminTokens> ParseAdminTokens(ByteSpan text);

}  // namespace confide::kbs

#endif  // CONFIDE_KBS_ADMIN_TOKENS_H_
