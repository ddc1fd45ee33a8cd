// Shared by `confide attest remote` and `confide infer`: load a policy file, open a client.
#ifndef CONFIDE_APPS_CONFIDE_REMOTE_CLI_H_
#define CONFIDE_APPS_CONFIDE_REMOTE_CLI_H_

#include <memory>
#include <string>

#include "confide/client/client.h"

namespace confide::cli {

// Reads and parses the policy, parses the URL and makes a client. Errors as ParsePolicy,
// ReadFile, ParseServerUrl.
Result<std::unique_ptr<client::Client>> OpenClient(const std::string& url,
                                                   const std::string& policy_path,
                                                   const Clock& clock);
// "sha256//<base64 SHA-256 of the SPKI>", curl's --pinnedpubkey form.
std::string CurlPin(const crypto::Certificate& cert);

}  // namespace confide::cli

#endif  // CONFIDE_APPS_CONFIDE_REMOTE_CLI_H_
