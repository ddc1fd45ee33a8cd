// Gemm and MatMul (fp32) on oneDNN's matmul primitive.
//
// With a constant B (Gemm; MatMul whose B is a 2-D initializer) the weights are packed into
// oneDNN's preferred layout once per layout (PackedWeights: shared by the plans of every input
// shape, and used in place when that layout is B's own). Alpha is folded into B once, and beta*C
// into a bias (C must be constant and broadcast along rows: [N], [1,N] or a scalar); a MatMul
// fused with its Add ("_bias", fusion.cc) takes its constant [N] bias the same way. MatMul with a
// runtime B (attention) runs as a batched matmul with NumPy batch broadcasting. Gemm honours
// "_act".
#include "confide/engine/kernels/onednn/onednn.h"

namespace confide::engine::kernels::onednn {
namespace {

Result<std::unique_ptr<Kernel>> Make(const NodeInfo& n, bool gemm);
Tensor ConstantB(const NodeInfo& n, bool gemm);

using dnnl::memory;
using Dt = memory::data_type;

struct MatMulPlan {
  dnnl::primitive prim;
  memory::desc scratch, src_md, wei_md, dst_md;
  memory weights, bias;  // packed, when B is constant
  int threads = 1;
  Shape out_shape;
};

class FastMatMul : public Kernel {
 public:
  // b: constant B (2-D) or null. For Gemm, trans_a/trans_b/alpha/beta/C come from the node.
  FastMatMul(const NodeInfo& n, bool gemm)
      : gemm_(gemm), act_(Activation::FromAttrs(OpAttrs(n))), b_(ConstantB(n, gemm)) {
    if (n.constant_inputs[1]) {
      b_shape_ = n.constant_inputs[1]->shape();
      constant_b_ = true;
      adopts_b_ = !gemm || n.GetFloat("alpha", 1.f) == 1.f;  // else the fallback needs the model's B
    }
    if (!gemm) {
      if (n.GetInt("_bias", 0)) {  // fused MatMul + Add (fusion.cc): MakeMatMul checked it
        const Tensor& c = *n.constant_inputs[2];
        bias_.assign(c.data<float>(), c.data<float>() + c.num_elements());
      }
      return;
    }
    trans_a_ = n.GetInt("transA", 0) != 0;
    trans_b_ = n.GetInt("transB", 0) != 0;
    float beta = n.GetFloat("beta", 1.f);
    const Tensor* c = n.num_inputs > 2 ? n.constant_inputs[2] : nullptr;
    if (c && beta != 0.f) {
      int64_t cols = trans_b_ ? b_shape_[0] : b_shape_[1];
      bias_.assign(cols, 0.f);
      for (int64_t j = 0; j < cols; ++j) bias_[j] = beta * c->data<float>()[c->num_elements() == 1 ? 0 : j];
    }
  }

  // A constant float B with alpha 1 lives in b_; the fallback gets it back from there.
  bool ReadsConstantInput(int i) const override { return !(i == 1 && adopts_b_); }

  Status Run(KernelContext& ctx) const override {
    CONFIDE_ASSIGN_OR_RETURN(const Tensor* a, Input(ctx, 0));
    const Tensor* b = nullptr;
    if (!constant_b_) {
      CONFIDE_ASSIGN_OR_RETURN(b, Input(ctx, 1));
    }
    if (a->dtype() != DataType::kFloat32 || (b && b->dtype() != DataType::kFloat32)) {
      return RunFallback(ctx);  // integer MatMul: the reference kernel
    }
    const Shape& bs = constant_b_ ? b_shape_ : b->shape();
    std::vector<int64_t> key = a->shape();
    if (!constant_b_) {
      key.push_back(-1);
      key.insert(key.end(), bs.begin(), bs.end());
    }
    auto got = cache_.Get(key, [&] { return MakePlan(ctx, a->shape(), bs); });
    if (!got.ok() && got.error().code == ErrorCode::kUnsupported) return RunFallback(ctx);
    CONFIDE_ASSIGN_OR_RETURN(auto plan, std::move(got));
    CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kFloat32, plan->out_shape));
    Args args{{DNNL_ARG_SRC, Wrap(plan->src_md, a->raw_data())}, {DNNL_ARG_DST, Wrap(plan->dst_md, y->raw_data())}};
    args.emplace(DNNL_ARG_WEIGHTS, constant_b_ ? plan->weights : Wrap(plan->wei_md, b->raw_data()));
    if (plan->bias) args.emplace(DNNL_ARG_BIAS, plan->bias);
    return Execute(ctx, plan->threads, plan->prim, plan->scratch, std::move(args));
  }

