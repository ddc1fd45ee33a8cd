// What `confide pack` records in a manifest about the model itself, from the engine: the input and
// output schema and the planned peak memory (docs/formats/package.md §3, "schema" and "engine").
//
//   CONFIDE_ASSIGN_OR_RETURN(ModelFacts facts, DescribeModelForManifest(onnx_bytes));
//   manifest.inputs_schema = facts.inputs_schema;   // canonical JSON arrays
#ifndef CONFIDE_APPS_CONFIDE_MODEL_MANIFEST_H_
#define CONFIDE_APPS_CONFIDE_MODEL_MANIFEST_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/engine/engine.h"

namespace confide::cli {

struct ModelFacts {
  // Canonical JSON arrays, one object per graph input/output in graph order:
  //   {"dtype":"float32","name":"x","shape":[1,3,"height",224]}
  // A static dim is an integer, a symbolic one its symbol's name ("?" when unnamed); "shape" is
  // null when the rank is unknown.
  std::string inputs_schema;
  std::string outputs_schema;
  // Weight bytes plus the planned arena (intermediates and kernel scratch) for one run on the
  // declared static dims, with each symbolic input dim bound as `dims` says (by symbol name)
  // and to 1 otherwise; 0 (unknown) when the engine cannot plan for those shapes (e.g. an audio
  // model whose planning run on 1 zero sample is refused). plan_error says why.
  uint64_t peak_memory_bytes = 0;
  uint64_t weight_bytes = 0;
  uint64_t arena_bytes = 0;
  std::string plan_error;  // empty when planned
};

// The schema array for `tensors` (canonical JSON text).
std::string SchemaJson(const std::vector<engine::TensorDesc>& tensors);

// Loads the model with the engine (one thread) and describes it. The engine's load errors pass
// through (kMalformed, kUnsupported): a model the engine cannot load is not packed by default.
Result<ModelFacts> DescribeModelForManifest(ByteSpan onnx,
                                            const std::map<std::string, int64_t>& dims = {});

}  // namespace confide::cli

#endif  // CONFIDE_APPS_CONFIDE_MODEL_MANIFEST_H_
