// Whole-file reading and writing for the CLI, server and tests (never for secrets in temp files).
//
//   CONFIDE_ASSIGN_OR_RETURN(Bytes evidence, ReadFile(path));
//   CONFIDE_TRY(WriteFile(out, bytes, 0600));
#ifndef CONFIDE_BASE_FILE_H_
#define CONFIDE_BASE_FILE_H_

#include <string>

#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide {

// Reads a whole file. kNotFound if it does not exist; kUnavailable on other I/O errors;
// kInvalidArgument if larger than `max_size`.
Result<Bytes> ReadFile(const std::string& path, size_t max_size = size_t{1} << 30);
// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename), created
// with permission bits `mode`. kUnavailable on I/O errors.
Status WriteFile(const std::string& path, ByteSpan bytes, unsigned mode = 0644);

}  // namespace confide

#endif  // CONFIDE_BASE_FILE_H_
