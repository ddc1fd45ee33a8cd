// A guard run on TOML text (policies, signers.toml, kbs.toml) before toml++ parses it.
// toml++ 3.3 (Debian 12) reaches an assertion or __builtin_unreachable on some malformed input
// (found by policy_fuzz under UBSan): control characters, some non-ASCII whitespace-like code
// points, and a table header whose key starts with a character that cannot start a key. confide's
// TOML files are ASCII by rule, so those inputs are refused here with a clear error instead.
//
//   CONFIDE_TRY(CheckTomlText(text, "policy"));
//   toml::table root = toml::parse(text);
#ifndef CONFIDE_BASE_TOML_TEXT_H_
#define CONFIDE_BASE_TOML_TEXT_H_

#include <string_view>

#include "confide/base/result.h"

namespace confide {

// kMalformed ("<what>: byte N ...") if `text` has a byte that is not printable ASCII, tab, LF or
// CR, or a line whose table header ("[" or "[[", after optional blanks) is not followed (after
// blanks) by a bare-key character (A-Z a-z 0-9 _ -), a quote or "]". Accepts everything else,
// valid TOML or not: toml++ reports the remaining syntax errors itself.
Status CheckTomlText(std::string_view text, std::string_view what);

}  // namespace confide

#endif  // CONFIDE_BASE_TOML_TEXT_H_
