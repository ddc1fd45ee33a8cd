// Helpers shared by the reference kernels: copied attributes, a function-backed kernel,
// broadcasting, axis normalisation and reading shape-like int tensors.
#ifndef CONFIDE_ENGINE_KERNELS_KERNEL_UTIL_H_
#define CONFIDE_ENGINE_KERNELS_KERNEL_UTIL_H_

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "confide/engine/kernel.h"

namespace confide::engine::kernels {

// A copy of a node's attributes and opset, kept by a kernel past the factory call.
class OpAttrs {
 public:
  explicit OpAttrs(const NodeInfo& node);
  int opset() const { return opset_; }
  const std::string& op_type() const { return op_type_; }
  const NodeInfo& info() const { return info_; }
  int64_t Int(std::string_view name, int64_t def) const { return info_.GetInt(name, def); }
  float Float(std::string_view name, float def) const { return info_.GetFloat(name, def); }
  std::string String(std::string_view name, std::string def) const { return info_.GetString(name, std::move(def)); }
  std::vector<int64_t> Ints(std::string_view name) const { return info_.GetInts(name); }
  std::vector<float> Floats(std::string_view name) const { return info_.GetFloats(name); }
  bool Has(std::string_view name) const { return info_.Has(name); }

 private:
  AttributeMap attrs_;
  int opset_;
  std::string op_type_;
  NodeInfo info_;
};

using KernelFn = std::function<Status(KernelContext&, const OpAttrs&)>;

// A kernel that calls `fn` with the node's copied attributes.
class FnKernel : public Kernel {
 public:
  FnKernel(const NodeInfo& node, KernelFn fn) : attrs_(node), fn_(std::move(fn)) {}
  Status Run(KernelContext& ctx) const override { return fn_(ctx, attrs_); }

 private:
  OpAttrs attrs_;
  KernelFn fn_;
};

// A factory that builds an FnKernel around `fn`.
KernelFactory FnFactory(KernelFn fn);

// The required input i, or kInvalidArgument naming it.
Result<const Tensor*> Input(KernelContext& ctx, int i);
// Numpy broadcasting of two shapes; kInvalidArgument if incompatible.
Result<Shape> BroadcastShapes(const Shape& a, const Shape& b);
// Element strides of `in` when broadcast to `out` (0 along broadcast dims), length out.size().
std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out);
// Normalises a possibly negative axis into [0, rank); kInvalidArgument if out of range.
Result<int64_t> NormalizeAxis(int64_t axis, int64_t rank);
// Reads an int32/int64 tensor as int64 values; kInvalidArgument for other dtypes.
Result<std::vector<int64_t>> ReadInts(const Tensor& t);
// Reads element i of any numeric tensor as double.
double ReadAsDouble(const Tensor& t, int64_t i);
// Contiguous strides of `shape` in elements.
std::vector<int64_t> Strides(const Shape& shape);
// std::memcpy for the many short rows of Slice, Concat and Split: 4, 8 and 16 bytes (two or four
// floats, box coordinates) are copied inline instead of through a library call.
inline void CopyRow(uint8_t* dst, const uint8_t* src, size_t n) {
  switch (n) {
    case 4: std::memcpy(dst, src, 4); return;
    case 8: std::memcpy(dst, src, 8); return;
    case 16: std::memcpy(dst, src, 16); return;
    default: std::memcpy(dst, src, n);
  }
}

// Copies `src` into a newly allocated output i.
Status CopyToOutput(KernelContext& ctx, int i, const Tensor& src, const Shape& shape);

// Whether this CPU has AVX2 and FMA, for kernels that pick an AVX2 body at run time (checked
// once, on first use rather than in a static initializer).
bool CpuHasAvx2Fma();

// Calls f(T{}) with the C++ type of `dtype`; returns kUnsupported for types outside the list.
#define CONFIDE_DISPATCH_CASE(ENUM, TYPE, ...) \
  case DataType::ENUM: {                        \
    using T = TYPE;                             \
    __VA_ARGS__;                                \
    break;                                      \
  }
#define CONFIDE_DISPATCH_ALL(dtype, ...)                                      \
  switch (dtype) {                                                            \
    CONFIDE_DISPATCH_CASE(kFloat32, float, __VA_ARGS__)                       \
    CONFIDE_DISPATCH_CASE(kFloat64, double, __VA_ARGS__)                      \
    CONFIDE_DISPATCH_CASE(kInt8, int8_t, __VA_ARGS__)                         \
    CONFIDE_DISPATCH_CASE(kUint8, uint8_t, __VA_ARGS__)                       \
    CONFIDE_DISPATCH_CASE(kInt16, int16_t, __VA_ARGS__)                       \
    CONFIDE_DISPATCH_CASE(kUint16, uint16_t, __VA_ARGS__)                     \
    CONFIDE_DISPATCH_CASE(kInt32, int32_t, __VA_ARGS__)                       \
    CONFIDE_DISPATCH_CASE(kUint32, uint32_t, __VA_ARGS__)                     \
    CONFIDE_DISPATCH_CASE(kInt64, int64_t, __VA_ARGS__)                       \
    CONFIDE_DISPATCH_CASE(kUint64, uint64_t, __VA_ARGS__)                     \
    CONFIDE_DISPATCH_CASE(kBool, uint8_t, __VA_ARGS__)                        \
    default:                                                                  \
      return UnsupportedError("data type " + std::string(DataTypeName(dtype))); \
  }
#define CONFIDE_DISPATCH_FLOAT(dtype, ...)                                    \
  switch (dtype) {                                                            \
    CONFIDE_DISPATCH_CASE(kFloat32, float, __VA_ARGS__)                       \
    CONFIDE_DISPATCH_CASE(kFloat64, double, __VA_ARGS__)                      \
    default:                                                                  \
      return UnsupportedError("data type " + std::string(DataTypeName(dtype)) + " (float only)"); \
  }

}  // namespace confide::engine::kernels

#endif  // CONFIDE_ENGINE_KERNELS_KERNEL_UTIL_H_
