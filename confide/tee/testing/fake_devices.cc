#include "confide/tee/testing/fake_devices.h"

#include <linux/sev-guest.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "confide/base/check.h"
#include "confide/base/file.h"
#include "confide/tee/gramine/gramine_platform.h"
#include "confide/tee/nitro/nsm_platform.h"
#include "confide/tee/tsm/tsm_platform.h"

namespace confide::tee::testing {

namespace fs = std::filesystem;

namespace {

std::atomic<int> g_counter{0};

void Put(const std::string& path, ByteSpan bytes) {
  fs::create_directories(fs::path(path).parent_path());
  CONFIDE_CHECK(WriteFile(path, bytes, 0600).ok());
}

// {"Error": text}, text shorter than 24 bytes (one-byte CBOR heads).
Bytes NsmErrorMessage(ByteSpan text) {
  CONFIDE_CHECK(text.size() < 24);
  ByteWriter w;
  w.WriteU8(0xA1);  // map(1)
  w.WriteU8(0x65);  // text(5)
  w.WriteBytes(AsBytes("Error"));
  w.WriteU8(static_cast<uint8_t>(0x60 + text.size()));
  w.WriteBytes(text);
  return std::move(w).Take();
}

}  // namespace

FakeDevices::FakeDevices() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  root_ = std::string(tmp != nullptr ? tmp : "/tmp") + "/confide_fake_devices_" +
          std::to_string(::getpid()) + "_" + std::to_string(g_counter.fetch_add(1));
  fs::remove_all(root_);
  fs::create_directories(root_);
}

FakeDevices::~FakeDevices() {
  std::error_code ec;
  fs::remove_all(root_, ec);
}

void FakeDevices::InstallTsm(std::string provider, Bytes outblob, Bytes auxblob) {
  fs::create_directories(root_ + tsm::kReportDir);
  tsm_provider_ = std::move(provider);
  tsm_outblob_ = std::move(outblob);
  tsm_auxblob_ = std::move(auxblob);
}

void FakeDevices::InstallSevGuest(FakeSnpLaunch launch, std::array<uint8_t, 32> chip_secret) {
  Put(root_ + tsm::kSevGuestDevice, {});
  snp_launch_ = launch;
  chip_secret_ = chip_secret;
}

void FakeDevices::InstallGramine(std::string attestation_type, Bytes quote,
                                 std::optional<Bytes> mrenclave_key,
                                 std::optional<Bytes> mrsigner_key) {
  const std::string dir = root_ + gramine::kAttestationDir;
  Put(dir + "/attestation_type", AsBytes(attestation_type + "\n"));
  Put(dir + "/user_report_data", {});
  if (!quote.empty()) Put(dir + "/quote", quote);
  if (mrenclave_key) Put(dir + "/keys/_sgx_mrenclave", *mrenclave_key);
  if (mrsigner_key) Put(dir + "/keys/_sgx_mrsigner", *mrsigner_key);
}

void FakeDevices::InstallNsm(Bytes document) {
  Put(root_ + nitro::kNsmDevice, {});
  nsm_document_ = std::move(document);
}

int FakeDevices::tsm_entries_left() const {
  int n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root_ + tsm::kReportDir, ec)) {
    (void)e;
    ++n;
  }
  return n;
}

bool FakeDevices::IsTsmEntry(const std::string& path) const {
  const std::string dir = root_ + tsm::kReportDir + "/";
  return path.rfind(dir, 0) == 0 && path.find('/', dir.size()) == std::string::npos;
}

bool FakeDevices::Exists(const std::string& path) { return real_.Exists(path); }

Status FakeDevices::MakeDir(const std::string& path) {
  if (IsTsmEntry(path) && tsm_provider_.empty()) {
    return ErrnoError("mkdir", path, ENXIO);  // no provider registered
  }
  CONFIDE_TRY(real_.MakeDir(path));
  if (IsTsmEntry(path)) {  // the kernel creates the attributes
    Put(path + "/provider", AsBytes(tsm_provider_ + "\n"));
    Put(path + "/generation", AsBytes("0\n"));
    Put(path + "/inblob", {});
    Put(path + "/outblob", tsm_outblob_);
    if (tsm_provider_ == "sev_guest") Put(path + "/auxblob", tsm_auxblob_);
  }
  return OkStatus();
}

Status FakeDevices::RemoveDir(const std::string& path) {
  if (!IsTsmEntry(path)) return real_.RemoveDir(path);
  std::error_code ec;
  if (fs::remove_all(path, ec) == 0) return ErrnoError("rmdir", path, ENOENT);
  return OkStatus();
}

