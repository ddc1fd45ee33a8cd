#include "confide/kbs/nonce_store.h"

#include "confide/crypto/random.h"
#include "confide/kbs/protocol.h"

namespace confide::kbs {

void NonceStore::SweepLocked(Time now) {
  while (!by_expiry_.empty() && by_expiry_.front().first + opts_.ttl < now) {
    entries_.erase(by_expiry_.front().second);
    by_expiry_.pop_front();
  }
}

Result<IssuedNonce> NonceStore::Issue(Time now) {
  IssuedNonce out{crypto::RandomBytes(kNonceSize), now + opts_.ttl};
  std::string key = ToString(out.nonce);
  std::lock_guard lock(mu_);
  SweepLocked(now);
  if (entries_.size() >= opts_.max_outstanding) {
    return UnavailableError("kbs: too many outstanding challenges");
  }
  entries_[key] = Entry{out.expires_at, false};
  by_expiry_.emplace_back(out.expires_at, std::move(key));
  return out;
}

NonceState NonceStore::Consume(ByteSpan nonce, Time now) {
  std::lock_guard lock(mu_);
  SweepLocked(now);
  auto it = entries_.find(ToString(nonce));
  if (it == entries_.end()) return NonceState::kUnknown;
  if (it->second.used) return NonceState::kReplayed;
  it->second.used = true;
  return now > it->second.expires_at ? NonceState::kExpired : NonceState::kFresh;
}

}  // namespace confide::kbs
