// The key broker's process: reads kbs.toml and the secrets it names (0600 files or the
// environment), opens the store and the audit log, and serves HTTPS until SIGINT/SIGTERM.
#include "apps/confide/kbs_serve.h"

#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "apps/confide/exit_codes.h"
#include "confide/base/file.h"
#include "confide/base/hex.h"
#include "confide/base/process.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/hpke.h"
#include "confide/crypto/random.h"
#include "confide/crypto/x509_issue.h"
#include "confide/kbs/config.h"
#include "confide/kbs/server.h"

namespace confide::cli {

namespace {

namespace fs = std::filesystem;

// A secret file must be readable by its owner only.
Result<SecretBytes> ReadPrivateFile(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return NotFoundError("cannot read " + path);
  if ((st.st_mode & 077) != 0) {
    return InvalidArgumentError(path + " is readable by others: chmod 600 it");
  }
  CONFIDE_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(path, 1 << 20));
  SecretBytes out = SecretBytes::CopyFrom(bytes);
  SecureWipe(bytes);
  return out;
}

Result<crypto::PrivateKey> ReadPrivateKey(const std::string& path) {
  CONFIDE_ASSIGN_OR_RETURN(SecretBytes pem, ReadPrivateFile(path));
  return crypto::PrivateKey::FromPem(pem.Expose());
}

// 32 raw bytes, or 64 hex digits (an optional newline after them).
Result<SecretBytes> DecodeMasterKey(ByteSpan text) {
  if (text.size() == kbs::kMasterKeySize) return SecretBytes::CopyFrom(text);
  std::string_view hex(reinterpret_cast<const char*>(text.data()), text.size());
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.remove_suffix(1);
  auto bytes = HexDecode(hex);
  if (!bytes.ok() || bytes->size() != kbs::kMasterKeySize) {
    return InvalidArgumentError("the master key must be 32 bytes or 64 hex digits");
  }
  SecretBytes out = SecretBytes::CopyFrom(*bytes);
  SecureWipe(*bytes);
  return out;
}

Result<SecretBytes> LoadMasterKey(const kbs::KbsConfig& c) {
  if (!c.master_key_file.empty()) {
    CONFIDE_ASSIGN_OR_RETURN(SecretBytes file, ReadPrivateFile(c.master_key_file));
    return DecodeMasterKey(file.Expose());
  }
  const char* value = std::getenv(c.master_key_env.c_str());
  if (value == nullptr) return NotFoundError("environment variable " + c.master_key_env + " unset");
  return DecodeMasterKey(AsBytes(value));
}

Status WritePem(const std::string& path, const crypto::PrivateKey& key) {
  return WriteFile(path, key.ToPem().Expose(), 0600);
}

std::string ConfigText(int port) {
  return "# confide key broker (docs/kbs-protocol.md lists every key). Paths are relative to "
         "this file.\nhost = \"127.0.0.1\"\nport = " + std::to_string(port) +
         "\ndatabase = \"data/kbs.db\"\naudit_database = \"data/audit.db\"\n"
         "master_key_file = \"secrets/master.key\"\nimport_key_file = \"secrets/import.key\"\n"
         "tls_key_file = \"secrets/tls.key\"\ntls_cert_file = \"tls.crt\"\n"
         "audit_key_file = \"secrets/audit.key\"\nadmin_tokens_file = \"secrets/admin.tokens\"\n"
         "max_body_bytes = 65536\nnonce_ttl_seconds = 60\nrate_limit_per_second = 20\n"
         "rate_limit_burst = 40\nthreads = 8\ncheckpoint_every = 100\n";
}

Status Init(const std::string& dir, int port) {
  // A second init over a broker's folder would replace its master key (every stored model key
  // then unreadable), its TLS key (every client's pin broken) and its admin tokens.
  for (const char* existing : {"/kbs.toml", "/secrets", "/data/kbs.db", "/data/audit.db"}) {
    std::error_code ec;
    if (fs::exists(dir + existing, ec) || ec) {
      return InvalidArgumentError(dir + existing + " exists: " + dir +
                                  " already holds a key broker; kbs init needs a new folder");
    }
  }
  fs::create_directories(dir + "/data");
  fs::create_directories(dir + "/secrets");
  fs::permissions(dir + "/secrets", fs::perms::owner_all, fs::perm_options::replace);
  std::string s = dir + "/secrets/";
  SecretBytes master = crypto::RandomSecret(kbs::kMasterKeySize);
  std::string master_hex = HexEncode(master.Expose()) + "\n";
  CONFIDE_TRY(WriteFile(s + "master.key", AsBytes(master_hex), 0600));
  SecureWipe(MutableByteSpan(reinterpret_cast<uint8_t*>(master_hex.data()), master_hex.size()));
  CONFIDE_ASSIGN_OR_RETURN(crypto::PrivateKey import, crypto::hpke::GenerateKeyPair(kbs::kReleaseSuite.kem));
  CONFIDE_TRY(WritePem(s + "import.key", import));
  CONFIDE_TRY(WriteFile(dir + "/import.pub", AsBytes(import.public_key().ToPem()), 0644));
  CONFIDE_ASSIGN_OR_RETURN(crypto::PrivateKey audit, crypto::PrivateKey::Generate(crypto::KeyType::kP256));
  CONFIDE_TRY(WritePem(s + "audit.key", audit));
  CONFIDE_TRY(WriteFile(dir + "/audit.pub", AsBytes(audit.public_key().ToPem()), 0644));
  CONFIDE_ASSIGN_OR_RETURN(crypto::PrivateKey tls, crypto::PrivateKey::Generate(crypto::KeyType::kP256));
  Time now = SystemClock().Now();
  crypto::CertificateTemplate t{.subject_cn = "confide key broker", .not_before = now - std::chrono::hours(1),
                                .not_after = now + std::chrono::hours(24 * 365 * 5)};
  CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::IssueCertificate(t, tls.public_key(), tls));
  CONFIDE_TRY(WritePem(s + "tls.key", tls));
  CONFIDE_TRY(WriteFile(dir + "/tls.crt", AsBytes(cert.ToPem()), 0644));
  std::string pin = HexEncode(crypto::Sha256(tls.public_key().ToDer())) + "\n";
  CONFIDE_TRY(WriteFile(dir + "/kbs.pin", AsBytes(pin), 0644));
  std::string token = HexEncode(crypto::RandomBytes(24));
  std::string tokens = "# NAME TOKEN SCOPE (\"*\" or model ids separated by commas)\nadmin " +
                       token + " *\n";
  CONFIDE_TRY(WriteFile(s + "admin.tokens", AsBytes(tokens), 0600));
  CONFIDE_TRY(WriteFile(s + "admin.token", AsBytes(token + "\n"), 0600));
  CONFIDE_TRY(WriteFile(dir + "/kbs.toml", AsBytes(ConfigText(port)), 0644));
  std::cout << "key broker folder created in " << dir << "\n  config: " << dir
            << "/kbs.toml\n  seal model keys to: " << dir << "/import.pub (confide pack --seal-to)"
            << "\n  clients pin: " << pin << "  admin token: " << s << "admin.token\n";
  return OkStatus();
}

