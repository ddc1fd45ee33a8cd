// Conv and ConvTranspose (fp32, 1-D and 2-D, grouped and depthwise) on oneDNN.
//
// Weights and bias must be constant at load; the weights are reordered into the layout oneDNN
// picks ("any") once per layout (PackedWeights), and kept; the plans for every input shape share
// them. Activations are NCHW between kernels: when oneDNN prefers another layout for a shape, the
// kernel reorders the input in and the output back out through arena scratch. A 2-D Conv marked
// "_nhwc_in" / "_nhwc_out" (internal/layout.cc) reads / writes that side channels-last instead,
// with no reorder. The "_act" post-op (kernel.h) runs fused inside the convolution.
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "confide/engine/kernels/onednn/onednn.h"

namespace confide::engine::kernels::onednn {
namespace {

using dnnl::memory;
using Dt = memory::data_type;

// The primitives for one input shape.
struct ConvPlan {
  std::shared_ptr<const SharedPrimitive> shared;  // the convolution, shared with equal layers
  dnnl::primitive conv;                           // shared->primitive
  memory::desc conv_scratch;
  memory weights, bias;
  memory::desc src_md, dst_md;          // the convolution's layouts
  memory::desc src_user, dst_user;      // the tensors' layouts: NCHW, or NHWC when marked
  bool reorder_src = false, reorder_dst = false;
  dnnl::primitive src_reorder, dst_reorder;
  memory::desc src_reorder_scratch, dst_reorder_scratch;
  // Reorders done by TransposeImages instead of oneDNN: +1 NCHW to NHWC, -1 NHWC to NCHW
  // (src: tensor to convolution; dst: convolution to tensor), 0 none.
  int src_transpose = 0, dst_transpose = 0;
  // Reorders done by CopyChannelBlocks instead: the block of nChw{block}c against an NCHW
  // tensor, 0 none. A plan then creates no oneDNN reorder at all.
  int64_t src_block = 0, dst_block = 0;
  int threads = 1;
  Shape out_shape;
};

// Geometry shared by both ops, as oneDNN wants it (4-D; 1-D ops get height 1).
struct Geometry {
  memory::dims src, wei, dst, strides, dilates, pad_l, pad_r;
  int64_t groups = 1;
  Shape out_shape;
};

memory::dims Strides(const memory::dims& storage_dims, const std::vector<int>& order) {
  // Strides of a tensor stored as storage_dims (row-major) viewed with axes permuted by `order`.
  memory::dims st(storage_dims.size(), 1), out(order.size());
  for (int i = static_cast<int>(storage_dims.size()) - 2; i >= 0; --i) {
    st[i] = st[i + 1] * storage_dims[i + 1];
  }
  for (size_t i = 0; i < order.size(); ++i) out[i] = st[order[i]];
  return out;
}

// Builds the reorders around the convolution when its layouts differ from NCHW. NCHW<->NHWC uses
// TransposeImages: oneDNN 2.6's reorder for it measured 10-50x slower (jit:uni, 19 ms for
// 1x3x240x320).
void AddReorders(ConvPlan& p) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  p.reorder_src = p.src_md != p.src_user;
  p.reorder_dst = p.dst_md != p.dst_user;
  auto transposition = [](const memory::desc& from, const memory::desc& to) {
    memory::desc nchw(from.dims(), Dt::f32, memory::format_tag::nchw);
    memory::desc nhwc(from.dims(), Dt::f32, memory::format_tag::nhwc);
    return from == nchw && to == nhwc ? 1 : from == nhwc && to == nchw ? -1 : 0;
  };
  p.src_transpose = transposition(p.src_user, p.src_md);
  p.dst_transpose = transposition(p.dst_md, p.dst_user);
  auto channel_blocks = [](const memory::desc& plain, const memory::desc& blocked) {
    return plain == PlainDesc(plain.dims(), Dt::f32) ? ChannelBlockOf(blocked) : 0;
  };
  if (p.reorder_src && p.src_transpose == 0) p.src_block = channel_blocks(p.src_user, p.src_md);
  if (p.reorder_dst && p.dst_transpose == 0) p.dst_block = channel_blocks(p.dst_user, p.dst_md);
  if (p.reorder_src && p.src_transpose == 0 && p.src_block == 0) {
    dnnl::reorder::primitive_desc pd(Engine(), p.src_user, Engine(), p.src_md, attr);
    p.src_reorder = dnnl::reorder(pd);
    p.src_reorder_scratch = pd.scratchpad_desc();
  }
  if (p.reorder_dst && p.dst_transpose == 0 && p.dst_block == 0) {
    dnnl::reorder::primitive_desc pd(Engine(), p.dst_md, Engine(), p.dst_user, attr);
    p.dst_reorder = dnnl::reorder(pd);
    p.dst_reorder_scratch = pd.scratchpad_desc();
  }
}

class ConvBase : public Kernel {
 public:
  ConvBase(const NodeInfo& n, bool transpose)
      : attrs_(n), transpose_(transpose), w_shape_(n.constant_inputs[1]->shape()),
        weights_(*n.constant_inputs[1]),
        act_(Activation::FromAttrs(attrs_)) {
    if (n.num_inputs > 2 && n.constant_inputs[2]) b_ = *n.constant_inputs[2];
    bool two_d = w_shape_.size() == 4;
    nhwc_in_ = !transpose && two_d && n.GetInt("_nhwc_in", 0) != 0;
    nhwc_out_ = !transpose && two_d && n.GetInt("_nhwc_out", 0) != 0;
  }

