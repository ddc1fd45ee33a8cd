// `confide run MODEL.onnx --input NAME=FILE.npy ... [--threads N] [--bench N] [-o DIR]`: a plain,
// non-confidential run for a model owner to check a model before packing it.
#include <algorithm>
#include <filesystem>
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <vector>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "confide/base/process.h"
#include "confide/base/process_memory.h"
#include "confide/base/file.h"
#include "confide/engine/engine.h"
#include "confide/engine/npy.h"

namespace confide::cli {
namespace {

struct RunArgs {
  std::string model;
  std::vector<std::string> inputs;
  int threads = 0;
  int bench = 0;
  std::string out_dir;
  bool memory_report = false;
};

// --memory-report, on stderr: the engine's weight and planned arena bytes for these inputs, and
// the process's RSS before loading, after loading and at its peak during the runs (the peak is
// reset after loading, so parsing the model does not count).
void ReportMemory(const engine::Model& model, const engine::NamedTensors& inputs,
                  uint64_t rss_start_kib, uint64_t rss_loaded_kib, uint64_t peak_load_kib) {
  std::vector<engine::Shape> shapes;
  for (const engine::TensorDesc& d : model.info().inputs) {
    for (const auto& [name, t] : inputs) {
      if (name == d.name) shapes.push_back(t.shape());
    }
  }
  Result<size_t> arena = model.PlannedArenaBytes(shapes);
  std::cerr << "memory: weight_bytes " << model.info().weight_bytes << " arena_bytes "
            << (arena.ok() ? *arena : 0) << " rss_start_kib " << rss_start_kib
            << " rss_after_load_kib " << rss_loaded_kib
            << " peak_rss_load_kib " << peak_load_kib << " peak_rss_runs_kib " << PeakResidentKib()
            << " rss_anon_kib " << StatusKib("RssAnon:") << " rss_file_kib " << StatusKib("RssFile:")
            << "\n";
}

Result<engine::NamedTensors> ReadInputs(const std::vector<std::string>& specs) {
  engine::NamedTensors inputs;
  for (const std::string& spec : specs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos) return InvalidArgumentError("--input wants NAME=FILE.npy, got " + spec);
    CONFIDE_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(spec.substr(eq + 1)));
    auto t = engine::ParseNpy(bytes);
    if (!t.ok()) return Error{t.error().code, spec.substr(eq + 1) + ": " + t.error().message};
    inputs.emplace_back(spec.substr(0, eq), *t);
  }
  return inputs;
}

void PrintSummary(const engine::NamedTensors& outputs) {
  for (const auto& [name, t] : outputs) {
    std::cout << name << ": " << engine::DataTypeName(t.dtype()) << engine::ShapeToString(t.shape());
    if (t.dtype() == engine::DataType::kFloat32 && t.num_elements() > 0) {
      const float* p = t.data<float>();
      auto [lo, hi] = std::minmax_element(p, p + t.num_elements());
      double sum = 0;
      for (int64_t i = 0; i < t.num_elements(); ++i) sum += p[i];
      std::cout << " min=" << *lo << " max=" << *hi << " mean=" << sum / t.num_elements();
    }
    std::cout << "\n";
  }
}

Status Bench(const engine::Model& model, const engine::NamedTensors& inputs, int n) {
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    auto start = std::chrono::steady_clock::now();
    CONFIDE_TRY(model.Run(inputs));
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  double mean = 0;
  for (double v : ms) mean += v;
  std::sort(ms.begin(), ms.end());
  std::cout << "bench: " << n << " runs, mean " << mean / n << " ms, p50 " << ms[ms.size() / 2]
            << " ms, min " << ms.front() << " ms\n";
  return OkStatus();
}

int RunModel(const RunArgs& args) {
  KeepFreedHeapForReuse();  // `--bench`: runs reuse heap instead of faulting pages in
  uint64_t rss_start = ResidentKib();  // the process before the model: code, libraries, heap
  Result<std::unique_ptr<engine::Model>> model = InvalidArgumentError("not loaded");
  {
    auto bytes = ReadFile(args.model);  // dropped once loaded: the engine keeps its own weights
    if (!bytes.ok()) return Fail(bytes.error());
    model = engine::Model::Load(*bytes, {.num_threads = args.threads});
  }
  if (!model.ok()) return Fail(model.error());
  ReleaseFreedHeap();  // the file bytes and the loader's transient structures
  uint64_t rss_loaded = ResidentKib();
  uint64_t peak_load = PeakResidentKib();
  if (args.memory_report && !ResetPeakResident()) {
    std::cerr << "confide: warning: cannot reset the peak RSS; it includes loading\n";
  }
  auto inputs = ReadInputs(args.inputs);
  if (!inputs.ok()) return Fail(inputs.error());
  auto outputs = (*model)->Run(*inputs);
  if (!outputs.ok()) return Fail(outputs.error());
  PrintSummary(*outputs);
  if (!args.out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(args.out_dir, ec);
    if (ec) return Fail(UnavailableError(args.out_dir + ": " + ec.message()));
    for (const auto& [name, t] : *outputs) {
      std::string safe = name;
      std::replace_if(safe.begin(), safe.end(), [](char c) { return c == '/' || c == '\\'; }, '_');
      Status st = WriteFile(args.out_dir + "/" + safe + ".npy", engine::SerializeNpy(t));
      if (!st.ok()) return Fail(st.error());
    }
  }
  if (args.bench > 0) {
    Status st = Bench(**model, *inputs, args.bench);
    if (!st.ok()) return Fail(st.error());
  }
  if (args.memory_report) ReportMemory(**model, *inputs, rss_start, rss_loaded, peak_load);
  return kExitOk;
}

}  // namespace

void AddRunCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("run", "Run an ONNX model on .npy inputs (plain, not confidential).");
  auto args = std::make_shared<RunArgs>();
  cmd->add_option("MODEL", args->model, "ONNX model file")->required();
  cmd->add_option("--input,-i", args->inputs, "NAME=FILE.npy, once per graph input");
  cmd->add_option("--threads", args->threads, "intra-op threads (default: the cores)");
  cmd->add_option("--bench", args->bench, "run N more times and print mean/p50/min latency");
  cmd->add_option("-o,--out-dir", args->out_dir, "write each output to DIR/NAME.npy");
  cmd->add_flag("--memory-report", args->memory_report,
                "print weight and planned arena bytes and the RSS after loading and at its peak "
                "during the runs to stderr (bench/engine_memory.sh)");
  cmd->callback([=] { *exit_code = RunModel(*args); });
}

}  // namespace confide::cli
