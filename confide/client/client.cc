#include "confide/client/client.h"

#include <httplib.h>

#include <charconv>

#include "confide/attest/binding.h"
#include "confide/attest/verifier.h"
#include "confide/base/base64.h"
#include "confide/channel/attested_tls.h"
#include "confide/channel/sealed_envelope.h"
#include "confide/crypto/random.h"
#include "confide/server/oip_tensors.h"

namespace confide::client {

namespace {

// Records the leaf certificate, then lets the attested-TLS verifier decide.
class RecordingVerifier final : public crypto::TlsPeerVerifier {
 public:
  RecordingVerifier(attest::Policy policy, const Clock& clock) : inner_(std::move(policy), clock) {}
  bool VerifyPeer(const crypto::Certificate& leaf) override {
    leaf_ = leaf;
    return inner_.VerifyPeer(leaf);
  }
  channel::AttestedTlsVerifier& inner() { return inner_; }
  std::optional<crypto::Certificate> leaf_;

 private:
  channel::AttestedTlsVerifier inner_;
};

Error HttpError(const httplib::Result& res) {
  if (!res) return UnavailableError("request failed: " + httplib::to_string(res.error()));
  std::string msg = "server answered " + std::to_string(res->status);
  auto j = nlohmann::json::parse(res->body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) {
    msg += ": " + j["error"].get<std::string>();
  }
  return res->status >= 500 ? InternalError(msg) : InvalidArgumentError(msg);
}

// The binary-data extension's JSON length; a malformed value becomes SIZE_MAX, which the codec
// rejects as exceeding the body (std::stoull would throw out of the client).
std::optional<size_t> JsonLen(const httplib::Response& r) {
  if (!r.has_header("Inference-Header-Content-Length")) return std::nullopt;
  const std::string v = r.get_header_value("Inference-Header-Content-Length");
  size_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) return SIZE_MAX;
  return n;
}

}  // namespace

Result<ServerAddress> ParseServerUrl(std::string_view url) {
  ServerAddress a;
  if (url.starts_with("https://")) {
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    a.tls = false;
    url.remove_prefix(7);
  } else {
    return InvalidArgumentError("URL must start with https:// or http://");
  }
  if (url.ends_with("/")) url.remove_suffix(1);
  auto colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return InvalidArgumentError("URL needs HOST:PORT");
  a.host = std::string(url.substr(0, colon));
  std::string_view port = url.substr(colon + 1);
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), a.port);
  if (ec != std::errc() || p != port.data() + port.size() || a.port <= 0 || a.port > 65535) {
    return InvalidArgumentError("URL: bad port");
  }
  return a;
}

struct Client::Impl {
  Impl(ServerAddress a, attest::Policy p, const Clock& c, int timeout)
      : address(std::move(a)), policy(p), clock(c), verifier(std::move(p), c) {
    if (address.tls) {
      auto tls = std::make_unique<httplib::SSLClient>(address.host, address.port);
      tls->enable_server_certificate_verification(false);
      configured = crypto::ConfigureTlsClient(tls->ssl_context(), &verifier).ok();
      http = std::move(tls);
    } else {
      http = std::make_unique<httplib::ClientImpl>(address.host, address.port);
    }
    http->set_keep_alive(true);
    // No inflating of compressed responses: a sealed response may cross untrusted proxies, and a
    // small compressed body can inflate to any size. confide-server never compresses.
    http->set_decompress(false);
    http->set_tcp_nodelay(true);  // no Nagle/delayed-ACK stalls on small requests
    http->set_read_timeout(timeout, 0);
    http->set_connection_timeout(timeout, 0);
  }
  ServerAddress address;
  attest::Policy policy;
  const Clock& clock;
  RecordingVerifier verifier;
  std::unique_ptr<httplib::ClientImpl> http;
  bool configured = true;
  bool verified = false;
  std::optional<FreshAttestation> fresh;
  std::string last_explain;
};

Client::Client(ServerAddress address, attest::Policy policy, const Clock& clock,
               int timeout_seconds)
    : impl_(std::make_unique<Impl>(std::move(address), std::move(policy), clock, timeout_seconds)) {}

Client::~Client() = default;

Result<attest::Appraisal> Client::Connect() {
  if (!impl_->address.tls) return InvalidArgumentError("attested TLS needs an https:// URL");
  if (!impl_->configured) return InternalError("TLS client context could not be configured");
  auto res = impl_->http->Get("/v1/attestation");
  auto appraisal = impl_->verifier.inner().last_result();
  impl_->last_explain = impl_->verifier.inner().Explain();
  if (appraisal && appraisal->ok() && !(*appraisal)->accepted) {
    return VerificationFailedError("the server's attestation was rejected by the policy");
  }
  if (appraisal && !appraisal->ok()) return appraisal->error();
  if (!res) return UnavailableError("cannot reach the server: " + httplib::to_string(res.error()));
  if (!appraisal) return VerificationFailedError("no attested TLS handshake took place");
  if (res->status != 200) return HttpError(res);
  cert_doc_ = nlohmann::json::parse(res->body, nullptr, false);
  impl_->verified = true;
  return appraisal->value();
}

