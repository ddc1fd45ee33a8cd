#include "confide/attest/policy.h"

#include <toml++/toml.h>

#include <algorithm>
#include <exception>
#include <initializer_list>

#include "confide/base/hex.h"
#include "confide/base/toml_text.h"
#include "confide/crypto/hash.h"

namespace confide::attest {
namespace {

// toml++ reports errors by throwing; everything in this file below ParsePolicy may throw
// toml::parse_error or std::bad_alloc, and ParsePolicy catches all of it.

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

Error SchemaError(const std::string& path, const toml::node& node, const std::string& what) {
  return InvalidArgumentError("policy: " + path + " (line " +
                              std::to_string(node.source().begin.line) + "): " + what);
}

// Rejects any key of `table` that is not in `allowed`.
Status CheckKeys(const toml::table& table, const std::string& path,
                 std::initializer_list<std::string_view> allowed) {
  for (auto&& [key, node] : table) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
      return SchemaError(Join(path, key.str()), node, "unknown key");
    }
  }
  return OkStatus();
}

Result<std::optional<bool>> GetBool(const toml::table& t, const std::string& path,
                                    std::string_view key) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return std::optional<bool>();
  if (!node->is_boolean()) return SchemaError(Join(path, key), *node, "expected true or false");
  return std::optional<bool>(node->as_boolean()->get());
}

Status ReadBool(const toml::table& t, const std::string& path, std::string_view key, bool* out) {
  CONFIDE_ASSIGN_OR_RETURN(std::optional<bool> v, GetBool(t, path, key));
  if (v) *out = *v;
  return OkStatus();
}

Result<std::optional<int64_t>> GetInt(const toml::table& t, const std::string& path,
                                      std::string_view key, int64_t min, int64_t max) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return std::optional<int64_t>();
  if (!node->is_integer()) return SchemaError(Join(path, key), *node, "expected an integer");
  int64_t v = node->as_integer()->get();
  if (v < min || v > max) {
    return SchemaError(Join(path, key), *node,
                       "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return std::optional<int64_t>(v);
}

template <size_t N>
Result<std::array<uint8_t, N>> HexOf(const toml::node& node, const std::string& path) {
  const std::string what = "expected " + std::to_string(N) + " bytes of hex";
  if (!node.is_string()) return SchemaError(path, node, what);
  Result<Bytes> bytes = HexDecode(node.as_string()->get());
  if (!bytes.ok()) return SchemaError(path, node, what + ": " + bytes.error().message);
  if (bytes->size() != N) {
    return SchemaError(path, node, what + ", got " + std::to_string(bytes->size()));
  }
  std::array<uint8_t, N> out;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

template <size_t N>
Status ReadHexList(const toml::table& t, const std::string& path, std::string_view key,
                   std::vector<std::array<uint8_t, N>>* out) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return OkStatus();
  const std::string key_path = Join(path, key);
  if (!node->is_array()) return SchemaError(key_path, *node, "expected an array of hex strings");
  const toml::array& array = *node->as_array();
  for (size_t i = 0; i < array.size(); ++i) {
    CONFIDE_ASSIGN_OR_RETURN(auto digest,
                             HexOf<N>(array[i], key_path + "[" + std::to_string(i) + "]"));
    out->push_back(digest);
  }
  return OkStatus();
}

// Returns the sub-table at `key` (nullptr when absent); error when it is not a table.
Result<const toml::table*> GetTable(const toml::table& t, const std::string& path,
                                    std::string_view key) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return static_cast<const toml::table*>(nullptr);
  if (!node->is_table()) return SchemaError(Join(path, key), *node, "expected a table");
  return node->as_table();
}

Status ParseMinTcb(const toml::table& t, SnpMinTcb* out) {
  const std::string path = "snp.min_tcb";
  CONFIDE_TRY(CheckKeys(t, path, {"bootloader", "tee", "snp", "microcode", "fmc"}));
  const std::pair<std::string_view, uint8_t*> fields[] = {{"bootloader", &out->bootloader},
                                                          {"tee", &out->tee},
                                                          {"snp", &out->snp},
                                                          {"microcode", &out->microcode},
                                                          {"fmc", &out->fmc}};
  for (const auto& [key, field] : fields) {
    CONFIDE_ASSIGN_OR_RETURN(std::optional<int64_t> v, GetInt(t, path, key, 0, 255));
    if (v) *field = static_cast<uint8_t>(*v);
  }
  return OkStatus();
}

