#include "confide/attest/intel/quote.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "confide/base/hex.h"
#include "confide/base/testing/shared_data.h"

namespace confide::attest::intel {
namespace {

using nlohmann::json;
using testing::ReadSharedFile;

std::vector<json> PositiveVectors() {
  std::vector<json> out;
  for (const char* dir : {"sgx", "tdx"}) {
    json e = json::parse(
        ToString(ReadSharedFile(std::string("vectors/") + dir + "/expected.json")));
    for (const json& v : e["vectors"]) out.push_back(v);
  }
  return out;
}

std::string TeeTypeHex(uint32_t t) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%x", t);
  return buf;
}

void ExpectSgxBody(const SgxReportBody& b, const json& want, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(HexEncode(b.mrenclave), want["mrenclave"]);
  EXPECT_EQ(HexEncode(b.mrsigner), want["mrsigner"]);
  EXPECT_EQ(b.isv_prod_id, want["isvprodid"].get<int>());
  EXPECT_EQ(b.isv_svn, want["isvsvn"].get<int>());
  ByteWriter misc;
  misc.WriteU32Le(b.miscselect);
  EXPECT_EQ(HexEncode(misc.data()), want["miscselect"]);
  EXPECT_EQ(HexEncode(b.attributes), want["attributes"]);
  if (want.contains("cpusvn")) {
    EXPECT_EQ(HexEncode(b.cpusvn), want["cpusvn"]);
  }
  if (want.contains("report_data")) {
    EXPECT_EQ(HexEncode(b.report_data), want["report_data"]);
  }
}

void ExpectTdBody(const TdReportBody& b, const json& want) {
  EXPECT_EQ(HexEncode(b.tee_tcb_svn), want["tee_tcb_svn"]);
  EXPECT_EQ(HexEncode(b.mrseam), want["mrseam"]);
  EXPECT_EQ(HexEncode(b.mrsignerseam), want["mrsignerseam"]);
  EXPECT_EQ(HexEncode(b.seam_attributes), want["seam_attributes"]);
  EXPECT_EQ(HexEncode(b.td_attributes), want["td_attributes"]);
  EXPECT_EQ(HexEncode(b.xfam), want["xfam"]);
  EXPECT_EQ(HexEncode(b.mrtd), want["mrtd"]);
  EXPECT_EQ(HexEncode(b.mrconfigid), want["mrconfigid"]);
  EXPECT_EQ(HexEncode(b.mrowner), want["mrowner"]);
  EXPECT_EQ(HexEncode(b.mrownerconfig), want["mrownerconfig"]);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(HexEncode(b.rtmr[i]), want["rtmr" + std::to_string(i)]);
  }
  EXPECT_EQ(HexEncode(b.report_data), want["report_data"]);
  EXPECT_EQ(b.td15, want.contains("tee_tcb_svn2"));
  if (b.td15) {
    EXPECT_EQ(HexEncode(b.tee_tcb_svn2), want["tee_tcb_svn2"]);
    EXPECT_EQ(HexEncode(b.mrservicetd), want["mrservicetd"]);
  }
}

