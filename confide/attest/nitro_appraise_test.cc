#include "confide/attest/nitro_appraise.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "confide/attest/evidence_bundle.h"
#include "confide/attest/verifier.h"
#include "confide/base/hex.h"
#include "confide/base/testing/shared_data.h"
#include "confide/crypto/ecdsa.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/x509_issue.h"

namespace confide::attest {
namespace {

using nlohmann::json;

json Vector(const std::string& file) {
  const json all =
      json::parse(ToString(testing::ReadSharedFile("vectors/nitro/expected.json")));
  for (const json& v : all["vectors"]) {
    if (v["file"] == file) return v;
  }
  ADD_FAILURE() << file << " not in expected.json";
  return {};
}

// A production policy pinning the PCRs expected.json gives for `file`; the vectors carry no
// confide binding claims.
Policy PolicyFor(const std::string& file, const std::string& extra_root = "") {
  std::string text = "tee_types = [\"nitro\"]\n" + extra_root +
                     "[binding]\nrequired = false\n[nitro]\n";
  const json v = Vector(file);
  for (const auto& [index, hex] : v["pcrs_nonzero_or_0_1_2_3_4_8"].items()) {
    text += "pcr" + index + " = \"" + hex.get<std::string>() + "\"\n";
  }
  Result<Policy> p = ParsePolicy(text);
  EXPECT_TRUE(p.ok()) << p.error().ToString();
  return *p;
}

NitroEvidence Doc(const std::string& file) {
  return {.document = testing::ReadSharedFile("vectors/" + file)};
}

NitroAppraiseOptions At(const std::string& when) {
  NitroAppraiseOptions o;
  o.now = *ParseRfc3339(when);
  o.verifier = {"confide", "confide-test"};
  return o;
}

std::vector<std::string> FailedNames(const Appraisal& a) {
  std::vector<std::string> out;
  for (const Check& c : a.checks) {
    if (!c.passed) out.push_back(c.name + ":" + std::string(ReasonName(c.reason)));
  }
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

constexpr const char* kProdFiles[] = {"nitro/evervault-2022-prod.bin",
                                      "nitro/blocky-2024-prod.bin"};

TEST(NitroAppraiseTest, ProductionDocumentsAreAcceptedAtVerifyAt) {
  for (const char* file : kProdFiles) {
    SCOPED_TRACE(file);
    Result<Appraisal> a = AppraiseNitro(Doc(file), PolicyFor(file), At(Vector(file)["verify_at"]));
    ASSERT_TRUE(a.ok()) << a.error().ToString();
    EXPECT_TRUE(a->accepted) << ExplainAppraisal(*a);
    EXPECT_FALSE(a->simulated);
    EXPECT_FALSE(a->claims.debug);
    EXPECT_EQ(a->tee, TeeType::kNitro);
    ASSERT_GE(a->claims.measurements.size(), 9u);
    EXPECT_EQ(a->claims.measurements[0].first, "pcr0");
    EXPECT_EQ(a->claims.measurements[0].second,
              Vector(file)["pcrs_nonzero_or_0_1_2_3_4_8"]["0"].get<std::string>());
  }
}

TEST(NitroAppraiseTest, DebugDocumentIsRejectedUnlessDebugAllowed) {
  const std::string file = "nitro/blocky-2024-debug.bin";
  Result<Appraisal> a = AppraiseNitro(Doc(file), PolicyFor(file), At(Vector(file)["verify_at"]));
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_FALSE(a->accepted);
  EXPECT_TRUE(a->claims.debug);
  EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"debug:DEBUG_NOT_ALLOWED"})
      << ExplainAppraisal(*a);
  a = AppraiseNitro(Doc(file), PolicyFor(file, "allow_debug = true\n"),
                    At(Vector(file)["verify_at"]));
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->accepted) << ExplainAppraisal(*a);
  // A production policy for the real enclave (blocky prod PCRs) also fails the PCRs.
  a = AppraiseNitro(Doc(file), PolicyFor("nitro/blocky-2024-prod.bin"),
                    At(Vector(file)["verify_at"]));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a),
            (std::vector<std::string>{"pcrs:PCR_MISMATCH", "debug:DEBUG_NOT_ALLOWED"}));
}

