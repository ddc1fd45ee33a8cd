#include "confide/kbs/admin_tokens.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "confide/crypto/constant_time.h"
#include "confide/kbs/protocol.h"

namespace confide::kbs {

bool AdminIdentity::Covers(std::string_view model_id) const {
  return all_models || std::find(models.begin(), models.end(), model_id) != models.end();
}

std::optional<AdminIdentity> AdminTokens::Authenticate(std::string_view authorization) const {
  constexpr std::string_view kPrefix = "Bearer ";
  if (!authorization.starts_with(kPrefix)) return std::nullopt;
  crypto::Sha256Digest presented = crypto::Sha256(AsBytes(authorization.substr(kPrefix.size())));
  const AdminIdentity* found = nullptr;
  for (const auto& [digest, identity] : entries_) {
    if (crypto::ConstantTimeEqual(digest, presented)) found = &identity;
  }
  if (found == nullptr) return std::nullopt;
  return *found;
}

Result<AdminTokens> ParseAdminTokens(ByteSpan text) {
  AdminTokens tokens;
  std::istringstream in(ToString(text));
  std::string line;
  std::set<std::string> names;
  for (int number = 1; std::getline(in, line); ++number) {
    std::string where = "admin tokens: line " + std::to_string(number);
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream fields(line);
    std::string name, token, scope, extra;
    if (!(fields >> name)) continue;
    if (!(fields >> token >> scope) || (fields >> extra)) {
      return InvalidArgumentError(where + ": expected NAME TOKEN SCOPE");
    }
    if (token.size() < kMinTokenSize) return InvalidArgumentError(where + ": token too short");
    if (!names.insert(name).second) return InvalidArgumentError(where + ": duplicate name");
    AdminIdentity id{name, scope == "*", {}};
    std::istringstream models(scope);
    for (std::string m; !id.all_models && std::getline(models, m, ',');) {
      if (!IsValidModelId(m)) return InvalidArgumentError(where + ": invalid model id in scope");
      id.models.push_back(m);
    }
    tokens.entries_.emplace_back(crypto::Sha256(AsBytes(token)), std::move(id));
    SecureWipe(MutableByteSpan(reinterpret_cast<uint8_t*>(token.data()), token.size()));
  }
  SecureWipe(MutableByteSpan(reinterpret_cast<uint8_t*>(line.data()), line.size()));
  return tokens;
}

}  // namespace confide::kbs
