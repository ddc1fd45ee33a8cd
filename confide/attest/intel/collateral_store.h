// A local directory of Intel collateral (docs/formats/intel-collateral.md), what
// `confide collateral import` writes and the verifier reads. Everything is stored as received
// from PCS/PCCS, so every signature stays verifiable:
//
//   <dir>/tcb_info/<sgx|tdx>-<fmspc hex>.json   PCS TCB info response {"tcbInfo":…,"signature":…}
//   <dir>/qe_identity/<qe|td_qe>.json           PCS enclave identity response
//   <dir>/tcb_signing_chain.pem                 TCB-Info-Issuer-Chain (TCB Signing, root)
//   <dir>/root_ca.crl                           Intel SGX Root CA CRL (DER)
//   <dir>/pck_crl/<platform|processor>.crl      PCK CA CRL (DER)
//   <dir>/pck_crl/<platform|processor>_chain.pem   SGX-PCK-CRL-Issuer-Chain (PCK CA, root)
//
//   CONFIDE_ASSIGN_OR_RETURN(ImportReport r, ImportCollateral(dir, files, root, {}));
//   CONFIDE_ASSIGN_OR_RETURN(IntelCollateral c, LoadStoredCollateral(dir, fmspc, true, kPlatform));
#ifndef CONFIDE_ATTEST_INTEL_COLLATERAL_STORE_H_
#define CONFIDE_ATTEST_INTEL_COLLATERAL_STORE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "confide/attest/intel/collateral.h"
#include "confide/base/bytes.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"
#include "confide/crypto/x509.h"

namespace confide::attest::intel {

enum class PckCaKind { kPlatform, kProcessor };

// The PCK CA that issued `pck_leaf`, from its issuer CN ("Intel SGX PCK Platform CA" /
// "Intel SGX PCK Processor CA"); kMalformed for anything else.
Result<PckCaKind> PckCaKindOf(const crypto::Certificate& pck_leaf);

// One input file's bytes; its kind is recognised from the content:
//  - PEM certificates: an issuer chain, by its first certificate's CN (TCB Signing, PCK
//    Platform CA, PCK Processor CA);
//  - a JSON object with "tcbInfo" or "enclaveIdentity": a PCS response;
//  - a JSON object with dcap-qvl collateral keys ("tcb_info", "pck_crl", ...): split up;
//  - a CRL as DER, PEM ("X509 CRL") or hex of the DER: by its issuer CN (root, Platform CA,
//    Processor CA).
struct ImportFile {
  std::string name;  // for messages
  Bytes bytes;
};

struct ImportOptions {
  // Signatures are always checked. Chains are checked at this time when set; otherwise each
  // piece's chain is checked at the piece's own issue time (TCB info / identity issueDate, CRL
  // thisUpdate): import proves authenticity, the verifier checks freshness later.
  std::optional<Time> at;
};

struct ImportReport {
  std::vector<std::string> written;  // paths relative to the directory, in write order
  // TCB infos, QE identities and CRLs not written because the stored file was issued later (no
  // rollback to older collateral); paths relative to the directory.
  std::vector<std::string> kept_newer;
};

// Recognises every file, verifies every piece (TCB info and QE identity: ECDSA over the exact
// text by the TCB Signing certificate of a chain to `intel_root`, taken from the inputs or the
// directory; CRLs: signed by the root or by their PCK CA chain to the root), then writes them
// all (except where the store already holds a later issue: ImportReport::kept_newer). Nothing
// is written if any piece is unrecognised or fails (kVerificationFailed names it;
// kMalformed for undecodable input). Existing files of the same name are replaced.
Result<ImportReport> ImportCollateral(const std::string& dir, const std::vector<ImportFile>& files,
                                      const crypto::Certificate& intel_root,
                                      const ImportOptions& opts);

// Assembles the collateral for one platform from the directory: the TCB info for (`tdx`,
// `fmspc`), the QE identity ("td_qe" for TDX, else "qe"), the TCB signing chain, the root CRL,
// and the PCK CRL and chain of `ca`. Missing optional pieces (QE identity, CRLs) are left empty
// for VerifyCollateral to judge; a missing TCB info or signing chain is kNotFound. Does not
// verify anything.
Result<IntelCollateral> LoadStoredCollateral(const std::string& dir,
                                             const std::array<uint8_t, 6>& fmspc, bool tdx,
                                             PckCaKind ca);

}  // namespace confide::attest::intel

#endif  // CONFIDE_ATTEST_INTEL_COLLATERAL_STORE_H_
