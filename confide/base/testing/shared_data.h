// Test-only access to ../shared (vectors and models), found through the CMake cache variable
// CONFIDE_SHARED_DIR. A missing folder fails the test with a message that says how to fix it.
//
//   Bytes report = ReadSharedFile("vectors/snp/gosev-milan-v2.bin");
#ifndef CONFIDE_BASE_TESTING_SHARED_DATA_H_
#define CONFIDE_BASE_TESTING_SHARED_DATA_H_

#include <string>
#include <string_view>

#include "confide/base/bytes.h"

namespace confide::testing {

// Absolute path of `relative` under the shared folder. Adds a test failure if it does not exist.
std::string SharedPath(std::string_view relative);
// Reads a file under the shared folder; adds a test failure (and returns empty) if unreadable.
Bytes ReadSharedFile(std::string_view relative);

}  // namespace confide::testing

#endif  // CONFIDE_BASE_TESTING_SHARED_DATA_H_
