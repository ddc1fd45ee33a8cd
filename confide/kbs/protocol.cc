#include "confide/kbs/protocol.h"

#include <set>

#include "confide/base/hex.h"

namespace confide::kbs {

namespace {

using nlohmann::json;

Result<json> ParseObject(std::string_view body, const char* what) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return MalformedError(std::string(what) + ": not a JSON object");
  }
  return j;
}

Status OnlyKnownFields(const json& j, const std::set<std::string>& known, const char* what) {
  for (const auto& [key, value] : j.items()) {
    if (!known.contains(key)) return MalformedError(std::string(what) + ": unknown field " + key);
  }
  return OkStatus();
}

Result<std::string> GetString(const json& j, const char* key, const char* what) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) {
    return MalformedError(std::string(what) + ": field " + key + " must be a string");
  }
  return it->get<std::string>();
}

// Hex field of exactly `size` bytes (0: any size up to `max_size`).
Result<Bytes> GetHex(const json& j, const char* key, size_t size, size_t max_size,
                     const char* what) {
  CONFIDE_ASSIGN_OR_RETURN(std::string text, GetString(j, key, what));
  if (text.size() > 2 * max_size) return MalformedError(std::string(what) + ": " + key + " too long");
  auto bytes = HexDecode(text);
  if (!bytes.ok()) return MalformedError(std::string(what) + ": " + key + " is not hex");
  if (size != 0 && bytes->size() != size) {
    return MalformedError(std::string(what) + ": " + key + " must be " + std::to_string(size) +
                          " bytes");
  }
  return *std::move(bytes);
}

Result<uint64_t> GetUint(const json& j, const char* key, uint64_t max, const char* what) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned() || it->get<uint64_t>() > max) {
    return MalformedError(std::string(what) + ": field " + key + " must be an integer <= " +
                          std::to_string(max));
  }
  return it->get<uint64_t>();
}

}  // namespace

