#include "confide/kbs/testing/kbs_fixture.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "confide/base/file.h"
#include "confide/base/hex.h"
#include "confide/package/model_key.h"

namespace confide::kbs::testing {

namespace {

namespace fs = std::filesystem;

// Starts `args` with stdout on /dev/null and stderr appended to `stderr_path`. The child is
// killed if the test process dies first (a crash or an ASan abort), so no broker outlives its
// test holding CTest's output pipe.
pid_t Spawn(const std::vector<std::string>& args, const std::string& stderr_path) {
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid != 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);  // the test died before prctl took effect
  FILE* out = std::freopen("/dev/null", "w", stdout);
  (void)out;
  if (!stderr_path.empty()) {
    FILE* f = std::freopen(stderr_path.c_str(), "a", stderr);
    (void)f;
  }
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  _exit(127);
}

std::string Config(const KbsProcessOptions& o) {
  char rate[64];
  std::snprintf(rate, sizeof(rate), "%g\nrate_limit_burst = %g\n", o.rate_limit_per_second,
                o.rate_limit_burst);
  return "host = \"127.0.0.1\"\nport = 0\nport_file = \"data/port\"\n"
         "database = \"data/kbs.db\"\naudit_database = \"data/audit.db\"\n"
         "master_key_file = \"secrets/master.key\"\nimport_key_file = \"secrets/import.key\"\n"
         "tls_key_file = \"secrets/tls.key\"\ntls_cert_file = \"tls.crt\"\n"
         "audit_key_file = \"secrets/audit.key\"\nadmin_tokens_file = \"secrets/admin.tokens\"\n"
         "nonce_ttl_seconds = " + std::to_string(o.nonce_ttl_seconds) +
         "\nthreads = " + std::to_string(o.threads) +
         "\ncheckpoint_every = " + std::to_string(o.checkpoint_every) +
         "\naudit_sync_full = " + (o.audit_sync_full ? "true" : "false") +
         "\nrate_limit_per_second = " + rate;
}

Result<std::string> ReadTrimmed(const std::string& path) {
  CONFIDE_ASSIGN_OR_RETURN(Bytes b, ReadFile(path));
  std::string s = ToString(b);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::string* output) {
  std::string cmd = CONFIDE_CLI_PATH;
  for (const std::string& a : args) cmd += " '" + a + "'";
  cmd += " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) {
    if (output != nullptr) output->append(buf.data(), n);
  }
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

KbsProcess::KbsProcess(std::string dir, KbsProcessOptions opts)
    : dir_(std::move(dir)), opts_(opts) {}

KbsProcess::~KbsProcess() {
  if (pid_ > 0) Stop();
}

Status KbsProcess::Start() {
  if (!fs::exists(dir_ + "/kbs.toml")) {
    std::string out;
    if (RunCli({"kbs", "init", "--dir", dir_, "--port", "0"}, &out) != 0) {
      return InternalError("kbs init failed: " + out);
    }
    CONFIDE_TRY(WriteFile(dir_ + "/kbs.toml", AsBytes(Config(opts_))));
  }
  fs::remove(dir_ + "/data/port");
  pid_ = Spawn({CONFIDE_CLI_PATH, "kbs", "serve", "--config", dir_ + "/kbs.toml"},
               dir_ + "/serve.log");
  for (int i = 0; i < 1000 && !fs::exists(dir_ + "/data/port"); ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return InternalError("kbs serve exited; see " + dir_ + "/serve.log");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the file is written whole
  CONFIDE_ASSIGN_OR_RETURN(std::string port, ReadTrimmed(dir_ + "/data/port"));
  port_ = std::stoi(port);
  CONFIDE_ASSIGN_OR_RETURN(std::string pin, ReadTrimmed(dir_ + "/kbs.pin"));
  CONFIDE_ASSIGN_OR_RETURN(Bytes pin_bytes, HexDecode(pin));
  std::copy(pin_bytes.begin(), pin_bytes.end(), pin_.begin());
  return OkStatus();
}

int KbsProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void KbsProcess::Kill9() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

KbsClientOptions KbsProcess::ClientOptions() const {
  return {.host = "127.0.0.1", .port = port_, .pinned_spki_sha256 = pin_};
}

std::string KbsProcess::admin_token() const {
  auto t = ReadTrimmed(dir_ + "/secrets/admin.token");
  return t.ok() ? *t : "";
}

Status KbsProcess::AddModel(const std::string& model_id, const std::string& policy,
                            const SecretBytes& key) {
  CONFIDE_ASSIGN_OR_RETURN(Bytes pem, ReadFile(dir_ + "/import.pub"));
  CONFIDE_ASSIGN_OR_RETURN(crypto::PublicKey pub, crypto::PublicKey::FromPem(ToString(pem)));
  package::Digest digest{};
  digest.fill(0x5a);
  CONFIDE_ASSIGN_OR_RETURN(package::SealedModelKey sealed, package::SealModelKey(key, pub, digest));
  nlohmann::json body = {{"model_id", model_id}, {"policy", policy},
                         {"sealed_key", HexEncode(package::SerializeSealedModelKey(sealed))}};
  KbsClient client(ClientOptions());
  CONFIDE_ASSIGN_OR_RETURN(HttpResult r, client.Call("POST", "/v1/admin/models", body.dump(),
                                                     admin_token()));
  if (r.status != 201) return InternalError("add model: " + std::to_string(r.status) + " " + r.body);
  return OkStatus();
}

Result<SimTee> SimTee::Create(const std::string& dir, const crypto::Sha384Digest& measurement) {
  CONFIDE_TRY(tee::sim::InitSimStore(dir, SystemClock().Now() - std::chrono::hours(1), true));
  CONFIDE_ASSIGN_OR_RETURN(tee::sim::SimStore store, tee::sim::LoadSimStore(dir));
  SimTee t;
  t.dir = dir;
  t.sim_root = crypto::Sha256(store.ark.public_key().ToDer());
  t.platform = std::make_unique<tee::sim::SimPlatform>(std::move(store),
                                                       tee::sim::SimLaunch{.measurement = measurement});
  return t;
}

std::string SnpPolicy(const crypto::Sha384Digest& measurement, const crypto::Sha256Digest* sim_root) {
  std::string p = "tee_types = [\"sev-snp\"]\n";
  if (sim_root != nullptr) {
    p += "allow_simulated = true\nsim_roots = [\"" + HexEncode(*sim_root) + "\"]\n";
  }
  p += "max_evidence_age_seconds = 300\n[binding]\nrequired = true\nrequire_nonce = true\n"
       "[snp]\nmeasurements = [\"" + HexEncode(measurement) + "\"]\n";
  return p;
}

}  // namespace confide::kbs::testing
