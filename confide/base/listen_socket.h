// Socket options for every listening socket confide opens (confide-server, the key broker).
//
//   httplib::SSLServer server(...);
//   server.set_socket_options(SetExclusiveListenOptions);  // before bind_to_port
#ifndef CONFIDE_BASE_LISTEN_SOCKET_H_
#define CONFIDE_BASE_LISTEN_SOCKET_H_

namespace confide {

// Sets SO_REUSEADDR (a restarted server can bind its port while old connections linger in
// TIME_WAIT) and nothing else. In particular not SO_REUSEPORT, which cpp-httplib sets by default:
// with it, any other process of the same user can bind the same port and the kernel then hands
// it a share of our incoming connections. A security server's port must be its own; a second
// bind to it fails with EADDRINUSE. Best effort: a refused option leaves the socket as it was.
void SetExclusiveListenOptions(int fd);

}  // namespace confide

#endif  // CONFIDE_BASE_LISTEN_SOCKET_H_
