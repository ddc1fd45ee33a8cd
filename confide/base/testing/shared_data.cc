#include "confide/base/testing/shared_data.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "confide/base/file.h"

#ifndef CONFIDE_SHARED_DIR
#error "CONFIDE_SHARED_DIR must be defined by the build (cmake/confide.cmake)"
#endif

namespace confide::testing {

std::string SharedPath(std::string_view relative) {
  std::string path = std::string(CONFIDE_SHARED_DIR) + "/" + std::string(relative);
  if (!std::filesystem::exists(path)) {
    ADD_FAILURE() << "missing shared test data: " << path
                  << "\n(the tests read ../shared beside the repository; configure with "
                     "-DCONFIDE_SHARED_DIR=/path/to/shared)";
  }
  return path;
}

Bytes ReadSharedFile(std::string_view relative) {
  auto bytes = ReadFile(SharedPath(relative));
  if (!bytes.ok()) {
    ADD_FAILURE() << bytes.error().ToString();
    return {};
  }
  return *std::move(bytes);
}

}  // namespace confide::testing
