// `confide unpack`: decrypt a package to a file (for checks and tests; in production only the TEE
// decrypts, straight into the engine).
#include <iostream>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "apps/confide/package_cli.h"
#include "confide/base/file.h"
#include "confide/package/model_key.h"
#include "confide/package/reader.h"

namespace confide::cli {

namespace {

struct UnpackArgs {
  std::string package, key, out, trust, at;
  bool report_peak_rss = false;
};

Status Unpack(const UnpackArgs& args, bool* rejected) {
  CONFIDE_ASSIGN_OR_RETURN(Bytes key_file, ReadFile(args.key, 4096));
  Result<SecretBytes> key = package::ParseModelKey(key_file);
  SecureWipe(key_file);
  if (!key.ok()) return key.error();
  CONFIDE_ASSIGN_OR_RETURN(package::FileSource in, package::FileSource::Open(args.package));
  std::optional<package::TrustList> trust;
  Time now = SystemClock().Now();
  if (!args.at.empty()) {
    CONFIDE_ASSIGN_OR_RETURN(now, ParseRfc3339(args.at));
  }
  if (!args.trust.empty()) {
    CONFIDE_ASSIGN_OR_RETURN(trust, package::TrustList::Load(args.trust));
  }
  CONFIDE_ASSIGN_OR_RETURN(package::AtomicFileSink out, package::AtomicFileSink::Create(args.out, 0600));
  *rejected = true;
  CONFIDE_ASSIGN_OR_RETURN(package::PackagePrefix prefix, package::ReadPackagePrefix(in));
  if (trust) {
    CONFIDE_TRY(package::VerifyPackageSignature(prefix, *trust, now));
  } else {
    std::cerr << "confide: warning: signature not checked (pass --trust signers.toml)\n";
  }
  ProgressBar bar("decrypting", prefix.manifest.payload_size);
  return package::DecryptPayload(prefix, *key, in, out, bar.Callback());
}

}  // namespace

void AddUnpackCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<UnpackArgs>();
  CLI::App* cmd = app.add_subcommand(
      "unpack",
      "Decrypt a package with its model key file and write the model, for checks and tests. "
      "Every chunk is authenticated, then the whole payload's SHA-256 is compared with the "
      "manifest; the output appears (mode 0600) only if everything verified: on any failure no "
      "plaintext is left behind. With --trust, the signature is verified first. Exit 0 ok, 1 "
      "rejected, 2 usage, 3 I/O error.");
  cmd->add_option("package", args->package, "The .cfpkg file")->required();
  cmd->add_option("--key", args->key, "Model key file (from confide pack --key-out)")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", args->out, "Where to write the model (or /dev/null)")->required();
  cmd->add_option("--trust", args->trust, "Verify the signature with this signers.toml first");
  cmd->add_option("--at", args->at, "Check signer validity at this RFC 3339 time instead of now");
  cmd->add_flag("--report-peak-rss", args->report_peak_rss,
                "Print peak RSS (VmHWM) to stderr at exit, for benchmarks")->group("");
  cmd->callback([args, exit_code] {
    bool rejected = false;
    Status s = Unpack(*args, &rejected);
    if (s.ok()) {
      *exit_code = kExitOk;
    } else {
      *exit_code = rejected ? FailPackage(s.error()) : Fail(s.error());
    }
    if (args->report_peak_rss) std::cerr << "peak_rss_kib " << PeakRssKib() << "\n";
  });
}

}  // namespace confide::cli
