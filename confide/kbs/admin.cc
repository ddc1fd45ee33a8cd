// The admin API of KbsService (docs/kbs-protocol.md §5): add, rotate, policy, retire, list.
#include "confide/attest/policy.h"
#include "confide/base/hex.h"
#include "confide/kbs/service.h"
#include "confide/package/model_key.h"

namespace confide::kbs {

namespace {

using nlohmann::json;

Reply JsonError(int status, const std::string& reason_code, const std::string& detail) {
  return {status, SerializeRefusal({status, {reason_code}, detail})};
}

std::string BodyString(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int StatusFor(const Error& e) {
  switch (e.code) {
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kMalformed:
    case ErrorCode::kVerificationFailed: return 400;
    default: return 500;
  }
}

}  // namespace

// The sealed key file of `confide pack --seal-to` (package::SerializeSealedModelKey), in hex.
// Returns the package's manifest digest and fills `key`.
Result<Bytes> KbsService::OpenImportedKey(std::string_view sealed_hex, SecretBytes* key) {
  if (sealed_hex.size() > 2 * package::kSealedKeyFileSize) {
    return InvalidArgumentError("sealed_key: too long");
  }
  CONFIDE_ASSIGN_OR_RETURN(Bytes file, HexDecode(sealed_hex));
  CONFIDE_ASSIGN_OR_RETURN(package::SealedModelKey sealed, package::ParseSealedModelKey(file));
  CONFIDE_ASSIGN_OR_RETURN(*key, package::OpenSealedModelKey(sealed, import_key_));
  return Bytes(sealed.manifest_digest.begin(), sealed.manifest_digest.end());
}

Reply KbsService::AdminResult(const AdminCall& call, const std::string& who, const Status& status,
                              json ok_body, int ok_status) {
  uint64_t seq = Audit({.kind = "admin", .model_id = call.model_id,
                        .claims_summary = "action=" + call.action + " by=" + who,
                        .result = status.ok() ? "ok" : "error",
                        .reasons = status.ok() ? std::vector<std::string>{}
                                               : std::vector<std::string>{std::string(
                                                     ErrorCodeName(status.error().code))},
                        .requester = call.requester});
  if (!status.ok()) {
    return JsonError(StatusFor(status.error()), reason::kBadRequest, status.error().message);
  }
  ok_body["audit_seq"] = seq;
  return {ok_status, ok_body.dump()};
}

Reply KbsService::Admin(const AdminCall& call) {
  if (!limiter_.Allow(call.requester, std::chrono::steady_clock::now())) {
    return RefuseEarly(429, reason::kRateLimited, call.requester);
  }
  std::optional<AdminIdentity> who = tokens_.Authenticate(call.authorization);
  std::string model = call.model_id;
  json body;
  if (call.action != "list") {
    body = json::parse(call.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return JsonError(400, reason::kBadRequest, "body must be a JSON object");
    }
    if (call.action == "add") model = BodyString(body, "model_id");
  }
  if (!who || (call.action != "list" && !who->Covers(model))) {
    Decision d;
    d.requester = call.requester;
    d.model_id = IsValidModelId(model) ? model : "";
    d.status = who ? 403 : 401;
    d.reasons = {who ? reason::kOutOfScope : reason::kUnauthorized};
    d.detail = "admin " + call.action;
    return Refuse(d);
  }
  if (call.action == "list") return AdminList(*who);
  AdminCall routed = call;
  routed.model_id = model;
  routed.body = call.body;
  if (call.action == "add") return AdminAdd(*who, routed);
  if (call.action == "rotate") return AdminRotate(*who, routed);
  if (call.action == "policy") return AdminPolicy(*who, routed);
  if (call.action == "retire") return AdminRetire(*who, routed);
  return JsonError(404, reason::kBadRequest, "unknown admin action");
}

Reply KbsService::AdminAdd(const AdminIdentity& who, const AdminCall& call) {
  json body = json::parse(call.body, nullptr, false);
  std::string policy = BodyString(body, "policy");
  Status s = attest::ParsePolicy(policy).ok() ? OkStatus()
                                               : Status(InvalidArgumentError("policy does not parse"));
  SecretBytes key;
  Result<Bytes> digest = Bytes();
  if (s.ok()) digest = OpenImportedKey(BodyString(body, "sealed_key"), &key);
  if (s.ok() && !digest.ok()) s = digest.error();
  uint32_t version = 0;
  if (s.ok()) {
    auto v = store_.AddModel(call.model_id, policy, key, *digest, clock_.Now());
    if (v.ok()) version = *v; else s = v.error();
  }
  return AdminResult(call, who.name, s, {{"model_id", call.model_id}, {"key_version", version}},
                     201);
}

Reply KbsService::AdminRotate(const AdminIdentity& who, const AdminCall& call) {
  json body = json::parse(call.body, nullptr, false);
  SecretBytes key;
  auto digest = OpenImportedKey(BodyString(body, "sealed_key"), &key);
  Status s = digest.ok() ? OkStatus() : Status(digest.error());
  uint32_t version = 0;
  if (s.ok()) {
    auto v = store_.RotateKey(call.model_id, key, *digest, clock_.Now());
    if (v.ok()) version = *v; else s = v.error();
  }
  return AdminResult(call, who.name, s, {{"model_id", call.model_id}, {"key_version", version}});
}

Reply KbsService::AdminPolicy(const AdminIdentity& who, const AdminCall& call) {
  json body = json::parse(call.body, nullptr, false);
  std::string policy = BodyString(body, "policy");
  auto parsed = attest::ParsePolicy(policy);
  Status s = parsed.ok() ? store_.SetPolicy(call.model_id, policy, clock_.Now())
                         : Status(InvalidArgumentError("policy: " + parsed.error().message));
  return AdminResult(call, who.name, s,
                     {{"model_id", call.model_id},
                      {"policy_digest", parsed.ok() ? attest::PolicyDigest(*parsed) : ""}});
}

Reply KbsService::AdminRetire(const AdminIdentity& who, const AdminCall& call) {
  // Retiring is irreversible: only an explicit, well-formed request retires anything. A body
  // without "key_version" retires the whole model; a malformed one retires nothing.
  json body = json::parse(call.body, nullptr, false);
  uint32_t version = 0;
  Status s = OkStatus();
  if (!body.is_object()) {
    s = InvalidArgumentError("retire: the body must be a JSON object");
  } else if (auto it = body.find("key_version"); it != body.end()) {
    if (!it->is_number_unsigned() || it->get<uint64_t>() == 0 || it->get<uint64_t>() > UINT32_MAX) {
      s = InvalidArgumentError("retire: key_version must be a positive integer");
    } else {
      version = static_cast<uint32_t>(it->get<uint64_t>());
    }
  }
  if (s.ok()) s = store_.Retire(call.model_id, version, clock_.Now());
  return AdminResult(call, who.name, s,
                     {{"model_id", call.model_id}, {"retired_key_version", version}});
}

Reply KbsService::AdminList(const AdminIdentity& who) {
  auto models = store_.ListModels();
  if (!models.ok()) return JsonError(500, "STORE_UNAVAILABLE", models.error().message);
  json list = json::array();
  for (const ModelInfo& m : *models) {
    if (!who.Covers(m.model_id)) continue;
    json keys = json::array();
    for (const KeyVersionInfo& k : m.keys) {
      keys.push_back({{"version", k.version}, {"retired", k.retired},
                      {"manifest_digest", HexEncode(k.manifest_digest)},
                      {"created", FormatRfc3339(k.created)}});
    }
    list.push_back({{"model_id", m.model_id}, {"retired", m.retired},
                    {"policy_digest", m.policy_digest}, {"keys", keys}});
  }
  return {200, json{{"models", list}}.dump()};
}

}  // namespace confide::kbs
