// Hexadecimal encoding of bytes (lowercase), and strict decoding.
//
//   std::string h = HexEncode(digest);              // "6363b804..."
//   CONFIDE_ASSIGN_OR_RETURN(Bytes b, HexDecode(h));
#ifndef CONFIDE_BASE_HEX_H_
#define CONFIDE_BASE_HEX_H_

#include <string>
#include <string_view>

#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide {

std::string HexEncode(ByteSpan bytes);
// Accepts upper- and lowercase digits. kMalformed on odd length or a non-hex character
// (the message gives its position, never the input).
Result<Bytes> HexDecode(std::string_view hex);

}  // namespace confide

#endif  // CONFIDE_BASE_HEX_H_