  bool HandlesChannelsLast() const override { return nhwc_in_ || nhwc_out_; }
  // The weights (input 1) live in weights_; the reference fallback gets them back from there.
  bool ReadsConstantInput(int i) const override { return i != 1; }

  Status Run(KernelContext& ctx) const override {
    CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
    if (x->dtype() != DataType::kFloat32) return UnsupportedError("oneDNN Conv: float32 only");
    auto got = cache_.Get(x->shape(), [&] { return MakePlan(ctx, x->shape()); });
    if (!got.ok() && got.error().code == ErrorCode::kUnsupported && !HandlesChannelsLast()) {
      Tensor w = weights_.Stored();  // the reference kernel reads and writes NCHW only
      InputOverrideContext with_weights(ctx, 1, &w);
      return fallback_->Run(with_weights);
    }
    CONFIDE_ASSIGN_OR_RETURN(auto plan, std::move(got));
    CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kFloat32, plan->out_shape));
    memory src = Wrap(plan->src_user, x->raw_data()), dst = Wrap(plan->dst_user, y->raw_data());
    if (plan->reorder_src) {
      CONFIDE_ASSIGN_OR_RETURN(void* buf, ctx.Scratch(plan->src_md.get_size()));
      memory blocked = Wrap(plan->src_md, buf);
      if (plan->src_transpose != 0) {
        TransposeImages(ctx, plan->src_user.dims(), x->data<float>(), static_cast<float*>(buf),
                        plan->src_transpose > 0);
      } else if (plan->src_block != 0) {
        CopyChannelBlocks(ctx, plan->src_user.dims(), plan->src_block, x->data<float>(),
                          static_cast<float*>(buf), true);
      } else {
        CONFIDE_TRY(Execute(ctx, plan->threads, plan->src_reorder, plan->src_reorder_scratch,
                            {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, blocked}}));
      }
      src = blocked;
    }
    memory out = dst;
    if (plan->reorder_dst) {
      CONFIDE_ASSIGN_OR_RETURN(void* buf, ctx.Scratch(plan->dst_md.get_size()));
      out = Wrap(plan->dst_md, buf);
    }
    Args args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, plan->weights}, {DNNL_ARG_DST, out}};
    if (plan->bias) args.emplace(DNNL_ARG_BIAS, plan->bias);
    CONFIDE_TRY(Execute(ctx, plan->threads, plan->conv, plan->conv_scratch, std::move(args)));
    if (plan->reorder_dst && plan->dst_transpose != 0) {
      TransposeImages(ctx, plan->dst_user.dims(), static_cast<const float*>(out.get_data_handle()),
                      y->data<float>(), plan->dst_transpose > 0);
    } else if (plan->reorder_dst && plan->dst_block != 0) {
      CopyChannelBlocks(ctx, plan->dst_user.dims(), plan->dst_block,
                        static_cast<const float*>(out.get_data_handle()), y->data<float>(), false);
    } else if (plan->reorder_dst) {
      CONFIDE_TRY(Execute(ctx, plan->threads, plan->dst_reorder, plan->dst_reorder_scratch,
                          {{DNNL_ARG_FROM, out}, {DNNL_ARG_TO, dst}}));
    }
    return OkStatus();
  }

  std::unique_ptr<Kernel> fallback_;  // the reference kernel, for shapes oneDNN declines

 protected:
  virtual Result<Geometry> MakeGeometry(const Shape& x) const = 0;
  // The weights as stored in the model, described with oneDNN's logical dims `g.wei`.
  virtual memory::desc WeightsUserDesc(const Geometry& g) const = 0;

  Result<ConvPlan> MakePlan(KernelContext& ctx, const Shape& x) const {
    CONFIDE_ASSIGN_OR_RETURN(Geometry g, MakeGeometry(x));
    int64_t taps = g.wei[g.wei.size() - 1] * g.wei[g.wei.size() - 2];
    double flops = 2.0 * NumElements(Shape(g.dst.begin(), g.dst.end())) * (g.src[1] / g.groups) * taps;
    CONFIDE_ASSIGN_OR_RETURN(dnnl::primitive_attr attr, AttrWithActivation(act_));
    // Layouts: oneDNN's choice ("any": NHWC with brgconv kernels on AVX-512 here), with our
    // transposes around it. Measured on the shared models: 1.5x faster end to end than NCHW in
    // and out (gemm:jit, im2col in C++: 27 ms for a 3x3 s2 conv with 3 input channels), and
    // blocked nChw16c was 50x slower (reference paths). A single input channel stays NCHW. So
    // does an image of up to 4 channels into a dense Conv (a first layer): oneDNN then picks its
    // first-layer kernel (NCHW in, nChw16c out) and needs no input transpose; ultraface's
    // 3->16 3x3 s2 stem went from 0.59 to 0.35 ms.
    // A channels-last side is NHWC on both ends, with no reorder. oneDNN has no fast kernel
    // from plain NCHW to NHWC (only its reference one, 1000x slower), so a Conv that writes
    // channels-last takes its input as oneDNN prefers, even with one or a few channels.
    using Tag = memory::format_tag;
    bool first_layer = !transpose_ && g.groups == 1 && g.src[1] <= 4;
    bool src_plain = !nhwc_out_ && (g.src[1] / g.groups == 1 || first_layer);
    memory::desc src_any(g.src, Dt::f32, nhwc_in_ ? Tag::nhwc : src_plain ? Tag::nchw : Tag::any);
    memory::desc dst_any(g.dst, Dt::f32, nhwc_out_ ? Tag::nhwc : Tag::any);
    memory::desc wei_any(g.wei, Dt::f32, Tag::any);
    memory::desc bias_md = b_.empty() ? memory::desc() : memory::desc({g.dst[1]}, Dt::f32, memory::format_tag::a);
    ConvPlan p;
    p.threads =
        ThreadsFor(ctx, transpose_ ? flops * g.src[1] / std::max<int64_t>(1, g.dst[1]) : flops);
    UseThreads(p.threads);  // before any primitive is made, here or in AddReorders
    p.out_shape = g.out_shape;
    p.src_user = nhwc_in_ ? memory::desc(g.src, Dt::f32, Tag::nhwc) : PlainDesc(g.src, Dt::f32);
    p.dst_user = nhwc_out_ ? memory::desc(g.dst, Dt::f32, Tag::nhwc) : PlainDesc(g.dst, Dt::f32);
    auto make = [&]() -> Result<SharedPrimitive> {
      if (transpose_) {
        dnnl::deconvolution_forward::desc d(
            dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct, src_any,
            wei_any, bias_md, dst_any, g.strides, g.dilates, g.pad_l, g.pad_r);
        dnnl::deconvolution_forward::primitive_desc pd(d, attr, Engine());
        return SharedPrimitive{dnnl::deconvolution_forward(pd), pd.src_desc(), pd.weights_desc(),
                               pd.dst_desc(), pd.scratchpad_desc()};
      }
      auto conv_pd = [&](const memory::desc& src, const memory::desc& dst) {
        dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference,
                                          dnnl::algorithm::convolution_direct, src, wei_any, bias_md,
                                          dst, g.strides, g.dilates, g.pad_l, g.pad_r);
        return dnnl::convolution_forward::primitive_desc(d, attr, Engine());
      };
      dnnl::convolution_forward::primitive_desc pd = conv_pd(src_any, dst_any);
      if ((nhwc_in_ || nhwc_out_) && std::string_view(pd.impl_info_str()).substr(0, 3) == "ref") {
        // No fast NHWC kernel for this shape in this oneDNN on this CPU (AVX2 with output
        // channels not a multiple of 8, say): oneDNN picks the layouts, and the channels-last
        // sides are transposed or reordered like NCHW ones.
        pd =
            conv_pd(memory::desc(g.src, Dt::f32, Tag::any), memory::desc(g.dst, Dt::f32, Tag::any));
      }
      return SharedPrimitive{dnnl::convolution_forward(pd), pd.src_desc(), pd.weights_desc(),
                             pd.dst_desc(), pd.scratchpad_desc()};
    };
    CONFIDE_ASSIGN_OR_RETURN(p.shared,
                             SharePrimitive(PrimitiveKey(g, src_any, dst_any, p.threads), make));
    p.conv = p.shared->primitive;
    p.src_md = p.shared->src, p.dst_md = p.shared->dst, p.conv_scratch = p.shared->scratchpad;
    p.weights = weights_.Get(WeightsUserDesc(g), p.shared->weights);
    if (!b_.empty()) p.bias = Wrap(bias_md, b_.raw_data());  // the model keeps b_ alive
    AddReorders(p);
    return p;
  }

  // Everything `make` in MakePlan depends on: the op, the geometry, the layouts asked for, the
  // bias, the post-op and the threads.
  std::string PrimitiveKey(const Geometry& g, const memory::desc& src, const memory::desc& dst,
                           int threads) const {
    std::string key = transpose_ ? "deconv" : "conv";
    auto add = [&key](const memory::dims& dims) {
      for (int64_t d : dims) key += ' ' + std::to_string(d);
      key += ';';
    };
    for (const memory::dims* dims :
         {&g.src, &g.wei, &g.dst, &g.strides, &g.dilates, &g.pad_l, &g.pad_r}) {
      add(*dims);
    }
    auto tag = [](const memory::desc& md) {  // "any", or the strides of the layout asked for
      const dnnl_memory_desc_t& d = md.data;
      return d.format_kind == dnnl_format_kind_any
                 ? memory::dims{-1}
                 : memory::dims(d.format_desc.blocking.strides,
                                d.format_desc.blocking.strides + d.ndims);
    };
    add(tag(src));
    add(tag(dst));
    key += b_.empty() ? "nobias;" : "bias;";
    for (float v : {act_.lo, act_.hi, act_.alpha, act_.scale, act_.shift}) {
      uint32_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      key += std::to_string(bits) + ' ';
    }
    key += std::to_string(static_cast<int>(act_.kind)) + ';' + std::to_string(threads);
    return key;
  }

  OpAttrs attrs_;
  bool transpose_;
  bool nhwc_in_ = false, nhwc_out_ = false;  // "_nhwc_in" / "_nhwc_out" (2-D Conv only)
  Shape w_shape_;
  mutable PackedWeights weights_;  // in oneDNN's layouts, shared by the plans of every shape
  Tensor b_;
  Activation act_;
  ShapeCache<ConvPlan> cache_;
};

