#include "confide/base/serve_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace confide {
namespace {

using namespace std::chrono_literals;

// Behaves like cpp-httplib's Server: stop() is ignored until the accept loop has started, which
// takes `startup` after Listen() is called. Listen() gives up after 2 s (so a lost stop fails the
// test instead of hanging it) and reports whether a stop ended it.
class FakeServer {
 public:
  explicit FakeServer(std::chrono::milliseconds startup) : startup_(startup) {}
  bool Listen() {
    std::this_thread::sleep_for(startup_);
    running_ = true;
    auto deadline = std::chrono::steady_clock::now() + 2s;
    while (!stopped_ && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    running_ = false;
    return stopped_;
  }
  void Stop() {
    if (running_) stopped_ = true;
  }

 private:
  std::chrono::milliseconds startup_;
  std::atomic<bool> running_{false};
  std::atomic<bool> stopped_{false};
};

TEST(ServeGate, StopBeforeServeMeansServeNeverListens) {
  ServeGate gate;
  int stops = 0;
  gate.Stop([&] { ++stops; });
  EXPECT_EQ(stops, 1);
  bool listened = false;
  gate.Serve([&] { listened = true; });
  EXPECT_FALSE(listened);
}

// Waits until `flag` is set.
void WaitFor(const std::atomic<bool>& flag) {
  while (!flag) std::this_thread::sleep_for(1ms);
}

TEST(ServeGate, StopWhileTheLoopIsStartingIsNotLost) {
  FakeServer server(300ms);
  ServeGate gate;
  std::atomic<bool> entered{false};
  std::atomic<bool> ended_by_stop{false};
  std::thread serving([&] {
    gate.Serve([&] {
      entered = true;
      ended_by_stop = server.Listen();
    });
  });
  WaitFor(entered);                   // Serve has begun; the loop is (most likely) still starting
  gate.Stop([&] { server.Stop(); });  // returns only once Serve has returned
  EXPECT_TRUE(ended_by_stop);
  serving.join();
}

// The defect the gate removes: one stop() during start-up is ignored and the loop runs on.
TEST(ServeGate, WithoutTheGateThatStopIsLost) {
  FakeServer server(300ms);
  std::atomic<bool> entered{false};
  std::atomic<bool> ended_by_stop{true};
  std::thread serving([&] {
    entered = true;
    ended_by_stop = server.Listen();
  });
  WaitFor(entered);
  server.Stop();   // within the 300 ms start-up unless this thread stalls that long
  serving.join();  // ends at the fake's 2 s deadline
  EXPECT_FALSE(ended_by_stop);
}

TEST(ServeGate, StopAfterServeReturnedReturnsAtOnce) {
  ServeGate gate;
  gate.Serve([] {});
  int stops = 0;
  gate.Stop([&] { ++stops; });
  EXPECT_EQ(stops, 1);
}

}  // namespace
}  // namespace confide
