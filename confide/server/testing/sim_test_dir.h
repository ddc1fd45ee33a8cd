// Test support for the server tests: a fresh directory holding a simulator store, and simulated
// platforms over it.
#ifndef CONFIDE_SERVER_TESTING_SIM_TEST_DIR_H_
#define CONFIDE_SERVER_TESTING_SIM_TEST_DIR_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "confide/base/bytes.h"
#include "confide/base/clock.h"
#include "confide/crypto/hash.h"
#include "confide/tee/sim/sim_platform.h"

namespace confide::server {

// <TempDir>/confide_<name>_<pid>, emptied, with a simulator store (created at `now`) in its
// "sim" folder; removed when destroyed. A store that cannot be made is a test failure.
class SimTestDir {
 public:
  SimTestDir(const std::string& name, Time now)
      : path_(::testing::TempDir() + "/confide_" + name + "_" + std::to_string(::getpid())) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
    auto st = tee::sim::InitSimStore(path_ + "/sim", now, false);
    if (!st.ok()) ADD_FAILURE() << st.error().ToString();
  }
  SimTestDir(const SimTestDir&) = delete;
  SimTestDir& operator=(const SimTestDir&) = delete;
  ~SimTestDir() { std::filesystem::remove_all(path_); }

  const std::string& path() const { return path_; }

  // A simulated platform over the store: the default launch, or one measured as SHA-384 of
  // `code` (two codes are two different builds of the workload). Null, with a test failure,
  // when the store does not load.
  std::unique_ptr<tee::sim::SimPlatform> Platform(std::optional<std::string_view> code = {}) const {
    auto store = tee::sim::LoadSimStore(path_ + "/sim");
    if (!store.ok()) {
      ADD_FAILURE() << store.error().ToString();
      return nullptr;
    }
    tee::sim::SimLaunch launch;
    if (code) launch.measurement = crypto::Sha384(AsBytes(*code));
    return std::make_unique<tee::sim::SimPlatform>(*std::move(store), launch);
  }

 private:
  std::string path_;
};

}  // namespace confide::server

#endif  // CONFIDE_SERVER_TESTING_SIM_TEST_DIR_H_