void SetWindow(const WindowGeom& wg, Geometry* g) {
  g->strides = {wg.sh, wg.sw};
  g->dilates = {wg.dh - 1, wg.dw - 1};
  g->pad_l = {wg.pt, wg.pl};
  g->pad_r = {wg.pb, wg.pr};
}

class Conv : public ConvBase {
 public:
  explicit Conv(const NodeInfo& n) : ConvBase(n, false) {}

 protected:
  Result<Geometry> MakeGeometry(const Shape& x) const override {
    const Shape& ws = w_shape_;
    if (ws.size() != x.size()) return InvalidArgumentError("weight rank must match input rank");
    CONFIDE_ASSIGN_OR_RETURN(WindowGeom wg, MakeWindowGeom(attrs_, x, {ws.begin() + 2, ws.end()}, false));
    Geometry g;
    g.groups = attrs_.Int("group", 1);
    int64_t m = ws[0];
    if (g.groups <= 0 || wg.c % g.groups != 0 || m % g.groups != 0 || ws[1] * g.groups != wg.c) {
      return InvalidArgumentError("channels " + std::to_string(wg.c) + " do not match weights " +
                                  ShapeToString(ws));
    }
    g.src = {wg.n, wg.c, wg.ih, wg.iw};
    g.dst = {wg.n, m, wg.oh, wg.ow};
    g.wei = {g.groups, m / g.groups, wg.c / g.groups, wg.kh, wg.kw};
    if (g.groups == 1) g.wei.erase(g.wei.begin());
    SetWindow(wg, &g);
    g.out_shape = wg.OutputShape(m);
    return g;
  }
  memory::desc WeightsUserDesc(const Geometry& g) const override { return PlainDesc(g.wei, Dt::f32); }
};

