// ParseLddOutput (the library closure of a bundle) and the bundle's generated text files: the
// Gramine manifest parses as TOML with every trusted file and hash, the sim client policy is
// accepted by the real policy parser with the given measurement, the real-TEE template is not.
#include "apps/confide/bundle_layout.h"

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include "apps/confide/bundle_closure.h"
#include "confide/attest/policy.h"
#include "confide/base/hex.h"

namespace confide::cli {
namespace {

// Debian 12 `ldd confide-server`, abridged (the format of glibc 2.36's ldd).
constexpr std::string_view kLdd =
    "\tlinux-vdso.so.1 (0x00007ffd5a3f2000)\n"
    "\tlibssl.so.3 => /lib/x86_64-linux-gnu/libssl.so.3 (0x00007f3c1f000000)\n"
    "\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f3c1ec00000)\n"
    "\tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f3c1eb21000)\n"
    "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f3c1e940000)\n"
    "\t/lib64/ld-linux-x86-64.so.2 (0x00007f3c1f1a0000)\n"
    "\tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007f3c1e920000)\n";

TEST(ParseLddOutput, BundlesAllButTheCRuntime) {
  auto c = ParseLddOutput(kLdd);
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  ASSERT_EQ(c->bundled.size(), 3u);
  EXPECT_EQ(c->bundled[0].soname, "libssl.so.3");
  EXPECT_EQ(c->bundled[0].path, "/lib/x86_64-linux-gnu/libssl.so.3");
  EXPECT_EQ(c->bundled[1].soname, "libstdc++.so.6");
  EXPECT_EQ(c->bundled[2].soname, "libz.so.1");
  EXPECT_EQ(c->system, (std::vector<std::string>{"linux-vdso.so.1", "libm.so.6", "libc.so.6",
                                                 "ld-linux-x86-64.so.2"}));
}

TEST(ParseLddOutput, StaticOrEmptyHasNothing) {
  for (std::string_view text : {"", "\tstatically linked\n", "\tnot a dynamic executable\n"}) {
    auto c = ParseLddOutput(text);
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE(c->bundled.empty());
    EXPECT_TRUE(c->system.empty());
  }
}

TEST(ParseLddOutput, MissingLibraryIsNamed) {
  auto c = ParseLddOutput("\tlibfoo.so.1 => not found\n\tlibc.so.6 => /lib/libc.so.6 (0x1)\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kNotFound);
  EXPECT_NE(c.error().message.find("libfoo.so.1"), std::string::npos);
}

TEST(ParseLddOutput, RefusesWhatItDoesNotUnderstand) {
  for (std::string_view text :
       {"\tsomething odd here\n", "\tlibx.so => relative/libx.so (0x1)\n",
        "\t => /lib/libx.so (0x1)\n", "\tlib x.so => /lib/libx.so (0x1)\n",
        "\t../lib/libx.so => /lib/libx.so (0x1)\n", "\tlibx.so => /lib/lib x.so (0x1)\n"}) {
    auto c = ParseLddOutput(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.error().code, ErrorCode::kMalformed) << text;
  }
}

TEST(IsSystemLibrary, CRuntimeFamilyOnly) {
  for (const char* s : {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1",
                        "/lib64/ld-linux-x86-64.so.2", "libnss_files.so.2", "linux-vdso.so.1"}) {
    EXPECT_TRUE(IsSystemLibrary(s)) << s;
  }
  for (const char* s : {"libcrypto.so.3", "libcbor.so.0.8", "libcpp-httplib.so.0.11",
                        "libstdc++.so.6", "libgcc_s.so.1", "libmagic.so.1"}) {
    EXPECT_FALSE(IsSystemLibrary(s)) << s;
  }
}

TEST(TomlString, EscapesAndRefusesControlCharacters) {
  EXPECT_EQ(*TomlString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_FALSE(TomlString("a\nb").ok());
  EXPECT_FALSE(TomlString(std::string("a\0b", 3)).ok());
}

TEST(RenderGramineManifest, BuiltInTemplateListsEveryTrustedFile) {
  std::vector<TrustedFile> files = {{"bin/confide-server", std::string(64, 'a')},
                                    {"lib/libssl.so.3", std::string(64, 'b')},
                                    {"models/x \"y\".cfpkg", std::string(64, 'c')}};
  auto m = RenderGramineManifest(kGramineManifestTemplate, files, "8G", 40);
  ASSERT_TRUE(m.ok()) << m.error().ToString();
  // The {{ }} expressions sit inside TOML strings, so the rendered template parses as TOML.
  toml::table t = toml::parse(*m);
  EXPECT_EQ(t["sgx"]["enclave_size"].value_or(std::string()), "8G");
  EXPECT_EQ(t["sgx"]["max_threads"].value_or(0), 40);
  EXPECT_EQ(t["libos"]["entrypoint"].value_or(std::string()), "/confide/bin/confide-server");
  const toml::array* trusted = t["sgx"]["trusted_files"].as_array();
  ASSERT_NE(trusted, nullptr);
  std::vector<std::pair<std::string, std::string>> tables;
  for (const toml::node& n : *trusted) {
    if (const toml::table* e = n.as_table()) {
      tables.emplace_back((*e)["uri"].value_or(std::string()),
                          (*e)["sha256"].value_or(std::string()));
    }
  }
  ASSERT_EQ(tables.size(), 3u);
  EXPECT_EQ(tables[0],
            std::make_pair(std::string("file:bin/confide-server"), std::string(64, 'a')));
  EXPECT_EQ(tables[2].first, "file:models/x \"y\".cfpkg");
  EXPECT_EQ(m->find("%%TRUSTED_FILES%%"), std::string::npos);
}

TEST(RenderGramineManifest, TemplateWithoutPlaceholderIsRefused) {
  auto m = RenderGramineManifest("sgx.debug = false\n", {}, "4G", 8);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument);
}

ReferenceValues SimValues() {
  return {.target = BundleTarget::kSim,
          .server_sha384 = std::string(95, '1') + "f",
          .server_sha256 = std::string(64, '2'),
          .sim_root = std::string(63, '3') + "e",
          .generated_at = "2026-11-26T00:00:00Z"};
}

TEST(RenderClientPolicy, SimPolicyPinsTheMeasurementAndRoot) {
  auto p = attest::ParsePolicy(RenderClientPolicy(SimValues()));
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_TRUE(p->allow_simulated);
  ASSERT_EQ(p->snp.measurements.size(), 1u);
  EXPECT_EQ(HexEncode(p->snp.measurements[0]), SimValues().server_sha384);
  ASSERT_EQ(p->sim_roots.size(), 1u);
  EXPECT_EQ(HexEncode(p->sim_roots[0]), SimValues().sim_root);
}

TEST(RenderClientPolicy, RealTeeTemplatesAreRefusedUntilFilledIn) {
  for (BundleTarget t :
       {BundleTarget::kSnp, BundleTarget::kTdx, BundleTarget::kSgx, BundleTarget::kNitro}) {
    ReferenceValues v = SimValues();
    v.target = t;
    std::string text = RenderClientPolicy(v);
    EXPECT_FALSE(attest::ParsePolicy(text).ok()) << text;
    // Refused for the placeholder alone: with a value in its place the template is a policy.
    const std::string placeholder = "FILL IN (reference-values.toml)";
    size_t at = text.find(placeholder);
    ASSERT_NE(at, std::string::npos) << text;
    size_t hex_len = t == BundleTarget::kSgx ? 64 : 96;
    text.replace(at, placeholder.size(), std::string(hex_len, 'a'));
    auto filled = attest::ParsePolicy(text);
    EXPECT_TRUE(filled.ok()) << text << (filled.ok() ? "" : filled.error().ToString());
    EXPECT_NE(RenderReferenceValues(v).find("FILL IN"), std::string::npos);
    EXPECT_EQ(text.find("allow_simulated"), std::string::npos);
  }
}

TEST(RenderServerConfig, KeysAreServerOptions) {
  ServerConfigValues v{.target = BundleTarget::kSgx,
                       .models = {"models/a.cfpkg", "models/b.cfpkg:keys/b.cfpkg.key"},
                       .port = 8443,
                       .kbs = "10.0.0.1:9000",
                       .kbs_pin = std::string(64, 'f')};
  auto text = RenderServerConfig(v);
  ASSERT_TRUE(text.ok());
  toml::table t = toml::parse(*text);
  EXPECT_EQ(t["tee"].value_or(std::string()), "sgx");
  EXPECT_FALSE(t.contains("sim-dir"));
  EXPECT_EQ(t["model"][1].value_or(std::string()), "models/b.cfpkg:keys/b.cfpkg.key");
  EXPECT_EQ(t["trust"].value_or(std::string()), "trust/signers.toml");
  EXPECT_EQ(t["state-dir"].value_or(std::string()), "state");
  EXPECT_EQ(t["port"].value_or(0), 8443);
  EXPECT_EQ(t["kbs-pin"].value_or(std::string()), std::string(64, 'f'));
  EXPECT_FALSE(t.contains("host"));
}

}  // namespace
}  // namespace confide::cli
