#include "confide/kbs/config.h"
#include "confide/base/toml_text.h"

#include <toml++/toml.h>

#include <filesystem>
#include <set>

namespace confide::kbs {

namespace {

namespace fs = std::filesystem;

std::string Resolve(const std::string& base, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(base) / path).lexically_normal().string();
}

// Reads the keys of `root` into `c`; returns the first schema error.
Status ReadKeys(const toml::table& root, KbsConfig& c) {
  const std::set<std::string> strings = {
      "host", "port_file", "database", "audit_database", "master_key_file", "master_key_env",
      "import_key_file", "tls_key_file", "tls_cert_file", "audit_key_file", "admin_tokens_file"};
  for (const auto& [k, node] : root) {
    std::string key(k.str());
    auto bad = [&] { return InvalidArgumentError("kbs config: " + key + ": wrong type or range"); };
    if (strings.contains(key)) {
      auto v = node.value<std::string>();
      if (!v) return bad();
      std::string* dst = key == "host" ? &c.host : key == "port_file" ? &c.port_file
          : key == "database" ? &c.database : key == "audit_database" ? &c.audit_database
          : key == "master_key_file" ? &c.master_key_file : key == "master_key_env" ? &c.master_key_env
          : key == "import_key_file" ? &c.import_key_file : key == "tls_key_file" ? &c.tls_key_file
          : key == "tls_cert_file" ? &c.tls_cert_file : key == "audit_key_file" ? &c.audit_key_file
          : &c.admin_tokens_file;
      *dst = *v;
    } else if (key == "audit_sync_full") {
      auto v = node.value<bool>();
      if (!v) return bad();
      c.audit_sync_full = *v;
    } else if (key == "rate_limit_per_second" || key == "rate_limit_burst") {
      auto v = node.value<double>();
      if (!v || *v < 0) return bad();
      (key == "rate_limit_burst" ? c.rate_limit_burst : c.rate_limit_per_second) = *v;
    } else {
      auto v = node.value<int64_t>();
      if (!v) return InvalidArgumentError("kbs config: unknown key or wrong type: " + key);
      if (key == "port" && *v >= 0 && *v <= 65535) c.port = static_cast<int>(*v);
      else if (key == "max_body_bytes" && *v >= 1024 && *v <= (16 << 20)) c.max_body_bytes = *v;
      else if (key == "nonce_ttl_seconds" && *v >= 1 && *v <= 3600) c.nonce_ttl_seconds = *v;
      else if (key == "threads" && *v >= 1 && *v <= 256) c.threads = static_cast<int>(*v);
      else if (key == "checkpoint_every" && *v >= 0) c.checkpoint_every = *v;
      else return bad();
    }
  }
  return OkStatus();
}

}  // namespace

Result<KbsConfig> ParseKbsConfig(std::string_view toml_text, const std::string& base_dir) {
  CONFIDE_TRY(CheckTomlText(toml_text, "kbs config"));
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return MalformedError("kbs config: line " + std::to_string(e.source().begin.line) + ": " +
                          std::string(e.description()));
  } catch (...) {
    return MalformedError("kbs config: does not parse");
  }
  KbsConfig c;
  CONFIDE_TRY(ReadKeys(root, c));
  for (std::string* p : {&c.port_file, &c.database, &c.audit_database, &c.master_key_file,
                         &c.import_key_file, &c.tls_key_file, &c.tls_cert_file, &c.audit_key_file,
                         &c.admin_tokens_file}) {
    *p = Resolve(base_dir, *p);
  }
  for (const auto& [name, value] :
       {std::pair{"database", c.database}, {"audit_database", c.audit_database},
        {"import_key_file", c.import_key_file}, {"tls_key_file", c.tls_key_file},
        {"tls_cert_file", c.tls_cert_file}, {"audit_key_file", c.audit_key_file},
        {"admin_tokens_file", c.admin_tokens_file}}) {
    if (value.empty()) return InvalidArgumentError(std::string("kbs config: ") + name + " is required");
  }
  if (c.master_key_file.empty() == c.master_key_env.empty()) {
    return InvalidArgumentError("kbs config: set exactly one of master_key_file, master_key_env");
  }
  if (!c.master_key_file.empty() &&
      fs::path(c.master_key_file).parent_path() == fs::path(c.database).parent_path()) {
    return InvalidArgumentError("kbs config: the master key must not be stored beside the database");
  }
  return c;
}

}  // namespace confide::kbs