class ConvTranspose : public ConvBase {
 public:
  explicit ConvTranspose(const NodeInfo& n) : ConvBase(n, true) {}

 protected:
  // ONNX: out = s*(in-1) + output_padding + (k-1)*d + 1 - pad_begin - pad_end. output_padding
  // is folded into the end pad, which must stay non-negative.
  Result<Geometry> MakeGeometry(const Shape& x) const override {
    const Shape& ws = w_shape_;
    if (ws.size() != x.size()) return InvalidArgumentError("weight rank must match input rank");
    CONFIDE_ASSIGN_OR_RETURN(WindowGeom wg, MakeWindowGeom(attrs_, x, {ws.begin() + 2, ws.end()}, false));
    Geometry g;
    g.groups = attrs_.Int("group", 1);
    if (g.groups <= 0 || ws[0] != wg.c || wg.c % g.groups != 0) {
      return InvalidArgumentError("weights " + ShapeToString(ws) + " do not match the input");
    }
    int64_t m = ws[1] * g.groups;
    std::vector<int64_t> opad = attrs_.Ints("output_padding");
    if (opad.empty()) opad.assign(wg.spatial, 0);
    int64_t oph = wg.spatial == 2 ? opad[0] : 0, opw = opad.back();
    wg.pb -= oph;
    wg.pr -= opw;
    if (wg.pb < 0 || wg.pr < 0) return UnsupportedError("output_padding larger than the end pad");
    int64_t oh = wg.sh * (wg.ih - 1) + (wg.kh - 1) * wg.dh + 1 - wg.pt - wg.pb;
    int64_t ow = wg.sw * (wg.iw - 1) + (wg.kw - 1) * wg.dw + 1 - wg.pl - wg.pr;
    if (oh <= 0 || ow <= 0) return InvalidArgumentError("empty ConvTranspose output");
    g.src = {wg.n, wg.c, wg.ih, wg.iw};
    g.dst = {wg.n, m, oh, ow};
    g.wei = {g.groups, m / g.groups, wg.c / g.groups, wg.kh, wg.kw};
    SetWindow(wg, &g);
    g.out_shape = wg.spatial == 2 ? Shape{wg.n, m, oh, ow} : Shape{wg.n, m, ow};
    return g;
  }
  // Stored [C, M/g, kh, kw] = (g, ic/g, oc/g, kh, kw); logical oneDNN order (g, oc/g, ic/g, kh, kw)
  // (5-D even for one group, which oneDNN accepts).
  memory::desc WeightsUserDesc(const Geometry& g) const override {
    memory::dims storage = {g.wei[0], g.wei[2], g.wei[1], g.wei[3], g.wei[4]};
    return memory::desc(g.wei, Dt::f32, Strides(storage, {0, 2, 1, 3, 4}));
  }
};

