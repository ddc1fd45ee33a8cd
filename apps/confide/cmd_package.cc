// `confide package verify`: signature and structure of a package against a trust list, no key.
#include <iostream>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "apps/confide/package_cli.h"
#include "confide/base/hex.h"
#include "confide/package/reader.h"

namespace confide::cli {

namespace {

struct VerifyArgs {
  std::string package, trust, at;
};

Status Verify(const VerifyArgs& args, bool* rejected) {
  Time now = SystemClock().Now();
  if (!args.at.empty()) {
    CONFIDE_ASSIGN_OR_RETURN(now, ParseRfc3339(args.at));
  }
  CONFIDE_ASSIGN_OR_RETURN(package::TrustList trust, package::TrustList::Load(args.trust));
  CONFIDE_ASSIGN_OR_RETURN(package::FileSource in, package::FileSource::Open(args.package));
  *rejected = true;  // from here on, an error is the package's
  CONFIDE_ASSIGN_OR_RETURN(package::PackagePrefix prefix, package::ReadPackagePrefix(in));
  CONFIDE_ASSIGN_OR_RETURN(const package::TrustedSigner* signer,
                           package::VerifyPackageSignature(prefix, trust, now));
  CONFIDE_TRY(package::CheckPayloadLength(prefix, in));
  const package::Manifest& m = prefix.manifest;
  std::cout << "ok: " << args.package << ": \"" << m.name << "\" version " << m.model_version
            << ", " << m.payload_size << " bytes, signed by \"" << signer->name << "\" ("
            << HexEncode(signer->key_id) << ") at " << FormatRfc3339(m.created) << "\n"
            << "manifest sha256 " << HexEncode(prefix.manifest_digest) << "\n";
  return OkStatus();
}

}  // namespace

void AddPackageCommand(CLI::App& app, int* exit_code) {
  CLI::App* group = app.add_subcommand("package", "Work with .cfpkg model packages");
  group->require_subcommand(1);
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = group->add_subcommand(
      "verify",
      "Check a package without its key: header and manifest structure, the owner's ECDSA P-256 "
      "signature with a signer from the trust list that is neither revoked nor outside its "
      "validity window, and the payload length. The chunks' contents are checked only when "
      "decrypting (confide unpack, or the server). Exit 0 accepted, 1 rejected (with the "
      "reason), 2 usage, 3 I/O error (e.g. an unreadable trust list).");
  cmd->add_option("package", args->package, "The .cfpkg file")->required();
  cmd->add_option("--trust", args->trust,
                  "Trust list of signers (signers.toml, docs/formats/package.md)")->required();
  cmd->add_option("--at", args->at, "Check validity windows at this RFC 3339 time instead of now");
  cmd->callback([args, exit_code] {
    bool rejected = false;
    Status s = Verify(*args, &rejected);
    if (s.ok()) {
      *exit_code = kExitOk;
    } else {
      *exit_code = rejected ? FailPackage(s.error()) : Fail(s.error());
    }
  });
}

}  // namespace confide::cli