Status ParseSnp(const toml::table& t, SnpPolicy* out) {
  const std::string path = "snp";
  CONFIDE_TRY(CheckKeys(
      t, path,
      {"measurements", "allow_any_measurement_insecure", "host_data", "allow_migration_agent",
       "allow_smt", "min_tcb", "vmpls", "id_key_digests", "author_key_digests"}));
  CONFIDE_TRY(ReadHexList(t, path, "measurements", &out->measurements));
  CONFIDE_TRY(
      ReadBool(t, path, "allow_any_measurement_insecure", &out->allow_any_measurement_insecure));
  if (const toml::node* node = t.get("host_data")) {
    CONFIDE_ASSIGN_OR_RETURN(out->host_data, HexOf<32>(*node, "snp.host_data"));
  }
  CONFIDE_TRY(ReadBool(t, path, "allow_migration_agent", &out->allow_migration_agent));
  CONFIDE_TRY(ReadBool(t, path, "allow_smt", &out->allow_smt));
  CONFIDE_ASSIGN_OR_RETURN(const toml::table* min_tcb, GetTable(t, path, "min_tcb"));
  if (min_tcb != nullptr) CONFIDE_TRY(ParseMinTcb(*min_tcb, &out->min_tcb));
  if (const toml::node* node = t.get("vmpls")) {
    const toml::array* array = node->as_array();
    if (array == nullptr || array->empty()) {
      return SchemaError("snp.vmpls", *node, "expected a non-empty array of integers 0..3");
    }
    out->vmpls.clear();
    for (size_t i = 0; i < array->size(); ++i) {
      const toml::node& v = (*array)[i];
      if (!v.is_integer() || v.as_integer()->get() < 0 || v.as_integer()->get() > 3) {
        return SchemaError("snp.vmpls[" + std::to_string(i) + "]", v, "expected 0, 1, 2 or 3");
      }
      out->vmpls.push_back(static_cast<uint32_t>(v.as_integer()->get()));
    }
  }
  CONFIDE_TRY(ReadHexList(t, path, "id_key_digests", &out->id_key_digests));
  CONFIDE_TRY(ReadHexList(t, path, "author_key_digests", &out->author_key_digests));
  return OkStatus();
}

// pcrN = "hex" or ["hex", ...], for the PCRs AWS documents (0, 1, 2, 3, 4, 8).
Status ParseNitro(const toml::table& t, NitroPolicy* out) {
  const std::string path = "nitro";
  CONFIDE_TRY(CheckKeys(t, path,
                        {"pcr0", "pcr1", "pcr2", "pcr3", "pcr4", "pcr8",
                         "allow_any_pcrs_insecure"}));
  for (uint32_t index : {0u, 1u, 2u, 3u, 4u, 8u}) {
    const std::string key = "pcr" + std::to_string(index);
    const toml::node* node = t.get(key);
    if (node == nullptr) continue;
    std::vector<Digest48> values;
    if (node->is_string()) {
      CONFIDE_ASSIGN_OR_RETURN(Digest48 v, HexOf<48>(*node, Join(path, key)));
      values.push_back(v);
    } else {
      CONFIDE_TRY(ReadHexList(t, path, key, &values));
      if (values.empty()) {
        return SchemaError(Join(path, key), *node, "expected a hex string or a non-empty list");
      }
    }
    out->pcrs[index] = std::move(values);
  }
  return ReadBool(t, path, "allow_any_pcrs_insecure", &out->allow_any_pcrs_insecure);
}

Status ReadStringList(const toml::table& t, const std::string& path, std::string_view key,
                      std::vector<std::string>* out) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return OkStatus();
  const std::string key_path = Join(path, key);
  if (!node->is_array()) return SchemaError(key_path, *node, "expected an array of strings");
  out->clear();
  const toml::array& array = *node->as_array();
  for (size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_string()) {
      return SchemaError(key_path + "[" + std::to_string(i) + "]", array[i], "expected a string");
    }
    out->push_back(array[i].as_string()->get());
  }
  return OkStatus();
}

