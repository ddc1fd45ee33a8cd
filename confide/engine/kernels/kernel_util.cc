#include "confide/engine/kernels/kernel_util.h"

#include <cstring>

namespace confide::engine::kernels {

OpAttrs::OpAttrs(const NodeInfo& node)
    : attrs_(node.attrs ? *node.attrs : AttributeMap{}),
      opset_(node.opset),
      op_type_(node.op_type) {
  info_.attrs = &attrs_;
  info_.opset = opset_;
  info_.op_type = op_type_;
}

KernelFactory FnFactory(KernelFn fn) {
  return [fn](const NodeInfo& node) -> Result<std::unique_ptr<Kernel>> {
    return std::unique_ptr<Kernel>(new FnKernel(node, fn));
  };
}

Result<const Tensor*> Input(KernelContext& ctx, int i) {
  const Tensor* t = ctx.input(i);
  if (t == nullptr) return InvalidArgumentError("missing required input " + std::to_string(i));
  return t;
}

Result<Shape> BroadcastShapes(const Shape& a, const Shape& b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      return InvalidArgumentError("shapes " + ShapeToString(a) + " and " + ShapeToString(b) +
                                  " do not broadcast");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out) {
  std::vector<int64_t> strides(out.size(), 0);
  int64_t s = 1;
  for (size_t k = 0; k < in.size(); ++k) {
    size_t i = in.size() - 1 - k;
    size_t o = out.size() - 1 - k;
    strides[o] = in[i] == 1 ? 0 : s;
    s *= in[i];
  }
  return strides;
}

Result<int64_t> NormalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1)) {
    return InvalidArgumentError("axis " + std::to_string(axis) + " out of range for rank " +
                                std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

Result<std::vector<int64_t>> ReadInts(const Tensor& t) {
  std::vector<int64_t> v(t.num_elements());
  if (t.dtype() == DataType::kInt64) {
    for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<int64_t>()[i];
  } else if (t.dtype() == DataType::kInt32) {
    for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<int32_t>()[i];
  } else {
    return InvalidArgumentError("expected an int32/int64 tensor, got " +
                                std::string(DataTypeName(t.dtype())));
  }
  return v;
}

double ReadAsDouble(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DataType::kFloat32: return t.data<float>()[i];
    case DataType::kFloat64: return t.data<double>()[i];
    case DataType::kInt8: return t.data<int8_t>()[i];
    case DataType::kUint8: case DataType::kBool: return t.data<uint8_t>()[i];
    case DataType::kInt16: return t.data<int16_t>()[i];
    case DataType::kUint16: return t.data<uint16_t>()[i];
    case DataType::kInt32: return t.data<int32_t>()[i];
    case DataType::kUint32: return t.data<uint32_t>()[i];
    case DataType::kInt64: return static_cast<double>(t.data<int64_t>()[i]);
    case DataType::kUint64: return static_cast<double>(t.data<uint64_t>()[i]);
    case DataType::kUndefined: return 0;
  }
  return 0;
}

std::vector<int64_t> Strides(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

Status CopyToOutput(KernelContext& ctx, int i, const Tensor& src, const Shape& shape) {
  CONFIDE_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(i, src.dtype(), shape));
  if (src.byte_size()) std::memcpy(out->raw_data(), src.raw_data(), src.byte_size());
  return OkStatus();
}

bool CpuHasAvx2Fma() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}

}  // namespace confide::engine::kernels