 private:
  // Flops of [.., M, K] x [.., K, N] are 2 * elements(out) * K (K = a's last dim, or first with transA).
  Result<MatMulPlan> MakePlan(KernelContext& ctx, const Shape& as, const Shape& bs) const {
    if (as.size() < 2 || bs.size() < 2) return UnsupportedError("oneDNN MatMul: 1-D operand");
    int64_t k = trans_a_ ? as[0] : as.back();
    int64_t n = !constant_b_ ? bs.back() : (trans_b_ ? b_shape_[0] : b_shape_[1]);
    int64_t rows = NumElements(as) / std::max<int64_t>(1, k);
    int64_t batch_b = !constant_b_ ? NumElements(bs) / std::max<int64_t>(1, bs.back() * bs[bs.size() - 2]) : 1;
    UseThreads(ThreadsFor(ctx, 2.0 * rows * n * k * batch_b));
    CONFIDE_ASSIGN_OR_RETURN(MatMulPlan p, !constant_b_ ? BatchedPlan(as, bs) : ConstantBPlan(as));
    p.threads = ThreadsFor(ctx, 2.0 * rows * n * k * batch_b);
    return p;
  }

  // A [..., M, K] (or [K, M] with transA) times the constant B.
  Result<MatMulPlan> ConstantBPlan(const Shape& as) const {
    const Shape& bs = b_shape_;
    int64_t k = trans_b_ ? bs[1] : bs[0], n = trans_b_ ? bs[0] : bs[1];
    if (as.size() < 2 || (gemm_ && as.size() != 2)) return UnsupportedError("oneDNN MatMul: A rank");
    int64_t ka = trans_a_ ? as[0] : as.back();
    if (ka != k) return InvalidArgumentError("MatMul inner dimensions differ");
    int64_t m = trans_a_ ? as[1] : NumElements(Shape(as.begin(), as.end() - 1));  // K may be 0
    MatMulPlan p;
    p.out_shape = gemm_ ? Shape{m, n} : as;
    if (!gemm_) p.out_shape.back() = n;
    p.src_md = trans_a_ ? memory::desc({m, k}, Dt::f32, memory::format_tag::ba) : PlainDesc({m, k}, Dt::f32);
    p.dst_md = PlainDesc({m, n}, Dt::f32);
    memory::desc bias_md = bias_.empty() ? memory::desc() : PlainDesc({1, n}, Dt::f32);
    CONFIDE_ASSIGN_OR_RETURN(dnnl::primitive_attr attr, AttrWithActivation(act_));
    dnnl::matmul::desc d(p.src_md, memory::desc({k, n}, Dt::f32, memory::format_tag::any), bias_md, p.dst_md);
    dnnl::matmul::primitive_desc pd(d, attr, Engine());
    p.prim = dnnl::matmul(pd);
    p.scratch = pd.scratchpad_desc();
    p.wei_md = pd.weights_desc();
    memory::desc stored = trans_b_ ? memory::desc({k, n}, Dt::f32, memory::format_tag::ba) : PlainDesc({k, n}, Dt::f32);
    p.weights = b_.Get(stored, p.wei_md);
    if (!bias_.empty()) p.bias = Wrap(bias_md, bias_.data());  // the kernel keeps bias_
    return p;
  }

  // Both operands at run time: [..., M, K] x [..., K, N] with batch broadcasting.
  Result<MatMulPlan> BatchedPlan(Shape as, Shape bs) const {
    if (as.size() < 2 || bs.size() < 2) return UnsupportedError("oneDNN MatMul: 1-D operand");
    size_t rank = std::max(as.size(), bs.size());
    as.insert(as.begin(), rank - as.size(), 1);
    bs.insert(bs.begin(), rank - bs.size(), 1);
    if (as[rank - 1] != bs[rank - 2]) return InvalidArgumentError("MatMul inner dimensions differ");
    memory::dims out(rank);
    for (size_t i = 0; i + 2 < rank; ++i) {
      if (as[i] != bs[i] && as[i] != 1 && bs[i] != 1) return InvalidArgumentError("MatMul batch dims do not broadcast");
      out[i] = std::max(as[i], bs[i]);
    }
    out[rank - 2] = as[rank - 2];
    out[rank - 1] = bs[rank - 1];
    MatMulPlan p;
    p.src_md = PlainDesc(as, Dt::f32);
    p.wei_md = PlainDesc(bs, Dt::f32);
    p.dst_md = PlainDesc(out, Dt::f32);
    p.out_shape = Shape(out.begin(), out.end());
    CONFIDE_ASSIGN_OR_RETURN(dnnl::primitive_attr attr, AttrWithActivation(act_));
    dnnl::matmul::desc d(p.src_md, p.wei_md, p.dst_md);
    dnnl::matmul::primitive_desc pd(d, attr, Engine());
    p.prim = dnnl::matmul(pd);
    p.scratch = pd.scratchpad_desc();
    return p;
  }

