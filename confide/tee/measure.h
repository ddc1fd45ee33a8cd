// Measuring the running workload: SHA-384 of an executable file, as the simulator's MEASUREMENT.
//
//   CONFIDE_ASSIGN_OR_RETURN(auto m, MeasureFile("/proc/self/exe"));
#ifndef CONFIDE_TEE_MEASURE_H_
#define CONFIDE_TEE_MEASURE_H_

#include <string>

#include "confide/base/result.h"
#include "confide/crypto/hash.h"

namespace confide::tee {

// SHA-384 of the whole file, streamed. kNotFound / kUnavailable from file I/O.
Result<crypto::Sha384Digest> MeasureFile(const std::string& path);

}  // namespace confide::tee

#endif  // CONFIDE_TEE_MEASURE_H_
