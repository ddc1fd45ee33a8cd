#include "confide/package/manifest.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <string_view>

#include "confide/base/hex.h"

namespace confide::package {

namespace {

using Json = nlohmann::json;

constexpr size_t kMaxLabelSize = 256;

// Parses JSON text without exceptions; discarded() on any syntax error (incl. invalid UTF-8).
Json ParseJson(std::string_view text) { return Json::parse(text, nullptr, false); }

// Canonical text: sorted keys (nlohmann's default map), no whitespace, UTF-8 as is. nlohmann
// throws only on invalid UTF-8 in a string, which its own parser never produces; a caller's
// string is checked first (IsValidUtf8). The empty string is never canonical JSON, so returning
// it on a throw makes every comparison fail safely.
std::string Dump(const Json& j) {
  try {
    return j.dump();
  } catch (const Json::exception&) {
    return std::string();
  }
}

bool IsValidUtf8(const std::string& s) { return !Dump(Json(s)).empty(); }

Status CheckLabel(const char* field, const std::string& value, bool allow_empty) {
  if ((!allow_empty && value.empty()) || value.size() > kMaxLabelSize) {
    return InvalidArgumentError(std::string("manifest: ") + field + " must be " +
                                (allow_empty ? "0" : "1") + ".." + std::to_string(kMaxLabelSize) +
                                " bytes");
  }
  if (!IsValidUtf8(value)) {
    return InvalidArgumentError(std::string("manifest: ") + field + " is not valid UTF-8");
  }
  return OkStatus();
}

Json ToJson(const Manifest& m) {
  Json j = Json::object();
  j["name"] = m.name;
  j["version"] = m.model_version;
  j["format"] = m.format;
  j["schema"] = {{"inputs", ParseJson(m.inputs_schema)}, {"outputs", ParseJson(m.outputs_schema)}};
  j["payload_size"] = m.payload_size;
  j["payload_sha256"] = HexEncode(m.payload_sha256);
  j["chunk_size"] = m.chunk_size;
  j["aead"] = m.aead;
  j["key_check"] = HexEncode(m.key_check);
  j["engine"] = {{"peak_memory_bytes", m.peak_memory_bytes}};
  j["policy_id"] = m.policy_id;
  j["created"] = FormatRfc3339(m.created);
  j["signer_key_id"] = HexEncode(m.signer_key_id);
  return j;
}

Error FieldError(const std::string& field, const std::string& what) {
  return MalformedError("manifest: field \"" + field + "\" " + what);
}

// Reads j[key] as a string; the object's key set was checked before.
Result<std::string> GetString(const Json& j, const std::string& key) {
  const Json& v = j.at(key);
  if (!v.is_string()) return FieldError(key, "is not a string");
  return v.get<std::string>();
}

Result<uint64_t> GetUnsigned(const Json& j, const std::string& key) {
  const Json& v = j.at(key);
  if (!v.is_number_unsigned()) return FieldError(key, "is not a non-negative integer");
  return v.get<uint64_t>();
}

Result<Digest> GetDigest(const Json& j, const std::string& key) {
  CONFIDE_ASSIGN_OR_RETURN(std::string hex, GetString(j, key));
  Result<Bytes> bytes = HexDecode(hex);
  Digest d;
  if (!bytes.ok() || bytes->size() != d.size()) return FieldError(key, "is not 64 hex digits");
  std::ranges::copy(*bytes, d.begin());
  return d;
}

Status ExpectKeys(const Json& j, const std::string& where, const std::set<std::string>& keys) {
  if (!j.is_object()) return MalformedError("manifest: " + where + " is not an object");
  for (const auto& [key, value] : j.items()) {
    if (!keys.contains(key)) return MalformedError("manifest: unknown field \"" + key + "\"");
  }
  for (const std::string& key : keys) {
    if (!j.contains(key)) return MalformedError("manifest: missing field \"" + key + "\"");
  }
  return OkStatus();
}

Status ReadNested(const Json& j, Manifest* m) {
  const Json& schema = j.at("schema");
  CONFIDE_TRY(ExpectKeys(schema, "schema", {"inputs", "outputs"}));
  if (!schema.at("inputs").is_array()) return FieldError("schema.inputs", "is not an array");
  if (!schema.at("outputs").is_array()) return FieldError("schema.outputs", "is not an array");
  m->inputs_schema = Dump(schema.at("inputs"));
  m->outputs_schema = Dump(schema.at("outputs"));
  const Json& engine = j.at("engine");
  CONFIDE_TRY(ExpectKeys(engine, "engine", {"peak_memory_bytes"}));
  CONFIDE_ASSIGN_OR_RETURN(m->peak_memory_bytes, GetUnsigned(engine, "peak_memory_bytes"));
  return OkStatus();
}

Result<Manifest> FromJson(const Json& j) {
  CONFIDE_TRY(ExpectKeys(j, "top level",
                         {"aead", "chunk_size", "created", "engine", "format", "key_check", "name",
                          "payload_sha256", "payload_size", "policy_id", "schema",
                          "signer_key_id", "version"}));
  Manifest m;
  CONFIDE_ASSIGN_OR_RETURN(m.name, GetString(j, "name"));
  CONFIDE_ASSIGN_OR_RETURN(m.model_version, GetString(j, "version"));
  CONFIDE_ASSIGN_OR_RETURN(m.format, GetString(j, "format"));
  CONFIDE_ASSIGN_OR_RETURN(m.aead, GetString(j, "aead"));
  CONFIDE_ASSIGN_OR_RETURN(m.policy_id, GetString(j, "policy_id"));
  CONFIDE_ASSIGN_OR_RETURN(m.payload_size, GetUnsigned(j, "payload_size"));
  CONFIDE_ASSIGN_OR_RETURN(uint64_t chunk_size, GetUnsigned(j, "chunk_size"));
  if (chunk_size < kMinChunkSize || chunk_size > kMaxChunkSize) {
    return FieldError("chunk_size", "is outside " + std::to_string(kMinChunkSize) + ".." +
                                        std::to_string(kMaxChunkSize));
  }
  m.chunk_size = static_cast<uint32_t>(chunk_size);
  CONFIDE_ASSIGN_OR_RETURN(m.payload_sha256, GetDigest(j, "payload_sha256"));
  CONFIDE_ASSIGN_OR_RETURN(m.key_check, GetDigest(j, "key_check"));
  CONFIDE_ASSIGN_OR_RETURN(m.signer_key_id, GetDigest(j, "signer_key_id"));
  CONFIDE_ASSIGN_OR_RETURN(std::string created, GetString(j, "created"));
  Result<Time> t = ParseRfc3339(created);
  if (!t.ok()) return FieldError("created", "is not an RFC 3339 time");
  m.created = *t;
  CONFIDE_TRY(ReadNested(j, &m));
  return m;
}

}  // namespace

Result<std::string> CanonicalSchema(std::string_view json_text) {
  Json j = ParseJson(json_text);
  if (j.is_discarded()) return InvalidArgumentError("schema: not valid JSON");
  if (!j.is_array()) return InvalidArgumentError("schema: must be a JSON array");
  return Dump(j);
}

Status CheckManifest(const Manifest& m) {
  CONFIDE_TRY(CheckLabel("name", m.name, false));
  CONFIDE_TRY(CheckLabel("version", m.model_version, false));
  CONFIDE_TRY(CheckLabel("policy_id", m.policy_id, true));
  if (m.format != "onnx") return InvalidArgumentError("manifest: format must be \"onnx\"");
  if (m.aead != "AES-256-GCM") return InvalidArgumentError("manifest: aead must be AES-256-GCM");
  CONFIDE_TRY(CheckChunkSize(m.chunk_size));
  for (const std::string* s : {&m.inputs_schema, &m.outputs_schema}) {
    Result<std::string> canonical = CanonicalSchema(*s);
    if (!canonical.ok()) return canonical.error();
    if (*canonical != *s) return InvalidArgumentError("manifest: schema is not canonical JSON");
  }
  return OkStatus();
}

Bytes SerializeManifest(const Manifest& manifest) {
  CONFIDE_CHECK(CheckManifest(manifest).ok());
  std::string text = Dump(ToJson(manifest));
  return Bytes(text.begin(), text.end());
}

Result<Manifest> ParseManifest(ByteSpan bytes) {
  std::string text = ToString(bytes);
  Json j = ParseJson(text);
  if (j.is_discarded()) return MalformedError("manifest: not valid JSON (UTF-8)");
  CONFIDE_ASSIGN_OR_RETURN(Manifest m, FromJson(j));
  if (m.format != "onnx") return UnsupportedError("manifest: format \"" + m.format + "\"");
  if (m.aead != "AES-256-GCM") return UnsupportedError("manifest: aead \"" + m.aead + "\"");
  if (Status s = CheckManifest(m); !s.ok()) return MalformedError(s.error().message);
  if (Dump(ToJson(m)) != text) {
    return MalformedError("manifest: not in canonical form (sorted keys, no whitespace)");
  }
  return m;
}

}  // namespace confide::package
