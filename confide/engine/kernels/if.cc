// If: runs then_branch or else_branch (compiled at load) and copies its outputs.
#include "confide/engine/kernels/kernel_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

Status RunIf(KernelContext& ctx, const OpAttrs&) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* cond, Input(ctx, 0));
  if (cond->num_elements() != 1) return InvalidArgumentError("If condition must have one element");
  bool take_then = ReadAsDouble(*cond, 0) != 0;
  CONFIDE_ASSIGN_OR_RETURN(std::vector<Tensor> outs, ctx.RunSubgraph(take_then ? "then_branch" : "else_branch", {}));
  if (static_cast<int>(outs.size()) != ctx.num_outputs()) {
    return InvalidArgumentError("branch returns " + std::to_string(outs.size()) + " outputs, If has " +
                                std::to_string(ctx.num_outputs()));
  }
  for (size_t i = 0; i < outs.size(); ++i) CONFIDE_TRY(CopyToOutput(ctx, static_cast<int>(i), outs[i], outs[i].shape()));
  return OkStatus();
}

}  // namespace

void RegisterIfKernels(KernelRegistry* r) {
  r->Register({.op_type = "If", .factory = [](const NodeInfo& n) -> Result<std::unique_ptr<Kernel>> {
    for (const char* b : {"then_branch", "else_branch"}) {
      const Attribute* a = n.Find(b);
      if (a == nullptr || a->type != Attribute::Type::kGraph) return InvalidArgumentError(std::string("If needs ") + b);
    }
    return FnFactory(RunIf)(n);
  }});
}

}  // namespace confide::engine::kernels
