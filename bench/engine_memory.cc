// Peak memory of the engine alone, for bench/engine_memory.sh: a process holding only the engine
// and its libraries (no CLI, OpenSSL or SQLite) loads MODEL, runs it RUNS times on the inputs and
// prints one line on stdout:
//   memory: weight_bytes W arena_bytes A rss_start_kib S rss_after_load_kib L peak_rss_runs_kib P
//           rss_anon_kib N rss_file_kib F
// It treats the heap like confide-server: freed blocks are kept for reuse, and the loading peak is
// given back after loading. The peak is reset after loading, so P covers the runs only.
// Usage: engine_memory MODEL THREADS RUNS INPUT.npy...   (inputs bind to graph inputs in order)
// CONFIDE_BENCH_KERNELS=no-onednn runs it without oneDNN (see bench/engine_inputs.h).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bench/engine_inputs.h"
#include "confide/base/file.h"
#include "confide/base/process.h"
#include "confide/base/process_memory.h"
#include "confide/engine/engine.h"

namespace {

int Fail(const std::string& what, const confide::Error& e) {
  return confide::bench::Fail("engine_memory", what, e);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace confide;
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s MODEL THREADS RUNS INPUT.npy...\n", argv[0]);
    return 2;
  }
  KeepFreedHeapForReuse();
  const uint64_t rss_start = ResidentKib();
  std::unique_ptr<engine::Model> model;
  {
    auto bytes = ReadFile(argv[1]);
    if (!bytes.ok()) return Fail("read", bytes.error());  // the error names the file
    auto kernels = bench::BenchKernelRegistry();
    if (!kernels.ok()) return Fail("kernels", kernels.error());
    auto loaded =
        engine::Model::Load(*bytes, {.num_threads = std::atoi(argv[2]), .registry = *kernels});
    if (!loaded.ok()) return Fail("load", loaded.error());
    model = std::move(*loaded);
  }
  ReleaseFreedHeap();
  const uint64_t rss_loaded = ResidentKib();
  if (!ResetPeakResident()) std::fprintf(stderr, "engine_memory: cannot reset the peak RSS\n");

  auto inputs = bench::ReadModelInputs(*model, std::vector<std::string>(argv + 4, argv + argc));
  if (!inputs.ok()) return Fail("inputs", inputs.error());
  std::vector<engine::Shape> shapes;
  for (const auto& [name, t] : *inputs) shapes.push_back(t.shape());
  for (int run = 0, runs = std::max(1, std::atoi(argv[3])); run < runs; ++run) {
    if (auto out = model->Run(*inputs); !out.ok()) return Fail("run", out.error());
  }
  auto arena = model->PlannedArenaBytes(shapes);
  if (!arena.ok()) return Fail("plan", arena.error());
  std::printf("memory: weight_bytes %zu arena_bytes %zu rss_start_kib %llu rss_after_load_kib %llu "
              "peak_rss_runs_kib %llu rss_anon_kib %llu rss_file_kib %llu\n",
              model->info().weight_bytes, *arena, static_cast<unsigned long long>(rss_start),
              static_cast<unsigned long long>(rss_loaded), static_cast<unsigned long long>(PeakResidentKib()),
              static_cast<unsigned long long>(StatusKib("RssAnon:")),
              static_cast<unsigned long long>(StatusKib("RssFile:")));
  return 0;
}
