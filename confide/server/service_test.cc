#include "confide/server/service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "confide/audit/verify.h"
#include "confide/base/base64.h"
#include "confide/base/file.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/random.h"
#include "confide/server/provision_request.h"
#include "confide/server/testing/sim_test_dir.h"
#include "confide/tee/sim/sim_platform.h"

namespace confide::server {
namespace {

namespace sim = tee::sim;
using nlohmann::json;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The /metrics line of `n` refusals of `route` for `reason`.
std::string Refused(const std::string& route, const std::string& reason, int n) {
  return "confide_refused_total{route=\"" + route + "\",reason=\"" + reason + "\"} " +
         std::to_string(n) + "\n";
}

// A service over one pending model ("diagnosis") with provisioning on, a durable audit log and
// its metrics. `load_` is what the pushed-key loader returns.
class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_.emplace("service", clock_.Now());
    dir_ = sim_->path();
    platform_ = sim_->Platform();
    ASSERT_NE(platform_, nullptr);
    digest_.fill(7);
    auto attestor = Attestor::Create(*platform_, {.manifest_digests = {digest_}}, clock_.Now());
    ASSERT_TRUE(attestor.ok()) << attestor.error().ToString();
    attestor_ = *std::move(attestor);
    auto log = audit::AuditLog::Open(db(), *crypto::PrivateKey::Generate(crypto::KeyType::kP256),
                                     {.clock = &clock_});
    ASSERT_TRUE(log.ok()) << log.error().ToString();
    log_ = *std::move(log);
    trail_ = std::make_unique<AuditTrail>(log_.get(), clock_, attest::TeeType::kSevSnp);
    trust_.Add({.name = "owner", .key = owner_.public_key()});
    trust_.Add({.name = "stranger", .key = stranger_.public_key()});
    std::vector<ServedModel> models;
    models.push_back({.state = ModelState::kPending, .name = "diagnosis", .version = "1",
                      .manifest_digest = digest_, .key_origin = "pending",
                      .signer_key_id = package::SignerKeyId(owner_.public_key())});
    service_ = std::make_unique<InferenceService>(std::move(models), *attestor_, *trail_,
                                                  metrics_, ServiceOptions{});
    service_->EnableProvisioning(
        {.load = [this](size_t, const SecretBytes&) -> Result<std::unique_ptr<engine::Model>> {
           ++num_loads_;
           if (!load_.ok()) return load_.error();
           auto onnx = ReadFile(std::string(CONFIDE_SOURCE_DIR) + "/demo/diagnosis_mlp.onnx");
           if (!onnx.ok()) return onnx.error();
           return engine::Model::Load(*onnx, {});
         },
         .seal = [this](const SecretBytes&, const package::Digest&) { ++num_seals_; },
         .trust = &trust_,
         .clock = &clock_});
  }
  void TearDown() override {
    service_.reset();
    log_.reset();
    sim_.reset();
  }
  std::string db() const { return dir_ + "/audit.db"; }

  // A push of `key_` for "diagnosis", signed by `signer`.
  std::string Push(const crypto::PrivateKey& signer) {
    auto sealed = SealProvisionKey(attestor_->hpke_pub(), "diagnosis", digest_, key_);
    EXPECT_TRUE(sealed.ok());
    auto sig = SignProvision(signer, digest_, attestor_->hpke_pub(), *sealed);
    EXPECT_TRUE(sig.ok());
    return SerializeProvisionRequest({.sealed_key = *sealed, .signature = *sig});
  }
  std::vector<audit::AuditEvent> Events() {
    auto events = audit::ReadAuditEvents(db());
    EXPECT_TRUE(events.ok());
    return events.ok() ? *events : std::vector<audit::AuditEvent>{};
  }

  std::optional<SimTestDir> sim_;
  std::string dir_;
  FixedClock clock_{Time{} + std::chrono::seconds(1800000000)};
  std::unique_ptr<sim::SimPlatform> platform_;
  package::Digest digest_{};
  std::unique_ptr<Attestor> attestor_;
  std::unique_ptr<audit::AuditLog> log_;
  std::unique_ptr<AuditTrail> trail_;
  Metrics metrics_;
  crypto::PrivateKey owner_ = *crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  crypto::PrivateKey stranger_ = *crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  package::TrustList trust_;
  SecretBytes key_ = SecretBytes::CopyFrom(crypto::RandomBytes(32));
  Status load_ = OkStatus();
  int num_loads_ = 0;
  int num_seals_ = 0;
  std::unique_ptr<InferenceService> service_;
};

// The OIP error shape: exactly {"error": string}.
void ExpectOipError(const Reply& r, int status) {
  EXPECT_EQ(r.status, status) << r.body;
  json j = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.body;
  EXPECT_EQ(j.size(), 1u) << r.body;
  EXPECT_TRUE(j["error"].is_string()) << r.body;
}

