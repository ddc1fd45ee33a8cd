#include "confide/attest/intel/internal/json_fields.h"

#include "confide/base/hex.h"

namespace confide::attest::intel::internal {
namespace {

constexpr size_t kMaxDepth = 32;

// Rejects nesting deeper than kMaxDepth before nlohmann's recursive parser sees the text.
bool DepthOk(std::string_view text) {
  size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return false;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return true;
}

}  // namespace

Error JsonError(std::string_view what, std::string_view key, std::string_view problem) {
  return MalformedError(std::string(what) + "." + std::string(key) + ": " + std::string(problem));
}

Result<Json> ParseJsonObject(std::string_view text, std::string_view what) {
  if (!DepthOk(text)) return MalformedError(std::string(what) + ": JSON nested too deeply");
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return MalformedError(std::string(what) + ": not a JSON object");
  }
  return j;
}

const Json* Find(const Json& o, std::string_view key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(std::string(key));
  return it == o.end() ? nullptr : &*it;
}

Result<const Json*> GetMember(const Json& o, std::string_view key, std::string_view what) {
  const Json* v = Find(o, key);
  if (v == nullptr) return JsonError(what, key, "missing");
  return v;
}

Result<std::string> GetString(const Json& o, std::string_view key, std::string_view what) {
  CONFIDE_ASSIGN_OR_RETURN(const Json* v, GetMember(o, key, what));
  if (!v->is_string()) return JsonError(what, key, "not a string");
  return v->get<std::string>();
}

Result<uint64_t> GetUint(const Json& o, std::string_view key, uint64_t max, std::string_view what) {
  CONFIDE_ASSIGN_OR_RETURN(const Json* v, GetMember(o, key, what));
  if (!v->is_number_unsigned()) return JsonError(what, key, "not a non-negative integer");
  uint64_t n = v->get<uint64_t>();
  if (n > max) return JsonError(what, key, "out of range");
  return n;
}

Result<Time> GetTime(const Json& o, std::string_view key, std::string_view what) {
  CONFIDE_ASSIGN_OR_RETURN(std::string s, GetString(o, key, what));
  Result<Time> t = ParseRfc3339(s);
  if (!t.ok()) return JsonError(what, key, "not an RFC 3339 time");
  return *t;
}

Result<Bytes> GetHex(const Json& o, std::string_view key, size_t size, std::string_view what) {
  CONFIDE_ASSIGN_OR_RETURN(std::string s, GetString(o, key, what));
  Result<Bytes> b = HexDecode(s);
  if (!b.ok()) return JsonError(what, key, "not hex");
  if (b->size() != size) {
    return JsonError(what, key, std::to_string(b->size()) + " bytes, want " + std::to_string(size));
  }
  return std::move(b).value();
}

Result<TcbStatus> GetStatus(const Json& o, std::string_view what) {
  CONFIDE_ASSIGN_OR_RETURN(std::string s, GetString(o, "tcbStatus", what));
  return ParseTcbStatus(s);
}

Result<std::vector<std::string>> GetAdvisories(const Json& o, std::string_view what) {
  std::vector<std::string> out;
  const Json* v = Find(o, "advisoryIDs");
  if (v == nullptr) return out;
  if (!v->is_array()) return JsonError(what, "advisoryIDs", "not an array");
  for (const Json& id : *v) {
    if (!id.is_string()) return JsonError(what, "advisoryIDs", "not an array of strings");
    out.push_back(id.get<std::string>());
  }
  return out;
}

}  // namespace confide::attest::intel::internal
