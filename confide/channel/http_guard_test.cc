#include "confide/channel/http_guard.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

namespace confide::channel {
namespace {

httplib::Request Request(std::string method, httplib::Headers headers) {
  httplib::Request req;
  req.method = std::move(method);
  req.headers = std::move(headers);
  return req;
}

std::optional<int> Status(const std::string& method, httplib::Headers headers) {
  auto refusal = CheckBodyFraming(Request(method, std::move(headers)));
  if (!refusal) return std::nullopt;
  return refusal->status;
}

TEST(CheckBodyFraming, AcceptsBodiesWithAContentLengthAndRequestsWithoutBodies) {
  EXPECT_EQ(Status("POST", {{"Content-Length", "12"}}), std::nullopt);
  EXPECT_EQ(Status("POST", {{"Content-Length", "0"}}), std::nullopt);
  EXPECT_EQ(Status("PUT", {{"Content-Length", "3"}, {"Content-Encoding", "identity"}}),
            std::nullopt);
  EXPECT_EQ(Status("GET", {}), std::nullopt);
  EXPECT_EQ(Status("HEAD", {}), std::nullopt);
}

TEST(CheckBodyFraming, RefusesBodiesWhoseSizeIsNotKnownFirst) {
  EXPECT_EQ(Status("POST", {{"Transfer-Encoding", "chunked"}}), 411);
  EXPECT_EQ(Status("POST", {{"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}}), 411);
  EXPECT_EQ(Status("GET", {{"Transfer-Encoding", "chunked"}}), 411);
  EXPECT_EQ(Status("POST", {}), 411);
  EXPECT_EQ(Status("DELETE", {}), 411);
  EXPECT_EQ(Status("PATCH", {}), 411);
  EXPECT_EQ(Status("POST", {{"Content-Length", "5"}, {"Content-Encoding", "gzip"}}), 415);
  EXPECT_EQ(Status("POST", {{"Content-Length", "5"},
                            {"Content-Encoding", "identity"},
                            {"Content-Encoding", "br"}}),
            415);
}

// A plain loopback server whose payload limit is 16 bytes, with or without the guard; it counts
// the body bytes its one route received.
class LimitedServer {
 public:
  explicit LimitedServer(bool guarded) {
    server_.set_payload_max_length(16);
    if (guarded) {
      server_.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
        auto refusal = CheckBodyFraming(req);
        if (!refusal) return httplib::Server::HandlerResponse::Unhandled;
        ReplyAndClose(res, refusal->status, refusal->message, "text/plain");
        return httplib::Server::HandlerResponse::Handled;
      });
    }
    server_.Post("/upload", [this](const httplib::Request& req, httplib::Response& res) {
      received_ += req.body.size();
      res.set_content("ok", "text/plain");
    });
    server_.Get("/hidden", [this](const httplib::Request&, httplib::Response& res) {
      ++hidden_;
      res.set_content("hidden", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LimitedServer() {
    server_.stop();
    thread_.join();
  }
  // Sends `request` (whose headers ask the server to close the connection after its reply) on a
  // new connection; returns the reply's status line.
  std::string Send(const std::string& request) const {
    std::string reply = SendAll(request);
    return reply.substr(0, reply.find("\r\n"));
  }
  // Sends `request` on a new connection and returns everything received until the server
  // closes it.
  std::string SendAll(const std::string& request) const {
    int fd = Connect();
    std::string reply;
    if (fd >= 0) {
      (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
      reply = ReceiveUntilClosed(fd);
    }
    ::close(fd);
    return reply;
  }
  // A new connection to the server (-1 if it fails).
  int Connect() const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof(a)) == 0) return fd;
    ::close(fd);
    return -1;
  }
  static std::string ReceiveUntilClosed(int fd) {
    std::string reply;
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) reply.append(buf, static_cast<size_t>(n));
    return reply;
  }
  size_t received() const { return received_; }
  int hidden() const { return hidden_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<size_t> received_{0};
  std::atomic<int> hidden_{0};
};

// A chunked body of 64 bytes, four times the payload limit.
std::string ChunkedUpload() {
  std::string chunk(32, 'x');
  return "POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: "
         "chunked\r\n\r\n20\r\n" +
         chunk + "\r\n20\r\n" + chunk + "\r\n0\r\n\r\n";
}

// The hazard the guard closes: without it, httplib hands the route a body over its own limit.
TEST(BodyFramingOnAServer, WithoutTheGuardAChunkedBodyPassesThePayloadLimit) {
  LimitedServer server(false);
  EXPECT_EQ(server.Send(ChunkedUpload()), "HTTP/1.1 200 OK");
  EXPECT_EQ(server.received(), 64u);
}

// Only the headers of a refused request are sent: the guard answers before any body is read
// (and a body left unread could reset the connection before the answer is read).
TEST(BodyFramingOnAServer, TheGuardRefusesChunkedAndUnsizedBodiesBeforeReadingThem) {
  LimitedServer server(true);
  const std::string head = "POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  EXPECT_EQ(server.Send(head + "Transfer-Encoding: chunked\r\n\r\n"),
            "HTTP/1.1 411 Length Required");
  EXPECT_EQ(server.Send(head + "\r\n"), "HTTP/1.1 411 Length Required");
  EXPECT_EQ(server.received(), 0u);
  // A sized body within the limit still arrives; one over it gets httplib's 413.
  EXPECT_EQ(server.Send(head + "Content-Length: 5\r\n\r\nhello"), "HTTP/1.1 200 OK");
  EXPECT_EQ(server.received(), 5u);
  EXPECT_EQ(server.Send(head + "Content-Length: 64\r\n\r\n" + std::string(64, 'z')),
            "HTTP/1.1 413 Payload Too Large");  // httplib reads and discards it
  EXPECT_EQ(server.received(), 5u);
}

// cpp-httplib closes a kept-alive connection only when the request asks for it. A refused body
// stays unread, so without ReplyAndClose the server would read what the client sends next as
// the next request, and run the one hidden in the "body".
TEST(BodyFramingOnAServer, ARefusedBodyIsNeverReadAsTheNextRequest) {
  LimitedServer server(true);
  int fd = server.Connect();
  ASSERT_GE(fd, 0);
  const std::string head = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
  std::string reply;  // the refusal: headers, then its body (the message names Content-Length)
  char c;
  while (reply.find("Content-Length") == std::string::npos && ::recv(fd, &c, 1, 0) == 1) {
    reply += c;
  }
  ASSERT_EQ(reply.rfind("HTTP/1.1 411 Length Required\r\n", 0), 0u) << reply;
  const std::string hidden = "GET /hidden HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  (void)::send(fd, hidden.data(), hidden.size(), MSG_NOSIGNAL);  // may fail: already closed
  reply += LimitedServer::ReceiveUntilClosed(fd);
  ::close(fd);
  EXPECT_EQ(reply.find("HTTP/1.1", 1), std::string::npos) << "a second reply: " << reply;
  EXPECT_EQ(server.hidden(), 0);
}

}  // namespace
}  // namespace confide::channel
