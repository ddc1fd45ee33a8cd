// The key broker's HTTPS front end: TLS 1.3 with the KBS's own certificate (clients pin its
// public key), routes to KbsService, request body cap, a bounded worker pool.
//
//   KbsServer server(service, cert, key, {.max_body_bytes = 65536, .threads = 8});
//   CONFIDE_ASSIGN_OR_RETURN(int port, server.Bind("127.0.0.1", 8443));
//   server.Run();   // until Stop() from another thread
#ifndef CONFIDE_KBS_SERVER_H_
#define CONFIDE_KBS_SERVER_H_

#include <memory>
#include <string>

#include "confide/crypto/keys.h"
#include "confide/crypto/x509.h"
#include "confide/kbs/service.h"

namespace confide::kbs {

struct ServerLimits {
  size_t max_body_bytes = 64 * 1024;  // larger bodies: 413, audited as BODY_TOO_LARGE
  int threads = 8;
  int read_timeout_seconds = 10;
};

class KbsServer {
 public:
  // `service`, `cert` and `key` must outlive the server.
  KbsServer(KbsService& service, const crypto::Certificate& cert, const crypto::PrivateKey& key,
            ServerLimits limits);
  ~KbsServer();
  // Binds (port 0: any free port) and returns the port. kUnavailable if binding fails;
  // kInvalidArgument if the TLS context cannot be made (key and certificate do not match).
  Result<int> Bind(const std::string& host, int port);
  // Serves until Stop(). Precondition: Bind succeeded.
  void Run();
  // Thread safe, from any thread but Run's (a signal-handling thread); safe before, during or
  // after Run. Returns once Run (if running) has returned; a Stop while Run is starting is not
  // lost.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace confide::kbs

#endif  // CONFIDE_KBS_SERVER_H_