// accepted_tcb_statuses (PCS names only) and allowed_advisories, shared by [sgx] and [tdx].
Status ParseIntelTcb(const toml::table& t, const std::string& path, IntelTcbPolicy* out) {
  CONFIDE_TRY(ReadStringList(t, path, "accepted_tcb_statuses", &out->accepted_tcb_statuses));
  for (size_t i = 0; i < out->accepted_tcb_statuses.size(); ++i) {
    const std::string& s = out->accepted_tcb_statuses[i];
    if (std::find(std::begin(kIntelTcbStatusNames), std::end(kIntelTcbStatusNames), s) ==
        std::end(kIntelTcbStatusNames)) {
      return SchemaError(Join(path, "accepted_tcb_statuses") + "[" + std::to_string(i) + "]",
                         *t.get("accepted_tcb_statuses"),
                         "unknown TCB status \"" + s + "\" (PCS names, e.g. \"UpToDate\")");
    }
  }
  return ReadStringList(t, path, "allowed_advisories", &out->allowed_advisories);
}

Status ParseSgx(const toml::table& t, SgxPolicy* out) {
  const std::string path = "sgx";
  CONFIDE_TRY(CheckKeys(t, path,
                        {"mrenclaves", "mrsigners", "allow_any_measurement_insecure",
                         "isv_prod_id", "min_isv_svn", "accepted_tcb_statuses",
                         "allowed_advisories"}));
  CONFIDE_TRY(ReadHexList(t, path, "mrenclaves", &out->mrenclaves));
  CONFIDE_TRY(ReadHexList(t, path, "mrsigners", &out->mrsigners));
  CONFIDE_TRY(
      ReadBool(t, path, "allow_any_measurement_insecure", &out->allow_any_measurement_insecure));
  CONFIDE_ASSIGN_OR_RETURN(std::optional<int64_t> prod, GetInt(t, path, "isv_prod_id", 0, 65535));
  if (prod) out->isv_prod_id = static_cast<uint16_t>(*prod);
  CONFIDE_ASSIGN_OR_RETURN(std::optional<int64_t> svn, GetInt(t, path, "min_isv_svn", 0, 65535));
  if (svn) out->min_isv_svn = static_cast<uint16_t>(*svn);
  return ParseIntelTcb(t, path, &out->tcb);
}

Status ParseTdx(const toml::table& t, TdxPolicy* out) {
  const std::string path = "tdx";
  CONFIDE_TRY(CheckKeys(t, path,
                        {"mrtds", "allow_any_measurement_insecure", "rtmr0", "rtmr1", "rtmr2",
                         "rtmr3", "mrconfigid", "mrowner", "mrownerconfig",
                         "accepted_tcb_statuses", "allowed_advisories"}));
  CONFIDE_TRY(ReadHexList(t, path, "mrtds", &out->mrtds));
  CONFIDE_TRY(
      ReadBool(t, path, "allow_any_measurement_insecure", &out->allow_any_measurement_insecure));
  const std::pair<std::string, std::optional<Digest48>*> fields[] = {
      {"rtmr0", &out->rtmrs[0]}, {"rtmr1", &out->rtmrs[1]},   {"rtmr2", &out->rtmrs[2]},
      {"rtmr3", &out->rtmrs[3]}, {"mrconfigid", &out->mrconfigid}, {"mrowner", &out->mrowner},
      {"mrownerconfig", &out->mrownerconfig}};
  for (const auto& [key, field] : fields) {
    if (const toml::node* node = t.get(key)) {
      CONFIDE_ASSIGN_OR_RETURN(*field, HexOf<48>(*node, Join(path, key)));
    }
  }
  return ParseIntelTcb(t, path, &out->tcb);
}

Status ParseBinding(const toml::table& t, BindingPolicy* out) {
  const std::string path = "binding";
  CONFIDE_TRY(CheckKeys(t, path, {"required", "require_nonce", "workloads"}));
  CONFIDE_TRY(ReadBool(t, path, "required", &out->required));
  CONFIDE_TRY(ReadBool(t, path, "require_nonce", &out->require_nonce));
  return ReadHexList(t, path, "workloads", &out->workloads);
}

