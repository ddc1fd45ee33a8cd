#include "confide/channel/http_guard.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace confide::channel {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The methods cpp-httplib reads a request body for (detail::expect_content).
bool ReadsBody(const std::string& method) {
  constexpr std::array<std::string_view, 5> kMethods = {"POST", "PUT", "PATCH", "DELETE", "PRI"};
  return std::find(kMethods.begin(), kMethods.end(), method) != kMethods.end();
}

}  // namespace

std::optional<BodyRefusal> CheckBodyFraming(const httplib::Request& req) {
  if (req.has_header("Transfer-Encoding")) {
    return BodyRefusal{411, "Transfer-Encoding is not accepted: send a Content-Length"};
  }
  auto [first, last] = req.headers.equal_range("Content-Encoding");
  for (auto it = first; it != last; ++it) {
    if (Lower(it->second) != "identity") {
      return BodyRefusal{415, "Content-Encoding is not accepted: send the body as it is"};
    }
  }
  if (ReadsBody(req.method) && !req.has_header("Content-Length")) {
    return BodyRefusal{411, "a Content-Length is required"};
  }
  return std::nullopt;
}

void ReplyAndClose(httplib::Response& res, int status, std::string body,
                   const std::string& content_type) {
  res.status = status;
  res.set_header("Connection", "close");
  res.body.clear();  // httplib sends a non-empty body in preference to the provider
  const size_t size = body.size();
  res.set_content_provider(
      size, content_type,
      [body = std::move(body)](size_t offset, size_t length, httplib::DataSink& sink) {
        sink.write(body.data() + offset, length);
        return false;  // the reply is out; "failing" now ends the connection
      });
}

}  // namespace confide::channel
