// `confide model info MODEL.onnx`: ops with counts, inputs/outputs with shapes, opsets, planned
// peak memory and weight bytes of an ONNX model, as the engine loads it.
#include <iostream>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "confide/base/file.h"
#include "confide/engine/engine.h"

namespace confide::cli {
namespace {

void PrintTensors(const char* title, const std::vector<engine::TensorDesc>& list) {
  std::cout << title << ":\n";
  for (const engine::TensorDesc& d : list) {
    std::cout << "  " << d.name << ": " << engine::DataTypeName(d.dtype) << d.ShapeString() << "\n";
  }
}

int ModelInfo(const std::string& path, int threads) {
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return Fail(bytes.error());
  auto model = engine::Model::Load(*bytes, {.num_threads = threads});
  if (!model.ok()) return Fail(model.error());
  const engine::ModelInfo& info = (*model)->info();
  std::cout << "model: " << path << " (" << bytes->size() << " bytes, IR " << info.ir_version
            << ", producer '" << info.producer_name << "')\nopsets:";
  for (const auto& [domain, version] : info.opsets) {
    std::cout << " " << (domain.empty() ? "ai.onnx" : domain) << "=" << version;
  }
  std::cout << "\n";
  PrintTensors("inputs", info.inputs);
  PrintTensors("outputs", info.outputs);
  int total = 0;
  for (const auto& [op, count] : info.op_counts) total += count;
  std::cout << "ops (" << total << " nodes; " << info.num_nodes_optimized
            << " after constant folding and fusion):\n";
  for (const auto& [op, count] : info.op_counts) std::cout << "  " << op << " " << count << "\n";
  std::cout << "weight bytes: " << info.weight_bytes << "\n";
  if (info.planned_peak_bytes > 0) {
    std::cout << "planned peak arena bytes: " << info.planned_peak_bytes << "\n";
  } else {
    std::cout << "planned peak arena bytes: planned at first run (symbolic input dims)\n";
  }
  return kExitOk;
}

}  // namespace

void AddModelCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("model", "Inspect ONNX models (plain, not confidential).");
  cmd->require_subcommand(1);
  CLI::App* info = cmd->add_subcommand("info", "Ops, inputs/outputs, opsets, planned memory, weights.");
  auto path = std::make_shared<std::string>();
  auto threads = std::make_shared<int>(1);
  info->add_option("MODEL", *path, "ONNX model file")->required();
  info->add_option("--threads", *threads, "intra-op threads for the planning run");
  info->callback([=] { *exit_code = ModelInfo(*path, *threads); });
}

}  // namespace confide::cli
