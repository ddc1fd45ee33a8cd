#include "confide/attest/intel/quote.h"

#include <string>

namespace confide::attest::intel {
namespace {

Error FieldError(const ByteReader& r, size_t base, const char* what) {
  return MalformedError(std::string("intel quote: ") + what + " at offset " +
                        std::to_string(base + r.offset()));
}

// SGX REPORT body (Intel SDM vol. 3D, REPORT; DCAP quote format "SGX Report Body").
bool ReadSgxBody(ByteReader& r, SgxReportBody& out) {
  return r.ReadArray(&out.cpusvn) && r.ReadU32Le(&out.miscselect) && r.Skip(12) &&
         r.ReadArray(&out.isv_ext_prod_id) && r.ReadArray(&out.attributes) &&
         r.ReadArray(&out.mrenclave) && r.Skip(32) && r.ReadArray(&out.mrsigner) &&
         r.Skip(32) && r.ReadArray(&out.config_id) && r.ReadU16Le(&out.isv_prod_id) &&
         r.ReadU16Le(&out.isv_svn) && r.ReadU16Le(&out.config_svn) && r.Skip(42) &&
         r.ReadArray(&out.isv_family_id) && r.ReadArray(&out.report_data);
}

// TD report body (TDX DCAP quote v4 "TD Quote Body", v5 "TD Quote Body Descriptor" 1.5).
bool ReadTdBody(ByteReader& r, bool td15, TdReportBody& out) {
  out.td15 = td15;
  bool ok = r.ReadArray(&out.tee_tcb_svn) && r.ReadArray(&out.mrseam) &&
            r.ReadArray(&out.mrsignerseam) && r.ReadArray(&out.seam_attributes) &&
            r.ReadArray(&out.td_attributes) && r.ReadArray(&out.xfam) && r.ReadArray(&out.mrtd) &&
            r.ReadArray(&out.mrconfigid) && r.ReadArray(&out.mrowner) &&
            r.ReadArray(&out.mrownerconfig);
  for (auto& m : out.rtmr) ok = ok && r.ReadArray(&m);
  ok = ok && r.ReadArray(&out.report_data);
  if (td15) ok = ok && r.ReadArray(&out.tee_tcb_svn2) && r.ReadArray(&out.mrservicetd);
  return ok;
}

Status ReadHeader(ByteReader& r, QuoteHeader& h) {
  if (!r.ReadU16Le(&h.version)) return FieldError(r, 0, "truncated version");
  if (h.version != 3 && h.version != 4 && h.version != 5) {
    return UnsupportedError("intel quote: version " + std::to_string(h.version) +
                            " (known: 3, 4, 5)");
  }
  if (!r.ReadU16Le(&h.att_key_type)) return FieldError(r, 0, "truncated attestation key type");
  if (h.att_key_type != kAttKeyTypeEcdsaP256) {
    return UnsupportedError("intel quote: attestation key type " +
                            std::to_string(h.att_key_type) + " (known: 2, ECDSA P-256)");
  }
  if (!r.ReadU32Le(&h.tee_type)) return FieldError(r, 0, "truncated TEE type");
  if (h.version >= 4 && h.tee_type != kTeeTypeSgx && h.tee_type != kTeeTypeTdx) {
    return UnsupportedError("intel quote: TEE type " + std::to_string(h.tee_type));
  }
  if (!r.ReadU16Le(&h.qe_svn) || !r.ReadU16Le(&h.pce_svn) || !r.ReadArray(&h.qe_vendor_id) ||
      !r.ReadArray(&h.user_data)) {
    return FieldError(r, 0, "truncated header");
  }
  return OkStatus();
}

size_t BodySize(BodyType t) {
  switch (t) {
    case BodyType::kSgx: return kSgxReportBodySize;
    case BodyType::kTd10: return kTd10ReportBodySize;
    case BodyType::kTd15: return kTd15ReportBodySize;
  }
  return 0;
}

// v3: the body follows the header; v4: its type comes from tee_type; v5: a descriptor
// (u16 type, u32 size) precedes it and is part of the signed bytes.
Status ReadBody(ByteReader& r, Quote& q) {
  if (q.header.version == 3) {
    q.body_type = BodyType::kSgx;
  } else if (q.header.version == 4) {
    q.body_type = q.header.tee_type == kTeeTypeTdx ? BodyType::kTd10 : BodyType::kSgx;
  } else {
    uint16_t type = 0;
    uint32_t size = 0;
    if (!r.ReadU16Le(&type)) return FieldError(r, 0, "truncated body type");
    if (type < 1 || type > 3) {
      return UnsupportedError("intel quote: v5 body type " + std::to_string(type) +
                              " (known: 1, 2, 3)");
    }
    q.body_type = static_cast<BodyType>(type);
    if (!r.ReadU32Le(&size)) return FieldError(r, 0, "truncated body size");
    if (size != BodySize(q.body_type)) {
      return MalformedError("intel quote: v5 body size " + std::to_string(size) + " for type " +
                            BodyTypeName(q.body_type));
    }
    bool tdx_type = q.body_type != BodyType::kSgx;
    if (tdx_type != (q.header.tee_type == kTeeTypeTdx)) {
      return MalformedError("intel quote: v5 body type contradicts the header TEE type");
    }
  }
  size_t start = r.offset();
  ByteReader body(ByteSpan{});
  if (!r.ReadSubReader(BodySize(q.body_type), &body)) return FieldError(r, 0, "truncated body");
  if (q.body_type == BodyType::kSgx) {
    q.sgx.emplace();
    if (!ReadSgxBody(body, *q.sgx)) return FieldError(body, start, "bad SGX body");
  } else {
    q.td.emplace();
    if (!ReadTdBody(body, q.body_type == BodyType::kTd15, *q.td)) {
      return FieldError(body, start, "bad TD body");
    }
  }
  return OkStatus();
}

// QE report (384) || QE report signature (64) || u16 auth size || auth || u16 type || u32 size
// || certification data. `base` is the absolute offset of `r`'s start, for messages.
Status ReadQeSection(ByteReader& r, size_t base, Quote& q) {
  ByteSpan qe;
  if (!r.ReadSpan(kSgxReportBodySize, &qe)) return FieldError(r, base, "truncated QE report");
  q.qe_report_bytes.assign(qe.begin(), qe.end());
  ByteReader qr(qe);
  if (!ReadSgxBody(qr, q.qe_report)) return FieldError(r, base, "bad QE report");
  if (!r.ReadArray(&q.qe_report_signature)) {
    return FieldError(r, base, "truncated QE report signature");
  }
  ByteSpan auth;
  if (!r.ReadPrefixedU16Le(&auth)) return FieldError(r, base, "truncated QE auth data");
  q.qe_auth_data.assign(auth.begin(), auth.end());
  uint32_t size = 0;
  if (!r.ReadU16Le(&q.cert_data_type) || !r.ReadU32Le(&size)) {
    return FieldError(r, base, "truncated certification data header");
  }
  if (q.cert_data_type != kCertDataPckChain) {
    return UnsupportedError("intel quote: certification data type " +
                            std::to_string(q.cert_data_type) + " (known: 5, PCK chain)");
  }
  ByteSpan pem;
  if (!r.ReadSpan(size, &pem)) return FieldError(r, base, "certification data overruns");
  q.pck_chain_pem.assign(pem.begin(), pem.end());
  return OkStatus();
}

Status ReadSignatureData(ByteReader& r, Quote& q) {
  if (!r.ReadU32Le(&q.signature_data_len)) {
    return FieldError(r, 0, "truncated signature data length");
  }
  size_t base = r.offset();
  ByteReader sd(ByteSpan{});
  if (!r.ReadSubReader(q.signature_data_len, &sd)) {
    return FieldError(r, 0, "signature data overruns the buffer");
  }
  if (!sd.ReadArray(&q.signature) || !sd.ReadArray(&q.attestation_key)) {
    return FieldError(sd, base, "truncated signature or attestation key");
  }
  if (q.header.version == 3) {
    CONFIDE_TRY(ReadQeSection(sd, base, q));
  } else {
    uint16_t type = 0;
    uint32_t size = 0;
    if (!sd.ReadU16Le(&type) || !sd.ReadU32Le(&size)) {
      return FieldError(sd, base, "truncated certification data header");
    }
    if (type != kCertDataQeReport) {
      return MalformedError("intel quote: v4/v5 certification data type " +
                            std::to_string(type) + " (expected 6, QE report)");
    }
    size_t inner_base = base + sd.offset();
    ByteReader inner(ByteSpan{});
    if (!sd.ReadSubReader(size, &inner)) {
      return FieldError(sd, base, "QE report certification data overruns");
    }
    CONFIDE_TRY(ReadQeSection(inner, inner_base, q));
    if (!inner.empty()) return FieldError(inner, inner_base, "bytes left in type-6 data");
  }
  if (!sd.empty()) return FieldError(sd, base, "bytes left in signature data");
  return OkStatus();
}

}  // namespace

const char* BodyTypeName(BodyType type) {
  switch (type) {
    case BodyType::kSgx: return "sgx";
    case BodyType::kTd10: return "td1.0";
    case BodyType::kTd15: return "td1.5";
  }
  return "unknown";
}

Result<SgxReportBody> ParseSgxReportBody(ByteSpan bytes) {
  if (bytes.size() != kSgxReportBodySize) {
    return MalformedError("intel quote: SGX report body of " + std::to_string(bytes.size()) +
                          " bytes (expected 384)");
  }
  ByteReader r(bytes);
  SgxReportBody body;
  if (!ReadSgxBody(r, body)) return MalformedError("intel quote: bad SGX report body");
  return body;
}

Result<Quote> ParseQuote(ByteSpan bytes) {
  ByteReader r(bytes);
  Quote q;
  CONFIDE_TRY(ReadHeader(r, q.header));
  CONFIDE_TRY(ReadBody(r, q));
  ByteSpan signed_part = bytes.first(r.offset());
  q.signed_bytes.assign(signed_part.begin(), signed_part.end());
  CONFIDE_TRY(ReadSignatureData(r, q));
  q.quote_size = r.offset();
  return q;
}

}  // namespace confide::attest::intel
