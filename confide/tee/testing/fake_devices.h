// Test-only: a fake kernel for the hardware backends. It serves a real directory tree under a
// temp root (so the backends' paths, reads and writes are real file operations) and does what
// the kernel would do on the calls that have side effects:
//   - configfs-tsm: mkdir of a report entry populates it (provider, generation 0, and the
//     outblob/auxblob the test installed: real evidence from ../shared/vectors); each inblob write
//     bumps generation (plus `tsm_race_bumps` extra bumps, once each, to simulate another writer);
//     rmdir removes the entry with its attributes.
//   - /dev/sev-guest SNP_GET_DERIVED_KEY: a fake PSP that mixes a chip secret with the selected
//     guest fields of the installed launch (so another measurement gives another key).
//   - /dev/nsm: decodes the CBOR Attestation request and answers with the installed document.
//   - Gramine /dev/attestation is plain files (the quote is the installed one).
// The fake cannot sign: installed evidence carries its own report data, so tests ask for that.
#ifndef CONFIDE_TEE_TESTING_FAKE_DEVICES_H_
#define CONFIDE_TEE_TESTING_FAKE_DEVICES_H_

#include <array>
#include <optional>
#include <string>

#include "confide/crypto/hash.h"
#include "confide/tee/device/device_ops.h"
#include "confide/tee/nitro/nsm_message.h"

namespace confide::tee::testing {

struct FakeSnpLaunch {
  crypto::Sha384Digest measurement{};
  std::array<uint8_t, 16> family_id{};
  std::array<uint8_t, 16> image_id{};
  uint64_t policy = 0x30000;
};

class FakeDevices final : public DeviceOps {
 public:
  FakeDevices();  // a fresh root under the test temp dir
  ~FakeDevices() override;
  const std::string& root() const { return root_; }

  void InstallTsm(std::string provider, Bytes outblob, Bytes auxblob);
  void InstallSevGuest(FakeSnpLaunch launch, std::array<uint8_t, 32> chip_secret);
  void InstallGramine(std::string attestation_type, Bytes quote,
                      std::optional<Bytes> mrenclave_key, std::optional<Bytes> mrsigner_key);
  void InstallNsm(Bytes document);

  int tsm_race_bumps = 0;      // extra generation bumps still to inject, one per inblob write
  int tsm_entries_left() const;  // report entries not removed (should be 0 after each call)
  std::optional<nitro::AttestationRequest> last_nsm_request;
  std::optional<Bytes> nsm_error;  // when set, /dev/nsm answers {"Error": <text>}

  bool Exists(const std::string& path) override;
  Status MakeDir(const std::string& path) override;
  Status RemoveDir(const std::string& path) override;
  Result<Bytes> Read(const std::string& path, size_t max_size) override;
  Status Write(const std::string& path, ByteSpan bytes) override;
  Status Ioctl(const std::string& path, unsigned long request, void* arg) override;

 private:
  bool IsTsmEntry(const std::string& path) const;
  Status SevGuestIoctl(unsigned long request, void* arg);
  Status NsmIoctl(unsigned long request, void* arg);

  std::string root_;
  SystemDeviceOps real_;
  std::string tsm_provider_;
  Bytes tsm_outblob_, tsm_auxblob_;
  std::optional<FakeSnpLaunch> snp_launch_;
  std::array<uint8_t, 32> chip_secret_{};
  Bytes nsm_document_;
};

}  // namespace confide::tee::testing

#endif  // CONFIDE_TEE_TESTING_FAKE_DEVICES_H_
