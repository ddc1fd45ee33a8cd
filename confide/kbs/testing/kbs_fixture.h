// Test and benchmark support: a real `confide kbs serve` process on loopback (spawned from the
// CLI binary the build names in CONFIDE_CLI_PATH), a simulated SEV-SNP TEE, and helpers to
// register models and run the CLI.
//
//   KbsProcess kbs(dir, {.nonce_ttl_seconds = 60});
//   ASSERT_TRUE(kbs.Start().ok());
//   kbs.AddModel("resnet", kbs.SimPolicy(measurement), key);
//   KbsClient client(kbs.ClientOptions());
#ifndef CONFIDE_KBS_TESTING_KBS_FIXTURE_H_
#define CONFIDE_KBS_TESTING_KBS_FIXTURE_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "confide/base/secret.h"
#include "confide/crypto/hash.h"
#include "confide/kbs/client.h"
#include "confide/tee/sim/sim_platform.h"

namespace confide::kbs::testing {

struct KbsProcessOptions {
  int64_t nonce_ttl_seconds = 60;
  double rate_limit_per_second = 0;  // 0: unlimited
  double rate_limit_burst = 40;
  uint64_t checkpoint_every = 100;
  bool audit_sync_full = false;
  int threads = 8;
};

// One KBS folder and its server process. Not thread safe (the clients it makes are per thread).
class KbsProcess {
 public:
  KbsProcess(std::string dir, KbsProcessOptions opts);
  ~KbsProcess();  // SIGTERM if still running

  // `confide kbs init` (first call only), then spawns `confide kbs serve` and waits for its port.
  Status Start();
  // SIGTERM and wait (final audit checkpoint). Returns the exit status.
  int Stop();
  // SIGKILL and wait: no shutdown work at all.
  void Kill9();

  KbsClientOptions ClientOptions() const;
  std::string admin_token() const;
  std::string audit_db() const { return dir_ + "/data/audit.db"; }
  std::string store_db() const { return dir_ + "/data/kbs.db"; }
  const std::string& dir() const { return dir_; }
  int port() const { return port_; }  // the bound loopback port, once started
  // Adds `model_id` with `policy`, importing `key` the way `confide pack --seal-to` seals it.
  Status AddModel(const std::string& model_id, const std::string& policy, const SecretBytes& key);

 private:
  std::string dir_;
  KbsProcessOptions opts_;
  pid_t pid_ = -1;
  int port_ = 0;
  crypto::Sha256Digest pin_{};
};

// A simulated SEV-SNP TEE with a fresh store in `dir`.
struct SimTee {
  static Result<SimTee> Create(const std::string& dir, const crypto::Sha384Digest& measurement);
  std::string dir;
  crypto::Sha256Digest sim_root{};
  std::unique_ptr<tee::sim::SimPlatform> platform;
};

// A release policy for SEV-SNP accepting `measurement`; simulation allowed iff `sim_root` is set.
std::string SnpPolicy(const crypto::Sha384Digest& measurement, const crypto::Sha256Digest* sim_root);

// Runs the CLI with `args`; returns its exit code and fills `output` with stdout.
int RunCli(const std::vector<std::string>& args, std::string* output);

}  // namespace confide::kbs::testing

#endif  // CONFIDE_KBS_TESTING_KBS_FIXTURE_H_
