#include "confide/engine/kernels/onednn/onednn.h"

#include <omp.h>

#include <cfloat>
#include <cmath>
#include <cstring>

namespace confide::engine::kernels::onednn {

const dnnl::engine& Engine() {
  static const dnnl::engine* engine = new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return *engine;
}

Status Execute(KernelContext& ctx, const dnnl::primitive& prim, const dnnl::memory::desc& scratch,
               Args args) {
  if (size_t size = scratch.get_size(); size > 0) {
    CONFIDE_ASSIGN_OR_RETURN(void* p, ctx.Scratch(size));
    args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(scratch, Engine(), p));
  }
  // The per-thread team size must match the engine's thread count (determinism, no
  // oversubscription); it is an OpenMP ICV of the calling thread, so concurrent runs are safe.
  int threads = ctx.threads().num_threads();
  if (omp_get_max_threads() != threads) omp_set_num_threads(threads);
  try {
    thread_local dnnl::stream stream(Engine());
    prim.execute(stream, args);
    stream.wait();
  } catch (const dnnl::error& e) {
    return InternalError(std::string("oneDNN execute: ") + e.what());
  }
  return OkStatus();
}

dnnl::memory::desc PlainDesc(const dnnl::memory::dims& dims, dnnl::memory::data_type dt) {
  dnnl::memory::dims strides(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) strides[i] = strides[i + 1] * dims[i + 1];
  return dnnl::memory::desc(dims, dt, strides);
}

dnnl::memory Wrap(const dnnl::memory::desc& desc, const void* data) {
  // oneDNN takes a non-const handle; kernels only ever read through wrapped inputs.
  return dnnl::memory(desc, Engine(), const_cast<void*>(data));
}

dnnl::memory Pack(const dnnl::memory::desc& desc, const dnnl::memory::dims& dims,
                  dnnl::memory::data_type dt, const void* src) {
  dnnl::memory packed(desc, Engine());
  dnnl::memory plain = Wrap(PlainDesc(dims, dt), src);
  dnnl::stream stream(Engine());
  dnnl::reorder(plain, packed).execute(stream, plain, packed);
  stream.wait();
  return packed;
}

Result<dnnl::primitive_attr> AttrWithActivation(const Activation& act) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::post_ops ops;
  switch (act.kind) {
    case Activation::Kind::kNone:
      break;
    case Activation::Kind::kRelu:
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      break;
    case Activation::Kind::kLeakyRelu:
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, act.alpha, 0.f);
      break;
    case Activation::Kind::kClip: {
      // clip_v2 is min(max(x, lo), hi) like ONNX Clip; infinite bounds become the float range.
      if (std::isnan(act.lo) || std::isnan(act.hi)) return UnsupportedError("Clip bound is NaN");
      float lo = std::isinf(act.lo) ? (act.lo < 0 ? -FLT_MAX : FLT_MAX) : act.lo;
      float hi = std::isinf(act.hi) ? (act.hi < 0 ? -FLT_MAX : FLT_MAX) : act.hi;
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip_v2, lo, hi);
      break;
    }
  }
  attr.set_post_ops(ops);
  return attr;
}

void RegisterOneDnnKernels(KernelRegistry* r) {
  RegisterConvKernels(r);
  RegisterMatMulKernels(r);
  RegisterPoolKernels(r);
  RegisterQLinearKernels(r);
}

}  // namespace confide::engine::kernels::onednn
