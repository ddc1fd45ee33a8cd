// `confide keygen`: a model owner's ECDSA P-256 signing key pair.
#include <sys/stat.h>

#include <iostream>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "apps/confide/package_cli.h"
#include "confide/base/file.h"
#include "confide/base/hex.h"
#include "confide/crypto/keys.h"
#include "confide/package/trust.h"

namespace confide::cli {

namespace {

struct KeygenArgs {
  std::string out;
  bool force = false;
};

int RunKeygen(const KeygenArgs& args) {
  std::string pub_path = PublicKeyPathFor(args.out);
  struct stat st;
  for (const std::string& path : {args.out, pub_path}) {
    if (!args.force && ::stat(path.c_str(), &st) == 0) {
      return Fail(InvalidArgumentError(path + " exists (pass --force to overwrite)"));
    }
  }
  Result<crypto::PrivateKey> key = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  if (!key.ok()) return Fail(key.error());
  SecretBytes pem = key->ToPem();
  if (Status s = WriteFile(args.out, pem.Expose(), 0600); !s.ok()) return Fail(s.error());
  crypto::PublicKey pub = key->public_key();
  if (Status s = WriteFile(pub_path, AsBytes(pub.ToPem()), 0644); !s.ok()) return Fail(s.error());
  std::cout << "private key: " << args.out << " (mode 0600; keep it offline)\n"
            << "public key:  " << pub_path << " (put it in the signers.toml of verifiers)\n"
            << "signer key id: " << HexEncode(package::SignerKeyId(pub)) << "\n";
  return kExitOk;
}

}  // namespace

void AddKeygenCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<KeygenArgs>();
  CLI::App* cmd = app.add_subcommand(
      "keygen",
      "Create a model owner's signing key: an ECDSA P-256 private key (PKCS#8 PEM, mode 0600) and "
      "its public key beside it (owner.key -> owner.pub). The signer key id printed is the SHA-256 "
      "of the public key (DER SubjectPublicKeyInfo); manifests name their signer by it.");
  cmd->add_option("-o,--out", args->out, "Private key file to write, e.g. owner.key")->required();
  cmd->add_flag("--force", args->force, "Overwrite existing key files");
  cmd->callback([args, exit_code] { *exit_code = RunKeygen(*args); });
}

}  // namespace confide::cli