TEST(NitroAppraiseTest, FlippedPcrIsASignatureFailure) {
  const std::string prod = "nitro/blocky-2024-prod.bin";
  Result<Appraisal> a = AppraiseNitro(Doc("nitro/negative/blocky-2024-prod.bad-pcr0.bin"),
                                      PolicyFor(prod), At(Vector(prod)["verify_at"]));
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_FALSE(a->accepted);
  // The flipped byte is PCR0's first byte, so the PCR check fails as well.
  EXPECT_EQ(FailedNames(*a), (std::vector<std::string>{"nitro_signature:SIGNATURE_INVALID",
                                                       "pcrs:PCR_MISMATCH"}))
      << ExplainAppraisal(*a);
}

TEST(NitroAppraiseTest, SelfSignedSyntheticIsUntrusted) {
  Result<Appraisal> a =
      AppraiseNitro(Doc("nitro/negative/blocky-selfsigned-synthetic.bin"),
                    *ParsePolicy("tee_types = [\"nitro\"]\n[binding]\nrequired = false\n"
                                 "[nitro]\nallow_any_pcrs_insecure = true\n"),
                    At("2024-04-17T19:00:00Z"));
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_FALSE(a->accepted);
  EXPECT_TRUE(Has(FailedNames(*a), "nitro_chain:CHAIN_UNTRUSTED")) << ExplainAppraisal(*a);
  // Offered as a simulator root it is still not accepted without allow_simulated.
  NitroEvidence ev = Doc("nitro/negative/blocky-selfsigned-synthetic.bin");
  ev.sim_root = *crypto::Certificate::FromDer(
      testing::ReadSharedFile("vectors/nitro/negative/blocky-selfsigned-synthetic.root.der"));
  a = AppraiseNitro(ev, *ParsePolicy("tee_types = [\"nitro\"]\n[binding]\nrequired = false\n"),
                    At("2024-04-17T19:00:00Z"));
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->accepted);
}

TEST(NitroAppraiseTest, EveryDocumentIsExpiredToday) {
  for (const char* file : {"nitro/evervault-2022-prod.bin", "nitro/blocky-2024-prod.bin",
                           "nitro/blocky-2024-debug.bin"}) {
    SCOPED_TRACE(file);
    Result<Appraisal> a =
        AppraiseNitro(Doc(file), PolicyFor(file, "allow_debug = true\n"),
                      At("2026-11-26T00:00:00Z"));
    ASSERT_TRUE(a.ok()) << a.error().ToString();
    EXPECT_FALSE(a->accepted);
    EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"nitro_chain:CERT_EXPIRED"})
        << ExplainAppraisal(*a);
  }
}

TEST(NitroAppraiseTest, PcrPolicy) {
  const std::string file = "nitro/evervault-2022-prod.bin";
  const std::string when = Vector(file)["verify_at"];
  const std::string ok = "tee_types = [\"nitro\"]\n[binding]\nrequired = false\n[nitro]\n";
  // A wrong PCR8, then the right one among others in a list.
  const std::string pcr8 = Vector(file)["pcrs_nonzero_or_0_1_2_3_4_8"]["8"];
  Result<Appraisal> a = AppraiseNitro(
      Doc(file), *ParsePolicy(ok + "pcr8 = \"" + std::string(96, '1') + "\"\n"), At(when));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"pcrs:PCR_MISMATCH"});
  a = AppraiseNitro(Doc(file),
                    *ParsePolicy(ok + "pcr8 = [\"" + std::string(96, '1') + "\", \"" + pcr8 +
                                 "\"]\n"),
                    At(when));
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->accepted) << ExplainAppraisal(*a);
  // No PCR listed: rejected unless allow_any_pcrs_insecure.
  a = AppraiseNitro(Doc(file), *ParsePolicy(ok), At(when));
  EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"pcrs:PCR_MISMATCH"});
  a = AppraiseNitro(Doc(file), *ParsePolicy(ok + "allow_any_pcrs_insecure = true\n"), At(when));
  EXPECT_TRUE(a->accepted);
  // Another TEE type only.
  a = AppraiseNitro(Doc(file),
                    *ParsePolicy("tee_types = [\"sev-snp\"]\n[binding]\nrequired = false\n"),
                    At(when));
  EXPECT_TRUE(Has(FailedNames(*a), "tee_type:TEE_TYPE_NOT_ALLOWED"));
}

