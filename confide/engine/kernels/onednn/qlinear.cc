// QLinearConv and QLinearMatMul on oneDNN int8 (placeholder: registers nothing yet).
#include "confide/engine/kernels/onednn/onednn.h"

namespace confide::engine::kernels::onednn {

void RegisterQLinearKernels(KernelRegistry*) {}

}  // namespace confide::engine::kernels::onednn
