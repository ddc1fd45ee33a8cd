// `confide pack`: encrypt and sign a model into a .cfpkg, writing its fresh model key either to a
// 0600 file or HPKE-sealed to a key broker.
#include <charconv>
#include <iostream>
#include <memory>
#include <map>
#include <optional>
#include <vector>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "apps/confide/model_manifest.h"
#include "apps/confide/package_cli.h"
#include "confide/base/file.h"
#include "confide/base/hex.h"
#include "confide/package/model_key.h"
#include "confide/package/writer.h"

namespace confide::cli {

namespace {

struct PackArgs {
  std::string model, signer, out, key_out, seal_to, name, version = "1", policy_id;
  std::string input_schema, output_schema;
  uint32_t chunk_size = package::kDefaultChunkSize;
  uint64_t peak_memory = 0;
  bool no_engine = false;
  std::vector<std::string> dims;  // SYMBOL=N, for the planned peak memory
};

Result<std::map<std::string, int64_t>> ParseDims(const std::vector<std::string>& specs) {
  std::map<std::string, int64_t> dims;
  for (const std::string& spec : specs) {
    size_t eq = spec.rfind('=');
    int64_t value = 0;
    const char* end = spec.data() + spec.size();
    std::from_chars_result parsed{nullptr, std::errc::invalid_argument};
    if (eq != std::string::npos) parsed = std::from_chars(spec.data() + eq + 1, end, value);
    if (eq == std::string::npos || eq == 0 || parsed.ptr != end || parsed.ec != std::errc() ||
        value < 1) {
      return InvalidArgumentError("--dim wants SYMBOL=N with N >= 1, got " + spec);
    }
    dims[spec.substr(0, eq)] = value;
  }
  return dims;
}

// Models up to this size are read into memory once (the engine describes them, then the same
// bytes are hashed and encrypted); --no-engine streams the file instead, at any size.
constexpr size_t kMaxEngineModelSize = size_t{4} << 30;

Result<std::string> SchemaFrom(const std::string& path) {
  if (path.empty()) return std::string("[]");
  CONFIDE_ASSIGN_OR_RETURN(Bytes text, ReadFile(path, 1 << 20));
  return package::CanonicalSchema(ToString(text));
}

// The manifest: labels from the arguments, schema and peak memory from the engine (`facts`, when
// the model was loaded) unless given explicitly.
Result<package::Manifest> DescribeModel(const PackArgs& args, const package::PayloadInfo& info,
                                        const ModelFacts* facts) {
  package::Manifest m;
  if (args.name.empty()) {
    size_t slash = args.model.rfind('/');
    std::string base = slash == std::string::npos ? args.model : args.model.substr(slash + 1);
    m.name = base.substr(0, base.rfind('.'));
  } else {
    m.name = args.name;
  }
  m.model_version = args.version;
  m.policy_id = args.policy_id;
  m.chunk_size = args.chunk_size;
  m.peak_memory_bytes = args.peak_memory;
  if (facts != nullptr && args.peak_memory == 0) m.peak_memory_bytes = facts->peak_memory_bytes;
  CONFIDE_ASSIGN_OR_RETURN(m.inputs_schema, SchemaFrom(args.input_schema));
  CONFIDE_ASSIGN_OR_RETURN(m.outputs_schema, SchemaFrom(args.output_schema));
  if (facts != nullptr && args.input_schema.empty()) m.inputs_schema = facts->inputs_schema;
  if (facts != nullptr && args.output_schema.empty()) m.outputs_schema = facts->outputs_schema;
  m.payload_size = info.size;
  m.payload_sha256 = info.sha256;
  m.created = SystemClock().Now();
  CONFIDE_TRY(package::CheckManifest(m));
  return m;
}

// Writes the model key where the owner asked: plain (0600) or sealed to the broker.
Status WriteModelKey(const PackArgs& args, const SecretBytes& key, const package::Digest& digest) {
  if (!args.key_out.empty()) {
    SecretBytes file = package::SerializeModelKey(key);
    return WriteFile(args.key_out, file.Expose(), 0600);
  }
  CONFIDE_ASSIGN_OR_RETURN(Bytes pem, ReadFile(args.seal_to, 1 << 16));
  CONFIDE_ASSIGN_OR_RETURN(crypto::PublicKey kbs, crypto::PublicKey::FromPem(ToString(pem)));
  CONFIDE_ASSIGN_OR_RETURN(package::SealedModelKey sealed, package::SealModelKey(key, kbs, digest));
  return WriteFile(args.out + ".key.sealed", package::SerializeSealedModelKey(sealed), 0644);
}

Status Pack(const PackArgs& args) {
  if (args.key_out.empty() == args.seal_to.empty()) {
    return InvalidArgumentError("pass exactly one of --key-out FILE or --seal-to KBS.pub");
  }
  CONFIDE_TRY(package::CheckChunkSize(args.chunk_size));
  CONFIDE_ASSIGN_OR_RETURN(Bytes signer_pem, ReadFile(args.signer, 1 << 16));
  Result<crypto::PrivateKey> signer = crypto::PrivateKey::FromPem(signer_pem);
  SecureWipe(signer_pem);
  if (!signer.ok()) return signer.error();
  // With the engine: the model is read once into memory, described, then hashed and encrypted
  // from there. Without: a regular file is mapped (no copy; the page cache is read twice: hash,
  // then encrypt), anything else (a pipe) streamed twice in about two chunks of memory.
  Bytes model;
  std::optional<package::MappedFile> mapped;
  std::optional<ModelFacts> facts;
  if (!args.no_engine) {
    CONFIDE_ASSIGN_OR_RETURN(model, ReadFile(args.model, kMaxEngineModelSize));
    CONFIDE_ASSIGN_OR_RETURN(auto dims, ParseDims(args.dims));
    Result<ModelFacts> described = DescribeModelForManifest(model, dims);
    if (!described.ok()) {
      Error e = described.error();
      e.message = "the engine cannot load " + args.model + " (pass --no-engine to pack it anyway): " +
                  e.message;
      return e;
    }
    facts = std::move(*described);
    if (!facts->plan_error.empty() && args.peak_memory == 0) {
      std::cerr << "confide: warning: peak memory not recorded (bind symbolic dims with --dim "
                   "SYMBOL=N): "
                << facts->plan_error << "\n";
    }
  } else if (Result<package::MappedFile> m = package::MappedFile::Open(args.model); m.ok()) {
    mapped.emplace(std::move(*m));
  }
  std::optional<ByteSpan> in_memory;
  if (facts) in_memory = ByteSpan(model);
  if (mapped) in_memory = mapped->bytes();
  package::PayloadInfo info;
  if (in_memory) {
    ProgressBar bar("hashing   ", in_memory->size());
    info = package::HashPayload(*in_memory, bar.Callback());
  } else {
    CONFIDE_ASSIGN_OR_RETURN(package::FileSource hash_pass, package::FileSource::Open(args.model));
    ProgressBar bar("hashing   ", hash_pass.size());
    CONFIDE_ASSIGN_OR_RETURN(info, package::HashPayload(hash_pass, bar.Callback(), hash_pass.size()));
  }
  CONFIDE_ASSIGN_OR_RETURN(package::Manifest manifest,
                           DescribeModel(args, info, facts ? &*facts : nullptr));
  SecretBytes key = package::GenerateModelKey();
  CONFIDE_ASSIGN_OR_RETURN(package::PackageWriter writer,
                           package::PackageWriter::Create(manifest, *signer, key));
  CONFIDE_ASSIGN_OR_RETURN(package::AtomicFileSink out, package::AtomicFileSink::Create(args.out, 0644));
  {
    ProgressBar bar("encrypting", info.size);
    if (in_memory) {
      CONFIDE_TRY(writer.WriteAll(*in_memory, out, bar.Callback()));
    } else {
      CONFIDE_ASSIGN_OR_RETURN(package::FileSource payload, package::FileSource::Open(args.model));
      CONFIDE_TRY(writer.WriteAll(payload, out, bar.Callback()));
    }
  }
  CONFIDE_TRY(WriteModelKey(args, key, writer.manifest_digest()));  // before the package appears
  CONFIDE_TRY(out.Commit());
  std::cout << "packed " << args.model << " -> " << args.out << " (" << info.size << " bytes, "
            << writer.manifest().geometry().num_chunks() << " chunks)\n"
            << "manifest sha256: " << HexEncode(writer.manifest_digest()) << "\n"
            << "model key: "
            << (args.key_out.empty() ? args.out + ".key.sealed (HPKE-sealed to " + args.seal_to + ")"
                                     : args.key_out + " (mode 0600)")
            << "\n";
  return OkStatus();
}

}  // namespace

void AddPackCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<PackArgs>();
  CLI::App* cmd = app.add_subcommand(
      "pack",
      "Encrypt and sign a model into a .cfpkg package (docs/formats/package.md). A fresh 256-bit "
      "model key encrypts the model as AES-256-GCM chunks; the owner's key signs the manifest "
      "(name, version, size, SHA-256, policy id, ...). The model key goes either to a 0600 file "
      "(--key-out) or, HPKE-sealed to a key broker's X25519 public key, to OUT.key.sealed "
      "(--seal-to). The engine loads the model first and the manifest records its input/output "
      "schema and planned peak memory (weights + arena at batch 1); a model the engine cannot "
      "load is refused unless --no-engine, which maps the file (read twice: hash, then "
      "encrypt) without copying it.");
  cmd->add_option("model", args->model, "The model file (ONNX)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--signer", args->signer, "The owner's private key (from confide keygen)")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", args->out, "Package to write, e.g. model.cfpkg")->required();
  auto* key_out = cmd->add_option("--key-out", args->key_out, "Write the model key here (mode 0600)");
  auto* seal_to = cmd->add_option("--seal-to", args->seal_to,
                                  "Seal the model key to this key broker X25519 public key (PEM)")
                      ->check(CLI::ExistingFile);
  key_out->excludes(seal_to);
  cmd->add_option("--name", args->name, "Model name in the manifest (default: file name stem)");
  cmd->add_option("--version", args->version, "Model version label (default: 1)");
  cmd->add_option("--policy-id", args->policy_id, "Id of the key broker's release policy");
  cmd->add_option("--chunk-size", args->chunk_size, "Plaintext bytes per chunk (256 B..64 MiB, default 1 MiB)");
  cmd->add_option("--input-schema", args->input_schema,
                  "JSON file with an array describing the inputs (default: from the engine)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--output-schema", args->output_schema, "JSON file with an array describing the outputs")
      ->check(CLI::ExistingFile);
  cmd->add_option("--peak-memory", args->peak_memory,
                  "Planned peak memory in bytes (default: from the engine; 0 and --no-engine: unknown)");
  cmd->add_option("--dim", args->dims,
                  "SYMBOL=N: bind a symbolic input dim for the planned peak memory (default 1)");
  cmd->add_flag("--no-engine", args->no_engine,
                "Do not load the model with the engine: schema and peak memory only as given");
  cmd->callback([args, exit_code] {
    Status s = Pack(*args);
    *exit_code = s.ok() ? kExitOk : Fail(s.error());
  });
}

}  // namespace confide::cli
