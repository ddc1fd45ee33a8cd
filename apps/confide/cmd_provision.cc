// `confide provision URL --policy FILE --model NAME --package PKG --key KEYFILE --signer KEY`:
// the model owner appraises a confide-server started with --await-provision, then pushes the
// model key HPKE-sealed to the server's attested HPKE key and signed with the package signer's
// key (confide/server/provision_request.h). No key byte is sent before the appraisal passes and
// the attested workload is seen to include this package.
#include <algorithm>
#include <iostream>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "apps/confide/remote_cli.h"
#include "confide/base/file.h"
#include "confide/base/hex.h"
#include "confide/crypto/random.h"
#include "confide/package/model_key.h"
#include "confide/package/reader.h"
#include "confide/package/stream.h"
#include "confide/server/provision_request.h"
#include "confide/server/workload.h"

namespace confide::cli {

namespace {

struct ProvisionArgs {
  std::string url;
  std::string policy;
  std::string model;
  std::string package;
  std::string key;
  std::string signer;
};

// What the owner pushes, read before any connection: the package's manifest (name, digest,
// signer), the model key and the signer's private key.
struct OwnerInputs {
  package::PackagePrefix prefix;
  SecretBytes key;
  std::optional<crypto::PrivateKey> signer;
};

Result<OwnerInputs> LoadOwnerInputs(const ProvisionArgs& args) {
  OwnerInputs in;
  CONFIDE_ASSIGN_OR_RETURN(package::FileSource pkg, package::FileSource::Open(args.package));
  CONFIDE_ASSIGN_OR_RETURN(in.prefix, package::ReadPackagePrefix(pkg));
  if (in.prefix.manifest.name != args.model) {
    return InvalidArgumentError("--package holds model '" + in.prefix.manifest.name + "', not '" +
                                args.model + "'");
  }
  CONFIDE_ASSIGN_OR_RETURN(Bytes key_file, ReadFile(args.key, 4096));
  auto key = package::ParseModelKey(key_file);
  SecureWipe(key_file);
  if (!key.ok()) return key.error();
  in.key = *std::move(key);
  CONFIDE_ASSIGN_OR_RETURN(Bytes pem, ReadFile(args.signer, 1 << 16));
  auto signer = crypto::PrivateKey::FromPem(pem);
  SecureWipe(pem);
  if (!signer.ok()) return signer.error();
  in.signer = *std::move(signer);
  return in;
}

// The server must serve this package: the inputs it shows for its workload claim
// ("claim_inputs.workload": manifest digests and launch config) must hash to the claim its
// evidence binds, and the digests must include `digest`. kVerificationFailed otherwise.
Status CheckWorkloadIncludes(const client::FreshAttestation& fresh, const package::Digest& digest) {
  if (!fresh.workload) return VerificationFailedError("the server's evidence binds no workload claim");
  const nlohmann::json& doc = fresh.document;
  const nlohmann::json* shown = nullptr;
  if (doc.contains("claim_inputs") && doc["claim_inputs"].is_object() && doc["claim_inputs"].contains("workload")) {
    shown = &doc["claim_inputs"]["workload"];
  }
  if (!shown || !shown->is_object() || !shown->contains("manifest_digests") || !(*shown)["manifest_digests"].is_array() ||
      !shown->contains("launch_config") || !(*shown)["launch_config"].is_string()) {
    return VerificationFailedError("the server does not show its workload's inputs");
  }
  server::WorkloadInputs inputs{.launch_config = (*shown)["launch_config"].get<std::string>()};
  for (const auto& d : (*shown)["manifest_digests"]) {
    auto bytes = d.is_string() ? HexDecode(d.get<std::string>()) : Result<Bytes>(MalformedError("not a string"));
    if (!bytes.ok() || bytes->size() != digest.size()) {
      return VerificationFailedError("the server's workload lists a malformed manifest digest");
    }
    package::Digest one;
    std::copy(bytes->begin(), bytes->end(), one.begin());
    inputs.manifest_digests.push_back(one);
  }
  if (server::ComputeWorkload(inputs) != *fresh.workload) {
    return VerificationFailedError("the workload inputs the server shows do not match its attested workload claim");
  }
  if (std::find(inputs.manifest_digests.begin(), inputs.manifest_digests.end(), digest) ==
      inputs.manifest_digests.end()) {
    return VerificationFailedError("the server's attested workload does not include this package (manifest " +
                                   HexEncode(digest) + ")");
  }
  return OkStatus();
}

int RunProvision(const ProvisionArgs& args) {
  auto in = LoadOwnerInputs(args);
  if (!in.ok()) return Fail(in.error());
  const package::Digest& digest = in->prefix.manifest_digest;
  if (package::SignerKeyId(in->signer->public_key()) != in->prefix.manifest.signer_key_id) {
    std::cerr << "confide: note: --signer is not the package's signer (manifest signer_key_id "
              << HexEncode(in->prefix.manifest.signer_key_id) << "); the server will refuse\n";
  }
  SystemClock clock;
  auto c = OpenClient(args.url, args.policy, clock);
  if (!c.ok()) return Fail(c.error());
  // The in-handshake appraisal, then fresh evidence binding this connection's TLS key and the
  // HPKE key the model key is sealed to.
  auto appraised = (*c)->Connect();
  if (!appraised.ok()) {
    std::cout << (*c)->Explain();
    return Fail(appraised.error());
  }
  auto fresh = (*c)->AttestFresh(crypto::RandomBytes(32));
  if (!fresh.ok()) {
    std::cout << (*c)->Explain();
    return Fail(fresh.error());
  }
  if (Status s = CheckWorkloadIncludes(*fresh, digest); !s.ok()) return Fail(s.error());
  auto sealed = server::SealProvisionKey(fresh->hpke_pub, args.model, digest, in->key);
  if (!sealed.ok()) return Fail(sealed.error());
  auto sig = server::SignProvision(*in->signer, digest, fresh->hpke_pub, *sealed);
  if (!sig.ok()) return Fail(sig.error());
  std::string body =
      server::SerializeProvisionRequest({.sealed_key = *sealed, .signature = *std::move(sig)});
  auto reply = (*c)->Post("/v1/provision/" + args.model, body);
  if (!reply.ok()) return Fail(reply.error());
  std::cout << "verified the server and provisioned the key of '" << args.model << "' (manifest "
            << HexEncode(digest) << "): " << *reply << "\n";
  return kExitOk;
}

}  // namespace

void AddProvisionCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ProvisionArgs>();
  CLI::App* cmd =
      app.add_subcommand("provision",
                         "Verify a confide-server against a policy, then push a model's key to it "
                         "(HPKE-sealed to its attested key, signed by the package signer).");
  cmd->add_option("url", args->url, "https://HOST:PORT")->required();
  cmd->add_option("--policy", args->policy, "Appraisal policy (TOML)")->required();
  cmd->add_option("--model", args->model, "Model name (the package manifest's)")->required();
  cmd->add_option("--package", args->package, "The model's package (.cfpkg)")->required();
  cmd->add_option("--key", args->key, "The model key file (confide pack --key-out)")->required();
  cmd->add_option("--signer", args->signer, "The package signer's private key (PEM)")->required();
  cmd->callback([args, exit_code] { *exit_code = RunProvision(*args); });
}

}  // namespace confide::cli
