#include "confide/engine/kernel.h"

#include <algorithm>

namespace confide::engine {

const Attribute* NodeInfo::Find(std::string_view attr) const {
  if (attrs == nullptr) return nullptr;
  auto it = attrs->find(attr);
  return it == attrs->end() ? nullptr : &it->second;
}

bool NodeInfo::Has(std::string_view attr) const { return Find(attr) != nullptr; }

int64_t NodeInfo::GetInt(std::string_view attr, int64_t def) const {
  const Attribute* a = Find(attr);
  return a && a->type == Attribute::Type::kInt ? a->i : def;
}

float NodeInfo::GetFloat(std::string_view attr, float def) const {
  const Attribute* a = Find(attr);
  return a && a->type == Attribute::Type::kFloat ? a->f : def;
}

std::string NodeInfo::GetString(std::string_view attr, std::string def) const {
  const Attribute* a = Find(attr);
  return a && a->type == Attribute::Type::kString ? a->s : def;
}

std::vector<int64_t> NodeInfo::GetInts(std::string_view attr) const {
  const Attribute* a = Find(attr);
  return a && a->type == Attribute::Type::kInts ? a->ints : std::vector<int64_t>{};
}

std::vector<float> NodeInfo::GetFloats(std::string_view attr) const {
  const Attribute* a = Find(attr);
  return a && a->type == Attribute::Type::kFloats ? a->floats : std::vector<float>{};
}

std::vector<std::string> NodeInfo::GetStrings(std::string_view attr) const {
  const Attribute* a = Find(attr);
  return a && a->type == Attribute::Type::kStrings ? a->strings : std::vector<std::string>{};
}

void KernelRegistry::Register(KernelDef def) {
  auto& list = defs_[{def.domain, def.op_type}];
  list.push_back(std::move(def));
  std::stable_sort(list.begin(), list.end(), [](const KernelDef& a, const KernelDef& b) {
    return a.priority > b.priority;
  });
}

Result<std::unique_ptr<Kernel>> KernelRegistry::Create(const NodeInfo& node) const {
  auto it = defs_.find({std::string(node.domain), std::string(node.op_type)});
  std::string what = "op " + std::string(node.op_type) +
                     (node.domain.empty() ? "" : " (domain " + std::string(node.domain) + ")") +
                     " at opset " + std::to_string(node.opset);
  if (it == defs_.end()) return UnsupportedError(what + " has no kernel");
  Error last = UnsupportedError(what + " is outside every registered opset range");
  for (const KernelDef& def : it->second) {
    if (node.opset < def.since_version || node.opset > def.until_version) continue;
    auto kernel = def.factory(node);
    if (kernel.ok()) return kernel;
    if (kernel.error().code != ErrorCode::kUnsupported) return std::move(kernel).error();
    last = std::move(kernel).error();
  }
  return last;
}

bool KernelRegistry::Supports(std::string_view domain, std::string_view op_type,
                              int opset) const {
  auto it = defs_.find({std::string(domain), std::string(op_type)});
  if (it == defs_.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(), [&](const KernelDef& d) {
    return opset >= d.since_version && opset <= d.until_version;
  });
}

std::vector<std::pair<std::string, std::string>> KernelRegistry::Ops() const {
  std::vector<std::pair<std::string, std::string>> ops;
  for (const auto& [key, list] : defs_) ops.push_back(key);
  return ops;
}

const KernelRegistry& ReferenceKernelRegistry() {
  static const KernelRegistry* registry = [] {
    auto* r = new KernelRegistry;
    RegisterReferenceKernels(r);
    return r;
  }();
  return *registry;
}

}  // namespace confide::engine
