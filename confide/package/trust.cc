#include "confide/package/trust.h"
#include "confide/base/toml_text.h"

#include <toml++/toml.h>

#include <chrono>
#include <set>

#include "confide/base/file.h"
#include "confide/base/hex.h"
#include "confide/crypto/hash.h"

namespace confide::package {

namespace {

Error EntryError(size_t index, const std::string& what) {
  return MalformedError("signers.toml: signer #" + std::to_string(index + 1) + ": " + what);
}

// A TOML offset date-time (2025-01-01T00:00:00Z) or an RFC 3339 string. Local date-times are
// refused: a validity bound must not depend on the verifier's time zone.
Result<Time> ReadTime(const toml::node& node, size_t index, const char* field) {
  if (const auto* s = node.as_string()) {
    Result<Time> t = ParseRfc3339(s->get());
    if (!t.ok()) return EntryError(index, std::string(field) + " is not an RFC 3339 time");
    return *t;
  }
  const auto* dt = node.as_date_time();
  if (dt == nullptr || !dt->get().offset.has_value()) {
    return EntryError(index, std::string(field) + " must be a date-time with Z or an offset");
  }
  const toml::date_time& v = dt->get();
  using namespace std::chrono;
  sys_days date = year_month_day(year(v.date.year), month(v.date.month), day(v.date.day));
  return Time(date) + hours(v.time.hour) + minutes(v.time.minute) + seconds(v.time.second) -
         minutes(v.offset->minutes);
}

Result<crypto::PublicKey> ReadKey(const toml::table& t, size_t index, const std::string& base) {
  const toml::node* pem = t.get("public_key");
  const toml::node* file = t.get("public_key_file");
  if ((pem == nullptr) == (file == nullptr)) {
    return EntryError(index, "needs exactly one of public_key or public_key_file");
  }
  std::string text;
  if (pem != nullptr) {
    if (!pem->is_string()) return EntryError(index, "public_key is not a string");
    text = pem->as_string()->get();
  } else {
    if (!file->is_string()) return EntryError(index, "public_key_file is not a string");
    std::string path = file->as_string()->get();
    if (!path.empty() && path[0] != '/') path = base + "/" + path;
    CONFIDE_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(path, 1 << 16));
    text = ToString(bytes);
  }
  Result<crypto::PublicKey> key = crypto::PublicKey::FromPem(text);
  if (!key.ok()) return EntryError(index, "public key is not a PEM public key");
  if (key->type() != crypto::KeyType::kP256) return EntryError(index, "key is not P-256");
  return std::move(*key);
}

Result<TrustedSigner> ReadSigner(const toml::node& node, size_t index, const std::string& base) {
  const toml::table* t = node.as_table();
  if (t == nullptr) return EntryError(index, "is not a table");
  static const std::set<std::string> kKnown = {"name",      "public_key", "public_key_file",
                                               "not_before", "not_after", "revoked"};
  for (const auto& [key, value] : *t) {
    if (!kKnown.contains(std::string(key.str()))) {
      return EntryError(index, "unknown key \"" + std::string(key.str()) + "\"");
    }
  }
  CONFIDE_ASSIGN_OR_RETURN(crypto::PublicKey key, ReadKey(*t, index, base));
  TrustedSigner s{.key = std::move(key)};
  if (const toml::node* n = t->get("name")) {
    if (!n->is_string()) return EntryError(index, "name is not a string");
    s.name = n->as_string()->get();
  }
  if (const toml::node* n = t->get("not_before")) {
    CONFIDE_ASSIGN_OR_RETURN(s.not_before, ReadTime(*n, index, "not_before"));
  }
  if (const toml::node* n = t->get("not_after")) {
    CONFIDE_ASSIGN_OR_RETURN(s.not_after, ReadTime(*n, index, "not_after"));
  }
  if (const toml::node* n = t->get("revoked")) {
    if (!n->is_boolean()) return EntryError(index, "revoked is not true or false");
    s.revoked = n->as_boolean()->get();
  }
  if (s.not_before && s.not_after && *s.not_before > *s.not_after) {
    return EntryError(index, "not_before is after not_after");
  }
  return s;
}

std::string Describe(const TrustedSigner& s) {
  std::string id = HexEncode(s.key_id);
  return "signer \"" + s.name + "\" (" + id + ")";
}

}  // namespace

Digest SignerKeyId(const crypto::PublicKey& key) { return crypto::Sha256(key.ToDer()); }

void TrustList::Add(TrustedSigner signer) {
  signer.key_id = SignerKeyId(signer.key);
  signers_.push_back(std::move(signer));
}

Result<TrustList> TrustList::Parse(std::string_view toml_text, const std::string& base_dir) {
  CONFIDE_TRY(CheckTomlText(toml_text, "signers.toml"));
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view("signers.toml"));
  } catch (const toml::parse_error& e) {
    return MalformedError("signers.toml: line " + std::to_string(e.source().begin.line) + ": " +
                          std::string(e.description()));
  }
  for (const auto& [key, value] : root) {
    if (key.str() != "signer") {
      return MalformedError("signers.toml: unknown key \"" + std::string(key.str()) + "\"");
    }
  }
  const toml::array* entries = root["signer"].as_array();
  if (entries == nullptr) return MalformedError("signers.toml: no [[signer]] entries");
  TrustList list;
  for (size_t i = 0; i < entries->size(); ++i) {
    CONFIDE_ASSIGN_OR_RETURN(TrustedSigner s, ReadSigner(*entries->get(i), i, base_dir));
    list.Add(std::move(s));
  }
  return list;
}

Result<TrustList> TrustList::Load(const std::string& path) {
  CONFIDE_ASSIGN_OR_RETURN(Bytes text, ReadFile(path, 1 << 20));
  size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? "." : path.substr(0, slash);
  return Parse(ToString(text), base.empty() ? "/" : base);
}

Result<const TrustedSigner*> TrustList::FindSigner(const Digest& key_id, Time now) const {
  const TrustedSigner* outside = nullptr;
  const TrustedSigner* valid = nullptr;
  for (const TrustedSigner& s : signers_) {
    if (s.key_id != key_id) continue;
    if (s.revoked) return VerificationFailedError("signer revoked: " + Describe(s));
    bool in_window = (!s.not_before || now >= *s.not_before) && (!s.not_after || now <= *s.not_after);
    (in_window ? valid : outside) = &s;
  }
  if (valid != nullptr) return valid;
  if (outside == nullptr) {
    return VerificationFailedError("unknown signer: key id " + HexEncode(key_id) +
                                   " is not in the trust list");
  }
  if (outside->not_before && now < *outside->not_before) {
    return VerificationFailedError("signer not yet valid: " + Describe(*outside) +
                                   " is valid from " + FormatRfc3339(*outside->not_before));
  }
  return VerificationFailedError("signer expired: " + Describe(*outside) + " expired at " +
                                 FormatRfc3339(*outside->not_after));
}

}  // namespace confide::package
