// The binding between evidence and keys (DESIGN.md "The binding between evidence and keys";
// CCC interoperable RA-TLS, notes/protocols.md §3.1): a deterministic CBOR claims map whose
// SHA-256 fills the first half of the evidence's 64-byte report_data.
//
//   BindingClaims c{.pubkey_hash = PubkeyHashOf(spki_der), .nonce = nonce};
//   Bytes claims = EncodeBindingClaims(c);
//   auto report_data = ReportDataFor(claims);           // give to the TEE
//   std::vector<Check> checks = CheckBinding(claims, claims_from_evidence.report_data,
//                                            {.tls_spki_der = peer_spki, .nonce = nonce});
//
// Why a hand-written CBOR codec and not libcbor: libcbor 0.8 accepts non-shortest heads and
// does not expose them after decoding, so it cannot reject non-deterministic input, and we need
// a strict decoder whose accepted input re-encodes to the same bytes. The subset is tiny (one
// map of text keys), and the codec runs over base's ByteReader/ByteWriter like every parser.
#ifndef CONFIDE_ATTEST_BINDING_H_
#define CONFIDE_ATTEST_BINDING_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "confide/attest/appraisal.h"
#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide::attest {

// CoSWID/CoRIM hash-entry [alg-id, hash-value]; alg ids from the IANA Named Information Hash
// Algorithm registry: 1 sha-256, 7 sha-384, 8 sha-512 (the ones CCC RA-TLS verifiers support).
struct HashEntry {
  uint64_t alg = 1;
  Bytes digest;
  bool operator==(const HashEntry&) const = default;
};
inline constexpr uint64_t kHashAlgSha256 = 1;
inline constexpr uint64_t kHashAlgSha384 = 7;
inline constexpr uint64_t kHashAlgSha512 = 8;

// The claims map. Every field is optional on the wire; which ones must be present is the
// verifier's decision (BindingExpectations, policy).
struct BindingClaims {
  std::optional<HashEntry> pubkey_hash;             // "pubkey-hash": hash of the TLS key's DER SPKI
  std::optional<Bytes> hpke_pub;                    // "hpke-pub": the TEE's HPKE public key
  std::optional<Bytes> nonce;                       // "nonce": the verifier's challenge
  std::optional<std::array<uint8_t, 32>> workload;  // "workload": SHA-256 of manifests + config
  // Entries with other text keys, kept verbatim (key, encoded CBOR value) so that decoding and
  // re-encoding is the identity and newer attesters can add claims. Never interpreted.
  std::vector<std::pair<std::string, Bytes>> unknown;
  bool operator==(const BindingClaims&) const = default;
};

// {kHashAlgSha256, SHA-256(spki_der)}: the pubkey-hash confide attesters write.
HashEntry PubkeyHashOf(ByteSpan spki_der);

// Deterministic CBOR (RFC 8949 §4.2.1): shortest heads, definite lengths, map keys sorted
// bytewise by their encoding (so "nonce" < "hpke-pub" < "workload" < "pubkey-hash").
// Precondition (CONFIDE_CHECK): `unknown` keys are distinct and differ from the four known
// names, and their values are well-formed deterministic CBOR, as DecodeBindingClaims makes them.
Bytes EncodeBindingClaims(const BindingClaims& claims);

// Strict decoder; accepted input re-encodes to exactly the same bytes. Errors (kMalformed, with
// the offset): not a map; indefinite lengths; non-shortest heads; keys not text, not valid
// UTF-8, out of order or duplicated; a known key with the wrong type ("pubkey-hash" not
// [uint, bstr], "workload" not 32 bytes); trailing bytes; nesting deeper than 16.
// kUnsupported: a pubkey-hash alg other than 1/7/8 (or a digest of the wrong size for it),
// floats or unassigned simple values inside unknown entries. Unknown keys are tolerated (kept
// in `unknown`), duplicates never. Does not judge the values (see CheckBinding).
Result<BindingClaims> DecodeBindingClaims(ByteSpan cbor);

// SHA-256(claims_cbor) || 32 zero bytes: the report_data confide attesters request.
std::array<uint8_t, 64> ReportDataFor(ByteSpan claims_cbor);

// What the verifier saw or expects; each unset field is not checked (its Check says so).
struct BindingExpectations {
  std::optional<Bytes> tls_spki_der;  // the TLS key of this connection (DER SubjectPublicKeyInfo)
  std::optional<Bytes> nonce;         // the nonce this verifier sent
  std::optional<Bytes> hpke_pub;      // the HPKE key the caller is about to encrypt to
  std::vector<std::array<uint8_t, 32>> workloads;  // accepted workload digests; empty = any
};

// Checks the binding, returning every check it ran, in order:
//   "binding_report_data" — report_data == ReportDataFor(claims_cbor) (constant time). On
//       failure nothing else is checked (the claims are not bound to the evidence).
//   "binding_claims"      — the claims decode (DecodeBindingClaims).
//   "binding_pubkey_hash", "binding_hpke_pub", "binding_workload" — each equals what the
//       verifier saw/expects. "binding_nonce" fails with kNonceMismatch; the rest with
//       kKeyBindingMismatch. A missing claim that is expected fails.
// `report_data` must be the *verified* evidence's report_data. Spans are only read during the
// call. Thread safe.
std::vector<Check> CheckBinding(ByteSpan claims_cbor, ByteSpan report_data,
                                const BindingExpectations& expect);

}  // namespace confide::attest

#endif  // CONFIDE_ATTEST_BINDING_H_
