// Throughput of the confide engine on one model, measured like bench/ort_bench.mjs: warm-up for
// one batch period, then the median of timed batches of back-to-back Model::Run calls.
// Usage: engine_bench MODEL.onnx THREADS BATCH_SECONDS BATCHES INPUT.npy...
// Inputs bind to the model's graph inputs in order. Prints one line:
// "runs_per_s <median> min <min> max <max>". Exit code 1 on any engine error.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "confide/base/file.h"
#include "confide/engine/engine.h"
#include "confide/engine/npy.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

int Fail(const std::string& what, const confide::Error& e) {
  std::fprintf(stderr, "engine_bench: %s: %s\n", what.c_str(), e.message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace confide;
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s MODEL THREADS BATCH_SECONDS BATCHES INPUT.npy...\n", argv[0]);
    return 2;
  }
  int threads = std::atoi(argv[2]);
  double batch_seconds = std::atof(argv[3]);
  int batches = std::max(1, std::atoi(argv[4]));
  auto bytes = ReadFile(argv[1]);
  if (!bytes.ok()) return Fail(argv[1], bytes.error());
  auto model = engine::Model::Load(*bytes, {.num_threads = threads});
  if (!model.ok()) return Fail("load", model.error());
  const auto& descs = (*model)->info().inputs;
  engine::NamedTensors inputs;
  for (int i = 5; i < argc && static_cast<size_t>(i - 5) < descs.size(); ++i) {
    auto file = ReadFile(argv[i]);
    if (!file.ok()) return Fail(argv[i], file.error());
    auto t = engine::ParseNpy(*file);
    if (!t.ok()) return Fail(argv[i], t.error());
    inputs.emplace_back(descs[i - 5].name, *t);
  }
  int warm = 0;
  Clock::time_point warm_start = Clock::now();
  while (warm < 3 || Seconds(warm_start) < batch_seconds) {
    if (auto out = (*model)->Run(inputs); !out.ok()) return Fail("run", out.error());
    ++warm;
  }
  long per_batch = std::max(1L, std::lround(warm * batch_seconds / Seconds(warm_start)));
  std::vector<double> rates;
  for (int b = 0; b < batches; ++b) {
    Clock::time_point t0 = Clock::now();
    for (long i = 0; i < per_batch; ++i) {
      if (auto out = (*model)->Run(inputs); !out.ok()) return Fail("run", out.error());
    }
    rates.push_back(per_batch / Seconds(t0));
  }
  std::sort(rates.begin(), rates.end());
  std::printf("runs_per_s %g min %g max %g\n", rates[rates.size() / 2], rates.front(), rates.back());
  return 0;
}
