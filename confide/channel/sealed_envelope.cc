#include "confide/channel/sealed_envelope.h"

#include <array>

#include "confide/crypto/hpke.h"

namespace confide::channel {

namespace {

namespace hpke = crypto::hpke;

constexpr hpke::Suite kSuite{hpke::KemId::kX25519HkdfSha256, hpke::KdfId::kHkdfSha256,
                             hpke::AeadId::kAes256Gcm};
constexpr std::array<uint8_t, 8> kRequestMagic = {'C', 'F', 'S', 'R', 'E', 'Q', '0', '1'};
constexpr std::array<uint8_t, 8> kResponseMagic = {'C', 'F', 'S', 'R', 'S', 'P', '0', '1'};
constexpr std::string_view kRequestInfo = "confide sealed request v1";
constexpr std::string_view kResponseInfo = "confide sealed response v1";
constexpr uint32_t kNoJsonLen = 0xffffffff;
constexpr size_t kEncSize = 32;

void WriteBody(ByteWriter& w, const EnvelopeBody& b) {
  w.WriteU32Be(b.json_len ? static_cast<uint32_t>(*b.json_len) : kNoJsonLen);
  w.WriteBytes(AsBytes(b.body));
}

Result<EnvelopeBody> ReadBody(ByteReader& r) {
  uint32_t json_len = 0;
  if (!r.ReadU32Be(&json_len)) return MalformedError("sealed envelope: truncated body header");
  EnvelopeBody b{.body = ToString(r.rest())};
  if (json_len != kNoJsonLen) {
    if (json_len > b.body.size()) return MalformedError("sealed envelope: json length too large");
    b.json_len = json_len;
  }
  return b;
}

// magic || enc || ciphertext, split.
Result<std::pair<ByteSpan, ByteSpan>> SplitWire(ByteSpan wire,
                                                const std::array<uint8_t, 8>& magic) {
  ByteReader r(wire);
  std::array<uint8_t, 8> m{};
  ByteSpan enc;
  if (!r.ReadArray(&m) || !r.ReadSpan(kEncSize, &enc)) {
    return MalformedError("sealed envelope: truncated");
  }
  if (m != magic) return MalformedError("sealed envelope: bad magic");
  return std::pair{enc, r.rest()};
}

Bytes RequestAad(std::string_view model) {
  return Concat({AsBytes(kRequestInfo), AsBytes(model)});
}

}  // namespace

Result<SealedRequest> SealRequest(ByteSpan server_hpke_pub, std::string_view model,
                                  const EnvelopeBody& inner) {
  CONFIDE_ASSIGN_OR_RETURN(crypto::PublicKey server_pub,
                           crypto::PublicKey::FromRaw(crypto::KeyType::kX25519, server_hpke_pub));
  CONFIDE_ASSIGN_OR_RETURN(crypto::PrivateKey response_key,
                           hpke::GenerateKeyPair(hpke::KemId::kX25519HkdfSha256));
  CONFIDE_ASSIGN_OR_RETURN(Bytes response_pub, response_key.public_key().ToRaw());
  ByteWriter plain;
  plain.WriteBytes(response_pub);
  WriteBody(plain, inner);
  CONFIDE_ASSIGN_OR_RETURN(hpke::Sealed s, hpke::SealBase(kSuite, server_pub, AsBytes(kRequestInfo),
                                                          RequestAad(model), plain.data()));
  Bytes wire = Concat({kRequestMagic, s.enc, s.ciphertext});
  return SealedRequest{.wire = std::move(wire), .enc = std::move(s.enc),
                       .response_key = std::move(response_key)};
}

Result<OpenedRequest> OpenRequest(const crypto::PrivateKey& server_hpke_key, std::string_view model,
                                  ByteSpan wire) {
  CONFIDE_ASSIGN_OR_RETURN(auto parts, SplitWire(wire, kRequestMagic));
  auto plain = hpke::OpenBase(kSuite, parts.first, server_hpke_key, AsBytes(kRequestInfo),
                              RequestAad(model), parts.second);
  if (!plain.ok()) return VerificationFailedError("sealed request: cannot open");
  ByteReader r(*plain);
  ByteSpan pub;
  if (!r.ReadSpan(kEncSize, &pub)) return MalformedError("sealed request: truncated");
  CONFIDE_ASSIGN_OR_RETURN(crypto::PublicKey response_pub,
                           crypto::PublicKey::FromRaw(crypto::KeyType::kX25519, pub));
  CONFIDE_ASSIGN_OR_RETURN(EnvelopeBody inner, ReadBody(r));
  return OpenedRequest{.inner = std::move(inner),
                       .enc = Bytes(parts.first.begin(), parts.first.end()),
                       .response_pub = std::move(response_pub)};
}

Result<Bytes> SealResponse(const OpenedRequest& request, int status, const EnvelopeBody& body) {
  ByteWriter plain;
  plain.WriteU16Be(static_cast<uint16_t>(status));
  WriteBody(plain, body);
  CONFIDE_ASSIGN_OR_RETURN(hpke::Sealed s,
                           hpke::SealBase(kSuite, request.response_pub, AsBytes(kResponseInfo),
                                          request.enc, plain.data()));
  return Concat({kResponseMagic, s.enc, s.ciphertext});
}

Result<OpenedResponse> OpenResponse(const SealedRequest& request, ByteSpan wire) {
  CONFIDE_ASSIGN_OR_RETURN(auto parts, SplitWire(wire, kResponseMagic));
  auto plain = hpke::OpenBase(kSuite, parts.first, request.response_key, AsBytes(kResponseInfo),
                              request.enc, parts.second);
  if (!plain.ok()) return VerificationFailedError("sealed response: cannot open");
  ByteReader r(*plain);
  uint16_t status = 0;
  if (!r.ReadU16Be(&status)) return MalformedError("sealed response: truncated");
  CONFIDE_ASSIGN_OR_RETURN(EnvelopeBody body, ReadBody(r));
  return OpenedResponse{.status = status, .body = std::move(body)};
}

}  // namespace confide::channel
