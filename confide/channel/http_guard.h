// What every confide HTTP server checks before cpp-httplib reads a request body.
//
//   server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
//     auto refusal = CheckBodyFraming(req);
//     if (!refusal) return httplib::Server::HandlerResponse::Unhandled;
//     ReplyAndClose(res, refusal->status, ..., "application/json");
//     return httplib::Server::HandlerResponse::Handled;
//   });
//
// cpp-httplib 0.11.4 (Debian 12) applies its payload limit (set_payload_max_length) only to a
// Content-Length: it reads a chunked body, or a body with no length (until the peer closes),
// without any limit, and inflates a gzip or brotli body after the check. So a server whose body
// limit must hold refuses such requests before their body is read, on every route.
#ifndef CONFIDE_CHANNEL_HTTP_GUARD_H_
#define CONFIDE_CHANNEL_HTTP_GUARD_H_

#include <httplib.h>

#include <optional>
#include <string>

namespace confide::channel {

struct BodyRefusal {
  int status;           // 411 or 415
  std::string message;  // for the error JSON; names no request data
};

// Refuses, before the body is read:
//   - any Transfer-Encoding (chunked or other): 411, a Content-Length is required;
//   - a Content-Encoding other than "identity": 415;
//   - a method that httplib reads a body for (POST, PUT, PATCH, DELETE, PRI) without a
//     Content-Length: 411.
// nullopt: the body, if any, has a Content-Length, which httplib checks against its limit.
std::optional<BodyRefusal> CheckBodyFraming(const httplib::Request& req);

// Answers `status` with `body` and then closes the connection. For refusals that leave a body
// unread: cpp-httplib 0.11.4 closes a kept-alive connection only when the request asked for it
// (a handler's "Connection: close" is sent but not acted on), so it would read the unread body
// as the next requests on the connection, and run any request hidden in it. Here the reply's
// body comes from a content provider that writes it whole and then reports failure, which makes
// httplib end the connection once the reply is out. Call it last: it replaces the reply's body.
// `body` must not be empty (an empty provider is never called).
void ReplyAndClose(httplib::Response& res, int status, std::string body,
                   const std::string& content_type);

}  // namespace confide::channel

#endif  // CONFIDE_CHANNEL_HTTP_GUARD_H_
