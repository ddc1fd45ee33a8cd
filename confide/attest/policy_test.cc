#include "confide/attest/policy.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "confide/base/hex.h"
#include "confide/crypto/hash.h"

namespace confide::attest {
namespace {

std::string ReadExample() {
  std::ifstream in(std::string(CONFIDE_SOURCE_DIR) + "/docs/examples/policy-snp.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(PolicyTest, ParsesTheShippedExample) {
  std::string text = ReadExample();
  ASSERT_FALSE(text.empty());
  Result<Policy> p = ParsePolicy(text);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ(p->tee_types, std::vector<TeeType>{TeeType::kSevSnp});
  EXPECT_FALSE(p->allow_simulated);
  EXPECT_FALSE(p->allow_debug);
  EXPECT_EQ(p->max_evidence_age_seconds, 300);
  EXPECT_TRUE(p->binding.required);
  ASSERT_EQ(p->snp.measurements.size(), 1u);
  EXPECT_EQ(HexEncode(p->snp.measurements[0]).substr(0, 8), "b07af962");
  EXPECT_FALSE(p->snp.host_data.has_value());
  EXPECT_FALSE(p->snp.allow_migration_agent);
  EXPECT_TRUE(p->snp.allow_smt);
  EXPECT_EQ(p->snp.vmpls, std::vector<uint32_t>{0});
  EXPECT_EQ(p->snp.min_tcb.bootloader, 2);
  EXPECT_EQ(p->snp.min_tcb.snp, 5);
  EXPECT_EQ(p->snp.min_tcb.microcode, 68);
  EXPECT_EQ(PolicyDigest(*p), HexEncode(crypto::Sha256(AsBytes(text))));
}

TEST(PolicyTest, MinimalPolicyHasSafeDefaults) {
  Result<Policy> p = ParsePolicy("tee_types = [\"sev-snp\", \"tdx\"]\n");
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ(p->tee_types.size(), 2u);
  EXPECT_FALSE(p->allow_simulated);
  EXPECT_FALSE(p->allow_debug);
  EXPECT_FALSE(p->max_evidence_age_seconds.has_value());
  EXPECT_TRUE(p->binding.required);
  EXPECT_FALSE(p->binding.require_nonce);
  EXPECT_TRUE(p->snp.measurements.empty());
  EXPECT_FALSE(p->snp.allow_any_measurement_insecure);
  EXPECT_FALSE(p->snp.allow_migration_agent);
  EXPECT_EQ(p->snp.vmpls, std::vector<uint32_t>{0});
}

TEST(PolicyTest, AcceptsBothDebugSpellingsButNotTogether) {
  EXPECT_TRUE(ParsePolicy("tee_types=[\"sgx\"]\nallow_debug = true\n")->allow_debug);
  EXPECT_TRUE(ParsePolicy("tee_types=[\"sgx\"]\nallow_debug_insecure = true\n")->allow_debug);
  Result<Policy> both =
      ParsePolicy("tee_types=[\"sgx\"]\nallow_debug = true\nallow_debug_insecure = true\n");
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.error().message.find("only one"), std::string::npos);
}

TEST(PolicyTest, ParsesEverySnpKey) {
  const std::string m = std::string(96, 'a');
  Result<Policy> p = ParsePolicy(
      "tee_types = [\"sev-snp\"]\nallow_simulated = true\nsim_roots = [\"" + std::string(64, '1') +
      "\"]\n[binding]\nrequired = false\nrequire_nonce = true\nworkloads = [\"" +
      std::string(64, '2') + "\"]\n[snp]\nmeasurements = [\"" + m + "\", \"" + m +
      "\"]\nhost_data = \"" + std::string(64, '3') +
      "\"\nallow_migration_agent = true\nallow_smt = false\nvmpls = [0, 2]\n"
      "id_key_digests = [\"" +
      m + "\"]\nauthor_key_digests = [\"" + m +
      "\"]\nallow_any_measurement_insecure = true\n[snp.min_tcb]\nfmc = 1\ntee = 255\n");
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_TRUE(p->allow_simulated);
  ASSERT_EQ(p->sim_roots.size(), 1u);
  EXPECT_EQ(p->sim_roots[0][0], 0x11);
  EXPECT_FALSE(p->binding.required);
  EXPECT_TRUE(p->binding.require_nonce);
  EXPECT_EQ(p->binding.workloads.size(), 1u);
  EXPECT_EQ(p->snp.measurements.size(), 2u);
  EXPECT_EQ((*p->snp.host_data)[31], 0x33);
  EXPECT_TRUE(p->snp.allow_migration_agent);
  EXPECT_FALSE(p->snp.allow_smt);
  EXPECT_EQ(p->snp.vmpls, (std::vector<uint32_t>{0, 2}));
  EXPECT_EQ(p->snp.id_key_digests.size(), 1u);
  EXPECT_EQ(p->snp.author_key_digests.size(), 1u);
  EXPECT_TRUE(p->snp.allow_any_measurement_insecure);
  EXPECT_EQ(p->snp.min_tcb.fmc, 1);
  EXPECT_EQ(p->snp.min_tcb.tee, 255);
}

struct BadPolicy {
  const char* name;
  std::string toml;
  ErrorCode code;
  const char* message_has;
};

TEST(PolicyTest, RejectsEveryErrorWithTheKeyPath) {
  const std::string ok = "tee_types = [\"sev-snp\"]\n";
  const BadPolicy cases[] = {
      {"syntax", "tee_types = [", ErrorCode::kMalformed, "line 1"},
      {"missing tee_types", "allow_debug = false\n", ErrorCode::kInvalidArgument, "tee_types"},
      {"empty tee_types", "tee_types = []\n", ErrorCode::kInvalidArgument, "tee_types"},
      {"unknown tee", "tee_types = [\"snp\"]\n", ErrorCode::kInvalidArgument, "tee_types[0]"},
      {"tee not string", "tee_types = [1]\n", ErrorCode::kInvalidArgument, "tee_types[0]"},
      {"unknown root key", ok + "allow_debugg = true\n", ErrorCode::kInvalidArgument,
       "allow_debugg (line 2): unknown key"},
      {"unknown snp key", ok + "[snp]\nmeasurement = []\n", ErrorCode::kInvalidArgument,
       "snp.measurement (line 3): unknown key"},
      {"unknown min_tcb key", ok + "[snp.min_tcb]\nucode = 1\n", ErrorCode::kInvalidArgument,
       "snp.min_tcb.ucode"},
      {"unknown binding key", ok + "[binding]\nnonce = true\n", ErrorCode::kInvalidArgument,
       "binding.nonce"},
      {"bool as string", ok + "allow_debug = \"false\"\n", ErrorCode::kInvalidArgument,
       "allow_debug (line 2): expected true or false"},
      {"age as float", ok + "max_evidence_age_seconds = 1.5\n", ErrorCode::kInvalidArgument,
       "expected an integer"},
      {"negative age", ok + "max_evidence_age_seconds = -1\n", ErrorCode::kInvalidArgument,
       "max_evidence_age_seconds"},
      {"tcb too big", ok + "[snp.min_tcb]\nsnp = 256\n", ErrorCode::kInvalidArgument,
       "snp.min_tcb.snp"},
      {"measurement short", ok + "[snp]\nmeasurements = [\"" + std::string(94, 'a') + "\"]\n",
       ErrorCode::kInvalidArgument,
       "snp.measurements[0] (line 3): expected 48 bytes of hex, got 47"},
      {"measurement not hex", ok + "[snp]\nmeasurements = [\"" + std::string(96, 'g') + "\"]\n",
       ErrorCode::kInvalidArgument, "snp.measurements[0]"},
      {"measurements not list", ok + "[snp]\nmeasurements = \"aa\"\n", ErrorCode::kInvalidArgument,
       "snp.measurements"},
      {"host_data long", ok + "[snp]\nhost_data = \"" + std::string(66, '0') + "\"\n",
       ErrorCode::kInvalidArgument, "snp.host_data"},
      {"sim root short", ok + "sim_roots = [\"00\"]\n", ErrorCode::kInvalidArgument,
       "sim_roots[0]"},
      {"vmpl 4", ok + "[snp]\nvmpls = [4]\n", ErrorCode::kInvalidArgument, "snp.vmpls[0]"},
      {"vmpls empty", ok + "[snp]\nvmpls = []\n", ErrorCode::kInvalidArgument, "snp.vmpls"},
      {"snp not table", ok + "snp = 1\n", ErrorCode::kInvalidArgument, "snp"},
      {"sgx key", ok + "[sgx]\nmr_enclave = \"00\"\n", ErrorCode::kInvalidArgument,
       "sgx.mr_enclave"},
      {"workload short", ok + "[binding]\nworkloads = [\"00\"]\n", ErrorCode::kInvalidArgument,
       "binding.workloads[0]"},
  };
  for (const BadPolicy& c : cases) {
    Result<Policy> p = ParsePolicy(c.toml);
    ASSERT_FALSE(p.ok()) << c.name;
    EXPECT_EQ(p.error().code, c.code) << c.name << ": " << p.error().ToString();
    EXPECT_NE(p.error().message.find(c.message_has), std::string::npos)
        << c.name << ": " << p.error().message;
  }
}

TEST(PolicyTest, ReservedTablesMayBeEmpty) {
  EXPECT_TRUE(ParsePolicy("tee_types = [\"nitro\"]\n[sgx]\n[tdx]\n[nitro]\n").ok());
}

TEST(PolicyTest, ParsesNitroPcrsAsValueOrList) {
  const std::string a(96, 'a'), b(96, 'b');
  Result<Policy> p = ParsePolicy("tee_types = [\"nitro\"]\n[nitro]\npcr0 = \"" + a +
                                 "\"\npcr8 = [\"" + a + "\", \"" + b + "\"]\n");
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->nitro.pcrs.size(), 2u);
  ASSERT_EQ(p->nitro.pcrs.at(0).size(), 1u);
  EXPECT_EQ(p->nitro.pcrs.at(0)[0][0], 0xaa);
  ASSERT_EQ(p->nitro.pcrs.at(8).size(), 2u);
  EXPECT_EQ(p->nitro.pcrs.at(8)[1][47], 0xbb);
  EXPECT_FALSE(p->nitro.allow_any_pcrs_insecure);
  EXPECT_TRUE(ParsePolicy("tee_types = [\"nitro\"]\n").value().nitro.pcrs.empty());

