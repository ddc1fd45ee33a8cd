// Registration entry points of the reference kernel families (one file each, kernels/*.cc).
// kernels/registry.cc calls them all; see confide/engine/kernel.h for the interface.
#ifndef CONFIDE_ENGINE_KERNELS_KERNELS_H_
#define CONFIDE_ENGINE_KERNELS_KERNELS_H_

#include "confide/engine/kernel.h"

namespace confide::engine::kernels {

void RegisterBinaryKernels(KernelRegistry* r);         // binary.cc
void RegisterUnaryKernels(KernelRegistry* r);          // unary.cc
void RegisterConvKernels(KernelRegistry* r);           // conv.cc
void RegisterConvTransposeKernels(KernelRegistry* r);  // conv_transpose.cc
void RegisterGemmKernels(KernelRegistry* r);           // gemm.cc: Gemm, MatMul
void RegisterPoolKernels(KernelRegistry* r);           // pool.cc
void RegisterNormKernels(KernelRegistry* r);           // norm.cc
void RegisterSoftmaxKernels(KernelRegistry* r);        // softmax.cc
void RegisterReduceKernels(KernelRegistry* r);         // reduce.cc
void RegisterShapeKernels(KernelRegistry* r);          // shape.cc
void RegisterConcatKernels(KernelRegistry* r);         // concat.cc: Concat, Split
void RegisterSliceKernels(KernelRegistry* r);          // slice.cc
void RegisterGatherKernels(KernelRegistry* r);         // gather.cc
void RegisterTransposeKernels(KernelRegistry* r);      // transpose.cc
void RegisterPadKernels(KernelRegistry* r);            // pad.cc
void RegisterResizeKernels(KernelRegistry* r);         // resize.cc
void RegisterConstantKernels(KernelRegistry* r);       // constant.cc
void RegisterCastKernels(KernelRegistry* r);           // cast.cc: Cast, Where
void RegisterQuantizeKernels(KernelRegistry* r);       // quantize.cc
void RegisterQLinearConvKernels(KernelRegistry* r);    // qlinear_conv.cc
void RegisterQLinearMatMulKernels(KernelRegistry* r);  // qlinear_matmul.cc: + MatMulInteger
void RegisterLstmKernels(KernelRegistry* r);           // lstm.cc
void RegisterIfKernels(KernelRegistry* r);             // if.cc
void RegisterTreeEnsembleKernels(KernelRegistry* r);   // tree_ensemble.cc (ai.onnx.ml)

}  // namespace confide::engine::kernels

#endif  // CONFIDE_ENGINE_KERNELS_KERNELS_H_
