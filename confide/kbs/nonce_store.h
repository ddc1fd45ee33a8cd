// Single-use challenge nonces with an expiry, held in memory (a restart invalidates them all,
// which is safe: the TEE asks again).
//
//   NonceStore nonces({.ttl = 60s});
//   CONFIDE_ASSIGN_OR_RETURN(IssuedNonce n, nonces.Issue(now));
//   NonceState s = nonces.Consume(n.nonce, later);   // kFresh once, then kReplayed
#ifndef CONFIDE_KBS_NONCE_STORE_H_
#define CONFIDE_KBS_NONCE_STORE_H_

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "confide/base/bytes.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"

namespace confide::kbs {

struct NonceOptions {
  std::chrono::seconds ttl{60};
  size_t max_outstanding = 100000;  // bounds memory under a flood of challenges
};

struct IssuedNonce {
  Bytes nonce;  // kNonceSize random bytes
  Time expires_at;
};

enum class NonceState { kFresh, kUnknown, kReplayed, kExpired };

// Thread safe.
class NonceStore {
 public:
  explicit NonceStore(NonceOptions opts) : opts_(opts) {}
  // A fresh random nonce valid until now + ttl. kUnavailable when max_outstanding nonces are live.
  Result<IssuedNonce> Issue(Time now);
  // Atomically consumes `nonce`: kFresh exactly once for an issued, unexpired nonce; a nonce is
  // used up by any Consume, whatever the outcome of the request. kExpired once now > expiry.
  // Used nonces are remembered (kReplayed) until twice the ttl after issue, then kUnknown.
  NonceState Consume(ByteSpan nonce, Time now);

 private:
  struct Entry {
    Time expires_at;
    bool used = false;
  };
  void SweepLocked(Time now);

  NonceOptions opts_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::deque<std::pair<Time, std::string>> by_expiry_;  // issue order = expiry order
};

}  // namespace confide::kbs

#endif  // CONFIDE_KBS_NONCE_STORE_H_