TEST(NitroAppraiseTest, EvidenceAgeFromTheSignedTimestamp) {
  // evervault: timestamp 08:58:02.136, verify_at 09:00:00 -> 117 s old.
  const std::string file = "nitro/evervault-2022-prod.bin";
  Result<Appraisal> a = AppraiseNitro(Doc(file), PolicyFor(file, "max_evidence_age_seconds = 60\n"),
                                      At(Vector(file)["verify_at"]));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"freshness:EVIDENCE_TOO_OLD"});
  a = AppraiseNitro(Doc(file), PolicyFor(file, "max_evidence_age_seconds = 120\n"),
                    At(Vector(file)["verify_at"]));
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->accepted) << ExplainAppraisal(*a);
}

TEST(NitroAppraiseTest, VectorsHaveNoConfideBinding) {
  const std::string file = "nitro/blocky-2024-prod.bin";
  std::string text = "tee_types = [\"nitro\"]\n[nitro]\nallow_any_pcrs_insecure = true\n";
  Result<Appraisal> a = AppraiseNitro(Doc(file), *ParsePolicy(text), At(Vector(file)["verify_at"]));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"binding:KEY_BINDING_MISMATCH"});
  // Claims offered, but user_data is 1024 bytes of 0x01, not SHA-256(claims) || 0^32.
  NitroEvidence ev = Doc(file);
  ev.claims = EncodeBindingClaims({.nonce = Bytes{1, 2, 3}});
  a = AppraiseNitro(ev, *ParsePolicy(text), At(Vector(file)["verify_at"]));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"binding_report_data:KEY_BINDING_MISMATCH"});
}

// A Nitro-like PKI made here (root -> intermediate -> leaf), signing documents laid out as AWS's.
struct TestNitroPki {
  crypto::PrivateKey root_key = *crypto::PrivateKey::Generate(crypto::KeyType::kP384);
  crypto::PrivateKey inter_key = *crypto::PrivateKey::Generate(crypto::KeyType::kP384);
  crypto::PrivateKey leaf_key = *crypto::PrivateKey::Generate(crypto::KeyType::kP384);
  Time t0 = *ParseRfc3339("2026-01-01T00:00:00Z");
  crypto::Certificate root = *crypto::IssueCertificate(
      {.subject_cn = "test nitro root", .not_before = t0, .not_after = t0 + std::chrono::hours(24 * 365),
       .is_ca = true},
      root_key.public_key(), root_key);
  crypto::Certificate inter = *crypto::IssueCertificate(
      {.subject_cn = "test nitro intermediate", .not_before = t0,
       .not_after = t0 + std::chrono::hours(24 * 30), .is_ca = true},
      inter_key.public_key(), root_key, &root);
  crypto::Certificate leaf = *crypto::IssueCertificate(
      {.subject_cn = "test nitro leaf", .not_before = t0, .not_after = t0 + std::chrono::hours(3)},
      leaf_key.public_key(), inter_key, &inter);

  Bytes Sign(const Bytes& user_data) const {
    nitro::Payload p;
    p.module_id = "i-test-enc0";
    p.digest = "SHA384";
    p.timestamp_ms = static_cast<uint64_t>(t0.time_since_epoch().count()) * 1000 + 60000;
    for (uint32_t i = 0; i < 16; ++i) p.pcrs[i] = Bytes(48, static_cast<uint8_t>(i + 1));
    p.certificate = leaf.ToDer();
    p.cabundle = {root.ToDer(), inter.ToDer()};
    p.user_data = user_data;
    const Bytes prot = nitro::EncodeProtectedHeader();
    const Bytes payload = nitro::EncodePayload(p);
    const Bytes sig = *crypto::EcdsaSign(leaf_key, crypto::HashAlg::kSha384,
                                         nitro::SigStructure(prot, payload),
                                         crypto::SigFormat::kRawBigEndian);
    return nitro::EncodeCoseSign1(prot, payload, sig);
  }
};

