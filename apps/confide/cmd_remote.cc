// `confide attest remote URL --policy FILE`: verify and explain a live confide-server.
#include <iostream>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "apps/confide/remote_cli.h"
#include "confide/base/base64.h"
#include "confide/base/file.h"
#include "confide/base/hex.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/random.h"

namespace confide::cli {

Result<std::unique_ptr<client::Client>> OpenClient(const std::string& url,
                                                   const std::string& policy_path,
                                                   const Clock& clock) {
  CONFIDE_ASSIGN_OR_RETURN(Bytes text, ReadFile(policy_path, 1 << 20));
  CONFIDE_ASSIGN_OR_RETURN(attest::Policy policy, attest::ParsePolicy(ToString(text)));
  CONFIDE_ASSIGN_OR_RETURN(client::ServerAddress address, client::ParseServerUrl(url));
  return std::make_unique<client::Client>(std::move(address), std::move(policy), clock);
}

std::string CurlPin(const crypto::Certificate& cert) {
  return "sha256//" + Base64Encode(crypto::Sha256(cert.public_key().ToDer()));
}

namespace {

struct RemoteArgs {
  std::string url;
  std::string policy;
  bool nonce = false;
  bool json = false;
  std::string save_cert;
};

int Report(client::Client& c, const Result<attest::Appraisal>& a, const RemoteArgs& args) {
  if (!a.ok() && a.error().code != ErrorCode::kVerificationFailed) return Fail(a.error());
  if (args.json && a.ok()) {
    nlohmann::json out = {{"appraisal", attest::AppraisalToJson(*a)},
                          {"attestation", c.certificate_attestation()}};
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << c.Explain();
  }
  if (!a.ok()) {
    std::cerr << "confide: " << a.error().message << "\n";
    return kExitRejected;
  }
  return kExitOk;
}

int RunRemote(const RemoteArgs& args) {
  SystemClock clock;
  auto c = OpenClient(args.url, args.policy, clock);
  if (!c.ok()) return Fail(c.error());
  Result<attest::Appraisal> a = (*c)->Connect();
  if (a.ok() && args.nonce) {
    auto fresh = (*c)->AttestFresh(crypto::RandomBytes(32));
    if (!fresh.ok()) a = fresh.error();
  }
  int code = Report(**c, a, args);
  if (code != kExitOk) return code;
  auto cert = (*c)->server_certificate();
  if (!args.json && cert) {
    const auto& doc = (*c)->certificate_attestation();
    std::cout << "server: " << args.url << "\n  certificate public key pin: " << CurlPin(*cert)
              << "\n";
    if (doc.contains("claims") && doc["claims"].contains("workload")) {
      std::cout << "  workload: " << doc["claims"]["workload"].get<std::string>() << "\n";
    }
  }
  if (!args.save_cert.empty() && cert) {
    Status s = WriteFile(args.save_cert, AsBytes(cert->ToPem()), 0644);
    if (!s.ok()) return Fail(s.error());
  }
  return kExitOk;
}

}  // namespace

void AddAttestRemoteCommand(CLI::App& app, int* exit_code) {
  CLI::App* attest = app.get_subcommand("attest");
  auto args = std::make_shared<RemoteArgs>();
  CLI::App* cmd = attest->add_subcommand(
      "remote", "Connect to a confide-server over attested TLS, appraise its evidence against a "
                "policy inside the handshake, and explain every check. Exit 0 accepted, 1 rejected.");
  cmd->add_option("url", args->url, "https://HOST:PORT")->required();
  cmd->add_option("--policy", args->policy, "Appraisal policy (TOML, docs/policy.md)")->required();
  cmd->add_flag("--nonce", args->nonce, "Also ask for fresh evidence bound to a random nonce");
  cmd->add_flag("--json", args->json, "Print the appraisal (EAR JSON) and the attestation document");
  cmd->add_option("--save-cert", args->save_cert, "Write the verified server certificate (PEM)");
  cmd->callback([args, exit_code] { *exit_code = RunRemote(*args); });
}

}  // namespace confide::cli
