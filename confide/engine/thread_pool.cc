#include "confide/engine/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <thread>

// libgomp's entry point for `#pragma omp parallel` (GCC ABI, stable since GCC 4.9): runs fn(data)
// on a team of num_threads threads, the caller included, and returns after the team's barrier.
// Called directly so that every compiler (clang too) uses the libgomp that oneDNN uses.
extern "C" void GOMP_parallel(void (*fn)(void*), void* data, unsigned num_threads, unsigned flags);

namespace confide::engine {

namespace {
thread_local bool in_parallel_region = false;
}  // namespace

struct ThreadPool::Job {
  const std::function<void(int64_t, int64_t)>* fn;
  int64_t n;
  int64_t num_chunks;
  std::atomic<int64_t> next{0};
};

ThreadPool::ThreadPool(int num_threads) {
  if (num_threads <= 0) num_threads = static_cast<int>(std::thread::hardware_concurrency());
  num_threads_ = std::max(1, num_threads);
}

ThreadPool::~ThreadPool() = default;

// Each team thread takes chunks until none are left; chunk c always covers the same range.
void ThreadPool::RunChunks(void* arg) {
  Job& job = *static_cast<Job*>(arg);
  bool was_in_region = in_parallel_region;
  in_parallel_region = true;
  for (;;) {
    int64_t c = job.next.fetch_add(1);
    if (c >= job.num_chunks) break;
    (*job.fn)(job.n * c / job.num_chunks, job.n * (c + 1) / job.num_chunks);
  }
  in_parallel_region = was_in_region;
}

void ThreadPool::ParallelFor(int64_t n, const std::function<void(int64_t, int64_t)>& fn,
                             int64_t min_chunk) {
  if (n <= 0) return;
  int64_t chunks = std::min<int64_t>(num_threads_, std::max<int64_t>(1, n / std::max<int64_t>(1, min_chunk)));
  if (chunks <= 1 || in_parallel_region) {
    fn(0, n);
    return;
  }
  Job job;
  job.fn = &fn;
  job.n = n;
  job.num_chunks = chunks;
  GOMP_parallel(&ThreadPool::RunChunks, &job, static_cast<unsigned>(chunks), 0);
}

}  // namespace confide::engine