Result<Bytes> FakeDevices::Read(const std::string& path, size_t max_size) {
  return real_.Read(path, max_size);
}

Status FakeDevices::Write(const std::string& path, ByteSpan bytes) {
  const std::string name = fs::path(path).filename();
  const std::string entry = fs::path(path).parent_path();
  if (IsTsmEntry(entry) && name == "inblob") {
    if (bytes.size() != 64) return ErrnoError("write", path, EINVAL);  // both providers: 64 B
    CONFIDE_TRY(real_.Write(path, bytes));
    CONFIDE_ASSIGN_OR_RETURN(Bytes gen, real_.Read(entry + "/generation", 64));
    uint64_t value = std::stoull(std::string(gen.begin(), gen.end())) + 1;
    if (tsm_race_bumps > 0) {
      --tsm_race_bumps;
      ++value;  // another process wrote this entry's inblob too
    }
    return real_.Write(entry + "/generation", AsBytes(std::to_string(value) + "\n"));
  }
  return real_.Write(path, bytes);
}

Status FakeDevices::Ioctl(const std::string& path, unsigned long request, void* arg) {
  if (!real_.Exists(path)) return ErrnoError("open", path, ENOENT);
  if (path == root_ + tsm::kSevGuestDevice) return SevGuestIoctl(request, arg);
  if (path == root_ + nitro::kNsmDevice) return NsmIoctl(request, arg);
  return ErrnoError("ioctl", path, ENOTTY);
}

Status FakeDevices::SevGuestIoctl(unsigned long request, void* arg) {
  if (request != SNP_GET_DERIVED_KEY || !snp_launch_) {
    return ErrnoError("ioctl", "/dev/sev-guest", ENOTTY);
  }
  auto* io = static_cast<snp_guest_request_ioctl*>(arg);
  if (io->msg_version != 1) return ErrnoError("ioctl", "/dev/sev-guest", EINVAL);
  snp_derived_key_req req{};
  std::memcpy(&req, reinterpret_cast<const void*>(static_cast<uintptr_t>(io->req_data)),
              sizeof req);
  // The fake PSP: SHA-256(chip secret || root select || field select || selected fields).
  ByteWriter w;
  w.WriteBytes(chip_secret_);
  w.WriteU32Le(req.root_key_select);
  w.WriteU64Le(req.guest_field_select);
  const FakeSnpLaunch& l = *snp_launch_;
  if (req.guest_field_select & (1u << 0)) w.WriteU64Le(l.policy);
  if (req.guest_field_select & (1u << 1)) w.WriteBytes(l.image_id);
  if (req.guest_field_select & (1u << 2)) w.WriteBytes(l.family_id);
  if (req.guest_field_select & (1u << 3)) w.WriteBytes(l.measurement);
  crypto::Sha256Digest key = crypto::Sha256(w.data());
  snp_derived_key_resp resp{};
  std::memcpy(resp.data + 32, key.data(), key.size());  // status 0, reserved, key
  std::memcpy(reinterpret_cast<void*>(static_cast<uintptr_t>(io->resp_data)), &resp, sizeof resp);
  io->exitinfo2 = 0;
  return OkStatus();
}

Status FakeDevices::NsmIoctl(unsigned long request, void* arg) {
  if (request != nitro::kNsmIoctlRequest) return ErrnoError("ioctl", "/dev/nsm", ENOTTY);
  auto* msg = static_cast<nitro::NsmMessage*>(arg);
  if (msg->request.iov_len > nitro::kNsmMaxRequestSize) {
    return ErrnoError("ioctl", "/dev/nsm", EMSGSIZE);
  }
  ByteSpan req(static_cast<const uint8_t*>(msg->request.iov_base), msg->request.iov_len);
  auto parsed = nitro::ParseAttestationRequest(req);
  Bytes response;
  if (nsm_error) {
    response = NsmErrorMessage(*nsm_error);
  } else if (!parsed.ok()) {
    response = NsmErrorMessage(AsBytes("InvalidArgument"));
  } else {
    last_nsm_request = *parsed;
    response = nitro::EncodeAttestationResponse(nsm_document_);
  }
  if (response.size() > msg->response.iov_len) return ErrnoError("ioctl", "/dev/nsm", ENOMEM);
  std::memcpy(msg->response.iov_base, response.data(), response.size());
  msg->response.iov_len = response.size();
  return OkStatus();
}

}  // namespace confide::tee::testing
