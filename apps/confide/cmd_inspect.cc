// `confide inspect`: what a package says about itself, without a key and without trusting it.
#include <nlohmann/json.hpp>

#include <iostream>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "apps/confide/package_cli.h"
#include "confide/base/hex.h"
#include "confide/package/reader.h"

namespace confide::cli {

namespace {

struct InspectArgs {
  std::string package;
  bool json = false;
};

nlohmann::json Describe(const package::PackagePrefix& p, uint64_t file_size) {
  nlohmann::json manifest = nlohmann::json::parse(ToString(p.manifest_bytes));
  package::ChunkGeometry g = p.manifest.geometry();
  return {{"manifest", manifest},
          {"manifest_sha256", HexEncode(p.manifest_digest)},
          {"signer_key_id", HexEncode(p.manifest.signer_key_id)},
          {"signature_checked", false},
          {"format_version", p.header.version},
          {"num_chunks", g.num_chunks()},
          {"prefix_size", p.header_bytes.size() + p.manifest_bytes.size() + p.signature.size()},
          {"sealed_payload_size", g.SealedSize()},
          {"file_size", file_size}};
}

void PrintText(const package::PackagePrefix& p, uint64_t file_size) {
  const package::Manifest& m = p.manifest;
  package::ChunkGeometry g = m.geometry();
  std::cout << "package:        .cfpkg version " << p.header.version << ", " << file_size << " bytes\n"
            << "model:          " << m.name << " version " << m.model_version << " (" << m.format << ")\n"
            << "payload:        " << m.payload_size << " bytes, sha256 " << HexEncode(m.payload_sha256) << "\n"
            << "chunks:         " << g.num_chunks() << " x " << m.chunk_size << " bytes, " << m.aead << "\n"
            << "inputs:         " << m.inputs_schema << "\n"
            << "outputs:        " << m.outputs_schema << "\n"
            << "peak memory:    " << (m.peak_memory_bytes ? std::to_string(m.peak_memory_bytes) + " bytes" : "unknown") << "\n"
            << "policy id:      " << (m.policy_id.empty() ? "(none)" : m.policy_id) << "\n"
            << "created:        " << FormatRfc3339(m.created) << "\n"
            << "signer key id:  " << HexEncode(m.signer_key_id) << "\n"
            << "manifest sha256 " << HexEncode(p.manifest_digest) << "\n"
            << "signature:      not checked (confide package verify --trust signers.toml)\n";
}

int RunInspect(const InspectArgs& args) {
  Result<package::FileSource> in = package::FileSource::Open(args.package);
  if (!in.ok()) return Fail(in.error());
  Result<package::PackagePrefix> prefix = package::ReadPackagePrefix(*in);
  if (!prefix.ok()) return FailPackage(prefix.error());
  if (args.json) {
    std::cout << Describe(*prefix, in->size()).dump(2) << "\n";
  } else {
    PrintText(*prefix, in->size());
  }
  return kExitOk;
}

}  // namespace

void AddInspectCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<InspectArgs>();
  CLI::App* cmd = app.add_subcommand(
      "inspect",
      "Show a package's manifest (model, version, payload size and SHA-256, chunking, schema, "
      "policy id, creation time), its signer key id and sizes. Needs no key and checks no "
      "signature: use `confide package verify` to decide whether to trust it. Exit 1 if the "
      "package is malformed.");
  cmd->add_option("package", args->package, "The .cfpkg file")->required();
  cmd->add_flag("--json", args->json, "Print JSON instead of text");
  cmd->callback([args, exit_code] { *exit_code = RunInspect(*args); });
}

}  // namespace confide::cli
