#include "confide/base/toml_text.h"

#include <string>

namespace confide {

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

bool CanStartKey(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '"' || c == '\'';
}

// Offset of the first byte of a bad table header on the line [begin, end), or npos.
size_t BadHeaderOffset(std::string_view text, size_t begin, size_t end) {
  size_t i = begin;
  while (i < end && IsBlank(text[i])) ++i;
  if (i == end || text[i] != '[') return std::string_view::npos;
  ++i;
  if (i < end && text[i] == '[') ++i;
  while (i < end && IsBlank(text[i])) ++i;
  if (i < end && (CanStartKey(text[i]) || text[i] == ']')) return std::string_view::npos;
  return i;
}

}  // namespace

Status CheckTomlText(std::string_view text, std::string_view what) {
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    bool printable = c >= 0x20 && c < 0x7f;
    if (!printable && c != '\t' && c != '\n' && c != '\r') {
      return MalformedError(std::string(what) + ": byte " + std::to_string(i) +
                            " is not printable ASCII (these TOML files are ASCII only)");
    }
  }
  size_t line = 0;
  while (line < text.size()) {
    size_t end = text.find('\n', line);
    if (end == std::string_view::npos) end = text.size();
    if (size_t bad = BadHeaderOffset(text, line, end); bad != std::string_view::npos) {
      return MalformedError(std::string(what) + ": byte " + std::to_string(bad) +
                            ": a table header must start with a key");
    }
    line = end + 1;
  }
  return OkStatus();
}

}  // namespace confide
