// Test-only pieces the attested TLS tests share: a loopback TLS server that answers GET /hello,
// a client that fetches it through an AttestedTlsVerifier, the reasons a verifier's appraisal
// failed, and a fresh simulator store.
//
//   HelloServer server(identity.certificate, identity.tls_key, "hello from the TEE");
//   AttestedTlsVerifier verifier(policy, clock);
//   EXPECT_EQ(GetHello(server.port(), verifier), "hello from the TEE") << verifier.Explain();
#ifndef CONFIDE_CHANNEL_TESTING_ATTESTED_TLS_FIXTURE_H_
#define CONFIDE_CHANNEL_TESTING_ATTESTED_TLS_FIXTURE_H_

#include <httplib.h>

#include <string>
#include <thread>
#include <vector>

#include "confide/base/clock.h"
#include "confide/channel/attested_tls.h"
#include "confide/crypto/x509.h"
#include "confide/tee/sim/sim_store.h"

namespace confide::channel::testing {

// A TLS server on 127.0.0.1 (any free port) that answers GET /hello with `body` as text/plain,
// presenting `cert` with `key`. Serves from its own thread from construction until destruction.
class HelloServer {
 public:
  HelloServer(const crypto::Certificate& cert, const crypto::PrivateKey& key, std::string body);
  ~HelloServer();
  HelloServer(const HelloServer&) = delete;
  HelloServer& operator=(const HelloServer&) = delete;
  int port() const { return port_; }

 private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
};

// GETs /hello from 127.0.0.1:`port`, with `verifier` deciding the handshake. Returns the body,
// or "" if the request failed. Adds a test failure if the client cannot be configured.
std::string GetHello(int port, AttestedTlsVerifier& verifier);

// The reason codes of the failed checks in `verifier`'s latest appraisal, in check order. Empty
// if there was no appraisal, or it ended in an Error.
std::vector<attest::ReasonCode> FailedReasons(const AttestedTlsVerifier& verifier);

// Empties `dir`, makes a simulator store there at `now` and loads it.
Result<tee::sim::SimStore> MakeFreshSimStore(const std::string& dir, Time now);

}  // namespace confide::channel::testing

#endif  // CONFIDE_CHANNEL_TESTING_ATTESTED_TLS_FIXTURE_H_
