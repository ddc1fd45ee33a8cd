// Key broker load: 1000 releases from 8 concurrent clients against a real `confide kbs serve`
// on loopback (audit synchronous=FULL, group commit). Prints releases/s, p50, p99 and errors.
// Not a Google Benchmark: the unit of work is a whole attested release over TLS.
//   build/<preset>/bench/kbs_load [num_releases] [num_clients]
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "confide/crypto/random.h"
#include "confide/kbs/testing/kbs_fixture.h"

using namespace confide;

int main(int argc, char** argv) {
  int total = argc > 1 ? std::atoi(argv[1]) : 1000;
  int num_clients = argc > 2 ? std::atoi(argv[2]) : 8;
  signal(SIGPIPE, SIG_IGN);
  std::string dir = "/tmp/confide_kbs_load_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  auto measurement = crypto::Sha384(AsBytes("bench"));
  auto tee = kbs::testing::SimTee::Create(dir + "/sim", measurement);
  kbs::testing::KbsProcess server(dir + "/kbs", {.checkpoint_every = 100, .audit_sync_full = true});
  if (!tee.ok() || !server.Start().ok()) return 3;
  SecretBytes key = crypto::RandomSecret(32);
  if (!server.AddModel("m", kbs::testing::SnpPolicy(measurement, &tee->sim_root), key).ok()) return 3;
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::atomic<int> next{0}, errors{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < num_clients; ++c) {
    clients.emplace_back([&] {
      kbs::KbsClient client(server.ClientOptions());
      while (next.fetch_add(1) < total) {
        auto t0 = std::chrono::steady_clock::now();
        auto r = kbs::ObtainModelKey(client, *tee->platform, "m");
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (!r.ok()) ++errors;
        std::lock_guard lock(mu);
        latencies_ms.push_back(ms);
      }
    });
  }
  for (auto& t : clients) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  server.Stop();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) { return latencies_ms[static_cast<size_t>(p * (latencies_ms.size() - 1))]; };
  std::printf("kbs_load: %d releases, %d clients, %d errors, %.1f releases/s, p50 %.1f ms, p99 %.1f ms\n",
              total, num_clients, errors.load(), total / secs, pct(0.5), pct(0.99));
  std::filesystem::remove_all(dir);
  return errors.load() == 0 ? 0 : 1;
}
