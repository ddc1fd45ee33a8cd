// Loads arbitrary bytes as an ONNX model; when one loads and has static inputs, runs it once on
// zeros. Invariants: no crash, no sanitizer report; a load error always carries a message.
#include <cstdint>

#include "confide/base/check.h"
#include "confide/engine/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace confide::engine;
  auto model = Model::Load({data, size}, {.num_threads = 1, .memory_budget_bytes = 64 << 20});
  if (!model.ok()) {
    CONFIDE_CHECK(!model.error().message.empty());
    return 0;
  }
  NamedTensors inputs;
  for (const TensorDesc& d : (*model)->info().inputs) {
    Shape shape;
    for (int64_t v : d.dims) shape.push_back(v < 0 ? 1 : v);
    auto n = CheckedNumElements(shape, 1 << 20);
    if (!d.has_shape || !n.ok() || d.dtype == DataType::kUndefined) return 0;
    inputs.emplace_back(d.name, Tensor::Zeros(d.dtype, shape));
  }
  (void)(*model)->Run(inputs);
  return 0;
}