// Declines what the kernels cannot do: non-constant or non-float weights, unknown post-ops,
// and (ConvTranspose) output_shape or SAME auto_pad, which the reference kernel handles.
Status CheckNode(const NodeInfo& n, bool transpose) {
  if (n.num_inputs < 2 || !n.constant_inputs[1] || n.constant_inputs[1]->dtype() != DataType::kFloat32) {
    return UnsupportedError("oneDNN conv: weights must be constant float32");
  }
  size_t rank = n.constant_inputs[1]->shape().size();
  if (rank != 3 && rank != 4) return UnsupportedError("oneDNN conv: 1-D and 2-D only");
  if (n.num_inputs > 2 && n.input_present[2] &&
      (!n.constant_inputs[2] || n.constant_inputs[2]->dtype() != DataType::kFloat32)) {
    return UnsupportedError("oneDNN conv: bias must be constant float32");
  }
  std::string act = n.GetString("_act", "");
  if (!act.empty() && act != "Relu" && act != "Clip" && act != "LeakyRelu" && act != "HardSwish") {
    return UnsupportedError("oneDNN conv: post-op " + act);
  }
  if (act == "Clip" && !(n.GetFloat("_act_lo", 0) <= n.GetFloat("_act_hi", 0))) {
    return UnsupportedError("oneDNN conv: Clip with min > max");
  }
  if (transpose && (n.Has("output_shape") || n.GetString("auto_pad", "NOTSET") != "NOTSET")) {
    return UnsupportedError("oneDNN ConvTranspose: output_shape / auto_pad");
  }
  return OkStatus();
}

template <typename K>
KernelFactory Factory(bool transpose) {
  return [transpose](const NodeInfo& n) -> Result<std::unique_ptr<Kernel>> {
    CONFIDE_TRY(CheckNode(n, transpose));
    auto kernel = std::make_unique<K>(n);
    CONFIDE_ASSIGN_OR_RETURN(kernel->fallback_, ReferenceKernelRegistry().Create(n));
    return std::unique_ptr<Kernel>(std::move(kernel));
  };
}

}  // namespace

Result<std::unique_ptr<Kernel>> MakeFloatConv(const NodeInfo& n) { return Factory<Conv>(false)(n); }

void RegisterConvKernels(KernelRegistry* r) {
  r->Register({.op_type = "Conv", .priority = kFastKernelPriority, .factory = Factory<Conv>(false)});
  r->Register({.op_type = "ConvTranspose", .priority = kFastKernelPriority,
               .factory = Factory<ConvTranspose>(true)});
}

}  // namespace confide::engine::kernels::onednn
