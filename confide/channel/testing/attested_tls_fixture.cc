#include "confide/channel/testing/attested_tls_fixture.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <utility>

#include "confide/base/listen_socket.h"
#include "confide/crypto/tls.h"

namespace confide::channel::testing {

HelloServer::HelloServer(const crypto::Certificate& cert, const crypto::PrivateKey& key,
                         std::string body)
    : server_([&](SSL_CTX& ctx) { return crypto::ConfigureTlsServer(&ctx, cert, key).ok(); }) {
  server_.Get("/hello", [body = std::move(body)](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "text/plain");
  });
  server_.set_socket_options(SetExclusiveListenOptions);  // no other test's server shares it
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

HelloServer::~HelloServer() {
  server_.stop();
  thread_.join();
}

std::string GetHello(int port, AttestedTlsVerifier& verifier) {
  httplib::SSLClient client("127.0.0.1", port);
  client.enable_server_certificate_verification(false);
  EXPECT_TRUE(crypto::ConfigureTlsClient(client.ssl_context(), &verifier).ok());
  auto res = client.Get("/hello");
  return res ? res->body : "";
}

std::vector<attest::ReasonCode> FailedReasons(const AttestedTlsVerifier& verifier) {
  std::vector<attest::ReasonCode> out;
  auto r = verifier.last_result();
  if (!r || !r->ok()) return out;
  for (const auto& c : (*r)->checks) {
    if (!c.passed) out.push_back(c.reason);
  }
  return out;
}

Result<tee::sim::SimStore> MakeFreshSimStore(const std::string& dir, Time now) {
  std::filesystem::remove_all(dir);
  CONFIDE_TRY(tee::sim::InitSimStore(dir, now, /*overwrite=*/false));
  return tee::sim::LoadSimStore(dir);
}

}  // namespace confide::channel::testing
