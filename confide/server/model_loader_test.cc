#include "confide/server/model_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "confide/base/file.h"
#include "confide/package/model_key.h"
#include "confide/package/writer.h"
#include "confide/server/testing/sim_test_dir.h"
#include "confide/tee/sim/sim_platform.h"

namespace confide::server {
namespace {

namespace sim = tee::sim;

// The demo model packed by an owner whose key the trust list holds; no key source by default.
class ModelLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_.emplace("model_loader", clock_.Now());
    dir_ = sim_->path();
    platform_ = sim_->Platform();
    ASSERT_NE(platform_, nullptr);
    trust_.Add({.name = "owner", .key = owner_.public_key()});

    auto onnx = ReadFile(std::string(CONFIDE_SOURCE_DIR) + "/demo/diagnosis_mlp.onnx");
    ASSERT_TRUE(onnx.ok()) << onnx.error().ToString();
    package::PayloadInfo info = package::HashPayload(*onnx);
    package::Manifest m{.name = "diagnosis", .model_version = "1", .payload_size = info.size,
                        .payload_sha256 = info.sha256};
    m.created = clock_.Now() - std::chrono::hours(1);
    auto writer = package::PackageWriter::Create(m, owner_, key_);
    ASSERT_TRUE(writer.ok()) << writer.error().ToString();
    digest_ = writer->manifest_digest();
    package::BufferSink out;
    ASSERT_TRUE(writer->WriteAll(*onnx, out).ok());
    ASSERT_TRUE(WriteFile(package_path(), out.bytes(), 0600).ok());
    SecretBytes key_file = package::SerializeModelKey(key_);
    ASSERT_TRUE(WriteFile(dir_ + "/diagnosis.key", key_file.Expose(), 0600).ok());
  }
  std::string package_path() const { return dir_ + "/diagnosis.cfpkg"; }
  Result<ServedModel> Load(const ModelSource& source, IfNoKey if_no_key) {
    return LoadServedModel(source, {}, trust_, *platform_, clock_.Now(), {}, if_no_key);
  }

  std::optional<SimTestDir> sim_;
  std::string dir_;
  FixedClock clock_{Time{} + std::chrono::seconds(1800000000)};
  std::unique_ptr<sim::SimPlatform> platform_;
  crypto::PrivateKey owner_ = *crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  package::TrustList trust_;
  SecretBytes key_ = package::GenerateModelKey();
  package::Digest digest_{};
};

TEST_F(ModelLoaderTest, NoKeySourceIsAnErrorUnlessPendingIsAllowed) {
  auto failed = Load({.package_path = package_path()}, IfNoKey::kFail);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kNotFound);

  // The same outcome as a typed state, from the one open of the package.
  auto pending = Load({.package_path = package_path()}, IfNoKey::kPending);
  ASSERT_TRUE(pending.ok()) << pending.error().ToString();
  EXPECT_EQ(pending->state, ModelState::kPending);
  EXPECT_EQ(pending->name, "diagnosis");
  EXPECT_EQ(pending->key_origin, "pending");
  EXPECT_EQ(pending->manifest_digest, digest_);
  EXPECT_EQ(pending->signer_key_id, package::SignerKeyId(owner_.public_key()));
  EXPECT_EQ(pending->model, nullptr);
}

TEST_F(ModelLoaderTest, AKeyLoadsTheModelEvenWhenPendingIsAllowed) {
  auto ready = Load({.package_path = package_path(), .key_file = dir_ + "/diagnosis.key"},
                    IfNoKey::kPending);
  ASSERT_TRUE(ready.ok()) << ready.error().ToString();
  EXPECT_EQ(ready->state, ModelState::kReady);
  EXPECT_EQ(ready->key_origin, "key-file");
  EXPECT_NE(ready->model, nullptr);
}

TEST_F(ModelLoaderTest, PackageErrorsAreNotTurnedIntoPending) {
  // An untrusted signer is an error even when pending is allowed: only "no key" is pending.
  trust_ = package::TrustList();
  auto untrusted = Load({.package_path = package_path()}, IfNoKey::kPending);
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.error().code, ErrorCode::kVerificationFailed);
  // A missing package is kNotFound too, but not "no key": it fails, it is not pending.
  auto missing = Load({.package_path = dir_ + "/nosuch.cfpkg"}, IfNoKey::kPending);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace confide::server