Status ParseTeeTypes(const toml::table& root, Policy* out) {
  const toml::node* node = root.get("tee_types");
  if (node == nullptr) {
    return InvalidArgumentError("policy: tee_types: missing (list the accepted TEE types)");
  }
  const toml::array* array = node->as_array();
  if (array == nullptr || array->empty()) {
    return SchemaError("tee_types", *node, "expected a non-empty array of TEE type names");
  }
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& v = (*array)[i];
    std::optional<TeeType> tee =
        v.is_string() ? TeeTypeFromName(v.as_string()->get()) : std::nullopt;
    if (!tee) {
      return SchemaError("tee_types[" + std::to_string(i) + "]", v,
                         "expected one of \"sev-snp\", \"sgx\", \"tdx\", \"nitro\"");
    }
    out->tee_types.push_back(*tee);
  }
  return OkStatus();
}

Status ParseRoot(const toml::table& root, Policy* out) {
  CONFIDE_TRY(
      CheckKeys(root, "",
                {"tee_types", "allow_simulated", "sim_roots", "allow_debug", "allow_debug_insecure",
                 "max_evidence_age_seconds", "binding", "snp", "sgx", "tdx", "nitro"}));
  CONFIDE_TRY(ParseTeeTypes(root, out));
  CONFIDE_TRY(ReadBool(root, "", "allow_simulated", &out->allow_simulated));
  CONFIDE_TRY(ReadHexList(root, "", "sim_roots", &out->sim_roots));
  if (root.get("allow_debug") != nullptr && root.get("allow_debug_insecure") != nullptr) {
    return SchemaError("allow_debug", *root.get("allow_debug"),
                       "set only one of allow_debug and allow_debug_insecure");
  }
  CONFIDE_TRY(ReadBool(root, "", "allow_debug", &out->allow_debug));
  CONFIDE_TRY(ReadBool(root, "", "allow_debug_insecure", &out->allow_debug));
  CONFIDE_ASSIGN_OR_RETURN(out->max_evidence_age_seconds,
                           GetInt(root, "", "max_evidence_age_seconds", 0, int64_t{1} << 40));
  CONFIDE_ASSIGN_OR_RETURN(const toml::table* binding, GetTable(root, "", "binding"));
  if (binding != nullptr) CONFIDE_TRY(ParseBinding(*binding, &out->binding));
  CONFIDE_ASSIGN_OR_RETURN(const toml::table* snp, GetTable(root, "", "snp"));
  if (snp != nullptr) CONFIDE_TRY(ParseSnp(*snp, &out->snp));
  CONFIDE_ASSIGN_OR_RETURN(const toml::table* sgx, GetTable(root, "", "sgx"));
  if (sgx != nullptr) CONFIDE_TRY(ParseSgx(*sgx, &out->sgx));
  CONFIDE_ASSIGN_OR_RETURN(const toml::table* tdx, GetTable(root, "", "tdx"));
  if (tdx != nullptr) CONFIDE_TRY(ParseTdx(*tdx, &out->tdx));
  CONFIDE_ASSIGN_OR_RETURN(const toml::table* nitro, GetTable(root, "", "nitro"));
  if (nitro != nullptr) CONFIDE_TRY(ParseNitro(*nitro, &out->nitro));
  return OkStatus();
}

}  // namespace

Result<Policy> ParsePolicy(std::string_view toml_text) {
  CONFIDE_TRY(CheckTomlText(toml_text, "policy"));
  try {
    toml::table root = toml::parse(toml_text);
    Policy policy;
    CONFIDE_TRY(ParseRoot(root, &policy));
    policy.digest_hex = HexEncode(crypto::Sha256(AsBytes(toml_text)));
    return policy;
  } catch (const toml::parse_error& e) {
    return MalformedError(
        "policy: TOML syntax error at line " + std::to_string(e.source().begin.line) + ", column " +
        std::to_string(e.source().begin.column) + ": " + std::string(e.description()));
  } catch (const std::exception& e) {
    return InternalError(std::string("policy: ") + e.what());
  } catch (...) {
    return InternalError("policy: unexpected exception");
  }
}

std::string PolicyDigest(const Policy& policy) { return policy.digest_hex; }

}  // namespace confide::attest
