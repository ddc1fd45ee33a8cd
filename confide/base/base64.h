// Base64 (RFC 4648 §4, standard alphabet, with padding) for JSON APIs that carry binary values
// (evidence, claims, keys, tensors).
//
//   std::string text = Base64Encode(evidence);
//   CONFIDE_ASSIGN_OR_RETURN(Bytes back, Base64Decode(text));
#ifndef CONFIDE_BASE_BASE64_H_
#define CONFIDE_BASE_BASE64_H_

#include <string>
#include <string_view>

#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide {

// Padded standard base64.
std::string Base64Encode(ByteSpan bytes);
// Strict: length a multiple of 4, '=' only as the final one or two characters, no whitespace,
// and unused bits of the last symbol zero (so every accepted text re-encodes to itself).
// kMalformed otherwise, naming the offset. Not constant time: never use it on secrets.
Result<Bytes> Base64Decode(std::string_view text);

}  // namespace confide

#endif  // CONFIDE_BASE_BASE64_H_
