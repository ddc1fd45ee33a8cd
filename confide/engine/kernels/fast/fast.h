// Fast kernels in our own code (no oneDNN): float32 Add/Sub/Mul/Div with broadcasting, the
// activations Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Exp, Softmax, LogSoftmax,
// depthwise Conv, nearest-mode Resize, GlobalAveragePool and QuantizeLinear.
// Loops are templated on the op and the broadcast pattern so the compiler vectorises them.
//
//   RegisterFastElementwiseKernels(&registry);  // kFastKernelPriority
//
// Each kernel keeps the reference kernel of its node and hands it every case it does not
// specialise (other dtypes, unusual broadcast strides), so coverage equals the reference's.
#ifndef CONFIDE_ENGINE_KERNELS_FAST_FAST_H_
#define CONFIDE_ENGINE_KERNELS_FAST_FAST_H_

#include "confide/engine/kernel.h"

namespace confide::engine::kernels::fast {

void RegisterFastElementwiseKernels(KernelRegistry* r);  // elementwise.cc
// Depthwise Conv in NCHW, one priority level above the oneDNN Conv (depthwise_conv.cc).
void RegisterFastDepthwiseConv(KernelRegistry* r);
// Nearest-mode Resize / Upsample of images (resize.cc).
void RegisterFastResize(KernelRegistry* r);
// GlobalAveragePool, one priority level above the oneDNN one (global_pool.cc).
void RegisterFastGlobalAveragePool(KernelRegistry* r);
// QuantizeLinear with a per-tensor scale (quantize_linear.cc).
void RegisterFastQuantizeLinear(KernelRegistry* r);
// Softmax and LogSoftmax over contiguous rows (softmax.cc).
void RegisterFastSoftmax(KernelRegistry* r);

}  // namespace confide::engine::kernels::fast

#endif  // CONFIDE_ENGINE_KERNELS_FAST_FAST_H_