TEST_F(ServiceTest, UnauthenticatedRefusalsAreCountedNotAudited) {
  ExpectOipError(service_->PostAttestation("{not json", "10.0.0.1:1"), 400);
  ExpectOipError(service_->PostAttestation(R"({"nonce":"%%%"})", "10.0.0.1:2"), 400);
  ExpectOipError(service_->Provision("diagnosis", "{not json", "10.0.0.1:3"), 400);
  ExpectOipError(service_->Provision("diagnosis", Push(stranger_), "10.0.0.1:4"), 403);
  EXPECT_EQ(num_loads_, 0);
  EXPECT_EQ(log_->head_seq(), 0u);  // nothing in the audit log
  std::string text = metrics_.Render();
  for (const std::string& line :
       {Refused("attestation_fresh", "BAD_REQUEST", 1),
        Refused("attestation_fresh", "BAD_NONCE", 1), Refused("provision", "BAD_REQUEST", 1),
        Refused("provision", "SIGNATURE_INVALID", 1)}) {
    EXPECT_TRUE(Contains(text, line)) << line << text;
  }

  // Served evidence is still audited, and the chain stays whole.
  EXPECT_EQ(service_->GetAttestation("10.0.0.1:5").status, 200);
  EXPECT_EQ(log_->head_seq(), 1u);
  ASSERT_TRUE(log_->Close().ok());
  auto verdict = audit::VerifyAuditLog(db(), nullptr);
  ASSERT_TRUE(verdict.ok()) << verdict.error().ToString();
  EXPECT_TRUE(verdict->ok) << verdict->problem;
  EXPECT_EQ(verdict->num_events, 1u);
}

TEST_F(ServiceTest, FreshEvidenceAuditEntryHashesTheServedBundle) {
  std::string nonce = Base64Encode(Bytes(16, 0x5a));
  Reply r = service_->PostAttestation(R"({"nonce":")" + nonce + R"("})", "10.0.0.1:1");
  ASSERT_EQ(r.status, 200) << r.body;
  auto bundle = Base64Decode(json::parse(r.body)["evidence_bundle"].get<std::string>());
  ASSERT_TRUE(bundle.ok());
  auto digest = crypto::Sha256(*bundle);
  std::vector<audit::AuditEvent> events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].claims_summary, "kind=fresh");
  EXPECT_EQ(events[0].evidence_digest, Bytes(digest.begin(), digest.end()));
}

TEST_F(ServiceTest, EngineErrorsAreLoggedNotReturned) {
  load_ = MalformedError("node 'secret_layer_42': weights of the wrong size");
  Reply r = service_->Provision("diagnosis", Push(owner_), "10.0.0.1:1");
  ExpectOipError(r, 500);
  EXPECT_FALSE(Contains(r.body, "secret_layer_42")) << r.body;
  load_ = VerificationFailedError("wrong model key: it does not match the manifest's key_check");
  r = service_->Provision("diagnosis", Push(owner_), "10.0.0.1:2");
  ExpectOipError(r, 403);
  EXPECT_TRUE(Contains(r.body, "wrong model key")) << r.body;
  EXPECT_FALSE(Contains(r.body, "key_check")) << r.body;  // the generic text, not the package's
  // Signed pushes are decisions: audited, with their reasons.
  std::vector<audit::AuditEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].reasons, std::vector<std::string>{"LOAD_FAILED"});
  EXPECT_EQ(events[1].reasons, std::vector<std::string>{"WRONG_KEY"});
  EXPECT_FALSE(Contains(metrics_.Render(), "confide_model_keys_total{")) << metrics_.Render();
}

TEST_F(ServiceTest, KeyUseIsCountedOnlyOnceItsAuditEntryIsDurable) {
  EXPECT_TRUE(Contains(metrics_.Render(), "confide_models_loaded 0\n"));
  EXPECT_TRUE(Contains(metrics_.Render(), "confide_models_pending 1\n"));
  ASSERT_TRUE(log_->Close().ok());  // every later append fails
  ExpectOipError(service_->Provision("diagnosis", Push(owner_), "10.0.0.1:1"), 503);
  EXPECT_EQ(num_loads_, 1);
  EXPECT_EQ(num_seals_, 0);
  std::string text = metrics_.Render();
  EXPECT_FALSE(Contains(text, "confide_model_keys_total{")) << text;
  EXPECT_TRUE(Contains(text, "confide_models_loaded 0\n")) << text;
  EXPECT_TRUE(Contains(text, "confide_models_pending 1\n")) << text;
  EXPECT_EQ(json::parse(service_->ModelReady("diagnosis", "").body)["ready"], false);
}

TEST_F(ServiceTest, AcceptedPushCountsTheKeyAndTheModelAsReady) {
  Reply r = service_->Provision("diagnosis", Push(owner_), "10.0.0.1:1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(num_seals_, 1);
  std::string text = metrics_.Render();
  EXPECT_TRUE(Contains(text, R"(confide_model_keys_total{origin="provision"} 1)")) << text;
  EXPECT_TRUE(Contains(text, "confide_models_loaded 1\n")) << text;
  EXPECT_TRUE(Contains(text, "confide_models_pending 0\n")) << text;
  // A second push is refused before any signature check: counted, not audited.
  ExpectOipError(service_->Provision("diagnosis", Push(owner_), "10.0.0.1:2"), 409);
  EXPECT_EQ(log_->head_seq(), 1u);
  EXPECT_TRUE(Contains(metrics_.Render(), Refused("provision", "ALREADY_PROVISIONED", 1)));
}

}  // namespace
}  // namespace confide::server
