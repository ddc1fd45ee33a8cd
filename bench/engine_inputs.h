// For the engine benchmarks: reads .npy files as a model's inputs, picks the kernels, and
// reports errors.
#ifndef CONFIDE_BENCH_ENGINE_INPUTS_H_
#define CONFIDE_BENCH_ENGINE_INPUTS_H_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "confide/base/file.h"
#include "confide/engine/engine.h"
#include "confide/engine/npy.h"

namespace confide::bench {

// Binds `files` to the model's graph inputs in order (extra files are ignored). An error names
// the file.
inline Result<engine::NamedTensors> ReadModelInputs(const engine::Model& model,
                                                    const std::vector<std::string>& files) {
  const auto& descs = model.info().inputs;
  engine::NamedTensors inputs;
  for (size_t i = 0; i < files.size() && i < descs.size(); ++i) {
    auto file = ReadFile(files[i]);
    if (!file.ok()) return file.error();  // names the file
    auto t = engine::ParseNpy(*file);
    if (!t.ok()) return Error{t.error().code, files[i] + ": " + t.error().message};
    inputs.emplace_back(descs[i].name, *t);
  }
  return inputs;
}

// The kernels that CONFIDE_BENCH_KERNELS names: unset or "default" gives DefaultKernelRegistry()
// (oneDNN and our own fast kernels), "no-onednn" KernelRegistryWithoutOneDnn(). kInvalidArgument
// for anything else.
inline Result<const engine::KernelRegistry*> BenchKernelRegistry() {
  const char* name = std::getenv("CONFIDE_BENCH_KERNELS");
  std::string kernels = name ? name : "default";
  if (kernels == "default") return &engine::DefaultKernelRegistry();
  if (kernels == "no-onednn") return &engine::KernelRegistryWithoutOneDnn();
  return InvalidArgumentError("CONFIDE_BENCH_KERNELS must be default or no-onednn, not " + kernels);
}

// Prints "TOOL: WHAT: message" on stderr and returns 1, the tools' exit code for an error.
inline int Fail(const char* tool, const std::string& what, const Error& e) {
  std::fprintf(stderr, "%s: %s: %s\n", tool, what.c_str(), e.message.c_str());
  return 1;
}

}  // namespace confide::bench

#endif  // CONFIDE_BENCH_ENGINE_INPUTS_H_
