// Memory planning: every intermediate buffer and every step's scratch gets an offset in one
// arena, so that buffers whose lifetimes overlap never overlap in memory. Greedy by size: the
// largest buffers are placed first, each at the best-fitting gap among the buffers already placed
// that are alive at the same time (the "greedy by size" strategy of TFLite's arena planner).
#include <algorithm>

#include "confide/engine/internal/executor.h"

namespace confide::engine::internal {
namespace {

constexpr size_t kAlign = 64;

struct Buffer {
  size_t size;
  int first;  // first step alive
  int last;   // last step alive
  int64_t* offset;
};

int64_t BestFit(const Buffer& b, const std::vector<const Buffer*>& placed) {
  std::vector<std::pair<int64_t, int64_t>> busy;  // [begin, end) of overlapping buffers
  for (const Buffer* p : placed) {
    if (p->first <= b.last && b.first <= p->last) {
      busy.emplace_back(*p->offset, *p->offset + static_cast<int64_t>(p->size));
    }
  }
  std::sort(busy.begin(), busy.end());
  int64_t best = -1;
  int64_t best_gap = INT64_MAX;
  int64_t cursor = 0;
  for (const auto& [begin, end] : busy) {
    int64_t gap = begin - cursor;
    if (gap >= static_cast<int64_t>(b.size) && gap < best_gap) {
      best = cursor;
      best_gap = gap;
    }
    cursor = std::max(cursor, end);
  }
  return best >= 0 ? best : cursor;
}

}  // namespace

MemoryPlan PlanMemory(const CompiledGraph& cg, const RunRecord& record) {
  const Graph& g = *cg.graph;
  MemoryPlan plan;
  plan.value_offset.assign(g.values.size(), -1);
  plan.value_size.assign(g.values.size(), 0);
  plan.scratch_offset.assign(cg.steps.size(), -1);
  plan.scratch_size.assign(cg.steps.size(), 0);
  std::vector<bool> is_output(g.values.size(), false);
  for (int out : g.outputs) is_output[out] = true;
  std::vector<Buffer> buffers;
  for (size_t v = 0; v < g.values.size(); ++v) {
    size_t size = v < record.value_size.size() ? record.value_size[v] : 0;
    if (cg.def_step[v] < 0 || is_output[v] || g.constants.count(static_cast<int>(v)) || size == 0) continue;
    plan.value_size[v] = (size + kAlign - 1) / kAlign * kAlign;
    int last = std::max(cg.def_step[v], cg.last_use[v]);
    buffers.push_back({plan.value_size[v], cg.def_step[v], last, &plan.value_offset[v]});
  }
  for (size_t s = 0; s < cg.steps.size(); ++s) {
    size_t size = s < record.scratch_size.size() ? record.scratch_size[s] : 0;
    if (size == 0) continue;
    plan.scratch_size[s] = size;
    buffers.push_back({size, static_cast<int>(s), static_cast<int>(s), &plan.scratch_offset[s]});
  }
  std::stable_sort(buffers.begin(), buffers.end(),
                   [](const Buffer& a, const Buffer& b) { return a.size > b.size; });
  std::vector<const Buffer*> placed;
  for (Buffer& b : buffers) {
    *b.offset = BestFit(b, placed);
    plan.arena_size = std::max(plan.arena_size, static_cast<size_t>(*b.offset) + b.size);
    placed.push_back(&b);
  }
  return plan;
}

}  // namespace confide::engine::internal
