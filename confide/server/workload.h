// The "workload" claim of a confide-server's evidence: one digest over the packages it serves and
// its launch configuration. The server binds it (attestor.h); a client that knows the inputs the
// server shows (GET/POST /v1/attestation "claim_inputs") recomputes it to check them.
//
//   std::array<uint8_t, 32> w = ComputeWorkload({.manifest_digests = d, .launch_config = json});
#ifndef CONFIDE_SERVER_WORKLOAD_H_
#define CONFIDE_SERVER_WORKLOAD_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "confide/package/manifest.h"

namespace confide::server {

// What the "workload" claim covers: the sorted manifest digests and the launch configuration.
struct WorkloadInputs {
  std::vector<package::Digest> manifest_digests;  // any order; sorted when hashed
  std::string launch_config;                      // canonical JSON text
};

// SHA-256("confide workload v1" || u32 BE count || sorted digests || launch_config).
std::array<uint8_t, 32> ComputeWorkload(const WorkloadInputs& inputs);

}  // namespace confide::server

#endif  // CONFIDE_SERVER_WORKLOAD_H_
