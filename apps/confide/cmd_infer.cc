// `confide infer URL --policy FILE --model NAME --input NAME=FILE`: verify a confide-server, then
// run one inference on it (attested TLS, or --sealed HPKE envelopes).
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "apps/confide/remote_cli.h"
#include "confide/base/process.h"
#include "confide/base/file.h"
#include "confide/engine/npy.h"
#include "confide/server/oip_tensors.h"

namespace confide::cli {

namespace {

struct InferArgs {
  std::string url;
  std::string policy;
  std::string model;
  std::vector<std::string> inputs;
  bool sealed = false;
  bool json_tensors = false;
  std::string out_dir;
  int repeat = 1;
};

// NAME=FILE.npy, or NAME=FILE.json holding one OIP tensor {"shape","datatype","data"}.
Result<std::pair<std::string, engine::Tensor>> LoadInput(const std::string& spec) {
  auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0) return InvalidArgumentError("--input wants NAME=FILE");
  std::string name = spec.substr(0, eq), path = spec.substr(eq + 1);
  CONFIDE_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(path));
  if (path.ends_with(".json")) {
    auto j = nlohmann::json::parse(ToString(bytes), nullptr, false);
    if (!j.is_object()) return InvalidArgumentError(path + ": not a JSON object");
    j["name"] = name;
    nlohmann::json req = {{"inputs", {j}}};
    CONFIDE_ASSIGN_OR_RETURN(server::InferRequest r,
                             server::ParseInferRequest(req.dump(), std::nullopt, {}));
    return r.inputs[0];
  }
  CONFIDE_ASSIGN_OR_RETURN(engine::Tensor t, engine::ParseNpy(bytes));
  return std::pair{name, t};
}

void PrintOutput(const std::string& name, const engine::Tensor& t) {
  std::cout << "  " << name << ": " << engine::DataTypeName(t.dtype()) << " "
            << engine::ShapeToString(t.shape());
  if (t.dtype() == engine::DataType::kFloat32 && t.shape().size() == 2 && t.shape()[1] > 0) {
    int64_t cols = t.shape()[1];
    std::cout << "  argmax per row:";
    for (int64_t r = 0; r < t.shape()[0] && r < 16; ++r) {
      const float* row = t.data<float>() + r * cols;
      std::cout << " " << (std::max_element(row, row + cols) - row);
    }
  }
  std::cout << "\n";
}

int RunInfer(const InferArgs& args) {
  KeepFreedHeapForReuse();  // `--repeat`: requests reuse heap instead of faulting pages in
  using Ms = std::chrono::duration<double, std::milli>;
  engine::NamedTensors inputs;
  for (const auto& spec : args.inputs) {
    auto in = LoadInput(spec);
    if (!in.ok()) return Fail(in.error());
    inputs.push_back(*std::move(in));
  }
  SystemClock clock;
  auto c = OpenClient(args.url, args.policy, clock);
  if (!c.ok()) return Fail(c.error());
  auto t0 = std::chrono::steady_clock::now();
  if (!args.sealed) {
    auto a = (*c)->Connect();
    if (!a.ok()) {
      std::cout << (*c)->Explain();
      return Fail(a.error());
    }
  }
  double connect_ms = Ms(std::chrono::steady_clock::now() - t0).count();
  Result<engine::NamedTensors> out = InvalidArgumentError("no request");
  std::vector<double> times;
  for (int i = 0; i < std::max(1, args.repeat); ++i) {
    auto t = std::chrono::steady_clock::now();
    out = args.sealed ? (*c)->InferSealed(args.model, inputs)
                      : (*c)->Infer(args.model, inputs, !args.json_tensors);
    if (!out.ok()) break;
    times.push_back(Ms(std::chrono::steady_clock::now() - t).count());
  }
  if (!out.ok()) {
    if (out.error().code == ErrorCode::kVerificationFailed) std::cout << (*c)->Explain();
    return Fail(out.error());
  }
  std::cout << "verified the server and ran '" << args.model << "' "
            << (args.sealed ? "(sealed: HPKE to the attested key)" : "(attested TLS)") << "\n";
  for (const auto& [name, t] : *out) PrintOutput(name, t);
  std::sort(times.begin(), times.end());
  std::cout << "  time: connect + attested-TLS appraisal " << connect_ms << " ms; inference "
            << (args.sealed ? "(first includes fresh attestation) " : "") << "p50 "
            << times[times.size() / 2] << " ms, p99 " << times[times.size() * 99 / 100]
            << " ms over " << times.size() << " request(s)\n";
  if (!args.out_dir.empty()) {
    std::filesystem::create_directories(args.out_dir);
    for (const auto& [name, t] : *out) {
      Status s = WriteFile(args.out_dir + "/" + name + ".npy", engine::SerializeNpy(t), 0644);
      if (!s.ok()) return Fail(s.error());
    }
  }
  return kExitOk;
}

}  // namespace

void AddInferCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<InferArgs>();
  CLI::App* cmd = app.add_subcommand(
      "infer", "Verify a confide-server against a policy, then run inference on it. No input byte "
               "is sent before the appraisal passes.");
  cmd->add_option("url", args->url, "https://HOST:PORT (http:// with --sealed)")->required();
  cmd->add_option("--policy", args->policy, "Appraisal policy (TOML)")->required();
  cmd->add_option("--model", args->model, "Model name")->required();
  cmd->add_option("--input", args->inputs, "NAME=FILE.npy or NAME=FILE.json (repeatable)")
      ->required();
  cmd->add_flag("--sealed", args->sealed, "HPKE-seal the request to the attested key");
  cmd->add_flag("--json-tensors", args->json_tensors, "Send tensors as JSON, not binary");
  cmd->add_option("-o,--out", args->out_dir, "Write each output as NAME.npy in this folder");
  cmd->add_option("--repeat", args->repeat, "Send the request this many times (timing)");
  cmd->callback([args, exit_code] { *exit_code = RunInfer(*args); });
}

}  // namespace confide::cli
