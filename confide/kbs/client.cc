#include "confide/kbs/client.h"

#include <httplib.h>

#include "confide/attest/binding.h"
#include "confide/crypto/constant_time.h"
#include "confide/crypto/hpke.h"
#include "confide/crypto/tls.h"

namespace confide::kbs {

namespace {

// Accepts exactly the certificate whose public key hashes to the pin.
class PinnedKeyVerifier final : public crypto::TlsPeerVerifier {
 public:
  explicit PinnedKeyVerifier(const crypto::Sha256Digest& pin) : pin_(pin) {}
  bool VerifyPeer(const crypto::Certificate& leaf) override {
    return crypto::ConstantTimeEqual(crypto::Sha256(leaf.public_key().ToDer()), pin_);
  }

 private:
  crypto::Sha256Digest pin_;
};

}  // namespace

struct KbsClient::Impl {
  explicit Impl(const KbsClientOptions& o) : verifier(o.pinned_spki_sha256), http(o.host, o.port) {
    http.enable_server_certificate_verification(false);  // the pin replaces CA checks
    configured = crypto::ConfigureTlsClient(http.ssl_context(), &verifier).ok();
    http.set_keep_alive(true);
    http.set_tcp_nodelay(true);
    http.set_connection_timeout(o.timeout);
    http.set_read_timeout(o.timeout);
    http.set_write_timeout(o.timeout);
  }
  PinnedKeyVerifier verifier;
  httplib::SSLClient http;
  bool configured = false;
};

KbsClient::KbsClient(KbsClientOptions opts) : impl_(std::make_unique<Impl>(opts)) {}
KbsClient::~KbsClient() = default;

Result<HttpResult> KbsClient::Call(const std::string& method, const std::string& path,
                                   const std::string& body, const std::string& bearer) {
  if (!impl_->configured) return InternalError("kbs client: TLS set-up failed");
  httplib::Headers headers;
  if (!bearer.empty()) headers.emplace("Authorization", "Bearer " + bearer);
  httplib::Result res = method == "GET"  ? impl_->http.Get(path.c_str(), headers)
                        : method == "PUT" ? impl_->http.Put(path.c_str(), headers, body,
                                                            "application/json")
                                          : impl_->http.Post(path.c_str(), headers, body,
                                                             "application/json");
  if (!res) {
    return UnavailableError("kbs client: " + method + " " + path + ": " +
                            httplib::to_string(res.error()));
  }
  return HttpResult{res->status, res->body};
}

Result<Challenge> KbsClient::RequestChallenge() {
  CONFIDE_ASSIGN_OR_RETURN(HttpResult r, Call("POST", "/v1/challenge", "{}", ""));
  if (r.status != 200) {
    auto refusal = ParseRefusal(r.status, r.body);
    std::string why = refusal.ok() && !refusal->reasons.empty() ? refusal->reasons[0] : "error";
    return UnavailableError("kbs: challenge refused (" + std::to_string(r.status) + " " + why + ")");
  }
  return ParseChallenge(r.body);
}

Result<std::variant<ReleaseResponse, Refusal>> KbsClient::PostRelease(const ReleaseRequest& req) {
  CONFIDE_ASSIGN_OR_RETURN(HttpResult r, Call("POST", "/v1/release", SerializeReleaseRequest(req), ""));
  if (r.status == 200) {
    CONFIDE_ASSIGN_OR_RETURN(ReleaseResponse resp, ParseReleaseResponse(r.body));
    return std::variant<ReleaseResponse, Refusal>(std::move(resp));
  }
  CONFIDE_ASSIGN_OR_RETURN(Refusal refusal, ParseRefusal(r.status, r.body));
  return std::variant<ReleaseResponse, Refusal>(std::move(refusal));
}

Result<attest::EvidenceBundle> MakeReleaseEvidence(tee::Platform& platform, ByteSpan hpke_pub,
                                                   ByteSpan nonce) {
  attest::BindingClaims claims{.hpke_pub = Bytes(hpke_pub.begin(), hpke_pub.end()),
                               .nonce = Bytes(nonce.begin(), nonce.end())};
  Bytes cbor = attest::EncodeBindingClaims(claims);
  CONFIDE_ASSIGN_OR_RETURN(tee::Evidence ev, platform.GetEvidence(attest::ReportDataFor(cbor)));
  return attest::EvidenceBundle{ev.tee, std::move(ev.report), std::move(cbor),
                                std::move(ev.cert_table)};
}

Result<ReleasedKey> OpenReleasedKey(const ReleaseResponse& resp, const crypto::PrivateKey& hpke_key,
                                    ByteSpan expected_nonce, const std::string& expected_model) {
  if (resp.model_id != expected_model || !Equal(resp.nonce, expected_nonce)) {
    return InvalidArgumentError("kbs: the release names another model or nonce");
  }
  CONFIDE_ASSIGN_OR_RETURN(Bytes key, crypto::hpke::OpenBase(
      kReleaseSuite, resp.enc, hpke_key, ReleaseInfo(resp.model_id, resp.key_version, resp.nonce),
      {}, resp.ciphertext));
  ReleasedKey out{resp.model_id, resp.key_version, SecretBytes::CopyFrom(key),
                  resp.manifest_digest, resp.audit_seq};
  SecureWipe(key);
  return out;
}

Result<ReleasedKey> ObtainModelKey(KbsClient& kbs, tee::Platform& platform,
                                   const std::string& model_id, uint32_t key_version) {
  CONFIDE_ASSIGN_OR_RETURN(crypto::PrivateKey hpke_key,
                           crypto::hpke::GenerateKeyPair(kReleaseSuite.kem));
  CONFIDE_ASSIGN_OR_RETURN(Bytes hpke_pub, hpke_key.public_key().ToRaw());
  CONFIDE_ASSIGN_OR_RETURN(Challenge challenge, kbs.RequestChallenge());
  CONFIDE_ASSIGN_OR_RETURN(attest::EvidenceBundle bundle,
                           MakeReleaseEvidence(platform, hpke_pub, challenge.nonce));
  ReleaseRequest req{model_id, key_version, challenge.nonce, hpke_pub,
                     attest::EncodeEvidenceBundle(bundle)};
  CONFIDE_ASSIGN_OR_RETURN(auto answer, kbs.PostRelease(req));
  if (auto* refusal = std::get_if<Refusal>(&answer)) {
    std::string reasons;
    for (const auto& r : refusal->reasons) reasons += (reasons.empty() ? "" : ", ") + r;
    return VerificationFailedError("kbs refused (" + std::to_string(refusal->status) +
                                   "): " + reasons + (refusal->detail.empty() ? "" : " - " +
                                   refusal->detail));
  }
  return OpenReleasedKey(std::get<ReleaseResponse>(answer), hpke_key, challenge.nonce, model_id);
}

}  // namespace confide::kbs