// Everything the server needs, loaded from the config, in lifetime order.
struct Loaded {
  kbs::KbsConfig config;
  std::unique_ptr<kbs::KeyStore> store;
  std::unique_ptr<audit::AuditLog> log;
  std::optional<crypto::PrivateKey> import_key, tls_key;
  std::optional<crypto::Certificate> cert;
  std::optional<kbs::AdminTokens> tokens;
};

Status Load(const std::string& config_path, Loaded& l) {
  CONFIDE_ASSIGN_OR_RETURN(Bytes text, ReadFile(config_path, 1 << 20));
  std::string base = fs::path(config_path).parent_path().string();
  CONFIDE_ASSIGN_OR_RETURN(l.config, kbs::ParseKbsConfig(ToString(text), base.empty() ? "." : base));
  CONFIDE_ASSIGN_OR_RETURN(SecretBytes master, LoadMasterKey(l.config));
  CONFIDE_ASSIGN_OR_RETURN(l.store, kbs::KeyStore::Open(l.config.database, std::move(master)));
  CONFIDE_ASSIGN_OR_RETURN(crypto::PrivateKey audit_key, ReadPrivateKey(l.config.audit_key_file));
  CONFIDE_ASSIGN_OR_RETURN(l.log, audit::AuditLog::Open(l.config.audit_database, std::move(audit_key),
                                                        {.checkpoint_every = l.config.checkpoint_every,
                                                         .sync_full = l.config.audit_sync_full}));
  CONFIDE_ASSIGN_OR_RETURN(l.import_key, ReadPrivateKey(l.config.import_key_file));
  CONFIDE_ASSIGN_OR_RETURN(l.tls_key, ReadPrivateKey(l.config.tls_key_file));
  CONFIDE_ASSIGN_OR_RETURN(Bytes pem, ReadFile(l.config.tls_cert_file, 1 << 20));
  CONFIDE_ASSIGN_OR_RETURN(l.cert, crypto::Certificate::FromPem(ToString(pem)));
  CONFIDE_ASSIGN_OR_RETURN(SecretBytes tokens, ReadPrivateFile(l.config.admin_tokens_file));
  CONFIDE_ASSIGN_OR_RETURN(l.tokens, kbs::ParseAdminTokens(tokens.Expose()));
  return OkStatus();
}

}  // namespace

int RunKbsInit(const std::string& dir, int port) {
  Status s = Init(dir, port);
  return s.ok() ? kExitOk : Fail(s.error());
}

int RunKbsServe(const std::string& config_path) {
  // Block the stop signals in every thread; one thread waits for them and stops the server.
  sigset_t stop_signals = BlockStopSignals();  // each stops gracefully (final audit checkpoint)
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not kill the broker
  Loaded l;
  if (Status s = Load(config_path, l); !s.ok()) return Fail(s.error());
  SystemClock clock;
  const kbs::KbsConfig& c = l.config;
  kbs::KbsService service(*l.store, *l.log, *std::move(l.tokens), *l.import_key, clock,
                          {.nonces = {.ttl = std::chrono::seconds(c.nonce_ttl_seconds)},
                           .rate_limit = {.rate = c.rate_limit_per_second, .burst = c.rate_limit_burst}});
  kbs::KbsServer server(service, *l.cert, *l.tls_key,
                        {.max_body_bytes = c.max_body_bytes, .threads = c.threads});
  auto port = server.Bind(c.host, c.port);
  if (!port.ok()) return Fail(port.error());
  if (!c.port_file.empty()) {
    if (Status s = WriteFile(c.port_file, AsBytes(std::to_string(*port) + "\n")); !s.ok()) {
      return Fail(s.error());
    }
  }
  std::cerr << "kbs: serving https://" << c.host << ":" << *port << " (TLS 1.3)" << std::endl;
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.Stop();
  });
  server.Run();
  pthread_kill(waiter.native_handle(), SIGTERM);  // wakes the waiter if Run ended otherwise
  waiter.join();
  Status closed = l.log->Close();
  std::cerr << "kbs: stopped; audit log closed at entry " << l.log->head_seq() << std::endl;
  return closed.ok() ? kExitOk : Fail(closed.error());
}

}  // namespace confide::cli
