// LSTM (fp32, layout 0): forward, reverse or bidirectional; gate order i, o, f, c (ONNX);
// optional bias, sequence_lens, initial states, peepholes, clip and input_forget.
#include <cmath>
#include <cstring>

#include "confide/engine/kernels/kernel_util.h"
#include "confide/engine/kernels/kernels.h"
#include "confide/engine/kernels/sgemm.h"

namespace confide::engine::kernels {
namespace {

using Act = float (*)(float);
float Sig(float v) { return 1.f / (1.f + std::exp(-v)); }
float Tanh(float v) { return std::tanh(v); }
float Relu(float v) { return v > 0 ? v : 0; }

Result<Act> ActByName(const std::string& name) {
  if (name == "Sigmoid") return Act{Sig};
  if (name == "Tanh") return Act{Tanh};
  if (name == "Relu") return Act{Relu};
  return UnsupportedError("LSTM activation " + name);
}

typedef float V8 __attribute__((vector_size(32)));

// out[j] (+)= dot(x, w row j) for the `rows` rows of the row-major w [rows, k]: the matrix-vector
// product of one batch row, eight partial sums then the tail, in a fixed order. Used for small
// batches, where Sgemm would repack the whole weight matrix at every step.
void RowDots(const float* x, const float* w, int64_t rows, int64_t k, float* out, bool add) {
  for (int64_t j = 0; j < rows; ++j) {
    const float* wr = w + j * k;
    V8 acc = {};
    int64_t i = 0;
    for (; i + 8 <= k; i += 8) {
      V8 a, b;
      std::memcpy(&a, x + i, sizeof a);
      std::memcpy(&b, wr + i, sizeof b);
      acc += a * b;
    }
    float sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; i < k; ++i) sum += x[i] * wr[i];
    out[j] = add ? out[j] + sum : sum;
  }
}

// gates [batch, n] (+)= x [batch, k] * w^T, w [n, k] row-major.
void GateProduct(int64_t batch, int64_t n, int64_t k, const float* x, const float* w, float* gates, bool add) {
  if (batch > 4) {
    Sgemm(false, true, batch, n, k, 1.f, x, k, w, k, add ? 1.f : 0.f, gates, n, nullptr);
    return;
  }
  for (int64_t b = 0; b < batch; ++b) RowDots(x + b * k, w, n, k, gates + b * n, add);
}

struct LstmDims {
  int64_t seq, batch, in, hidden, dirs;
};

// One direction over the whole sequence. y may be null.
void RunDirection(const LstmDims& d, int dir, bool reverse, const float* x, const float* w, const float* r,
                  const float* bias, const float* p, const std::vector<int64_t>& lens, float* h, float* c,
                  float* y, const Act act[3], float clip, bool input_forget) {
  int64_t hs = d.hidden;
  std::vector<float> gates(d.batch * 4 * hs);
  for (int64_t step = 0; step < d.seq; ++step) {
    int64_t t = reverse ? d.seq - 1 - step : step;
    GateProduct(d.batch, 4 * hs, d.in, x + t * d.batch * d.in, w, gates.data(), false);
    GateProduct(d.batch, 4 * hs, hs, h, r, gates.data(), true);
    for (int64_t b = 0; b < d.batch; ++b) {
      float* g = gates.data() + b * 4 * hs;
      float* hb = h + b * hs;
      float* cb = c + b * hs;
      bool active = t < lens[b];
      for (int64_t j = 0; active && j < hs; ++j) {
        float gi = g[j], go = g[hs + j], gf = g[2 * hs + j], gc = g[3 * hs + j];
        if (bias) {
          gi += bias[j] + bias[4 * hs + j], go += bias[hs + j] + bias[5 * hs + j];
          gf += bias[2 * hs + j] + bias[6 * hs + j], gc += bias[3 * hs + j] + bias[7 * hs + j];
        }
        if (p) gi += p[j] * cb[j], gf += p[2 * hs + j] * cb[j];
        if (clip > 0) {
          gi = std::clamp(gi, -clip, clip), gf = std::clamp(gf, -clip, clip), gc = std::clamp(gc, -clip, clip);
        }
        float it = act[0](gi), ft = input_forget ? 1 - it : act[0](gf), ct = act[1](gc);
        float cn = ft * cb[j] + it * ct;
        if (p) go += p[hs + j] * cn;
        if (clip > 0) go = std::clamp(go, -clip, clip);
        cb[j] = cn;
        hb[j] = act[0](go) * act[2](cn);
      }
      if (y) {
        float* yt = y + ((t * d.dirs + dir) * d.batch + b) * hs;
        if (active) std::memcpy(yt, hb, hs * sizeof(float));
        else std::fill(yt, yt + hs, 0.f);
      }
    }
  }
}

Status RunLstm(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* w, Input(ctx, 1));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* r, Input(ctx, 2));
  const Tensor *bias = ctx.input(3), *lens_t = ctx.input(4), *h0 = ctx.input(5), *c0 = ctx.input(6), *p = ctx.input(7);
  if (a.Int("layout", 0) != 0) return UnsupportedError("LSTM layout 1");
  if (x->dtype() != DataType::kFloat32 || x->shape().size() != 3 || w->shape().size() != 3) return InvalidArgumentError("LSTM X must be float32 [seq,batch,input]");
  for (const Tensor* t : {w, r, bias, h0, c0, p}) {  // read as float below
    if (t && t->dtype() != DataType::kFloat32) return InvalidArgumentError("LSTM W, R, B, initial_h, initial_c and P must be float32");
  }
  std::string direction = a.String("direction", "forward");
  LstmDims d{x->shape()[0], x->shape()[1], x->shape()[2], a.Int("hidden_size", 0), direction == "bidirectional" ? 2 : 1};
  if (d.hidden <= 0) d.hidden = w->shape()[1] / 4;
  int64_t hs = d.hidden;
  if (w->shape() != Shape{d.dirs, 4 * hs, d.in} || r->shape() != Shape{d.dirs, 4 * hs, hs} ||
      (bias && bias->num_elements() != d.dirs * 8 * hs) || (p && p->num_elements() != d.dirs * 3 * hs) ||
      (h0 && h0->num_elements() != d.dirs * d.batch * hs) || (c0 && c0->num_elements() != d.dirs * d.batch * hs)) {
    return InvalidArgumentError("LSTM weight or state shapes do not match hidden_size " + std::to_string(hs));
  }
  std::vector<std::string> names = {"Sigmoid", "Tanh", "Tanh"};
  if (const Attribute* acts = a.info().Find("activations")) names = acts->strings;
  if (static_cast<int64_t>(names.size()) != 3 * d.dirs && names.size() != 3) return InvalidArgumentError("LSTM activations count");
  std::vector<int64_t> lens(d.batch, d.seq);
  if (lens_t) {
    CONFIDE_ASSIGN_OR_RETURN(lens, ReadInts(*lens_t));
    if (static_cast<int64_t>(lens.size()) != d.batch) return InvalidArgumentError("sequence_lens size");
  }
  Tensor* y = nullptr;
  if (ctx.num_outputs() > 0) { CONFIDE_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, DataType::kFloat32, {d.seq, d.dirs, d.batch, hs})); }
  std::vector<float> h(d.dirs * d.batch * hs, 0.f), c(h.size(), 0.f);
  if (h0) std::memcpy(h.data(), h0->raw_data(), h.size() * 4);
  if (c0) std::memcpy(c.data(), c0->raw_data(), c.size() * 4);
  for (int dir = 0; dir < d.dirs; ++dir) {
    Act act[3];
    for (int k = 0; k < 3; ++k) {
      CONFIDE_ASSIGN_OR_RETURN(act[k], ActByName(names[(names.size() == 3 ? 0 : dir * 3) + k]));
    }
    bool reverse = direction == "reverse" || dir == 1;
    RunDirection(d, dir, reverse, x->data<float>(), w->data<float>() + dir * 4 * hs * d.in,
                 r->data<float>() + dir * 4 * hs * hs, bias ? bias->data<float>() + dir * 8 * hs : nullptr,
                 p ? p->data<float>() + dir * 3 * hs : nullptr, lens, h.data() + dir * d.batch * hs,
                 c.data() + dir * d.batch * hs, y ? y->data<float>() : nullptr, act, a.Float("clip", 0.f),
                 a.Int("input_forget", 0) != 0);
  }
  Tensor ht = Tensor::View(DataType::kFloat32, {d.dirs, d.batch, hs}, h.data());
  Tensor ct = Tensor::View(DataType::kFloat32, {d.dirs, d.batch, hs}, c.data());
  if (ctx.num_outputs() > 1) CONFIDE_TRY(CopyToOutput(ctx, 1, ht, ht.shape()));
  if (ctx.num_outputs() > 2) CONFIDE_TRY(CopyToOutput(ctx, 2, ct, ct.shape()));
  return OkStatus();
}

}  // namespace

void RegisterLstmKernels(KernelRegistry* r) {
  r->Register({.op_type = "LSTM", .factory = FnFactory(RunLstm)});
}

}  // namespace confide::engine::kernels
