// confide-server: the TEE workload (docs/server.md). Its link dependencies are the trusted
// computing base (docs/tcb.md); keep the CLI, the key broker and Python out of it.
//
//   confide-server --tee sim --trust signers.toml --model demo.cfpkg:demo.key
//                  --state-dir /var/lib/confide --port 8443
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <thread>

#include "confide/base/hex.h"
#include "confide/server/audit_trail.h"
#include "confide/server/log.h"
#include "confide/server/server.h"
#include "confide/tee/measure.h"
#include "confide/tee/detect.h"
#include "confide/tee/sim/sim_platform.h"
#include "apps/confide-server/key_broker.h"
#include "confide/base/process.h"

namespace {

using namespace confide;

struct Args {
  std::string tee = "auto";
  std::string sim_dir;
  std::vector<std::string> models;
  std::string trust;
  std::string state_dir;
  std::string port_file;
  std::string audit_log;
  server_app::KeyBrokerOptions kbs;
  server::ServerConfig config;
};

// --tee auto|tsm|sgx|nitro|sim (confide/tee/detect.h): auto tries configfs-tsm, Gramine, the
// NSM, then the simulator (with SHA-384 of this executable as its measurement), and says which.
Result<std::unique_ptr<tee::Platform>> OpenPlatform(const Args& a) {
  CONFIDE_ASSIGN_OR_RETURN(tee::Detection d,
                           tee::DetectPlatform(tee::SystemDevices(), {.tee = a.tee, .sim_dir = a.sim_dir}));
  tee::PlatformInfo info = d.platform->Describe();
  nlohmann::json fields = {{"backend", info.backend},
                           {"tee", std::string(attest::TeeTypeName(info.tee))}};
  for (const auto& [key, value] : info.details) fields[key] = value;
  if (info.simulated) fields["note"] = "simulated TEE: no hardware protection";
  server::LogEvent(info.simulated ? "warn" : "info", "platform", fields);
  return std::move(d.platform);
}

// PKG or PKG:KEYFILE.
server::ModelSource ParseModel(const std::string& spec) {
  auto colon = spec.find(':');
  if (colon == std::string::npos) return {.package_path = spec};
  return {.package_path = spec.substr(0, colon), .key_file = spec.substr(colon + 1)};
}

void AddOptions(CLI::App& app, Args& a) {
  auto& c = a.config;
  app.add_option("--tee", a.tee,
                 "TEE backend: auto, tsm, sgx, nitro or sim; or, forced only, the simulator's "
                 "sim-sgx, sim-tdx or sim-nitro evidence")
      ->capture_default_str();
  app.add_option("--sim-dir", a.sim_dir, "Simulator folder (default: $CONFIDE_SIM_DIR, ...)");
  app.add_option("--model", a.models, "PACKAGE[:KEYFILE] to serve (repeatable)")->required();
  app.add_option("--trust", a.trust, "signers.toml: the package signers to accept")->required();
  app.add_option("--state-dir", a.state_dir, "Folder for the sealed model-key cache");
  app.add_option("--audit-log", a.audit_log,
                 "Tamper-evident audit log (SQLite) for attestation requests and key use; its "
                 "key is sealed in --state-dir, its public key written to STATE/audit.pub");
  app.add_option("--kbs", a.kbs.address,
                 "Key broker HOST:PORT: releases model keys missing from the sealed cache");
  app.add_option("--kbs-pin", a.kbs.pin_hex,
                 "SHA-256 (hex) of the key broker's TLS public key (confide kbs init prints it)");
  app.add_flag("--await-provision", c.await_provision,
               "Start even when a model's key is in no source: the model is listed as not ready "
               "until its owner pushes the key (confide provision)");
  app.add_option("--host", c.http.host, "Listen address")->capture_default_str();
  app.add_option("--port", c.http.port, "TLS port (0: any free port)")->capture_default_str();
  app.add_option("--plain-port", c.http.plain_port,
                 "Plain-HTTP port for attestation and sealed inference only (-1: off)");
  app.add_option("--port-file", a.port_file, "Write the bound TLS port here once listening");
  app.add_option("--workers", c.http.num_workers, "Connection threads")->capture_default_str();
  app.add_option("--engine-threads", c.engine.num_threads, "Intra-op threads per model");
  app.add_option("--max-request-bytes", c.http.max_request_bytes, "Larger requests get 413");
  app.add_option("--max-tensor-bytes", c.service.limits.max_tensor_bytes, "Per input tensor");
  app.add_option("--timeout", c.http.read_timeout_seconds, "Read timeout in seconds");
  app.add_option("--keep-alive-requests", c.http.keep_alive_max_requests,
                 "Requests served on one connection before it is closed")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

// The audit log with its TEE-sealed key (confide/server/audit_trail.h).
Result<std::unique_ptr<audit::AuditLog>> OpenAuditLog(const Args& a, tee::Platform& platform) {
  if (a.state_dir.empty()) {
    return InvalidArgumentError("--audit-log needs --state-dir (the log key is sealed there)");
  }
  CONFIDE_ASSIGN_OR_RETURN(crypto::PrivateKey key, server::LoadOrCreateAuditKey(platform, a.state_dir));
  CONFIDE_ASSIGN_OR_RETURN(auto log, audit::AuditLog::Open(a.audit_log, std::move(key), {}));
  server::LogEvent("info", "audit_log", {{"path", a.audit_log}, {"head_seq", log->head_seq()},
                                         {"public_key", server::AuditPublicKeyPath(a.state_dir)}});
  return log;
}

// Blocks SIGTERM/SIGINT in every thread, then stops the server when one arrives.
std::thread SignalWatcher(server::HttpServer& http, sigset_t set) {
  return std::thread([&http, set] {
    int sig = 0;
    sigwait(&set, &sig);
    server::LogEvent("info", "shutdown", {{"signal", sig}});
    http.Stop();
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("confide-server: serves encrypted models over attested TLS inside a TEE",
               "confide-server");
  Args a;
  a.config.engine.num_threads = 1;
  AddOptions(app, a);
  // A TOML file of the options above (key = long option name; `confide bundle` writes one);
  // options on the command line take precedence over the file.
  app.set_config("--config", "", "TOML file of these options (KEY = value, KEY without --)");
  CLI11_PARSE(app, argc, argv);
  sigset_t set = BlockStopSignals();  // each stops gracefully (final audit checkpoint)
  signal(SIGPIPE, SIG_IGN);
  for (const auto& m : a.models) a.config.models.push_back(ParseModel(m));
  a.config.trust_list_path = a.trust;
  a.config.keys.cache_dir = a.state_dir;
  auto platform = OpenPlatform(a);
  if (!platform.ok()) {
    server::LogEvent("error", "startup", {{"error", platform.error().ToString()}});
    return 1;
  }
  // After measuring /proc/self/exe, before any key or weight is in memory.
  if (Status s = DisableCoreDumps(); !s.ok()) {
    server::LogEvent("error", "startup", {{"error", s.error().ToString()}});
    return 1;
  }
  KeepFreedHeapForReuse();  // request bodies and tensors reuse heap instead of faulting pages in
  if (!a.kbs.address.empty()) {
    auto broker = server_app::MakeKeyBroker(a.kbs, **platform);
    if (!broker.ok()) {
      server::LogEvent("error", "startup", {{"error", broker.error().ToString()}});
      return 1;
    }
    a.config.keys.key_broker = *std::move(broker);
  }
  std::unique_ptr<audit::AuditLog> audit_log;
  if (!a.audit_log.empty()) {
    auto opened = OpenAuditLog(a, **platform);
    if (!opened.ok()) {
      server::LogEvent("error", "startup", {{"error", opened.error().ToString()}});
      return 1;
    }
    audit_log = *std::move(opened);
    a.config.audit_log = audit_log.get();
  }
  auto s = server::Server::Start(**platform, std::move(a.config), SystemClock().Now());
  if (!s.ok()) {
    server::LogEvent("error", "startup", {{"error", s.error().ToString()}});
    return 1;
  }
  if (!a.port_file.empty()) std::ofstream(a.port_file) << (*s)->http().port() << "\n";
  std::thread watcher = SignalWatcher((*s)->http(), set);
  (*s)->http().Serve();
  pthread_kill(watcher.native_handle(), SIGTERM);  // wakes the watcher if Serve ended otherwise
  watcher.join();
  bool audit_closed = true;  // a missing final checkpoint fails the exit status
  if (audit_log) {
    Status closed = audit_log->Close();  // the final signed checkpoint
    audit_closed = closed.ok();
    server::LogEvent(closed.ok() ? "info" : "error", "audit_closed",
                     {{"head_seq", audit_log->head_seq()},
                      {"error", closed.ok() ? "" : closed.error().ToString()}});
  }
  server::LogEvent("info", "stopped");
  return audit_closed ? 0 : 1;
}
