// Fuzzes the key broker's request parsers (confide/kbs/protocol.h, admin_tokens.h): no crash on
// any body; an accepted release request re-serializes to a body that parses to the same request.
#include "confide/base/check.h"
#include "confide/kbs/admin_tokens.h"
#include "confide/kbs/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto req = confide::kbs::ParseReleaseRequest(body);
  if (req.ok()) {
    auto again = confide::kbs::ParseReleaseRequest(confide::kbs::SerializeReleaseRequest(*req));
    CONFIDE_CHECK(again.ok() && again->model_id == req->model_id &&
                  again->nonce == req->nonce && again->evidence == req->evidence &&
                  again->key_version == req->key_version);
  }
  (void)confide::kbs::ParseChallenge(body);
  (void)confide::kbs::ParseReleaseResponse(body);
  (void)confide::kbs::ParseRefusal(403, body);
  (void)confide::kbs::ParseAdminTokens(confide::ByteSpan(data, size));
  return 0;
}
