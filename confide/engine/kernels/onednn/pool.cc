// MaxPool, AveragePool and GlobalAveragePool on oneDNN (placeholder: registers nothing yet).
#include "confide/engine/kernels/onednn/onednn.h"

namespace confide::engine::kernels::onednn {

void RegisterPoolKernels(KernelRegistry*) {}

}  // namespace confide::engine::kernels::onednn
