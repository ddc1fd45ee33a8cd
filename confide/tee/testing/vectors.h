// Test-only helpers over ../shared/vectors/<family>/expected.json.
#ifndef CONFIDE_TEE_TESTING_VECTORS_H_
#define CONFIDE_TEE_TESTING_VECTORS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "confide/base/bytes.h"
#include "confide/base/hex.h"
#include "confide/base/testing/shared_data.h"
#include "confide/tee/platform.h"

namespace confide::tee::testing {

// The expected.json entry whose "file" is `file` (e.g. "snp/trustee-milan-v2.bin"); null if none.
inline nlohmann::json ExpectedEntry(const std::string& family, const std::string& file) {
  Bytes text = confide::testing::ReadSharedFile("vectors/" + family + "/expected.json");
  nlohmann::json all = nlohmann::json::parse(text.begin(), text.end());
  for (const auto& v : all["vectors"]) {
    if (v.value("file", "") == file) return v;
  }
  return nullptr;
}

// 64 bytes of hex as ReportData (zero if the hex is malformed: the test then fails on use).
inline ReportData ReportDataFromHex(const std::string& hex) {
  ReportData rd{};
  auto b = HexDecode(hex);
  if (b.ok() && b->size() == rd.size()) std::copy(b->begin(), b->end(), rd.begin());
  return rd;
}

}  // namespace confide::tee::testing

#endif  // CONFIDE_TEE_TESTING_VECTORS_H_
