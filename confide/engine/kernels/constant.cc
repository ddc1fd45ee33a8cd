// Constant, ConstantOfShape, Range.
#include <cmath>
#include <cstring>

#include "confide/engine/kernels/kernel_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

Status RunConstant(KernelContext& ctx, const OpAttrs& a) {
  const Attribute* v = a.info().Find("value");
  if (v && v->type == Attribute::Type::kTensor) return CopyToOutput(ctx, 0, v->t, v->t.shape());
  if (const Attribute* f = a.info().Find("value_float")) {
    Tensor t = Tensor::View(DataType::kFloat32, {}, const_cast<float*>(&f->f));
    return CopyToOutput(ctx, 0, t, {});
  }
  if (const Attribute* i = a.info().Find("value_int")) {
    Tensor t = Tensor::View(DataType::kInt64, {}, const_cast<int64_t*>(&i->i));
    return CopyToOutput(ctx, 0, t, {});
  }
  if (const Attribute* fs = a.info().Find("value_floats")) {
    Tensor t = Tensor::View(DataType::kFloat32, {static_cast<int64_t>(fs->floats.size())}, const_cast<float*>(fs->floats.data()));
    return CopyToOutput(ctx, 0, t, t.shape());
  }
  if (const Attribute* is = a.info().Find("value_ints")) {
    Tensor t = Tensor::View(DataType::kInt64, {static_cast<int64_t>(is->ints.size())}, const_cast<int64_t*>(is->ints.data()));
    return CopyToOutput(ctx, 0, t, t.shape());
  }
  return UnsupportedError("Constant without a tensor, float(s) or int(s) value");
}

Status RunConstantOfShape(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* s, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(std::vector<int64_t> dims, ReadInts(*s));
  const Attribute* v = a.info().Find("value");
  DataType dtype = v && v->type == Attribute::Type::kTensor ? v->t.dtype() : DataType::kFloat32;
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, dtype, dims));
  size_t es = DataTypeSize(dtype);
  if (v && v->t.num_elements() != 1) return InvalidArgumentError("value must have one element");
  for (int64_t i = 0; i < y->num_elements(); ++i) {
    if (v) {
      std::memcpy(y->data<uint8_t>() + i * es, v->t.raw_data(), es);
    } else {
      y->data<float>()[i] = 0.f;
    }
  }
  return OkStatus();
}

Status RunRange(KernelContext& ctx, const OpAttrs&) {
  const Tensor* in[3];
  for (int i = 0; i < 3; ++i) {
    CONFIDE_ASSIGN_OR_RETURN(in[i], Input(ctx, i));
    if (in[i]->num_elements() != 1) return InvalidArgumentError("Range inputs must be scalars");
  }
  double start = ReadAsDouble(*in[0], 0), limit = ReadAsDouble(*in[1], 0), delta = ReadAsDouble(*in[2], 0);
  if (delta == 0) return InvalidArgumentError("Range delta 0");
  double count = std::ceil((limit - start) / delta);
  int64_t n = count > 0 ? static_cast<int64_t>(std::min(count, 1e12)) : 0;
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, in[0]->dtype(), {n}));
  CONFIDE_DISPATCH_ALL(in[0]->dtype(), {
    T s0 = in[0]->data<T>()[0], d = in[2]->data<T>()[0];
    for (int64_t i = 0; i < n; ++i) y->data<T>()[i] = static_cast<T>(s0 + static_cast<T>(i) * d);
  });
  return OkStatus();
}

}  // namespace

void RegisterConstantKernels(KernelRegistry* r) {
  r->Register({.op_type = "Constant", .factory = FnFactory(RunConstant)});
  r->Register({.op_type = "ConstantOfShape", .factory = FnFactory(RunConstantOfShape)});
  r->Register({.op_type = "Range", .factory = FnFactory(RunRange)});
}

}  // namespace confide::engine::kernels
