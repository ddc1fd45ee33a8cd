// Test-only attacker: a TLS server that copies a genuine attested server's evidence into a
// certificate for its own key (the relay or "diversion" attack on attested TLS). Clients must
// refuse it with KEY_BINDING_MISMATCH. Usage:
//   evidence_relay_server --upstream-port N [--port-file FILE]
// It fetches the upstream certificate on 127.0.0.1:N, then serves on an ephemeral loopback port
// (written to FILE) until killed, answering every GET with a fixed body.
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>

#include "confide/attest/evidence_bundle.h"
#include "confide/base/clock.h"
#include "confide/base/listen_socket.h"
#include "confide/crypto/tls.h"
#include "confide/crypto/x509_issue.h"

namespace {

using namespace confide;

// Accepts any certificate and keeps it: the attacker wants the evidence, not the trust.
class CapturingVerifier final : public crypto::TlsPeerVerifier {
 public:
  bool VerifyPeer(const crypto::Certificate& leaf) override {
    leaf_ = leaf;
    return true;
  }
  std::optional<crypto::Certificate> leaf_;
};

int Usage() {
  std::fprintf(stderr, "usage: evidence_relay_server --upstream-port N [--port-file FILE]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int upstream_port = 0;
  std::string port_file;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--upstream-port") {
      upstream_port = std::atoi(argv[i + 1]);
    } else if (flag == "--port-file") {
      port_file = argv[i + 1];
    } else {
      return Usage();
    }
  }
  if (upstream_port <= 0) return Usage();

  CapturingVerifier capture;
  httplib::SSLClient upstream("127.0.0.1", upstream_port);
  upstream.enable_server_certificate_verification(false);
  if (!crypto::ConfigureTlsClient(upstream.ssl_context(), &capture).ok()) return 3;
  (void)upstream.Get("/v2/health/live");
  if (!capture.leaf_) {
    std::fprintf(stderr, "relay: no upstream certificate\n");
    return 3;
  }
  std::optional<Bytes> evidence = capture.leaf_->Extension(attest::kEvidenceExtensionOid);
  if (!evidence) {
    std::fprintf(stderr, "relay: upstream certificate has no evidence\n");
    return 3;
  }

  auto key = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  Time now = SystemClock().Now();
  crypto::CertificateTemplate t{.subject_cn = "confide attested TLS", .subject_o = "confide",
                                .not_before = now - std::chrono::minutes(1),
                                .not_after = now + std::chrono::hours(1),
                                .signature_hash = crypto::HashAlg::kSha256};
  t.extensions.push_back({attest::kEvidenceExtensionOid, *evidence, false});
  auto cert = crypto::IssueCertificate(t, key->public_key(), *key);
  if (!key.ok() || !cert.ok()) return 3;

  httplib::SSLServer server([&](SSL_CTX& ctx) {
    return crypto::ConfigureTlsServer(&ctx, *cert, *key).ok();
  });
  server.Get(".*", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("relayed", "text/plain");
  });
  server.set_socket_options(SetExclusiveListenOptions);  // no other test's server shares it
  int port = server.bind_to_any_port("127.0.0.1");
  if (!port_file.empty()) std::ofstream(port_file) << port << "\n";
  std::printf("relay listening on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  server.listen_after_bind();
  return 0;
}
