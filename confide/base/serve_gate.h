// Makes a server's "stop" reliable however it races with the start of its accept loop.
//
//   ServeGate gate;
//   // serving thread:             // signal-handling thread:
//   gate.Serve([&] { srv.listen_after_bind(); });   gate.Stop([&] { srv.stop(); });
//
// cpp-httplib's Server::stop() does nothing until listen_after_bind() has started its accept loop,
// so a stop that comes while the loop is starting (a SIGTERM just after the port file appears)
// is lost and the server runs on. With the gate, Serve runs `serve` only if no Stop came first,
// and Stop repeats `stop` until Serve has returned.
#ifndef CONFIDE_BASE_SERVE_GATE_H_
#define CONFIDE_BASE_SERVE_GATE_H_

#include <atomic>
#include <chrono>
#include <thread>

namespace confide {

class ServeGate {
 public:
  // Runs `serve` (which returns once a `stop` reaches it), unless Stop was called first.
  template <typename ServeFn>
  void Serve(ServeFn&& serve) {
    serving_ = true;
    if (!stop_requested_) serve();
    serving_ = false;
  }

  // Calls `stop` (which must be safe to call repeatedly, from another thread than Serve's, and
  // before the loop runs) until no Serve is running, then returns. Safe before, during or after
  // Serve. The two flags are sequentially consistent: either Serve sees the request before it
  // starts, or Stop sees Serve running and keeps stopping it.
  template <typename StopFn>
  void Stop(StopFn&& stop) {
    stop_requested_ = true;
    while (true) {
      stop();
      if (!serving_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

 private:
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> serving_{false};
};

}  // namespace confide

#endif  // CONFIDE_BASE_SERVE_GATE_H_
