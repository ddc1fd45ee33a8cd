// The .cfpkg prefix parser (header, canonical-JSON manifest, signature) and the manifest parser
// alone. Invariant: an accepted input re-serializes to exactly the same bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "confide/base/check.h"
#include "confide/package/manifest.h"
#include "confide/package/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  confide::ByteSpan input(data, size);
  auto prefix = confide::package::ParsePackagePrefix(input);
  if (prefix.ok()) CONFIDE_CHECK(std::ranges::equal(prefix->Serialize(), input));
  auto manifest = confide::package::ParseManifest(input);
  if (manifest.ok()) {
    CONFIDE_CHECK(std::ranges::equal(confide::package::SerializeManifest(*manifest), input));
  }
  return 0;
}
