// `confide bundle`: the deployable directory (or .tar.gz) an operator copies into a TEE —
// confide-server, its library closure (bundle_closure.h), the model packages and the key source
// the operator chose, the trust list, confide-server.toml, run.sh, the Gramine manifest template,
// the reference values and a client policy (bundle_layout.h, deploy/README.md).
//
//   confide bundle -o out/ --tee sim --model demo.cfpkg:demo.key --trust signers.toml [--tar x.tgz]
//
// Copies only what it is given: a model key only when named as PKG:KEYFILE, never an owner
// signing key (the trust list is re-written with public keys only).
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "apps/confide/bundle_closure.h"
#include "apps/confide/bundle_layout.h"
#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "confide/base/clock.h"
#include "confide/base/file.h"
#include "confide/base/hex.h"
#include "confide/crypto/hash.h"
#include "confide/package/trust.h"
#include "confide/tee/sim/sim_store.h"

namespace confide::cli {

namespace {

namespace fs = std::filesystem;

struct BundleArgs {
  std::string out;
  std::string tee = "sim";
  std::string server;
  std::vector<std::string> models;
  std::string trust;
  std::string sim_dir;
  std::string state_dir;
  std::string kbs, kbs_pin;
  std::string host;
  int port = -1;
  std::string tar;
  std::string manifest_template;
  std::string enclave_size = "4G";
  int max_threads = 64;
  bool force = false;
};

Result<std::string> Sha256File(const std::string& path,
                               crypto::HashAlg alg = crypto::HashAlg::kSha256) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return UnavailableError(path + ": cannot read");
  crypto::Hasher h(alg);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) {
      h.Update(AsBytes(std::string_view(buf.data(), static_cast<size_t>(in.gcount()))));
    }
  }
  if (in.bad()) return UnavailableError(path + ": read error");
  return HexEncode(h.Finish());
}

Status CopyInto(const fs::path& from, const fs::path& to, fs::perms mode) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::none, ec);  // follows a symlinked source
  if (!ec) fs::permissions(to, mode, fs::perm_options::replace, ec);
  if (ec) {
    return UnavailableError("copy " + from.string() + " -> " + to.string() + ": " + ec.message());
  }
  return OkStatus();
}

Status WriteText(const fs::path& path, const std::string& text, unsigned mode = 0644) {
  return WriteFile(path.string(), AsBytes(text), mode);
}

// The default server: next to this executable (installed), else the build tree's sibling.
std::string DefaultServer() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "confide-server";
  for (const fs::path& p :
       {self.parent_path() / "confide-server",
        self.parent_path().parent_path() / "confide-server" / "confide-server"}) {
    if (fs::exists(p, ec)) return p.string();
  }
  return "confide-server";
}

// An empty or absent directory, or (with --force) a previous bundle, which is removed.
Status PrepareOutput(const fs::path& out, bool force) {
  std::error_code ec;
  if (fs::exists(out, ec)) {
    if (!fs::is_directory(out, ec)) {
      return InvalidArgumentError(out.string() + " is not a directory");
    }
    if (!fs::is_empty(out, ec)) {
      if (!force) {
        return InvalidArgumentError(out.string() + " is not empty (--force replaces a bundle)");
      }
      if (!fs::exists(out / "confide-server.toml", ec) || !fs::exists(out / "run.sh", ec)) {
        return InvalidArgumentError(
            out.string() + " is not empty and not a bundle: --force only replaces a bundle");
      }
      fs::remove_all(out, ec);
      if (ec) return UnavailableError("remove " + out.string() + ": " + ec.message());
    }
  }
  for (const char* sub : {"bin", "lib", "models", "trust", "gramine"}) {
    fs::create_directories(out / sub, ec);
    if (ec) return UnavailableError("create " + (out / sub).string() + ": " + ec.message());
  }
  return OkStatus();
}

