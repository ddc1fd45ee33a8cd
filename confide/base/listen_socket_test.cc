#include "confide/base/listen_socket.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace confide {
namespace {

// An IPv4 TCP socket, closed when it goes out of scope.
struct Socket {
  Socket() : fd(::socket(AF_INET, SOCK_STREAM, 0)) {}
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd;
};

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// Binds `s` to 127.0.0.1:port; 0 on success, else errno.
int Bind(const Socket& s, uint16_t port) {
  sockaddr_in a = Loopback(port);
  return ::bind(s.fd, reinterpret_cast<const sockaddr*>(&a), sizeof(a)) == 0 ? 0 : errno;
}

// Listens on any free loopback port and returns it.
uint16_t ListenOnFreePort(const Socket& s) {
  EXPECT_EQ(Bind(s, 0), 0);
  EXPECT_EQ(::listen(s.fd, 4), 0);
  sockaddr_in a{};
  socklen_t len = sizeof(a);
  EXPECT_EQ(::getsockname(s.fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  return ntohs(a.sin_port);
}

void SetReusePort(const Socket& s) {
  int yes = 1;
  ASSERT_EQ(::setsockopt(s.fd, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof(yes)), 0);
}

TEST(ListenSocket, AnotherSocketCannotShareTheListeningPort) {
  Socket ours;
  SetExclusiveListenOptions(ours.fd);
  uint16_t port = ListenOnFreePort(ours);
  Socket intruder;  // what a second process asking to share the port would do
  SetReusePort(intruder);
  EXPECT_EQ(Bind(intruder, port), EADDRINUSE);
}

// The hazard the options avoid: with cpp-httplib's default (SO_REUSEPORT), a second socket of the
// same user binds the port and the kernel splits incoming connections between the two.
TEST(ListenSocket, WithReusePortTheSameBindSucceeds) {
  Socket ours;
  SetReusePort(ours);
  uint16_t port = ListenOnFreePort(ours);
  Socket intruder;
  SetReusePort(intruder);
  EXPECT_EQ(Bind(intruder, port), 0);
}

TEST(ListenSocket, SetsReuseAddrForRestarts) {
  Socket s;
  SetExclusiveListenOptions(s.fd);
  int value = 0;
  socklen_t len = sizeof(value);
  ASSERT_EQ(::getsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &value, &len), 0);
  EXPECT_NE(value, 0);
  ASSERT_EQ(::getsockopt(s.fd, SOL_SOCKET, SO_REUSEPORT, &value, &len), 0);
  EXPECT_EQ(value, 0);
}

}  // namespace
}  // namespace confide