  const std::string ok = "tee_types = [\"nitro\"]\n[nitro]\n";
  const BadPolicy cases[] = {
      {"pcr5 not allowed", ok + "pcr5 = \"" + a + "\"\n", ErrorCode::kInvalidArgument,
       "nitro.pcr5 (line 3): unknown key"},
      {"pcr short", ok + "pcr1 = \"" + std::string(64, 'a') + "\"\n",
       ErrorCode::kInvalidArgument, "nitro.pcr1 (line 3): expected 48 bytes of hex, got 32"},
      {"pcr list item bad", ok + "pcr2 = [\"" + a + "\", \"zz\"]\n",
       ErrorCode::kInvalidArgument, "nitro.pcr2[1]"},
      {"pcr empty list", ok + "pcr3 = []\n", ErrorCode::kInvalidArgument, "nitro.pcr3"},
      {"pcr integer", ok + "pcr4 = 1\n", ErrorCode::kInvalidArgument, "nitro.pcr4"},
      {"insecure not bool", ok + "allow_any_pcrs_insecure = 1\n", ErrorCode::kInvalidArgument,
       "nitro.allow_any_pcrs_insecure"},
  };
  for (const BadPolicy& c : cases) {
    Result<Policy> bad = ParsePolicy(c.toml);
    ASSERT_FALSE(bad.ok()) << c.name;
    EXPECT_EQ(bad.error().code, c.code) << c.name;
    EXPECT_NE(bad.error().message.find(c.message_has), std::string::npos)
        << c.name << ": " << bad.error().message;
  }
}

TEST(PolicyTest, ParsesSgxAndTdxTables) {
  const std::string e(64, 'e'), s(64, '5'), m(96, 'a'), r(96, 'b');
  Result<Policy> p = ParsePolicy(
      "tee_types = [\"sgx\", \"tdx\"]\n[sgx]\nmrenclaves = [\"" + e + "\"]\nmrsigners = [\"" + s +
      "\"]\nisv_prod_id = 3\nmin_isv_svn = 2\naccepted_tcb_statuses = [\"UpToDate\", "
      "\"SWHardeningNeeded\"]\nallowed_advisories = [\"INTEL-SA-00615\"]\n[tdx]\nmrtds = [\"" +
      m + "\"]\nrtmr2 = \"" + r + "\"\nmrowner = \"" + r + "\"\n");
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->sgx.mrenclaves.size(), 1u);
  EXPECT_EQ(p->sgx.mrenclaves[0][0], 0xee);
  EXPECT_EQ(p->sgx.mrsigners[0][31], 0x55);
  EXPECT_EQ(p->sgx.isv_prod_id, std::optional<uint16_t>(3));
  EXPECT_EQ(p->sgx.min_isv_svn, 2);
  EXPECT_EQ(p->sgx.tcb.accepted_tcb_statuses,
            (std::vector<std::string>{"UpToDate", "SWHardeningNeeded"}));
  EXPECT_EQ(p->sgx.tcb.allowed_advisories, std::vector<std::string>{"INTEL-SA-00615"});
  ASSERT_EQ(p->tdx.mrtds.size(), 1u);
  EXPECT_EQ(p->tdx.mrtds[0][47], 0xaa);
  EXPECT_FALSE(p->tdx.rtmrs[0].has_value());
  ASSERT_TRUE(p->tdx.rtmrs[2].has_value());
  EXPECT_EQ((*p->tdx.rtmrs[2])[0], 0xbb);
  ASSERT_TRUE(p->tdx.mrowner.has_value());
  EXPECT_FALSE(p->tdx.mrconfigid.has_value());
  // Defaults: only UpToDate, no advisory, no measurement (so everything fails closed).
  EXPECT_EQ(p->tdx.tcb.accepted_tcb_statuses, std::vector<std::string>{"UpToDate"});
  EXPECT_TRUE(p->tdx.tcb.allowed_advisories.empty());
  Result<Policy> d = ParsePolicy("tee_types = [\"sgx\"]\n");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->sgx.mrenclaves.empty());
  EXPECT_FALSE(d->sgx.isv_prod_id.has_value());
  EXPECT_EQ(d->sgx.tcb.accepted_tcb_statuses, std::vector<std::string>{"UpToDate"});

  const std::string ok = "tee_types = [\"sgx\", \"tdx\"]\n";
  const BadPolicy cases[] = {
      {"sgx unknown key", ok + "[sgx]\nmrenclave = \"" + e + "\"\n",
       ErrorCode::kInvalidArgument, "sgx.mrenclave (line 3): unknown key"},
      {"mrenclave short", ok + "[sgx]\nmrenclaves = [\"" + m + "\"]\n",
       ErrorCode::kInvalidArgument, "sgx.mrenclaves[0] (line 3): expected 32 bytes of hex"},
      {"isv_prod_id range", ok + "[sgx]\nisv_prod_id = 65536\n", ErrorCode::kInvalidArgument,
       "sgx.isv_prod_id"},
      {"status unknown", ok + "[sgx]\naccepted_tcb_statuses = [\"UpToDate\", \"Fine\"]\n",
       ErrorCode::kInvalidArgument, "sgx.accepted_tcb_statuses[1]"},
      {"status not supported", ok + "[tdx]\naccepted_tcb_statuses = [\"NotSupported\"]\n",
       ErrorCode::kInvalidArgument, "tdx.accepted_tcb_statuses[0]"},
      {"advisory not string", ok + "[tdx]\nallowed_advisories = [1]\n",
       ErrorCode::kInvalidArgument, "tdx.allowed_advisories[0]"},
      {"mrtd short", ok + "[tdx]\nmrtds = [\"" + e + "\"]\n", ErrorCode::kInvalidArgument,
       "tdx.mrtds[0]"},
      {"rtmr4", ok + "[tdx]\nrtmr4 = \"" + m + "\"\n", ErrorCode::kInvalidArgument,
       "tdx.rtmr4 (line 3): unknown key"},
      {"rtmr list", ok + "[tdx]\nrtmr1 = [\"" + m + "\"]\n", ErrorCode::kInvalidArgument,
       "tdx.rtmr1"},
  };
  for (const BadPolicy& c : cases) {
    Result<Policy> bad = ParsePolicy(c.toml);
    ASSERT_FALSE(bad.ok()) << c.name;
    EXPECT_EQ(bad.error().code, c.code) << c.name;
    EXPECT_NE(bad.error().message.find(c.message_has), std::string::npos)
        << c.name << ": " << bad.error().message;
  }
}

}  // namespace
}  // namespace confide::attest
