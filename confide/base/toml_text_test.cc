#include "confide/base/toml_text.h"

#include <gtest/gtest.h>

#include <string>

namespace confide {
namespace {

TEST(TomlTextTest, AcceptsOrdinaryTomlAndLeavesSyntaxToTheParser) {
  EXPECT_TRUE(CheckTomlText("a = 1\n\tb = \"x\" # ~\r\n[snp]\n[[signer]]\n[ \"q\" ]\n[]\n", "t").ok());
  EXPECT_TRUE(CheckTomlText("", "t").ok());
  EXPECT_TRUE(CheckTomlText("x = [1, 2]\n", "t").ok()) << "arrays are not headers";
}

TEST(TomlTextTest, RefusesWhatTomlPlusPlusCannotParseSafely) {
  struct Case {
    std::string text;
    const char* why;
  };
  for (const Case& c : {Case{std::string("ab\0c", 4), "NUL"}, Case{"[\x03snp]", "control"},
                        Case{"x\x7f", "DEL"}, Case{"tee_types \xcb\x8c", "non-ASCII"},
                        Case{"a = 1\n[`inding]\n", "backtick header"},
                        Case{"  [[ =x]]", "array-of-tables header"}, Case{"[", "header at EOF"}}) {
    Status s = CheckTomlText(c.text, "policy");
    ASSERT_FALSE(s.ok()) << c.why;
    EXPECT_EQ(s.error().code, ErrorCode::kMalformed) << c.why;
    EXPECT_EQ(s.error().message.rfind("policy: byte ", 0), 0u) << s.error().message;
  }
}

}  // namespace
}  // namespace confide
