// Throughput of the confide engine on one model, measured like bench/ort_bench.mjs: warm-up for
// one batch period, then the median of timed batches of back-to-back Model::Run calls.
// Usage: engine_bench MODEL.onnx THREADS BATCH_SECONDS BATCHES INPUT.npy...
// Inputs bind to the model's graph inputs in order. Prints one line:
// "runs_per_s <median> min <min> max <max>". Exit code 1 on any engine error.
// With CONFIDE_BENCH_PROFILE=1 in the environment, every kernel is wrapped in a timer and the
// time per op type (all runs, warm-up included) is printed to stderr afterwards;
// CONFIDE_BENCH_PROFILE=nodes splits it further by weight shape, group and strides.
// CONFIDE_BENCH_KERNELS=no-onednn measures the engine without oneDNN (bench/engine_inputs.h).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bench/engine_inputs.h"
#include "confide/base/file.h"
#include "confide/engine/engine.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Per op type: total nanoseconds and calls of Kernel::Run.
struct OpTime {
  std::atomic<int64_t> ns{0}, calls{0};
};
std::map<std::string, OpTime> g_times;
std::mutex g_times_mu;

class TimedKernel : public confide::engine::Kernel {
 public:
  TimedKernel(std::unique_ptr<Kernel> k, OpTime* t) : k_(std::move(k)), t_(t) {}
  confide::Status Run(confide::engine::KernelContext& ctx) const override {
    Clock::time_point t0 = Clock::now();
    confide::Status st = k_->Run(ctx);
    t_->ns += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
    ++t_->calls;
    return st;
  }

 private:
  std::unique_ptr<Kernel> k_;
  OpTime* t_;
};

// The op type, and with CONFIDE_BENCH_PROFILE=nodes the weight shape, group and strides.
std::string ProfileKey(const confide::engine::NodeInfo& n) {
  std::string key(n.op_type);
  if (std::string(std::getenv("CONFIDE_BENCH_PROFILE")) != "nodes") return key;
  if (n.num_inputs > 1 && n.constant_inputs[1]) {
    key += " W[";
    for (int64_t d : n.constant_inputs[1]->shape()) key += std::to_string(d) + ",";
    key.back() = ']';
  }
  if (n.Has("group")) key += " g" + std::to_string(n.GetInt("group", 1));
  auto strides = n.GetInts("strides");
  if (!strides.empty()) key += " s" + std::to_string(strides[0]);
  if (n.Has("_act")) key += " +" + n.GetString("_act", "");
  return key;
}

// `base` with every kernel wrapped in a TimedKernel.
const confide::engine::KernelRegistry* ProfilingRegistry(
    const confide::engine::KernelRegistry* base) {
  using namespace confide::engine;
  auto* r = new KernelRegistry;
  for (const auto& [domain, op] : base->Ops()) {
    r->Register({.domain = domain, .op_type = op, .since_version = 1, .until_version = kMaxSupportedOpset,
                 .factory = [base](const NodeInfo& n) -> confide::Result<std::unique_ptr<Kernel>> {
                   CONFIDE_ASSIGN_OR_RETURN(std::unique_ptr<Kernel> k, base->Create(n));
                   std::lock_guard<std::mutex> lock(g_times_mu);
                   OpTime* t = &g_times[ProfileKey(n)];
                   return std::unique_ptr<Kernel>(new TimedKernel(std::move(k), t));
                 }});
  }
  return r;
}

void PrintProfile() {
  int64_t total = 0;
  for (const auto& [op, t] : g_times) total += t.ns;
  std::vector<std::pair<int64_t, std::string>> rows;
  for (const auto& [op, t] : g_times) rows.emplace_back(t.ns.load(), op);
  std::sort(rows.rbegin(), rows.rend());
  for (const auto& [ns, op] : rows) {
    std::fprintf(stderr, "%-44s %6.1f%% %10.3f ms %8ld calls\n", op.c_str(), 100.0 * ns / std::max<int64_t>(1, total),
                 ns / 1e6, static_cast<long>(g_times[op].calls.load()));
  }
}

int Fail(const std::string& what, const confide::Error& e) {
  return confide::bench::Fail("engine_bench", what, e);
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
  if (!bytes.ok()) return Fail("read", bytes.error());  // the error names the file
  auto kernels = bench::BenchKernelRegistry();
  if (!kernels.ok()) return Fail("kernels", kernels.error());
  bool profile = std::getenv("CONFIDE_BENCH_PROFILE") != nullptr;
  auto model = engine::Model::Load(
      *bytes, {.num_threads = threads, .registry = profile ? ProfilingRegistry(*kernels) : *kernels});
  if (!model.ok()) return Fail("load", model.error());
  auto inputs = bench::ReadModelInputs(**model, std::vector<std::string>(argv + 5, argv + argc));
  if (!inputs.ok()) return Fail("inputs", inputs.error());
  int warm = 0;
  Clock::time_point warm_start = Clock::now();
  while (warm < 3 || Seconds(warm_start) < batch_seconds) {
    if (auto out = (*model)->Run(*inputs); !out.ok()) return Fail("run", out.error());
    ++warm;
  }
  long per_batch = std::max(1L, std::lround(warm * batch_seconds / Seconds(warm_start)));
  std::vector<double> rates;
  for (int b = 0; b < batches; ++b) {
    Clock::time_point t0 = Clock::now();
    for (long i = 0; i < per_batch; ++i) {
      if (auto out = (*model)->Run(*inputs); !out.ok()) return Fail("run", out.error());
    }
    rates.push_back(per_batch / Seconds(t0));
  }
  std::sort(rates.begin(), rates.end());
  if (profile) PrintProfile();
  std::printf("runs_per_s %g min %g max %g\n", rates[rates.size() / 2], rates.front(), rates.back());
  return 0;
}