// signers.toml with each signer's public key inline (no key files to carry, no private keys).
Result<std::string> RenderTrustList(const package::TrustList& trust) {
  std::string out = "# Package signers confide-server accepts (copied by `confide bundle`).\n";
  for (const package::TrustedSigner& s : trust.signers()) {
    CONFIDE_ASSIGN_OR_RETURN(std::string name, TomlString(s.name));
    out += "\n[[signer]]\nname = " + name + "\npublic_key = \"\"\"\n" + s.key.ToPem() + "\"\"\"\n";
    if (s.not_before) out += "not_before = \"" + FormatRfc3339(*s.not_before) + "\"\n";
    if (s.not_after) out += "not_after = \"" + FormatRfc3339(*s.not_after) + "\"\n";
    if (s.revoked) out += "revoked = true\n";
  }
  return out;
}

// Every regular file under `root`, relative, sorted.
Result<std::vector<std::string>> ListFiles(const fs::path& root) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(it->path().lexically_relative(root).string());
  }
  if (ec) return UnavailableError("list " + root.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

// A folder only its owner can enter (keys/, state/).
Status MakePrivateDir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!ec) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return UnavailableError("create " + dir.string() + ": " + ec.message());
  return OkStatus();
}

Result<std::string> Absolute(const fs::path& p) {
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  if (ec) return UnavailableError(p.string() + ": " + ec.message());
  abs = abs.lexically_normal();
  if (abs.filename().empty()) abs = abs.parent_path();  // "dir/" -> "dir"
  return abs.string();
}

// Removes a half-written bundle unless disarmed (the output was empty or a bundle --force
// replaced, so nothing else is lost).
struct RemoveOnFailure {
  fs::path dir;
  bool armed = true;
  ~RemoveOnFailure() {
    std::error_code ec;
    if (armed) fs::remove_all(dir, ec);
  }
};

// Every --model package and key file exists, before anything is written.
Status CheckInputs(const std::vector<std::string>& models) {
  std::error_code ec;
  for (const std::string& spec : models) {
    size_t colon = spec.find(':');
    std::vector<std::string> paths = {spec.substr(0, colon)};
    if (colon != std::string::npos) paths.push_back(spec.substr(colon + 1));
    for (const std::string& path : paths) {
      if (!fs::is_regular_file(path, ec)) {
        return NotFoundError("--model " + spec + ": no file '" + path + "'");
      }
    }
  }
  return OkStatus();
}

