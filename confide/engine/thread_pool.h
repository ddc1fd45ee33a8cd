// ThreadPool: the engine's intra-op parallelism (std::thread workers, no OpenMP).
//
//   ThreadPool pool(4);
//   pool.ParallelFor(rows, [&](int64_t begin, int64_t end) { ... rows [begin, end) ... });
#ifndef CONFIDE_ENGINE_THREAD_POOL_H_
#define CONFIDE_ENGINE_THREAD_POOL_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace confide::engine {

// A fixed set of num_threads-1 worker threads; the calling thread is the num_threads-th.
// Thread safe: several threads may call ParallelFor at once (concurrent model runs share a pool).
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
  void WorkerLoop();
  static void RunChunks(Job& job);

  int num_threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Job>> queue_;
  bool stop_ = false;
};

}  // namespace confide::engine

#endif  // CONFIDE_ENGINE_THREAD_POOL_H_