  friend Result<std::unique_ptr<Kernel>> Make(const NodeInfo& n, bool gemm);
  bool gemm_;
  std::unique_ptr<Kernel> fallback_;  // the reference kernel, for what oneDNN declines at run
  bool trans_a_ = false, trans_b_ = false;
  Activation act_;
  // The reference kernel, with the model's B from packed_ when this kernel adopted it.
  Status RunFallback(KernelContext& ctx) const {
    if (!adopts_b_) return fallback_->Run(ctx);
    Tensor b = b_.Stored();
    InputOverrideContext with_b(ctx, 1, &b);
    return fallback_->Run(with_b);
  }

  bool constant_b_ = false;  // B is a constant (2-D float32, checked by the factories)
  bool adopts_b_ = false;    // ... and with alpha 1, so the graph's copy can go (ReadsConstantInput)
  mutable PackedWeights b_;  // constant B (times alpha) in oneDNN's layouts, or empty
  Shape b_shape_;
  std::vector<float> bias_;
  ShapeCache<MatMulPlan> cache_;
};

// Gemm's or MatMul's constant B, with Gemm's alpha folded in (a copy, once); empty if B is not
// constant.
Tensor ConstantB(const NodeInfo& n, bool gemm) {
  if (!n.constant_inputs[1]) return Tensor();
  Tensor b = *n.constant_inputs[1];
  float alpha = gemm ? n.GetFloat("alpha", 1.f) : 1.f;
  if (alpha == 1.f) return b;
  Tensor scaled = b.Clone();
  float* v = scaled.data<float>();
  for (int64_t i = 0; i < scaled.num_elements(); ++i) v[i] *= alpha;
  return scaled;
}

Result<std::unique_ptr<Kernel>> Make(const NodeInfo& n, bool gemm) {
  auto kernel = std::make_unique<FastMatMul>(n, gemm);
  CONFIDE_ASSIGN_OR_RETURN(kernel->fallback_, ReferenceKernelRegistry().Create(n));
  return std::unique_ptr<Kernel>(std::move(kernel));
}

bool IsFloat(const Tensor* t) { return t && t->dtype() == DataType::kFloat32; }

Result<std::unique_ptr<Kernel>> MakeGemm(const NodeInfo& n) {
  const Tensor* b = n.num_inputs > 1 ? n.constant_inputs[1] : nullptr;
  if (!IsFloat(b) || b->shape().size() != 2) return UnsupportedError("oneDNN Gemm: B must be constant float32 2-D");
  std::string act = n.GetString("_act", "");
  if (!act.empty() && act != "Relu" && act != "Clip" && act != "LeakyRelu") return UnsupportedError("post-op " + act);
  float beta = n.GetFloat("beta", 1.f);
  if (n.num_inputs > 2 && n.input_present[2] && beta != 0.f) {
    const Tensor* c = n.constant_inputs[2];
    int64_t cols = n.GetInt("transB", 0) ? b->shape()[0] : b->shape()[1];
    bool row = c && (c->num_elements() == 1 || (c->num_elements() == cols && c->shape().back() == cols &&
                                                (c->shape().size() == 1 || c->shape()[0] == 1)));
    if (!IsFloat(c) || !row) return UnsupportedError("oneDNN Gemm: C must be a constant row vector");
  }
  return Make(n, true);
}

Result<std::unique_ptr<Kernel>> MakeMatMul(const NodeInfo& n) {
  if (n.num_inputs != 2 + (n.GetInt("_bias", 0) != 0)) return UnsupportedError("oneDNN MatMul: inputs");
  const Tensor* b = n.constant_inputs[1];
  if (b && (!IsFloat(b) || b->shape().size() != 2)) return UnsupportedError("oneDNN MatMul: constant B must be float32 2-D");
  if (n.Has("_act")) return UnsupportedError("oneDNN MatMul: post-ops");
  if (n.GetInt("_bias", 0)) {
    const Tensor* c = n.num_inputs > 2 ? n.constant_inputs[2] : nullptr;
    if (!b || !IsFloat(c) || c->shape() != Shape{b->shape()[1]}) {
      return UnsupportedError("oneDNN MatMul: bias must be a constant float32 row");
    }
  }
  return Make(n, false);
}

}  // namespace

void RegisterMatMulKernels(KernelRegistry* r) {
  r->Register({.op_type = "Gemm", .priority = kFastKernelPriority, .factory = MakeGemm});
  r->Register({.op_type = "MatMul", .priority = kFastKernelPriority, .factory = MakeMatMul});
}

}  // namespace confide::engine::kernels::onednn
