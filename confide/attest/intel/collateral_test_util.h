// Test-only helpers for the collateral tests: the vectors' quotes, their PCK leaf and extensions,
// their TD TCB inputs and QE report fields, and their collateral, by vector name.
#ifndef CONFIDE_ATTEST_INTEL_COLLATERAL_TEST_UTIL_H_
#define CONFIDE_ATTEST_INTEL_COLLATERAL_TEST_UTIL_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "confide/attest/intel/collateral.h"
#include "confide/attest/intel/pck_extensions.h"
#include "confide/attest/intel/qe_identity.h"
#include "confide/attest/intel/quote.h"
#include "confide/attest/intel/tcb_info.h"
#include "confide/base/check.h"
#include "confide/base/testing/shared_data.h"

namespace confide::attest::intel::testing {

inline Quote LoadQuote(const std::string& rel) {
  Result<Quote> q = ParseQuote(confide::testing::ReadSharedFile("vectors/" + rel));
  CONFIDE_CHECK(q.ok());
  return std::move(q).value();
}

inline std::vector<crypto::Certificate> PckChain(const Quote& q) {
  Result<std::vector<crypto::Certificate>> chain =
      crypto::Certificate::ChainFromPem(q.pck_chain_pem);
  CONFIDE_CHECK(chain.ok());
  return std::move(chain).value();
}

inline PckExtensions PckExt(const Quote& q) {
  Result<PckExtensions> ext = ParsePckExtensions(PckChain(q)[0]);
  CONFIDE_CHECK(ext.ok());
  return *ext;
}

inline std::optional<TdxTcbInput> TdxInput(const Quote& q) {
  if (!q.td) return std::nullopt;
  return TdxTcbInput{q.td->tee_tcb_svn, q.td->mrsignerseam, q.td->seam_attributes};
}

inline QeReportFields QeFields(const Quote& q) {
  return QeReportFields{q.qe_report.miscselect, q.qe_report.attributes, q.qe_report.mrsigner,
                        q.qe_report.isv_prod_id, q.qe_report.isv_svn};
}

inline std::string SharedText(const std::string& rel) {
  return ToString(confide::testing::ReadSharedFile("vectors/" + rel));
}

inline Time At(const char* rfc3339) {
  Result<Time> t = ParseRfc3339(rfc3339);
  CONFIDE_CHECK(t.ok());
  return *t;
}

inline crypto::Certificate IntelRoot() {
  Result<crypto::Certificate> root =
      crypto::Certificate::FromPem(SharedText("intel/intel-sgx-root-ca.pem"));
  CONFIDE_CHECK(root.ok());
  return *root;
}

// dcap-qvl collateral file ("sgx/dcapqvl-sgx-v3.collateral.json").
inline IntelCollateral DcapQvlCollateral(const std::string& rel) {
  Result<IntelCollateral> c = ParseDcapQvlCollateral(SharedText(rel));
  CONFIDE_CHECK(c.ok());
  return std::move(c).value();
}

// Separate PCS files: tcb info / QE identity responses, optional DER CRLs, a signing chain file.
inline IntelCollateral PcsFilesCollateral(const std::string& tcbinfo, const std::string& qeid,
                                          const std::string& pck_crl, const std::string& root_crl,
                                          const std::string& signing_chain) {
  IntelCollateral c;
  Result<SignedJson> t = ParsePcsSignedJson(SharedText(tcbinfo), "tcbInfo");
  CONFIDE_CHECK(t.ok());
  c.tcb_info_json = t->json;
  c.tcb_info_signature = t->signature;
  c.tcb_info_issuer_chain = SharedText(signing_chain);
  if (!qeid.empty()) {
    Result<SignedJson> q = ParsePcsSignedJson(SharedText(qeid), "enclaveIdentity");
    CONFIDE_CHECK(q.ok());
    c.qe_identity_json = q->json;
    c.qe_identity_signature = q->signature;
    c.qe_identity_issuer_chain = c.tcb_info_issuer_chain;
  }
  if (!pck_crl.empty()) c.pck_crl = confide::testing::ReadSharedFile("vectors/" + pck_crl);
  if (!root_crl.empty()) c.root_ca_crl = confide::testing::ReadSharedFile("vectors/" + root_crl);
  return c;
}

}  // namespace confide::attest::intel::testing

#endif  // CONFIDE_ATTEST_INTEL_COLLATERAL_TEST_UTIL_H_
