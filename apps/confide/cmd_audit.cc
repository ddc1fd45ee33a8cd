// `confide audit verify DB` and `confide audit export --json DB`: offline checks of a
// tamper-evident audit log (confide/audit).
#include <iostream>
#include <memory>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "confide/audit/verify.h"
#include "confide/base/file.h"

namespace confide::cli {

namespace {

struct AuditArgs {
  std::string db;
  std::string key_file;  // the log's public key (PEM), to pin
  bool json = false;
};

int RunVerify(const AuditArgs& a) {
  std::optional<crypto::PublicKey> pinned;
  if (!a.key_file.empty()) {
    auto pem = ReadFile(a.key_file, 1 << 16);
    if (!pem.ok()) return Fail(pem.error());
    auto key = crypto::PublicKey::FromPem(ToString(*pem));
    if (!key.ok()) return Fail(key.error());
    pinned = *std::move(key);
  }
  auto v = audit::VerifyAuditLog(a.db, pinned ? &*pinned : nullptr);
  if (!v.ok()) return Fail(v.error());
  if (!v->ok) {
    std::cout << "TAMPERED: " << a.db << "\n";
    if (v->first_bad_seq) std::cout << "  first bad entry: " << *v->first_bad_seq << "\n";
    std::cout << "  problem: " << v->problem << "\n";
    return kExitRejected;
  }
  std::cout << "OK: " << a.db << ": " << v->num_events << " entries, chain intact; "
            << v->num_checkpoints << " signed checkpoints, the last at entry "
            << v->last_checkpoint_seq << "\n  log key sha256: " << v->log_key_sha256
            << (pinned ? " (pinned)" : " (from the database: pass --key to pin it)") << "\n";
  if (v->last_checkpoint_seq < v->num_events) {
    std::cout << "  note: entries after " << v->last_checkpoint_seq
              << " are chained but not yet signed (no shutdown checkpoint)\n";
  }
  return kExitOk;
}

int RunExport(const AuditArgs& a) {
  auto events = audit::ReadAuditEvents(a.db);
  if (!events.ok()) return Fail(events.error());
  nlohmann::json out = nlohmann::json::array();
  for (const audit::AuditEvent& e : *events) out.push_back(audit::AuditEventToJson(e));
  std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return kExitOk;
}

}  // namespace

void AddAuditCommand(CLI::App& app, int* exit_code) {
  CLI::App* audit_cmd = app.add_subcommand(
      "audit", "Check and export a tamper-evident audit log (hash chain + signed checkpoints)");
  audit_cmd->require_subcommand(1);
  auto v = std::make_shared<AuditArgs>();
  CLI::App* verify = audit_cmd->add_subcommand(
      "verify", "Verify the chain and the checkpoint signatures; exit 0 ok, 1 tampered (names "
                "the first bad entry)");
  verify->add_option("db", v->db, "Audit database")->required();
  verify->add_option("--key", v->key_file, "The log's public key (PEM) to pin, e.g. audit.pub");
  verify->callback([v, exit_code] { *exit_code = RunVerify(*v); });
  auto e = std::make_shared<AuditArgs>();
  CLI::App* exp = audit_cmd->add_subcommand(
      "export", "Print every entry as JSON (unverified: run `audit verify` first)");
  exp->add_option("db", e->db, "Audit database")->required();
  exp->add_flag("--json", e->json, "JSON output (the only format)");
  exp->callback([e, exit_code] { *exit_code = RunExport(*e); });
}

}  // namespace confide::cli
