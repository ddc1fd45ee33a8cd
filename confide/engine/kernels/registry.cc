// Every reference kernel family. A new family is added here and in kernels.h.
#include "confide/engine/kernels/kernels.h"
#include "confide/engine/kernels/fast/fast.h"
#include "confide/engine/kernels/onednn/onednn.h"

namespace confide::engine {

void RegisterReferenceKernels(KernelRegistry* r) {
  kernels::RegisterBinaryKernels(r);
  kernels::RegisterUnaryKernels(r);
  kernels::RegisterConvKernels(r);
  kernels::RegisterConvTransposeKernels(r);
  kernels::RegisterGemmKernels(r);
  kernels::RegisterPoolKernels(r);
  kernels::RegisterNormKernels(r);
  kernels::RegisterSoftmaxKernels(r);
  kernels::RegisterReduceKernels(r);
  kernels::RegisterShapeKernels(r);
  kernels::RegisterConcatKernels(r);
  kernels::RegisterSliceKernels(r);
  kernels::RegisterGatherKernels(r);
  kernels::RegisterTransposeKernels(r);
  kernels::RegisterPadKernels(r);
  kernels::RegisterResizeKernels(r);
  kernels::RegisterConstantKernels(r);
  kernels::RegisterCastKernels(r);
  kernels::RegisterQuantizeKernels(r);
  kernels::RegisterQLinearConvKernels(r);
  kernels::RegisterQLinearMatMulKernels(r);
  kernels::RegisterLstmKernels(r);
  kernels::RegisterIfKernels(r);
  kernels::RegisterTreeEnsembleKernels(r);
}

namespace {

// Our own fast kernels (kernels/fast/), each above the reference kernel of its op.
void RegisterOwnFastKernels(KernelRegistry* r) {
  kernels::fast::RegisterFastElementwiseKernels(r);
  kernels::fast::RegisterFastDepthwiseConv(r);
  kernels::fast::RegisterFastResize(r);
  kernels::fast::RegisterFastGlobalAveragePool(r);
  kernels::fast::RegisterFastQuantizeLinear(r);
  kernels::fast::RegisterFastSoftmax(r);
}

}  // namespace

const KernelRegistry& DefaultKernelRegistry() {
  static const KernelRegistry* registry = [] {
    auto* r = new KernelRegistry;
    RegisterReferenceKernels(r);
    kernels::onednn::RegisterOneDnnKernels(r);
    RegisterOwnFastKernels(r);
    return r;
  }();
  return *registry;
}

const KernelRegistry& KernelRegistryWithoutOneDnn() {
  static const KernelRegistry* registry = [] {
    auto* r = new KernelRegistry;
    RegisterReferenceKernels(r);
    RegisterOwnFastKernels(r);
    return r;
  }();
  return *registry;
}

}  // namespace confide::engine
