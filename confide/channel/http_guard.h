// What every confide HTTP server checks before cpp-httplib reads a request body.
//
//   server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
//     auto refusal = CheckBodyFraming(req);
//     if (!refusal) return httplib::Server::HandlerResponse::Unhandled;
//     ... answer refusal->status, refusal->message, with "Connection: close" ...
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

}  // namespace confide::channel

#endif  // CONFIDE_CHANNEL_HTTP_GUARD_H_
