// `confide kbs ...`: the key broker (init, serve), its admin client (add, rotate, set-policy,
// retire, list) and a TEE-side release helper on the simulator (release).
#include <iostream>
#include <memory>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "apps/confide/kbs_serve.h"
#include "confide/base/file.h"
#include "confide/base/hex.h"
#include "confide/kbs/client.h"
#include "confide/tee/sim/sim_platform.h"

namespace confide::cli {

namespace {

using nlohmann::json;

struct ClientArgs {
  std::string host = "127.0.0.1";
  int port = 8443;
  std::string pin;         // hex, or @FILE
  std::string token_file;  // a file holding the admin token only
  std::string model, policy_file, sealed_key_file, sim_dir, measurement_hex, out;
  uint32_t version = 0;
};

Result<std::string> ReadText(const std::string& path) {
  CONFIDE_ASSIGN_OR_RETURN(Bytes b, ReadFile(path, 1 << 20));
  std::string s = ToString(b);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

Result<kbs::KbsClientOptions> ClientOptions(const ClientArgs& a) {
  std::string pin_hex = a.pin;
  if (pin_hex.starts_with("@")) {
    CONFIDE_ASSIGN_OR_RETURN(pin_hex, ReadText(pin_hex.substr(1)));
  }
  auto pin = HexDecode(pin_hex);
  if (!pin.ok() || pin->size() != 32) {
    return InvalidArgumentError("--pin: expected 64 hex digits (or @FILE), e.g. @kbs/kbs.pin");
  }
  kbs::KbsClientOptions o{.host = a.host, .port = a.port};
  std::copy(pin->begin(), pin->end(), o.pinned_spki_sha256.begin());
  return o;
}

// Runs one admin call and prints the JSON answer. Exit 0 on 2xx, 1 on refusal, 3 otherwise.
int AdminCall(const ClientArgs& a, const std::string& method, const std::string& path,
              const json& body) {
  auto opts = ClientOptions(a);
  if (!opts.ok()) return Fail(opts.error());
  auto token = ReadText(a.token_file);
  if (!token.ok()) return Fail(token.error());
  kbs::KbsClient client(*opts);
  auto r = client.Call(method, path, body.is_null() ? "" : body.dump(), *token);
  if (!r.ok()) return Fail(r.error());
  json answer = json::parse(r->body, nullptr, false);
  std::cout << (answer.is_discarded() ? r->body : answer.dump(2)) << "\n";
  if (r->status >= 200 && r->status < 300) return kExitOk;
  return r->status == 401 || r->status == 403 ? kExitRejected : kExitError;
}

Result<std::string> SealedKeyHex(const std::string& path) {
  CONFIDE_ASSIGN_OR_RETURN(Bytes file, ReadFile(path, 4096));
  return HexEncode(file);
}

int RunAdmin(const ClientArgs& a, const std::string& action) {
  if (action == "list") return AdminCall(a, "GET", "/v1/admin/models", nullptr);
  json body = json::object();
  if (!a.sealed_key_file.empty()) {
    auto hex = SealedKeyHex(a.sealed_key_file);
    if (!hex.ok()) return Fail(hex.error());
    body["sealed_key"] = *hex;
  }
  if (!a.policy_file.empty()) {
    auto policy = ReadFile(a.policy_file, 1 << 20);
    if (!policy.ok()) return Fail(policy.error());
    body["policy"] = ToString(*policy);
  }
  std::string base = "/v1/admin/models/" + a.model + "/";
  if (action == "add") {
    body["model_id"] = a.model;
    return AdminCall(a, "POST", "/v1/admin/models", body);
  }
  if (action == "rotate") return AdminCall(a, "POST", base + "keys", body);
  if (action == "set-policy") return AdminCall(a, "PUT", base + "policy", body);
  if (a.version != 0) body["key_version"] = a.version;
  return AdminCall(a, "POST", base + "retire", body);
}

// The TEE side on the simulator: evidence with the given measurement, then the release flow.
int RunRelease(const ClientArgs& a) {
  auto opts = ClientOptions(a);
  if (!opts.ok()) return Fail(opts.error());
  auto store = tee::sim::LoadSimStore(a.sim_dir);
  if (!store.ok()) return Fail(store.error());
  tee::sim::SimLaunch launch;
  auto m = HexDecode(a.measurement_hex);
  if (!m.ok() || m->size() != launch.measurement.size()) {
    return Fail(InvalidArgumentError("--measurement: expected 48 bytes of hex"));
  }
  std::copy(m->begin(), m->end(), launch.measurement.begin());
  tee::sim::SimPlatform platform(*std::move(store), launch);
  kbs::KbsClient client(*opts);
  auto key = kbs::ObtainModelKey(client, platform, a.model, a.version);
  if (!key.ok()) return Fail(key.error());
  if (!a.out.empty()) {
    Status s = WriteFile(a.out, key->key.Expose(), 0600);
    if (!s.ok()) return Fail(s.error());
  }
  std::cout << "released " << key->model_id << " key version " << key->key_version
            << " (audit entry " << key->audit_seq << ", manifest "
            << HexEncode(key->manifest_digest) << ")\n";
  return kExitOk;
}

void AddConnectionOptions(CLI::App* cmd, ClientArgs* a, bool admin) {
  cmd->add_option("--host", a->host, "KBS host")->capture_default_str();
  cmd->add_option("--port", a->port, "KBS port")->capture_default_str();
  cmd->add_option("--pin", a->pin, "SHA-256 of the KBS TLS public key, hex or @FILE (kbs.pin)")
      ->required();
  if (admin) {
    cmd->add_option("--token-file", a->token_file, "File holding the admin bearer token (0600)")
        ->required();
  }
}

void AddAdminCommands(CLI::App* kbs, int* exit_code) {
  struct Spec {
    const char* name;
    const char* help;
  };
  for (Spec spec : {Spec{"add", "Add a model: its release policy and its first key (sealed by "
                                "`confide pack --seal-to import.pub`)"},
                    Spec{"rotate", "Add a new key version (older versions stay until retired)"},
                    Spec{"set-policy", "Replace a model's release policy"},
                    Spec{"retire", "Retire one key version (--version), or the whole model"},
                    Spec{"list", "List the models, policies and key versions you may manage"}}) {
    auto a = std::make_shared<ClientArgs>();
    std::string action = spec.name;
    CLI::App* cmd = kbs->add_subcommand(spec.name, spec.help);
    AddConnectionOptions(cmd, a.get(), true);
    if (action != "list") cmd->add_option("--model", a->model, "Model id")->required();
    if (action == "add" || action == "set-policy") {
      cmd->add_option("--policy", a->policy_file, "Release policy (TOML)")->required();
    }
    if (action == "add" || action == "rotate") {
      cmd->add_option("--sealed-key", a->sealed_key_file, "OUT.key.sealed from confide pack")
          ->required();
    }
    if (action == "retire") cmd->add_option("--version", a->version, "Key version (default: all)");
    cmd->callback([a, action, exit_code] { *exit_code = RunAdmin(*a, action); });
  }
}

}  // namespace

void AddKbsCommand(CLI::App& app, int* exit_code) {
  CLI::App* kbs = app.add_subcommand(
      "kbs", "The key broker: releases model keys to TEEs whose evidence meets the model's "
             "policy, and records every decision in a signed audit log");
  kbs->require_subcommand(1);
  auto init_dir = std::make_shared<std::string>();
  auto init_port = std::make_shared<int>(8443);
  CLI::App* init = kbs->add_subcommand("init", "Create a key broker folder (config, keys, pin)");
  init->add_option("--dir", *init_dir, "Folder to create")->required();
  init->add_option("--port", *init_port, "Port for kbs.toml (0: any free port)")->capture_default_str();
  init->callback([init_dir, init_port, exit_code] { *exit_code = RunKbsInit(*init_dir, *init_port); });

  auto config = std::make_shared<std::string>();
  CLI::App* serve = kbs->add_subcommand("serve", "Serve HTTPS (TLS 1.3) until SIGINT/SIGTERM");
  serve->add_option("--config", *config, "kbs.toml")->required();
  serve->callback([config, exit_code] { *exit_code = RunKbsServe(*config); });

  AddAdminCommands(kbs, exit_code);

  auto rel = std::make_shared<ClientArgs>();
  rel->sim_dir = tee::sim::DefaultSimDir();
  CLI::App* release = kbs->add_subcommand(
      "release", "TEE side, on the simulator: attest with a fresh HPKE key and obtain a model key");
  AddConnectionOptions(release, rel.get(), false);
  release->add_option("--model", rel->model, "Model id")->required();
  release->add_option("--version", rel->version, "Key version (default: newest)");
  release->add_option("--measurement", rel->measurement_hex, "48-byte hex MEASUREMENT")->required();
  release->add_option("--sim-dir", rel->sim_dir, "Simulator folder")->capture_default_str();
  release->add_option("-o,--out", rel->out, "Write the 32-byte key here (mode 0600)");
  release->callback([rel, exit_code] { *exit_code = RunRelease(*rel); });
}

}  // namespace confide::cli
