// End to end with real processes: `confide kbs serve` on loopback, a simulated TEE in this
// process, the release protocol over TLS 1.3 with a pinned key, and the audit log on disk.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <thread>

#include "confide/audit/verify.h"
#include "confide/base/clock.h"
#include "confide/base/file.h"
#include "confide/base/hex.h"
#include "confide/crypto/random.h"
#include "confide/kbs/testing/kbs_fixture.h"
#include "confide/package/model_key.h"

namespace confide::kbs {
namespace {

using testing::KbsProcess;
using testing::SimTee;

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

const crypto::Sha384Digest kGood = crypto::Sha384(AsBytes("inference server v1"));
const crypto::Sha384Digest kOther = crypto::Sha384(AsBytes("inference server v2"));

class KbsE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(::testing::TempDir() + "/confide_kbs_e2e_" + std::to_string(getpid()));
    std::filesystem::remove_all(*dir_);
    std::filesystem::create_directories(*dir_);
    auto tee = SimTee::Create(*dir_ + "/sim", kGood);
    ASSERT_TRUE(tee.ok()) << tee.error().ToString();
    tee_ = new SimTee(*std::move(tee));
    // Short enough for ExpiredNonceIsRefused to wait out, long enough that every other request
    // (evidence, handshake, appraisal: slower under ASan) comes well within it.
    kbs_ = new KbsProcess(*dir_ + "/kbs", {.nonce_ttl_seconds = 3});
    Status s = kbs_->Start();
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    key_ = new SecretBytes(crypto::RandomSecret(32));
    ASSERT_TRUE(kbs_->AddModel("resnet", testing::SnpPolicy(kGood, &tee_->sim_root), *key_).ok());
    ASSERT_TRUE(kbs_->AddModel("strict", testing::SnpPolicy(kGood, nullptr), *key_).ok());
  }
  static void TearDownTestSuite() {
    delete kbs_;
    delete tee_;
    delete key_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  // A release request for `model` with fresh evidence; `claims_pub` is what the evidence binds.
  ReleaseRequest Request(KbsClient& client, const std::string& model, const Bytes& hpke_pub,
                         const Bytes& claims_pub, tee::Platform& platform) {
    auto challenge = client.RequestChallenge();
    EXPECT_TRUE(challenge.ok()) << challenge.error().ToString();
    auto bundle = MakeReleaseEvidence(platform, claims_pub, challenge->nonce);
    EXPECT_TRUE(bundle.ok());
    return {model, 0, challenge->nonce, hpke_pub, attest::EncodeEvidenceBundle(*bundle)};
  }

  // Posts `req`, expects a refusal naming `reason`, and checks its audit entry.
  void ExpectRefused(KbsClient& client, const ReleaseRequest& req, const std::string& reason) {
    auto answer = client.PostRelease(req);
    ASSERT_TRUE(answer.ok()) << answer.error().ToString();
    auto* refusal = std::get_if<Refusal>(&*answer);
    ASSERT_NE(refusal, nullptr) << "released, expected " << reason;
    EXPECT_NE(std::find(refusal->reasons.begin(), refusal->reasons.end(), reason),
              refusal->reasons.end())
      << "reasons: " << Join(refusal->reasons) << "; " << refusal->detail;
    ASSERT_GT(refusal->audit_seq, 0u);
    auto events = audit::ReadAuditEvents(kbs_->audit_db());
    ASSERT_TRUE(events.ok());
    ASSERT_GE(events->size(), refusal->audit_seq);
    const audit::AuditEvent& e = (*events)[refusal->audit_seq - 1];
    EXPECT_EQ(e.kind, "refusal");
    EXPECT_EQ(e.model_id, req.model_id);
    EXPECT_NE(std::find(e.reasons.begin(), e.reasons.end(), reason), e.reasons.end());
  }

  static Bytes FreshPub() {
    auto key = crypto::hpke::GenerateKeyPair(kReleaseSuite.kem);
    return *key->public_key().ToRaw();
  }

  static inline std::string* dir_;
  static inline SimTee* tee_;
  static inline KbsProcess* kbs_;
  static inline SecretBytes* key_;
};

TEST_F(KbsE2eTest, MatchingTeeObtainsTheKey) {
  KbsClient client(kbs_->ClientOptions());
  auto released = ObtainModelKey(client, *tee_->platform, "resnet");
  ASSERT_TRUE(released.ok()) << released.error().ToString();
  EXPECT_EQ(released->key_version, 1u);
  EXPECT_TRUE(Equal(released->key.Expose(), key_->Expose()));
  auto events = audit::ReadAuditEvents(kbs_->audit_db());
  ASSERT_TRUE(events.ok());
  const audit::AuditEvent& e = (*events)[released->audit_seq - 1];
  EXPECT_EQ(e.kind, "release");
  EXPECT_EQ(e.result, "released");
  EXPECT_EQ(e.tee_type, "sev-snp");
  EXPECT_EQ(e.evidence_digest.size(), 32u);
}

// cpp-httplib sets SO_REUSEPORT by default; with it another process of the same user could bind
// the key broker's port and receive a share of its connections.
TEST_F(KbsE2eTest, NoOtherSocketCanShareTheListeningPort) {
  int intruder = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(intruder, 0);
  int yes = 1;
  ASSERT_EQ(::setsockopt(intruder, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof(yes)), 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(kbs_->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc = ::bind(intruder, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  int error = errno;
  ::close(intruder);
  EXPECT_EQ(rc, -1);
  EXPECT_EQ(error, EADDRINUSE);
}

TEST_F(KbsE2eTest, WrongMeasurementIsRefused) {
  // Same simulated platform (a root the policy accepts), other launch measurement.
  tee::sim::SimPlatform platform(*tee::sim::LoadSimStore(tee_->dir), {.measurement = kOther});
  KbsClient client(kbs_->ClientOptions());
  Bytes pub = FreshPub();
  ExpectRefused(client, Request(client, "resnet", pub, pub, platform), "MEASUREMENT_MISMATCH");
}

TEST_F(KbsE2eTest, ReplayedNonceIsRefused) {
  KbsClient client(kbs_->ClientOptions());
  Bytes pub = FreshPub();
  ReleaseRequest req = Request(client, "resnet", pub, pub, *tee_->platform);
  auto first = client.PostRelease(req);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(std::holds_alternative<ReleaseResponse>(*first));
  ExpectRefused(client, req, reason::kNonceReplayed);
}

TEST_F(KbsE2eTest, ExpiredNonceIsRefused) {
  KbsClient client(kbs_->ClientOptions());
  Bytes pub = FreshPub();
  auto challenge = client.RequestChallenge();
  ASSERT_TRUE(challenge.ok()) << challenge.error().ToString();
  auto expires_at = ParseRfc3339(challenge->expires_at);
  ASSERT_TRUE(expires_at.ok());
  auto bundle = MakeReleaseEvidence(*tee_->platform, pub, challenge->nonce);
  ASSERT_TRUE(bundle.ok());
  ReleaseRequest req{"resnet", 0, challenge->nonce, pub, attest::EncodeEvidenceBundle(*bundle)};
  // The KBS clock counts whole seconds and its TTL is 3 s: a nonce is expired from the second after
  // expires_at and forgotten (NONCE_UNKNOWN) a TTL later. Post 1.3 s after expires_at, well inside.
  std::this_thread::sleep_until(std::chrono::system_clock::time_point(*expires_at) +
                                std::chrono::milliseconds(1300));
  ExpectRefused(client, req, reason::kNonceExpired);
}

TEST_F(KbsE2eTest, SimulatedEvidenceUnderAStrictPolicyIsRefused) {
  KbsClient client(kbs_->ClientOptions());
  Bytes pub = FreshPub();
  ExpectRefused(client, Request(client, "strict", pub, pub, *tee_->platform),
                "SIMULATED_EVIDENCE_NOT_ALLOWED");
}

TEST_F(KbsE2eTest, EvidenceBoundToAnotherHpkeKeyIsRefused) {
  KbsClient client(kbs_->ClientOptions());
  ExpectRefused(client, Request(client, "resnet", FreshPub(), FreshPub(), *tee_->platform),
                "KEY_BINDING_MISMATCH");
}

TEST_F(KbsE2eTest, UnknownModelAndBadRequestsAreRefusedAndAudited) {
  KbsClient client(kbs_->ClientOptions());
  Bytes pub = FreshPub();
  ExpectRefused(client, Request(client, "nope", pub, pub, *tee_->platform), reason::kModelNotFound);
  auto r = client.Call("POST", "/v1/release", "{\"model_id\": 5}", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  auto big = client.Call("POST", "/v1/release", std::string(200000, 'x'), "");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->status, 413);
}

// cpp-httplib bounds a body only through its Content-Length: a chunked or compressed one would be
// read or inflated without limit, so the broker refuses it before reading (and audits that).
// The requests carry these headers over an empty body (Content-Length: 0).
TEST_F(KbsE2eTest, BodiesOfUnboundedSizeAreRefusedBeforeTheyAreRead) {
  httplib::SSLClient raw("127.0.0.1", kbs_->port());
  raw.enable_server_certificate_verification(false);  // only framing is under test here
  auto chunked = raw.Post("/v1/release", {{"Transfer-Encoding", "chunked"}}, "", "text/plain");
  ASSERT_TRUE(chunked) << httplib::to_string(chunked.error());
  EXPECT_EQ(chunked->status, 411);
  auto gzip = raw.Post("/v1/admin/models", {{"Content-Encoding", "gzip"}}, "", "text/plain");
  ASSERT_TRUE(gzip) << httplib::to_string(gzip.error());
  EXPECT_EQ(gzip->status, 415);
  auto events = audit::ReadAuditEvents(kbs_->audit_db());
  ASSERT_TRUE(events.ok());
  ASSERT_GE(events->size(), 2u);
  for (size_t i = events->size() - 2; i < events->size(); ++i) {
    EXPECT_EQ((*events)[i].kind, "refusal");
    EXPECT_EQ((*events)[i].reasons, std::vector<std::string>{reason::kBadRequest});
  }
}

TEST_F(KbsE2eTest, InitRefusesAFolderThatHoldsABroker) {
  auto master = ReadFile(kbs_->dir() + "/secrets/master.key");
  auto pin = ReadFile(kbs_->dir() + "/kbs.pin");
  ASSERT_TRUE(master.ok() && pin.ok());
  std::string out;
  EXPECT_NE(testing::RunCli({"kbs", "init", "--dir", kbs_->dir(), "--port", "0"}, &out), 0);
  EXPECT_NE(out.find("already holds a key broker"), std::string::npos) << out;
  EXPECT_TRUE(Equal(*ReadFile(kbs_->dir() + "/secrets/master.key"), *master));
  EXPECT_TRUE(Equal(*ReadFile(kbs_->dir() + "/kbs.pin"), *pin));
  KbsClient client(kbs_->ClientOptions());  // the running broker still answers on its pin
  EXPECT_TRUE(client.RequestChallenge().ok());
}

TEST_F(KbsE2eTest, WrongPinFailsTheHandshake) {
  KbsClientOptions opts = kbs_->ClientOptions();
  opts.pinned_spki_sha256[0] ^= 1;
  KbsClient client(opts);
  auto c = client.RequestChallenge();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kUnavailable);
}

TEST_F(KbsE2eTest, AdminNeedsATokenInScope) {
  KbsClient client(kbs_->ClientOptions());
  auto none = client.Call("GET", "/v1/admin/models", "", "");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->status, 401);
  auto list = client.Call("GET", "/v1/admin/models", "", kbs_->admin_token());
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->status, 200);
  EXPECT_NE(list->body.find("resnet"), std::string::npos);
  EXPECT_EQ(list->body.find(HexEncode(key_->Expose())), std::string::npos);
}

TEST_F(KbsE2eTest, RotationKeepsOlderVersionsUntilRetired) {
  KbsClient client(kbs_->ClientOptions());
  SecretBytes v1 = crypto::RandomSecret(32);
  ASSERT_TRUE(kbs_->AddModel("rotating", testing::SnpPolicy(kGood, &tee_->sim_root), v1).ok());
  // Rotate through the CLI, importing a sealed key file as `confide pack --seal-to` writes it.
  SecretBytes v2 = crypto::RandomSecret(32);
  auto pub = crypto::PublicKey::FromPem(ToString(*ReadFile(kbs_->dir() + "/import.pub")));
  auto sealed = package::SealModelKey(v2, *pub, package::Digest{});
  std::string sealed_path = *dir_ + "/v2.key.sealed";
  ASSERT_TRUE(WriteFile(sealed_path, package::SerializeSealedModelKey(*sealed)).ok());
  KbsClientOptions o = kbs_->ClientOptions();
  std::string out;
  ASSERT_EQ(testing::RunCli({"kbs", "rotate", "--port", std::to_string(o.port), "--pin",
                             "@" + kbs_->dir() + "/kbs.pin", "--token-file",
                             kbs_->dir() + "/secrets/admin.token", "--model", "rotating",
                             "--sealed-key", sealed_path}, &out), 0) << out;
  auto newest = ObtainModelKey(client, *tee_->platform, "rotating");
  ASSERT_TRUE(newest.ok()) << newest.error().ToString();
  EXPECT_EQ(newest->key_version, 2u);
  EXPECT_TRUE(Equal(newest->key.Expose(), v2.Expose()));
  auto old = ObtainModelKey(client, *tee_->platform, "rotating", 1);
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(Equal(old->key.Expose(), v1.Expose()));
  ASSERT_EQ(testing::RunCli({"kbs", "retire", "--port", std::to_string(o.port), "--pin",
                             "@" + kbs_->dir() + "/kbs.pin", "--token-file",
                             kbs_->dir() + "/secrets/admin.token", "--model", "rotating",
                             "--version", "1"}, &out), 0) << out;
  auto gone = ObtainModelKey(client, *tee_->platform, "rotating", 1);
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.error().message.find(reason::kKeyVersionNotFound), std::string::npos);
}

}  // namespace
}  // namespace confide::kbs
