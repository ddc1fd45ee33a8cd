// ThreadPool: the engine's intra-op parallelism. It runs on libgomp, the OpenMP runtime oneDNN is
// built with, so the fast kernels and the engine share one set of worker threads: a second pool
// next to libgomp's spinning workers oversubscribed the cores (2 threads on 2 cores: 100x slower
// runs, bench/engine_vs_ort.sh; see ../shared/notes/kernels.md on mixing thread runtimes).
//
//   ThreadPool pool(4);
//   pool.ParallelFor(rows, [&](int64_t begin, int64_t end) { ... rows [begin, end) ... });
#ifndef CONFIDE_ENGINE_THREAD_POOL_H_
#define CONFIDE_ENGINE_THREAD_POOL_H_

#include <cstdint>
#include <functional>

namespace confide::engine {

// Up to num_threads threads per ParallelFor: the calling thread and libgomp team workers.
// Thread safe: several threads may call ParallelFor at once (each gets its own OpenMP team).
class ThreadPool {
 public:
  // num_threads <= 0 means std::thread::hardware_concurrency().
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return num_threads_; }

  // Calls fn(begin, end) on contiguous chunks covering [0, n) and returns when all are done.
  // The chunking depends only on n, min_chunk and num_threads() (never on timing), so a kernel
  // that reduces only within a chunk is deterministic for a fixed thread count. Calls made from
  // inside a chunk run inline on the calling thread.
  void ParallelFor(int64_t n, const std::function<void(int64_t, int64_t)>& fn,
                   int64_t min_chunk = 1);

 private:
  struct Job;
  static void RunChunks(void* job);

  int num_threads_;
};

}  // namespace confide::engine

#endif  // CONFIDE_ENGINE_THREAD_POOL_H_
