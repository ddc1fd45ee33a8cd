// NumPy .npy (format 1.0/2.0, little-endian, C order) to and from Tensor, for tests and the CLI.
//
//   CONFIDE_ASSIGN_OR_RETURN(Tensor x, ParseNpy(file_bytes));
//   Bytes out = SerializeNpy(x);
#ifndef CONFIDE_ENGINE_NPY_H_
#define CONFIDE_ENGINE_NPY_H_

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/engine/tensor.h"

namespace confide::engine {

// Parses an .npy file into an owned tensor. kMalformed for a bad magic, header or data length
// (trailing bytes are rejected); kUnsupported for big-endian, Fortran order or dtypes outside
// Tensor's (e.g. float16, strings, objects).
Result<Tensor> ParseNpy(ByteSpan bytes);
// Writes format 1.0 with the header padded to a multiple of 64 bytes, as NumPy does.
Bytes SerializeNpy(const Tensor& t);

}  // namespace confide::engine

#endif  // CONFIDE_ENGINE_NPY_H_
