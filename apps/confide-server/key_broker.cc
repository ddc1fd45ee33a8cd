#include "apps/confide-server/key_broker.h"

#include <algorithm>

#include "confide/base/hex.h"
#include "confide/kbs/client.h"
#include "confide/server/log.h"

namespace confide::server_app {

Result<server::KeyBrokerFn> MakeKeyBroker(const KeyBrokerOptions& opts, tee::Platform& platform) {
  auto colon = opts.address.rfind(':');
  int port = colon == std::string::npos ? 0 : std::atoi(opts.address.c_str() + colon + 1);
  if (port <= 0 || port > 65535) return InvalidArgumentError("--kbs: expected HOST:PORT");
  auto pin = HexDecode(opts.pin_hex);
  if (!pin.ok() || pin->size() != 32) {
    return InvalidArgumentError("--kbs-pin: expected the 64-hex-digit SHA-256 of the KBS key");
  }
  kbs::KbsClientOptions client_opts{.host = opts.address.substr(0, colon), .port = port};
  std::copy(pin->begin(), pin->end(), client_opts.pinned_spki_sha256.begin());
  return server::KeyBrokerFn(
      [client_opts, &platform](const package::PackagePrefix& prefix) -> Result<SecretBytes> {
        kbs::KbsClient client(client_opts);
        CONFIDE_ASSIGN_OR_RETURN(kbs::ReleasedKey released,
                                 kbs::ObtainModelKey(client, platform, prefix.manifest.name));
        bool known = std::ranges::any_of(released.manifest_digest, [](uint8_t b) { return b != 0; });
        if (known && !Equal(released.manifest_digest, prefix.manifest_digest)) {
          return VerificationFailedError("the key broker released a key for another package of '" +
                                         prefix.manifest.name + "'");
        }
        server::LogEvent("info", "kbs_release", {{"model", prefix.manifest.name},
                                                 {"key_version", released.key_version},
                                                 {"audit_seq", released.audit_seq}});
        return std::move(released.key);
      });
}

}  // namespace confide::server_app