TEST(IntelQuote, EveryVectorMatchesExpectedJson) {
  std::vector<json> vectors = PositiveVectors();
  ASSERT_EQ(vectors.size(), 7u);
  for (const json& v : vectors) {
    std::string file = v["file"];
    SCOPED_TRACE(file);
    Bytes bytes = ReadSharedFile("vectors/" + file);
    auto q = ParseQuote(bytes);
    ASSERT_TRUE(q.ok()) << q.error().message;
    const json& h = v["header"];
    EXPECT_EQ(q->header.version, h["version"].get<int>());
    EXPECT_EQ(q->header.att_key_type, h["att_key_type"].get<int>());
    EXPECT_EQ(TeeTypeHex(q->header.tee_type), h["tee_type"]);
    EXPECT_EQ(q->header.qe_svn, h["qe_svn"].get<int>());
    EXPECT_EQ(q->header.pce_svn, h["pce_svn"].get<int>());
    EXPECT_EQ(HexEncode(q->header.qe_vendor_id), h["qe_vendor_id"]);
    EXPECT_EQ(q->header.qe_vendor_id, kIntelQeVendorId);
    EXPECT_EQ(HexEncode(q->header.user_data), h["user_data"]);
    if (q->header.tee_type == kTeeTypeTdx) {
      ASSERT_TRUE(q->td.has_value());
      EXPECT_FALSE(q->sgx.has_value());
      ExpectTdBody(*q->td, v["body"]);
      EXPECT_EQ(q->body_type, q->td->td15 ? BodyType::kTd15 : BodyType::kTd10);
    } else {
      ASSERT_TRUE(q->sgx.has_value());
      EXPECT_FALSE(q->td.has_value());
      ExpectSgxBody(*q->sgx, v["body"], "body");
    }
    EXPECT_EQ(q->report_data(), q->td ? q->td->report_data : q->sgx->report_data);
    EXPECT_EQ(q->signed_bytes.size(), v["signed_bytes"].get<size_t>());
    EXPECT_TRUE(Equal(q->signed_bytes, ByteSpan(bytes).first(q->signed_bytes.size())));
    EXPECT_EQ(q->signature_data_len, v["signature_data_len"].get<uint32_t>());
    EXPECT_EQ(q->quote_size + v["trailing_bytes_after_signature_data"].get<size_t>(),
              bytes.size());
    EXPECT_EQ(q->quote_size, q->signed_bytes.size() + 4 + q->signature_data_len);
    EXPECT_EQ(q->cert_data_type, v["cert_data_type"].get<int>());
    ExpectSgxBody(q->qe_report, v["qe_report"], "qe_report");
    EXPECT_EQ(q->qe_report_bytes.size(), kSgxReportBodySize);
    EXPECT_EQ(q->qe_auth_data.size(), v["qe_auth_data_len"].get<size_t>());
    auto qe = ParseSgxReportBody(q->qe_report_bytes);
    ASSERT_TRUE(qe.ok());
    EXPECT_EQ(*qe, q->qe_report);
    // The PCK chain is three PEM certificates, leaf first.
    EXPECT_EQ(q->pck_chain_pem.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
    size_t count = 0;
    for (size_t p = 0; (p = q->pck_chain_pem.find("BEGIN CERTIFICATE", p)) != std::string::npos;
         ++p) {
      ++count;
    }
    EXPECT_EQ(count, 3u);
  }
}

TEST(IntelQuote, OcclumDebugBitAndTdDebugBit) {
  auto occlum = ParseQuote(ReadSharedFile("vectors/sgx/occlum-sgx-v3.bin"));
  ASSERT_TRUE(occlum.ok());
  EXPECT_TRUE(occlum->sgx->debug());
  auto dcap = ParseQuote(ReadSharedFile("vectors/sgx/dcapqvl-sgx-v3.bin"));
  ASSERT_TRUE(dcap.ok());
  EXPECT_FALSE(dcap->sgx->debug());
  auto td = ParseQuote(ReadSharedFile("vectors/tdx/gotdx-v4-spr.bin"));
  ASSERT_TRUE(td.ok());
  EXPECT_FALSE(td->td->debug());
}

// Every strict prefix of a quote is rejected (each field boundary included), with kMalformed.
TEST(IntelQuote, EveryTruncationIsMalformed) {
  for (const json& v : PositiveVectors()) {
    std::string file = v["file"];
    SCOPED_TRACE(file);
    Bytes bytes = ReadSharedFile("vectors/" + file);
    size_t size = v["size"].get<size_t>();
    if (v["trailing_bytes_after_signature_data"].get<size_t>() != 0 && size == bytes.size()) {
      size -= v["trailing_bytes_after_signature_data"].get<size_t>();
    }
    auto full = ParseQuote(ByteSpan(bytes).first(size));
    ASSERT_TRUE(full.ok()) << full.error().message;
    for (size_t n = 0; n < size; ++n) {
      auto q = ParseQuote(ByteSpan(bytes).first(n));
      ASSERT_FALSE(q.ok()) << "prefix " << n;
      ASSERT_EQ(q.error().code, ErrorCode::kMalformed) << "prefix " << n;
    }
  }
}

void PutU16(Bytes& b, size_t off, uint16_t v) {
  b[off] = static_cast<uint8_t>(v);
  b[off + 1] = static_cast<uint8_t>(v >> 8);
}
void PutU32(Bytes& b, size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[off + i] = static_cast<uint8_t>(v >> (8 * i));
}

// The error code of parsing `b`; std::nullopt if it parses.
std::optional<ErrorCode> CodeOf(const Bytes& b) {
  auto q = ParseQuote(b);
  if (q.ok()) return std::nullopt;
  return q.error().code;
}

TEST(IntelQuote, UnknownVersionsAndTypesAreUnsupported) {
  Bytes sgx = ReadSharedFile("vectors/sgx/dcapqvl-sgx-v3.bin");
  Bytes v4 = ReadSharedFile("vectors/tdx/dcapqvl-tdx-v4.bin");
  Bytes v5 = ReadSharedFile("vectors/tdx/gotdx-v5.bin");
  for (uint16_t version : {0, 1, 2, 6, 0xffff}) {
    Bytes b = sgx;
    PutU16(b, 0, version);
    EXPECT_EQ(CodeOf(b), ErrorCode::kUnsupported) << version;
  }
  Bytes b = sgx;
  PutU16(b, 2, 3);  // attestation key type 3 (ECDSA P-384): not produced by Intel QEs
  EXPECT_EQ(CodeOf(b), ErrorCode::kUnsupported);
  b = v4;
  PutU32(b, 4, 0x82);
  EXPECT_EQ(CodeOf(b), ErrorCode::kUnsupported);
  b = v5;
  PutU16(b, 48, 4);  // v5 body type 4
  EXPECT_EQ(CodeOf(b), ErrorCode::kUnsupported);
  b = v5;
  PutU16(b, 48, 0);
  EXPECT_EQ(CodeOf(b), ErrorCode::kUnsupported);
  // PCK certification data type 3 (encrypted PPID): needs a PCS fetch.
  auto q = ParseQuote(sgx);
  ASSERT_TRUE(q.ok());
  size_t type_off = 436 + 64 + 64 + 384 + 64 + 2 + q->qe_auth_data.size();
  ASSERT_EQ(sgx[type_off], 5);
  b = sgx;
  PutU16(b, type_off, 3);
  EXPECT_EQ(CodeOf(b), ErrorCode::kUnsupported);
}

TEST(IntelQuote, BadLengthsAreMalformed) {
  Bytes sgx = ReadSharedFile("vectors/sgx/dcapqvl-sgx-v3.bin");
  Bytes v4 = ReadSharedFile("vectors/tdx/dcapqvl-tdx-v4.bin");
  Bytes v5 = ReadSharedFile("vectors/tdx/gotdx-v5.bin");
  auto q3 = ParseQuote(sgx);
  ASSERT_TRUE(q3.ok());
  // Signature data length past the buffer.
  Bytes b = sgx;
  PutU32(b, 432, static_cast<uint32_t>(sgx.size()));
  EXPECT_EQ(CodeOf(b), ErrorCode::kMalformed);
  // A signature data length one byte short leaves the certification data overrunning it.
  b = sgx;
  PutU32(b, 432, q3->signature_data_len - 1);
  EXPECT_EQ(CodeOf(b), ErrorCode::kMalformed);
  // One byte longer (the buffer has room in v4's padding): a byte is left inside.
  auto q4 = ParseQuote(v4);
  ASSERT_TRUE(q4.ok());
  b = v4;
  PutU32(b, 632, q4->signature_data_len + 1);
  EXPECT_EQ(CodeOf(b), ErrorCode::kMalformed);
  // QE auth data size past the signature data.
  b = sgx;
  PutU16(b, 436 + 64 + 64 + 384 + 64, 0xffff);
  EXPECT_EQ(CodeOf(b), ErrorCode::kMalformed);
  // v5 body size that does not fit its type; body type contradicting the TEE type.
  b = v5;
  PutU32(b, 50, 584);
  EXPECT_EQ(CodeOf(b), ErrorCode::kMalformed);
  b = v5;
  PutU16(b, 48, 1);
  PutU32(b, 50, 384);
  EXPECT_EQ(CodeOf(b), ErrorCode::kMalformed);
  // v4 outer certification data must be type 6.
  b = v4;
  PutU16(b, 636 + 128, 5);
  EXPECT_EQ(CodeOf(b), ErrorCode::kMalformed);
  // v4 type-6 size past the signature data.
  b = v4;
  PutU32(b, 636 + 130, q4->signature_data_len);
  EXPECT_EQ(CodeOf(b), ErrorCode::kMalformed);
  // The body alone is not a quote; neither is an empty buffer.
  EXPECT_EQ(CodeOf(Bytes{}), ErrorCode::kMalformed);
  EXPECT_EQ(ParseSgxReportBody(ByteSpan(sgx).first(383)).error().code, ErrorCode::kMalformed);
}

TEST(IntelQuote, TrailingBytesAreIgnored) {
  Bytes b = ReadSharedFile("vectors/sgx/dcapqvl-sgx-v3.bin");
  size_t size = b.size();
  b.resize(size + 100, 0xAB);
  auto q = ParseQuote(b);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->quote_size, size);
}

}  // namespace
}  // namespace confide::attest::intel
