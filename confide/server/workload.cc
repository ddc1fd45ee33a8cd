#include "confide/server/workload.h"

#include <algorithm>

#include "confide/base/bytes.h"
#include "confide/crypto/hash.h"

namespace confide::server {

std::array<uint8_t, 32> ComputeWorkload(const WorkloadInputs& inputs) {
  std::vector<package::Digest> sorted = inputs.manifest_digests;
  std::sort(sorted.begin(), sorted.end());
  ByteWriter w;
  w.WriteBytes(AsBytes("confide workload v1"));
  w.WriteU32Be(static_cast<uint32_t>(sorted.size()));
  for (const auto& d : sorted) w.WriteBytes(d);
  w.WriteBytes(AsBytes(inputs.launch_config));
  return crypto::Sha256(w.data());
}

}  // namespace confide::server