Result<FreshAttestation> Client::AttestFresh(ByteSpan nonce) {
  if (impl_->address.tls && !impl_->verified) CONFIDE_TRY(Connect());
  nlohmann::json req = {{"nonce", Base64Encode(nonce)}};
  auto res = impl_->http->Post("/v1/attestation", req.dump(), "application/json");
  if (!res || res->status != 200) return HttpError(res);
  auto doc = nlohmann::json::parse(res->body, nullptr, false);
  if (!doc.is_object() || !doc.contains("evidence_bundle") || !doc["evidence_bundle"].is_string()) {
    return MalformedError("attestation response: no evidence_bundle");
  }
  CONFIDE_ASSIGN_OR_RETURN(Bytes cbor, Base64Decode(doc["evidence_bundle"].get<std::string>()));
  CONFIDE_ASSIGN_OR_RETURN(attest::EvidenceBundle bundle, attest::DecodeEvidenceBundle(cbor));
  attest::AppraiseOptions opts{.now = impl_->clock.Now()};
  opts.expect.nonce = Bytes(nonce.begin(), nonce.end());
  if (impl_->verifier.leaf_) opts.expect.tls_spki_der = impl_->verifier.leaf_->public_key().ToDer();
  CONFIDE_ASSIGN_OR_RETURN(attest::Appraisal appraisal,
                           attest::AppraiseEvidence(bundle, impl_->policy, opts));
  impl_->last_explain = attest::ExplainAppraisal(appraisal);
  if (!appraisal.accepted) return VerificationFailedError("fresh evidence rejected by the policy");
  CONFIDE_ASSIGN_OR_RETURN(attest::BindingClaims claims, attest::DecodeBindingClaims(bundle.claims));
  if (!claims.hpke_pub) return VerificationFailedError("the evidence binds no HPKE key");
  return FreshAttestation{.appraisal = std::move(appraisal), .hpke_pub = *claims.hpke_pub,
                          .workload = claims.workload, .document = std::move(doc)};
}

Result<engine::NamedTensors> Client::Infer(const std::string& model,
                                           const engine::NamedTensors& inputs, bool binary) {
  if (!impl_->verified) CONFIDE_TRY(Connect());
  server::EncodedBody body = server::EncodeInferRequest(inputs, binary);
  httplib::Headers headers;
  if (body.json_len) headers.emplace("Inference-Header-Content-Length", std::to_string(*body.json_len));
  auto res = impl_->http->Post("/v2/models/" + model + "/infer", headers, body.body,
                               body.json_len ? "application/octet-stream" : "application/json");
  if (!res || res->status != 200) return HttpError(res);
  return server::ParseInferResponse(res->body, JsonLen(*res));
}

Result<engine::NamedTensors> Client::InferSealed(const std::string& model,
                                                 const engine::NamedTensors& inputs) {
  if (!impl_->fresh) {
    CONFIDE_ASSIGN_OR_RETURN(FreshAttestation f, AttestFresh(crypto::RandomBytes(32)));
    impl_->fresh = std::move(f);
  }
  server::EncodedBody body = server::EncodeInferRequest(inputs, true);
  CONFIDE_ASSIGN_OR_RETURN(channel::SealedRequest sealed,
                           channel::SealRequest(impl_->fresh->hpke_pub, model,
                                                {.body = body.body, .json_len = body.json_len}));
  auto res = impl_->http->Post("/v1/sealed/models/" + model + "/infer", ToString(sealed.wire),
                               "application/octet-stream");
  if (!res || res->status != 200) return HttpError(res);
  CONFIDE_ASSIGN_OR_RETURN(channel::OpenedResponse opened,
                           channel::OpenResponse(sealed, AsBytes(res->body)));
  if (opened.status != 200) {
    return InvalidArgumentError("server answered " + std::to_string(opened.status) + ": " +
                                opened.body.body);
  }
  return server::ParseInferResponse(opened.body.body, opened.body.json_len);
}

Result<std::string> Client::Get(const std::string& path) {
  if (!impl_->verified) CONFIDE_TRY(Connect());
  auto res = impl_->http->Get(path);
  if (!res || res->status / 100 != 2) return HttpError(res);
  return res->body;
}

Result<std::string> Client::Post(const std::string& path, const std::string& body,
                                 const std::string& content_type) {
  if (!impl_->verified) CONFIDE_TRY(Connect());
  auto res = impl_->http->Post(path, body, content_type);
  if (res && res->status == 403) return VerificationFailedError(HttpError(res).message);
  if (!res || res->status / 100 != 2) return HttpError(res);
  return res->body;
}

std::string Client::Explain() const { return impl_->last_explain; }

std::optional<crypto::Certificate> Client::server_certificate() const {
  return impl_->verifier.leaf_;
}

}  // namespace confide::client
