// The server's key-broker source: releases a model key from `confide kbs serve` by presenting
// evidence from this TEE (confide/kbs/client.h), for packages whose key is not in the sealed cache.
#ifndef CONFIDE_APPS_CONFIDE_SERVER_KEY_BROKER_H_
#define CONFIDE_APPS_CONFIDE_SERVER_KEY_BROKER_H_

#include <string>

#include "confide/server/model_loader.h"
#include "confide/tee/platform.h"

namespace confide::server_app {

struct KeyBrokerOptions {
  std::string address;  // HOST:PORT of the key broker
  std::string pin_hex;  // SHA-256 of the broker's TLS public key (DER SPKI), 64 hex digits
};

// A KeyBrokerFn that asks the broker for the key of the package's model (its manifest name is
// the broker's model id) and checks the released key belongs to that exact package (manifest
// digest). `platform` must outlive the function. kInvalidArgument for a bad address or pin.
Result<server::KeyBrokerFn> MakeKeyBroker(const KeyBrokerOptions& opts, tee::Platform& platform);

}  // namespace confide::server_app

#endif  // CONFIDE_APPS_CONFIDE_SERVER_KEY_BROKER_H_