Status Build(const BundleArgs& a, BundleTarget target) {
  const fs::path out = a.out;
  std::string server = a.server.empty() ? DefaultServer() : a.server;
  std::error_code ec;
  if (!fs::is_regular_file(server, ec)) {
    return NotFoundError("confide-server not found: " + server + " (--server)");
  }
  CONFIDE_ASSIGN_OR_RETURN(package::TrustList trust, package::TrustList::Load(a.trust));
  ReferenceValues refs{.target = target, .generated_at = FormatRfc3339(SystemClock().Now())};
  ServerConfigValues config{.target = target};
  if (target == BundleTarget::kSim) {
    std::string dir = a.sim_dir.empty() ? tee::sim::DefaultSimDir() : a.sim_dir;
    CONFIDE_ASSIGN_OR_RETURN(tee::sim::SimStore store, tee::sim::LoadSimStore(dir));
    refs.sim_root = HexEncode(crypto::Sha256(store.ark.public_key().ToDer()));
    CONFIDE_ASSIGN_OR_RETURN(config.sim_dir, Absolute(dir));
  }
  CONFIDE_ASSIGN_OR_RETURN(std::string ldd, RunAndCapture({"ldd", server}));
  CONFIDE_ASSIGN_OR_RETURN(LibraryClosure closure, ParseLddOutput(ldd));
  CONFIDE_TRY(CheckInputs(a.models));
  CONFIDE_TRY(PrepareOutput(out, a.force));
  RemoveOnFailure cleanup{out};

  const auto exec = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                    fs::perms::others_read | fs::perms::others_exec;
  const auto data = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                    fs::perms::others_read;
  const auto secret = fs::perms::owner_read | fs::perms::owner_write;
  CONFIDE_TRY(CopyInto(server, out / "bin" / "confide-server", exec));
  for (const SharedLibrary& lib : closure.bundled) {
    CONFIDE_TRY(CopyInto(lib.path, out / "lib" / lib.soname, data));
  }
  std::set<std::string> names;
  for (const std::string& spec : a.models) {
    size_t colon = spec.find(':');
    fs::path pkg = spec.substr(0, colon);
    std::string name = pkg.filename().string();
    if (!names.insert(name).second) return InvalidArgumentError("two models named " + name);
    CONFIDE_TRY(CopyInto(pkg, out / "models" / name, data));
    std::string entry = "models/" + name;
    if (colon != std::string::npos) {
      fs::path key = spec.substr(colon + 1);
      std::string key_name = name + ".key";
      CONFIDE_TRY(MakePrivateDir(out / "keys"));
      CONFIDE_TRY(CopyInto(key, out / "keys" / key_name, secret));
      entry += ":keys/" + key_name;
    }
    config.models.push_back(entry);
  }
  CONFIDE_ASSIGN_OR_RETURN(std::string signers, RenderTrustList(trust));
  CONFIDE_TRY(WriteText(out / "trust" / "signers.toml", signers));
  if (a.state_dir.empty()) {
    CONFIDE_TRY(MakePrivateDir(out / "state"));
  } else {
    config.state_dir = a.state_dir;
  }
  if (!a.host.empty()) config.host = a.host;
  if (a.port >= 0) config.port = a.port;
  config.kbs = a.kbs;
  config.kbs_pin = a.kbs_pin;
  CONFIDE_ASSIGN_OR_RETURN(std::string config_text, RenderServerConfig(config));
  CONFIDE_TRY(WriteText(out / "confide-server.toml", config_text));
  CONFIDE_TRY(WriteText(out / "run.sh", RenderRunScript(), 0755));

  CONFIDE_ASSIGN_OR_RETURN(refs.server_sha384, Sha256File((out / "bin" / "confide-server").string(),
                                                          crypto::HashAlg::kSha384));
  CONFIDE_ASSIGN_OR_RETURN(refs.server_sha256,
                           Sha256File((out / "bin" / "confide-server").string()));
  CONFIDE_TRY(WriteText(out / "reference-values.toml", RenderReferenceValues(refs)));
  CONFIDE_TRY(WriteText(
      out / (target == BundleTarget::kSim ? "client-policy.toml" : "client-policy.toml.in"),
      RenderClientPolicy(refs)));

  // Trusted files: everything the server reads that decides its behaviour (not state/).
  std::vector<TrustedFile> trusted;
  CONFIDE_ASSIGN_OR_RETURN(std::vector<std::string> files, ListFiles(out));
  for (const std::string& rel : files) {
    if (rel.rfind("bin/", 0) == 0 || rel.rfind("lib/", 0) == 0 || rel.rfind("models/", 0) == 0 ||
        rel.rfind("keys/", 0) == 0 || rel.rfind("trust/", 0) == 0 || rel == "confide-server.toml") {
      CONFIDE_ASSIGN_OR_RETURN(std::string digest, Sha256File((out / rel).string()));
      trusted.push_back({rel, digest});
    }
  }
  std::string tmpl = kGramineManifestTemplate;
  if (!a.manifest_template.empty()) {
    CONFIDE_ASSIGN_OR_RETURN(Bytes t, ReadFile(a.manifest_template));
    tmpl.assign(t.begin(), t.end());
  }
  CONFIDE_ASSIGN_OR_RETURN(std::string manifest,
                           RenderGramineManifest(tmpl, trusted, a.enclave_size, a.max_threads));
  CONFIDE_TRY(WriteText(out / "gramine" / "confide-server.manifest.template", manifest));

  // SHA256SUMS last, over every other file (`sha256sum -c SHA256SUMS` in the bundle).
  std::string sums;
  CONFIDE_ASSIGN_OR_RETURN(files, ListFiles(out));
  for (const std::string& rel : files) {
    CONFIDE_ASSIGN_OR_RETURN(std::string digest, Sha256File((out / rel).string()));
    sums += digest + "  " + rel + "\n";
  }
  CONFIDE_TRY(WriteText(out / "SHA256SUMS", sums));

  if (!a.tar.empty()) {
    CONFIDE_ASSIGN_OR_RETURN(std::string abs_text, Absolute(out));
    CONFIDE_ASSIGN_OR_RETURN(std::string tar_path, Absolute(a.tar));
    fs::path abs = abs_text;
    // gzip -1: a few times faster than the default level on the ~50 MB of libraries, for
    // ~15% more bytes.
    CONFIDE_TRY(RunAndCapture({"tar", "-I", "gzip -1", "-cf", tar_path, "-C",
                               abs.parent_path().string(), abs.filename().string()}));
  }
  std::cout << "bundle for " << BundleTargetName(target) << " in " << out.string() << "\n"
            << "  bin/confide-server  sha384 " << refs.server_sha384 << "\n"
            << "  lib/: " << closure.bundled.size() << " libraries bundled; from the system: ";
  for (size_t i = 0; i < closure.system.size(); ++i) {
    std::cout << (i ? " " : "") << closure.system[i];
  }
  std::cout << "\n  models: " << config.models.size()
            << "; trusted files in the Gramine manifest: " << trusted.size() << "\n"
            << "  "
            << (target == BundleTarget::kSim ? "client-policy.toml (ready)"
                                             : "client-policy.toml.in (fill in from "
                                               "reference-values.toml)")
            << "\n  start: " << (out / "run.sh").string() << "\n";
  if (!a.tar.empty()) std::cout << "  archive: " << a.tar << "\n";
  cleanup.armed = false;
  return OkStatus();
}

}  // namespace

void AddBundleCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<BundleArgs>();
  CLI::App* cmd = app.add_subcommand(
      "bundle",
      "Write a deployable bundle: confide-server, its libraries, models, config, run.sh, "
      "Gramine manifest template, reference values and a client policy");
  cmd->add_option("-o,--output", a->out, "Bundle directory (must be empty or absent)")->required();
  cmd->add_option("--tee", a->tee, "Target: sim, snp, tdx, sgx or nitro")->capture_default_str();
  cmd->add_option("--server", a->server, "confide-server executable (default: next to confide)");
  cmd->add_option("--model", a->models,
                  "PACKAGE[:KEYFILE] (repeatable); the key file is copied only if named")
      ->required();
  cmd->add_option("--trust", a->trust, "signers.toml: the package signers the server accepts")
      ->required();
  cmd->add_option("--sim-dir", a->sim_dir,
                  "Simulator folder (--tee sim; default: $CONFIDE_SIM_DIR, ...)");
  cmd->add_option("--state-dir", a->state_dir,
                  "Server folder for the sealed key cache (default: state/ in the bundle)");
  cmd->add_option("--kbs", a->kbs, "Key broker HOST:PORT for the server's configuration");
  cmd->add_option("--kbs-pin", a->kbs_pin, "SHA-256 (hex) of the key broker's TLS public key");
  cmd->add_option("--host", a->host, "Listen address for the configuration");
  cmd->add_option("--port", a->port, "TLS port for the configuration");
  cmd->add_option("--tar", a->tar, "Also write the bundle as this .tar.gz");
  cmd->add_option("--manifest-template", a->manifest_template,
                  "Gramine manifest template (default: the built-in "
                  "deploy/gramine/confide-server.manifest.template)");
  cmd->add_option("--enclave-size", a->enclave_size, "Gramine sgx.enclave_size")
      ->capture_default_str();
  cmd->add_option("--max-threads", a->max_threads, "Gramine sgx.max_threads")
      ->capture_default_str();
  cmd->add_flag("--force", a->force, "Replace an existing bundle in the output directory");
  cmd->callback([a, exit_code] {
    auto target = ParseBundleTarget(a->tee);
    if (!target.ok()) {
      *exit_code = Fail(target.error());
      return;
    }
    if (a->kbs.empty() != a->kbs_pin.empty()) {
      *exit_code = Fail(InvalidArgumentError("--kbs and --kbs-pin go together"));
      return;
    }
    Status s = Build(*a, *target);
    *exit_code = s.ok() ? kExitOk : Fail(s.error());
  });
}

}  // namespace confide::cli
