// Reading SEV-SNP evidence and its certificates from files, for `confide attest verify/show`.
//
// Where the certificates come from, first match wins for each:
//   1. --certs DIR: vcek.{der,pem}, vlek.{der,pem}, ask.pem, asvk.pem, ark.pem, *.crl (DER or PEM);
//      files named "<evidence stem>.vcek.der" etc. beside the evidence are found the same way.
//   2. a certificate table (extended report, GUID table) in EVIDENCE.certs or --cert-table FILE;
//      its ARK entry is offered as a simulator root (it is trusted only if the policy says so).
//   3. AMD's ASK/ASVK for the report's generation, built into confide.
#ifndef CONFIDE_APPS_CONFIDE_EVIDENCE_FILES_H_
#define CONFIDE_APPS_CONFIDE_EVIDENCE_FILES_H_

#include <string>

#include "confide/attest/snp_appraise.h"
#include "confide/base/result.h"

namespace confide::cli {

struct EvidenceSources {
  std::string evidence_path;
  std::string certs_dir;        // may be empty
  std::string cert_table_path;  // may be empty: then EVIDENCE.certs if it exists
};

// kNotFound when no VCEK/VLEK can be found anywhere (the message says where it looked).
Result<attest::SnpEvidence> LoadSnpEvidence(const EvidenceSources& sources);

}  // namespace confide::cli

#endif  // CONFIDE_APPS_CONFIDE_EVIDENCE_FILES_H_