bool IsValidModelId(std::string_view id) {
  if (id.empty() || id.size() > kMaxModelIdSize) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<ReleaseRequest> ParseReleaseRequest(std::string_view body) {
  const char* what = "release request";
  CONFIDE_ASSIGN_OR_RETURN(json j, ParseObject(body, what));
  CONFIDE_TRY(OnlyKnownFields(j, {"model_id", "key_version", "nonce", "hpke_pub", "evidence"},
                              what));
  ReleaseRequest req;
  CONFIDE_ASSIGN_OR_RETURN(req.model_id, GetString(j, "model_id", what));
  if (!IsValidModelId(req.model_id)) return MalformedError("release request: invalid model_id");
  if (j.contains("key_version")) {
    CONFIDE_ASSIGN_OR_RETURN(uint64_t v, GetUint(j, "key_version", UINT32_MAX, what));
    req.key_version = static_cast<uint32_t>(v);
  }
  CONFIDE_ASSIGN_OR_RETURN(req.nonce, GetHex(j, "nonce", kNonceSize, kNonceSize, what));
  CONFIDE_ASSIGN_OR_RETURN(req.hpke_pub, GetHex(j, "hpke_pub", 32, 32, what));
  CONFIDE_ASSIGN_OR_RETURN(req.evidence, GetHex(j, "evidence", 0, kMaxEvidenceSize, what));
  if (req.evidence.empty()) return MalformedError("release request: empty evidence");
  return req;
}

std::string SerializeReleaseRequest(const ReleaseRequest& req) {
  json j = {{"model_id", req.model_id},
            {"nonce", HexEncode(req.nonce)},
            {"hpke_pub", HexEncode(req.hpke_pub)},
            {"evidence", HexEncode(req.evidence)}};
  if (req.key_version != 0) j["key_version"] = req.key_version;
  return j.dump();
}

Result<ReleaseResponse> ParseReleaseResponse(std::string_view body) {
  const char* what = "release response";
  CONFIDE_ASSIGN_OR_RETURN(json j, ParseObject(body, what));
  ReleaseResponse r;
  CONFIDE_ASSIGN_OR_RETURN(r.model_id, GetString(j, "model_id", what));
  CONFIDE_ASSIGN_OR_RETURN(uint64_t v, GetUint(j, "key_version", UINT32_MAX, what));
  r.key_version = static_cast<uint32_t>(v);
  CONFIDE_ASSIGN_OR_RETURN(r.nonce, GetHex(j, "nonce", kNonceSize, kNonceSize, what));
  CONFIDE_ASSIGN_OR_RETURN(r.manifest_digest, GetHex(j, "manifest_digest", 32, 32, what));
  CONFIDE_ASSIGN_OR_RETURN(r.enc, GetHex(j, "enc", 32, 32, what));
  CONFIDE_ASSIGN_OR_RETURN(r.ciphertext, GetHex(j, "ciphertext", 48, 48, what));
  CONFIDE_ASSIGN_OR_RETURN(r.audit_seq, GetUint(j, "audit_seq", UINT64_MAX, what));
  return r;
}

std::string SerializeReleaseResponse(const ReleaseResponse& r) {
  return json{{"model_id", r.model_id},
              {"key_version", r.key_version},
              {"nonce", HexEncode(r.nonce)},
              {"manifest_digest", HexEncode(r.manifest_digest)},
              {"suite", {{"kem", 0x20}, {"kdf", 1}, {"aead", 2}}},
              {"enc", HexEncode(r.enc)},
              {"ciphertext", HexEncode(r.ciphertext)},
              {"audit_seq", r.audit_seq}}
      .dump();
}

std::string SerializeRefusal(const Refusal& r) {
  json j = {{"error", "refused"}, {"reasons", r.reasons}, {"detail", r.detail},
            {"audit_seq", r.audit_seq}};
  if (!r.appraisal.is_null()) j["appraisal"] = r.appraisal;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Refusal> ParseRefusal(int status, std::string_view body) {
  CONFIDE_ASSIGN_OR_RETURN(json j, ParseObject(body, "refusal"));
  auto reasons = j.find("reasons");
  if (reasons == j.end() || !reasons->is_array()) return MalformedError("refusal: no reasons");
  Refusal r;
  r.status = status;
  for (const json& item : *reasons) {
    if (item.is_string()) r.reasons.push_back(item.get<std::string>());
  }
  if (auto d = j.find("detail"); d != j.end() && d->is_string()) r.detail = d->get<std::string>();
  if (auto s = j.find("audit_seq"); s != j.end() && s->is_number_unsigned()) {
    r.audit_seq = s->get<uint64_t>();
  }
  if (auto a = j.find("appraisal"); a != j.end()) r.appraisal = *a;
  return r;
}

std::string SerializeChallenge(const Challenge& c) {
  return json{{"nonce", HexEncode(c.nonce)}, {"expires_at", c.expires_at}}.dump();
}

Result<Challenge> ParseChallenge(std::string_view body) {
  const char* what = "challenge";
  CONFIDE_ASSIGN_OR_RETURN(json j, ParseObject(body, what));
  Challenge c;
  CONFIDE_ASSIGN_OR_RETURN(c.nonce, GetHex(j, "nonce", kNonceSize, kNonceSize, what));
  CONFIDE_ASSIGN_OR_RETURN(c.expires_at, GetString(j, "expires_at", what));
  return c;
}

Bytes ReleaseInfo(std::string_view model_id, uint32_t key_version, ByteSpan nonce) {
  ByteWriter w;
  w.WriteBytes(AsBytes("confide-kbs-v1 release"));
  w.WriteU8(0);
  w.WritePrefixedU16Be(AsBytes(model_id));
  w.WriteU32Be(key_version);
  w.WritePrefixedU16Be(nonce);
  return std::move(w).Take();
}

}  // namespace confide::kbs