TEST(NitroAppraiseTest, SimulatedDocumentWithBindingThroughTheBundle) {
  TestNitroPki pki;
  const Bytes tls_spki = pki.leaf_key.public_key().ToDer();  // any key stands in for the TLS key
  const Bytes claims = EncodeBindingClaims({.pubkey_hash = PubkeyHashOf(tls_spki)});
  const std::array<uint8_t, 64> rd = ReportDataFor(claims);
  EvidenceBundle bundle{.tee = TeeType::kNitro,
                        .evidence = pki.Sign(Bytes(rd.begin(), rd.end())),
                        .claims = claims,
                        .endorsements = pki.root.ToDer()};
  ASSERT_EQ(DecodeEvidenceBundle(EncodeEvidenceBundle(bundle)).value(), bundle);
  const std::string root_digest = HexEncode(crypto::Sha256(pki.root.public_key().ToDer()));
  const std::string base = "tee_types = [\"nitro\"]\n";
  const std::string pcrs = "[nitro]\npcr0 = \"" + HexEncode(Bytes(48, 1)) + "\"\n";
  AppraiseOptions opts{.now = pki.t0 + std::chrono::minutes(2),
                       .expect = {.tls_spki_der = tls_spki}};

  // Simulated evidence is refused by default...
  Result<Appraisal> a = AppraiseEvidence(bundle, *ParsePolicy(base + pcrs), opts);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_TRUE(a->simulated);
  EXPECT_EQ(FailedNames(*a),
            std::vector<std::string>{"simulated:SIMULATED_EVIDENCE_NOT_ALLOWED"});
  // ...accepted with allow_simulated and its root listed...
  const Policy sim =
      *ParsePolicy(base + "allow_simulated = true\nsim_roots = [\"" + root_digest + "\"]\n" + pcrs);
  a = AppraiseEvidence(bundle, sim, opts);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->accepted) << ExplainAppraisal(*a);
  EXPECT_TRUE(std::equal(rd.begin(), rd.end(), a->claims.report_data.begin()));
  // ...and fails the binding for another TLS key.
  AppraiseOptions other = opts;
  other.expect.tls_spki_der = pki.root_key.public_key().ToDer();
  a = AppraiseEvidence(bundle, sim, other);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a),
            std::vector<std::string>{"binding_pubkey_hash:KEY_BINDING_MISMATCH"});
  // Claims swapped for others: the user_data no longer matches.
  EvidenceBundle swapped = bundle;
  swapped.claims = EncodeBindingClaims({.pubkey_hash = PubkeyHashOf(pki.root_key.public_key().ToDer())});
  a = AppraiseEvidence(swapped, sim, opts);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a),
            std::vector<std::string>{"binding_report_data:KEY_BINDING_MISMATCH"});
  // Past the leaf's 3 hours.
  a = AppraiseEvidence(bundle, sim, {.now = pki.t0 + std::chrono::hours(4),
                                     .expect = {.tls_spki_der = tls_spki}});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(Has(FailedNames(*a), "nitro_chain:CERT_EXPIRED"));
  // Garbage endorsements are an error, not a decision.
  EvidenceBundle garbage = bundle;
  garbage.endorsements = {1, 2, 3};
  EXPECT_EQ(AppraiseEvidence(garbage, sim, opts).error().code, ErrorCode::kMalformed);
}

TEST(NitroAppraiseTest, ReasonMapping) {
  EXPECT_EQ(ReasonForNitroFailure(nitro::FailureKind::kNone), ReasonCode::kOk);
  EXPECT_EQ(ReasonForNitroFailure(nitro::FailureKind::kSignatureInvalid),
            ReasonCode::kSignatureInvalid);
  EXPECT_EQ(ReasonForNitroFailure(nitro::FailureKind::kChainUntrusted),
            ReasonCode::kChainUntrusted);
  EXPECT_EQ(ReasonForNitroFailure(nitro::FailureKind::kCertExpired), ReasonCode::kCertExpired);
  EXPECT_EQ(ReasonForNitroFailure(nitro::FailureKind::kCertNotYetValid),
            ReasonCode::kCertNotYetValid);
}

}  // namespace
}  // namespace confide::attest
