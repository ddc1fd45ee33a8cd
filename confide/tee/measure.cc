#include "confide/tee/measure.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace confide::tee {

Result<crypto::Sha384Digest> MeasureFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return NotFoundError(path + ": no such file");
    return UnavailableError(path + ": " + std::strerror(errno));
  }
  crypto::Hasher hasher(crypto::HashAlg::kSha384);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize n = in.gcount();
    if (n > 0) hasher.Update(AsBytes(std::string_view(buf.data(), static_cast<size_t>(n))));
  }
  if (in.bad()) return UnavailableError(path + ": read error");
  Bytes digest = hasher.Finish();
  crypto::Sha384Digest out{};
  std::copy(digest.begin(), digest.end(), out.begin());
  return out;
}

}  // namespace confide::tee
