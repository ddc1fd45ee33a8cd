#include "confide/attest/intel/collateral.h"

#include <initializer_list>
#include <utility>

#include "confide/attest/intel/internal/intel_names.h"
#include "confide/attest/intel/internal/json_fields.h"
#include "confide/base/hex.h"
#include "confide/crypto/crl_signature.h"
#include "confide/crypto/ecdsa.h"

namespace confide::attest::intel {
namespace {

using internal::Json;

constexpr size_t kSignatureSize = 64;

// ---- Raw JSON scanning (exact value text of a PCS response) ----

size_t SkipWs(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  return i;
}

// End (one past the closing quote) of the string starting at s[i] == '"', or npos.
size_t SkipString(std::string_view s, size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// End of the JSON value starting at s[i]. The text was already validated by nlohmann, so only
// the extent matters here.
size_t SkipValue(std::string_view s, size_t i) {
  if (i >= s.size()) return std::string_view::npos;
  if (s[i] == '"') return SkipString(s, i);
  if (s[i] == '{' || s[i] == '[') {
    size_t depth = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (c == '"') {
        i = SkipString(s, i);
        if (i == std::string_view::npos) return i;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return std::string_view::npos;
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' &&
         s[i] != '\r' && s[i] != '\t') {
    ++i;
  }
  return i;
}

// The raw text of every top-level member named `key` (compared as the raw key text).
Result<std::vector<std::string_view>> RawMembers(std::string_view s, std::string_view key) {
  const Error bad = MalformedError("intel collateral: PCS response is not a flat JSON object");
  std::vector<std::string_view> out;
  size_t i = SkipWs(s, 0);
  if (i >= s.size() || s[i] != '{') return bad;
  i = SkipWs(s, i + 1);
  if (i < s.size() && s[i] == '}') return out;
  while (true) {
    if (i >= s.size() || s[i] != '"') return bad;
    const size_t key_end = SkipString(s, i);
    if (key_end == std::string_view::npos) return bad;
    const std::string_view raw_key = s.substr(i + 1, key_end - i - 2);
    i = SkipWs(s, key_end);
    if (i >= s.size() || s[i] != ':') return bad;
    i = SkipWs(s, i + 1);
    const size_t value_end = SkipValue(s, i);
    if (value_end == std::string_view::npos) return bad;
    if (raw_key == key) out.push_back(s.substr(i, value_end - i));
    i = SkipWs(s, value_end);
    if (i < s.size() && s[i] == ',') {
      i = SkipWs(s, i + 1);
      continue;
    }
    if (i < s.size() && s[i] == '}') return out;
    return bad;
  }
}

Result<Bytes> DecodeSignature(const std::string& hex, std::string_view what) {
  Result<Bytes> sig = HexDecode(hex);
  if (!sig.ok() || sig->size() != kSignatureSize) {
    return MalformedError("intel collateral: " + std::string(what) + " is not 64 bytes of hex");
  }
  return std::move(sig).value();
}

// ---- Verification helpers ----

struct Decision {
  CollateralFailure failure = CollateralFailure::kNone;
  std::string detail;
};

CollateralFailure FromChain(crypto::ChainFailure f) {
  switch (f) {
    case crypto::ChainFailure::kNone:
      return CollateralFailure::kNone;
    case crypto::ChainFailure::kExpired:
      return CollateralFailure::kCertExpired;
    case crypto::ChainFailure::kNotYetValid:
      return CollateralFailure::kCertNotYetValid;
    case crypto::ChainFailure::kRevoked:
      return CollateralFailure::kRevoked;
    case crypto::ChainFailure::kCrlExpired:
      return CollateralFailure::kCollateralExpired;
    case crypto::ChainFailure::kCrlInvalid:
      return CollateralFailure::kCrlInvalid;
    case crypto::ChainFailure::kUntrusted:
    case crypto::ChainFailure::kBadSignature:
      break;
  }
  return CollateralFailure::kChainUntrusted;
}

// Verifies a PEM issuer chain (leaf first) to `root` at `now` and returns its leaf, which must
// carry one of the CNs `want_cn` (a PCK leaf chains to the root too, but signs no collateral).
Result<crypto::Certificate> VerifyIssuerChain(const std::string& pem, std::string_view what,
                                              std::initializer_list<std::string_view> want_cn,
                                              const crypto::Certificate& root, Time now,
                                              Decision* d) {
  CONFIDE_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> certs,
                           crypto::Certificate::ChainFromPem(pem));
  bool named = false;
  for (std::string_view cn : want_cn) named = named || internal::HasCn(certs[0].subject(), cn);
  if (!named) {
    d->failure = CollateralFailure::kChainUntrusted;
    d->detail = std::string(what) + " issuer chain starts with " + certs[0].subject();
    return certs[0];
  }
  std::vector<crypto::Certificate> rest(certs.begin() + 1, certs.end());
  CONFIDE_ASSIGN_OR_RETURN(crypto::ChainResult r,
                           crypto::VerifyChain(certs[0], rest, {root}, {}, {.now = now}));
  if (!r.ok()) {
    d->failure = FromChain(r.failure);
    d->detail = std::string(what) + " issuer chain: " + r.detail;
  }
  return certs[0];
}

bool SignedBy(const crypto::Certificate& signer, std::string_view json, ByteSpan signature) {
  return crypto::EcdsaVerify(signer.public_key(), crypto::HashAlg::kSha256, AsBytes(json),
                             signature, crypto::SigFormat::kRawBigEndian);
}

bool Within(Time now, Time from, Time to) { return from <= now && now <= to; }

}  // namespace

Result<SignedJson> ParsePcsSignedJson(std::string_view body, std::string_view key) {
  const std::string what = "intel collateral: PCS " + std::string(key) + " response";
  CONFIDE_ASSIGN_OR_RETURN(Json j, internal::ParseJsonObject(body, what));
  const Json* value = internal::Find(j, key);
  if (value == nullptr || !value->is_object()) {
    return MalformedError(what + ": no '" + std::string(key) + "' object");
  }
  CONFIDE_ASSIGN_OR_RETURN(std::vector<std::string_view> raw, RawMembers(body, key));
  if (raw.size() != 1) return MalformedError(what + ": '" + std::string(key) + "' not unique");
  // The raw text must be what nlohmann saw (guards against escaped or duplicated keys).
  Json reparsed = Json::parse(raw[0], nullptr, false);
  if (reparsed.is_discarded() || reparsed != *value) {
    return MalformedError(what + ": ambiguous '" + std::string(key) + "' member");
  }
  CONFIDE_ASSIGN_OR_RETURN(std::string sig_hex, internal::GetString(j, "signature", what));
  SignedJson out;
  out.json = std::string(raw[0]);
  CONFIDE_ASSIGN_OR_RETURN(out.signature, DecodeSignature(sig_hex, "signature"));
  return out;
}

Result<IntelCollateral> ParseDcapQvlCollateral(std::string_view json_text) {
  constexpr std::string_view what = "intel collateral";
  CONFIDE_ASSIGN_OR_RETURN(Json j, internal::ParseJsonObject(json_text, what));
  IntelCollateral out;
  auto text = [&](std::string_view key, std::string* to) -> Status {
    if (internal::Find(j, key) == nullptr) return OkStatus();
    CONFIDE_ASSIGN_OR_RETURN(*to, internal::GetString(j, key, what));
    return OkStatus();
  };
  auto hex = [&](std::string_view key, Bytes* to, bool signature) -> Status {
    if (internal::Find(j, key) == nullptr) return OkStatus();
    CONFIDE_ASSIGN_OR_RETURN(std::string h, internal::GetString(j, key, what));
    if (signature) {
      CONFIDE_ASSIGN_OR_RETURN(*to, DecodeSignature(h, key));
      return OkStatus();
    }
    Result<Bytes> b = HexDecode(h);
    if (!b.ok()) return internal::JsonError(what, key, "not hex");
    *to = std::move(b).value();
    return OkStatus();
  };
  CONFIDE_TRY(text("tcb_info", &out.tcb_info_json));
  CONFIDE_TRY(hex("tcb_info_signature", &out.tcb_info_signature, true));
  CONFIDE_TRY(text("tcb_info_issuer_chain", &out.tcb_info_issuer_chain));
  CONFIDE_TRY(text("qe_identity", &out.qe_identity_json));
  CONFIDE_TRY(hex("qe_identity_signature", &out.qe_identity_signature, true));
  CONFIDE_TRY(text("qe_identity_issuer_chain", &out.qe_identity_issuer_chain));
  CONFIDE_TRY(hex("pck_crl", &out.pck_crl, false));
  CONFIDE_TRY(text("pck_crl_issuer_chain", &out.pck_crl_issuer_chain));
  CONFIDE_TRY(hex("root_ca_crl", &out.root_ca_crl, false));
  return out;
}

Result<IntelCollateral> DecodeIntelCollateral(ByteSpan bytes) {
  return ParseDcapQvlCollateral(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Bytes EncodeIntelCollateral(const IntelCollateral& c) {
  Json j = Json::object();
  auto put = [&](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  put("tcb_info", c.tcb_info_json);
  put("tcb_info_signature", c.tcb_info_signature.empty() ? "" : HexEncode(c.tcb_info_signature));
  put("tcb_info_issuer_chain", c.tcb_info_issuer_chain);
  put("qe_identity", c.qe_identity_json);
  put("qe_identity_signature",
      c.qe_identity_signature.empty() ? "" : HexEncode(c.qe_identity_signature));
  put("qe_identity_issuer_chain", c.qe_identity_issuer_chain);
  put("pck_crl", c.pck_crl.empty() ? "" : HexEncode(c.pck_crl));
  put("pck_crl_issuer_chain", c.pck_crl_issuer_chain);
  put("root_ca_crl", c.root_ca_crl.empty() ? "" : HexEncode(c.root_ca_crl));
  // Invalid UTF-8 cannot come from a parsed source; `replace` keeps dump() from throwing anyway.
  const std::string text = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  return Bytes(text.begin(), text.end());
}

std::string_view CollateralFailureName(CollateralFailure f) {
  switch (f) {
    case CollateralFailure::kNone:
      return "OK";
    case CollateralFailure::kMissing:
      return "MISSING";
    case CollateralFailure::kChainUntrusted:
      return "CHAIN_UNTRUSTED";
    case CollateralFailure::kCertExpired:
      return "CERT_EXPIRED";
    case CollateralFailure::kCertNotYetValid:
      return "CERT_NOT_YET_VALID";
    case CollateralFailure::kRevoked:
      return "REVOKED";
    case CollateralFailure::kSignatureInvalid:
      return "SIGNATURE_INVALID";
    case CollateralFailure::kCrlInvalid:
      return "CRL_INVALID";
    case CollateralFailure::kCollateralExpired:
      return "COLLATERAL_EXPIRED";
  }
  return "UNKNOWN";
}

Result<VerifiedCollateral> VerifyCollateral(const IntelCollateral& c,
                                            const crypto::Certificate& intel_root,
                                            const CollateralOptions& opts) {
  VerifiedCollateral out;
  auto fail = [&](CollateralFailure f, std::string detail) {
    out.failure = f;
    out.detail = std::move(detail);
    return out;
  };
  const bool has_qe = !c.qe_identity_json.empty();
  const bool has_crls = !c.pck_crl.empty() && !c.root_ca_crl.empty();
  // 1. Presence.
  if (c.tcb_info_json.empty()) return fail(CollateralFailure::kMissing, "no tcb info");
  if (c.tcb_info_issuer_chain.empty()) {
    return fail(CollateralFailure::kMissing, "no tcb info issuer chain");
  }
  if (opts.require_qe_identity && !has_qe)
    return fail(CollateralFailure::kMissing, "no qe identity");
  if (has_qe && c.qe_identity_issuer_chain.empty()) {
    return fail(CollateralFailure::kMissing, "no qe identity issuer chain");
  }
  if (opts.require_crls && !has_crls)
    return fail(CollateralFailure::kMissing, "no pck or root crl");

  std::optional<crypto::Crl> root_crl;
  std::optional<crypto::Crl> pck_crl;
  if (!c.root_ca_crl.empty()) {
    CONFIDE_ASSIGN_OR_RETURN(root_crl, crypto::Crl::FromDer(c.root_ca_crl));
  }
  if (!c.pck_crl.empty()) {
    CONFIDE_ASSIGN_OR_RETURN(pck_crl, crypto::Crl::FromDer(c.pck_crl));
  }

  // 2. Issuer chains, and revocation of their CAs by the root CRL.
  Decision d;
  CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate tcb_signer,
                           VerifyIssuerChain(c.tcb_info_issuer_chain, "tcb info",
                                             {internal::kCnTcbSigning}, intel_root, opts.now, &d));
  if (d.failure != CollateralFailure::kNone) return fail(d.failure, d.detail);
  std::optional<crypto::Certificate> qe_signer;
  if (has_qe) {
    CONFIDE_ASSIGN_OR_RETURN(
        qe_signer, VerifyIssuerChain(c.qe_identity_issuer_chain, "qe identity",
                                     {internal::kCnTcbSigning}, intel_root, opts.now, &d));
    if (d.failure != CollateralFailure::kNone) return fail(d.failure, d.detail);
  }
  std::vector<crypto::Certificate> pck_crl_issuers = opts.pck_crl_issuers;
  if (!c.pck_crl_issuer_chain.empty()) {
    CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate pck_ca,
                             VerifyIssuerChain(c.pck_crl_issuer_chain, "pck crl",
                                               {internal::kCnPlatform, internal::kCnProcessor},
                                               intel_root, opts.now, &d));
    if (d.failure != CollateralFailure::kNone) return fail(d.failure, d.detail);
    pck_crl_issuers = {pck_ca};
  }

  // 3. Signatures over the exact JSON text, then parsing.
  if (!SignedBy(tcb_signer, c.tcb_info_json, c.tcb_info_signature)) {
    return fail(CollateralFailure::kSignatureInvalid, "tcb info signature does not verify");
  }
  CONFIDE_ASSIGN_OR_RETURN(out.tcb_info, ParseTcbInfo(c.tcb_info_json));
  if (has_qe) {
    if (!SignedBy(*qe_signer, c.qe_identity_json, c.qe_identity_signature)) {
      return fail(CollateralFailure::kSignatureInvalid, "qe identity signature does not verify");
    }
    CONFIDE_ASSIGN_OR_RETURN(out.qe_identity, ParseQeIdentity(c.qe_identity_json));
  }

  // 4. CRL signatures, then revocation of the collateral's own CAs.
  if (root_crl) {
    if (!crypto::CrlIsSignedBy(*root_crl, intel_root)) {
      return fail(CollateralFailure::kCrlInvalid, "root ca crl is not signed by the intel root");
    }
    out.crls.push_back(*root_crl);
    if (root_crl->IsRevoked(tcb_signer) || (qe_signer && root_crl->IsRevoked(*qe_signer))) {
      return fail(CollateralFailure::kRevoked, "tcb signing certificate revoked by the root crl");
    }
  }
  if (pck_crl) {
    const crypto::Certificate* issuer = nullptr;
    for (const crypto::Certificate& cand : pck_crl_issuers) {
      const bool pck_ca = internal::HasCn(cand.subject(), internal::kCnPlatform) ||
                          internal::HasCn(cand.subject(), internal::kCnProcessor);
      if (pck_ca && cand.subject() == pck_crl->issuer() && crypto::CrlIsSignedBy(*pck_crl, cand)) {
        issuer = &cand;
        break;
      }
    }
    if (issuer == nullptr) {
      return fail(CollateralFailure::kCrlInvalid,
                  "pck crl (" + pck_crl->issuer() + ") is not signed by a known pck ca");
    }
    if (root_crl && root_crl->IsRevoked(*issuer)) {
      return fail(CollateralFailure::kRevoked, "pck crl issuer revoked by the root crl");
    }
    out.crls.push_back(*pck_crl);
  }

  // 5. Validity windows.
  if (!Within(opts.now, out.tcb_info->issue_date, out.tcb_info->next_update)) {
    return fail(CollateralFailure::kCollateralExpired,
                "tcb info valid " + FormatRfc3339(out.tcb_info->issue_date) + ".." +
                    FormatRfc3339(out.tcb_info->next_update) + ", now " + FormatRfc3339(opts.now));
  }
  if (out.qe_identity &&
      !Within(opts.now, out.qe_identity->issue_date, out.qe_identity->next_update)) {
    return fail(CollateralFailure::kCollateralExpired,
                "qe identity valid " + FormatRfc3339(out.qe_identity->issue_date) + ".." +
                    FormatRfc3339(out.qe_identity->next_update) + ", now " +
                    FormatRfc3339(opts.now));
  }
  for (const crypto::Crl& crl : out.crls) {
    const std::optional<Time> next = crl.next_update();
    if (opts.now < crl.this_update() || !next || *next < opts.now) {
      return fail(CollateralFailure::kCollateralExpired,
                  "crl of " + crl.issuer() + " not valid at " + FormatRfc3339(opts.now));
    }
  }
  return out;
}

}  // namespace confide::attest::intel
