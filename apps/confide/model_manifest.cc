#include "apps/confide/model_manifest.h"

#include <nlohmann/json.hpp>

namespace confide::cli {

std::string SchemaJson(const std::vector<engine::TensorDesc>& tensors) {
  nlohmann::json list = nlohmann::json::array();
  for (const engine::TensorDesc& t : tensors) {
    nlohmann::json shape = nullptr;
    if (t.has_shape) {
      shape = nlohmann::json::array();
      for (size_t i = 0; i < t.dims.size(); ++i) {
        if (t.dims[i] >= 0) {
          shape.push_back(t.dims[i]);
        } else {
          shape.push_back(i < t.symbols.size() && !t.symbols[i].empty() ? t.symbols[i] : "?");
        }
      }
    }
    list.push_back({{"name", t.name},
                    {"dtype", std::string(engine::DataTypeName(t.dtype))},
                    {"shape", shape}});
  }
  // Names come from the model; invalid UTF-8 in one makes dump() throw. Replace it (U+FFFD) so
  // the schema stays valid JSON.
  return list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<ModelFacts> DescribeModelForManifest(ByteSpan onnx, const std::map<std::string, int64_t>& dims) {
  CONFIDE_ASSIGN_OR_RETURN(std::unique_ptr<engine::Model> model,
                           engine::Model::Load(onnx, {.num_threads = 1}));
  const engine::ModelInfo& info = model->info();
  ModelFacts facts;
  facts.inputs_schema = SchemaJson(info.inputs);
  facts.outputs_schema = SchemaJson(info.outputs);
  facts.weight_bytes = info.weight_bytes;
  std::vector<engine::Shape> shapes;
  for (const engine::TensorDesc& d : info.inputs) {
    engine::Shape s;
    for (size_t i = 0; i < d.dims.size(); ++i) {
      auto bound = i < d.symbols.size() ? dims.find(d.symbols[i]) : dims.end();
      s.push_back(d.dims[i] >= 0 ? d.dims[i] : bound != dims.end() ? bound->second : 1);
    }
    shapes.push_back(std::move(s));
  }
  Result<size_t> arena = model->PlannedArenaBytes(shapes);  // the load's plan when all static
  if (arena.ok()) {
    facts.arena_bytes = *arena;
    facts.peak_memory_bytes = facts.weight_bytes + facts.arena_bytes;
  } else {
    facts.plan_error = arena.error().message;
  }
  return facts;
}

}  // namespace confide::cli
