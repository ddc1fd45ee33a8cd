// Test helper: builds a small ONNX model around one op (optionally followed by an activation the
// fusion pass folds in), runs it with the reference-only registry and with the default registry
// (fast kernels), and compares the outputs under a per-op tolerance. TESTONLY.
//
//   OpCase c{.op = "Conv", .inputs = {{"X", RandomTensor({1, 8, 9, 9}, 1)}},
//            .weights = {{"W", RandomTensor({4, 8, 3, 3}, 2)}}, .node_inputs = {"X", "W"}};
//   c.attrs = [](onnx::NodeProto& n) { AddInts(n, "pads", {1, 1, 1, 1}); };
//   ExpectFastMatchesReference(c, {.atol = 1e-5, .rtol = 1e-4});
#ifndef CONFIDE_ENGINE_KERNELS_TESTING_FAST_VS_REFERENCE_H_
#define CONFIDE_ENGINE_KERNELS_TESTING_FAST_VS_REFERENCE_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "confide/engine/engine.h"
#include "onnx.pb.h"

namespace confide::engine::testing {

struct OpCase {
  std::string op;
  int opset = 13;
  std::vector<std::pair<std::string, Tensor>> inputs;   // graph inputs (runtime values)
  std::vector<std::pair<std::string, Tensor>> weights;  // initializers (constant at load)
  std::vector<std::string> node_inputs;                 // by name; "" = omitted optional input
  std::function<void(onnx::NodeProto&)> attrs;         // sets the node's attributes
  std::string then_activation;                          // "" or Relu / Clip / LeakyRelu node after
  bool unknown_input_shapes = false;                    // graph inputs declared without a shape
};

struct Tolerance {
  double atol = 1e-5;
  double rtol = 1e-4;
};

// Deterministic pseudo-random values in [lo, hi) (float32, or uint8/int8 rounded).
Tensor RandomTensor(DataType dtype, const Shape& shape, uint32_t seed, float lo = -1.f, float hi = 1.f);
inline Tensor RandomTensor(const Shape& shape, uint32_t seed) {
  return RandomTensor(DataType::kFloat32, shape, seed);
}
void AddInt(onnx::NodeProto& n, const std::string& name, int64_t v);
void AddFloat(onnx::NodeProto& n, const std::string& name, float v);
void AddInts(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v);

// Runs `c` on both registries (1 and 2 threads for the fast one) and EXPECTs every output
// element within atol + rtol * |reference| (exact match for integer outputs).
void ExpectFastMatchesReference(const OpCase& c, Tolerance tol);
// One model of `c` with inputs of unknown shape, loaded once per registry (fast: 1 thread), run
// `rounds` times over `first_inputs` in turn as its first input (the other inputs as in `c`);
// EXPECTs each output to match the reference like ExpectFastMatchesReference. For the kernels'
// per-shape caches: more shapes than they hold make them drop and rebuild entries.
void ExpectFastMatchesReferenceOnShapes(OpCase c, const std::vector<Tensor>& first_inputs, int rounds,
                                        Tolerance tol);

}  // namespace confide::engine::testing

#endif  // CONFIDE_ENGINE_KERNELS_TESTING_FAST_VS_REFERENCE_H_
