// `confide selftest`: runs the crypto layer's known-answer tests.
#include <iostream>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "confide/crypto/selftest.h"

namespace confide::cli {

void AddSelftestCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "selftest", "Run the known-answer self-tests of the crypto layer (hashes, HMAC, HKDF, AEADs, "
                  "ECDSA, ECDH, HPKE). Exit 0 if all pass, 1 if any fails.");
  cmd->callback([exit_code] {
    int failed = 0;
    auto results = crypto::RunSelfTests();
    for (const crypto::SelfTestResult& r : results) {
      std::cout << (r.passed ? "  ok    " : "  FAIL  ") << r.name;
      if (!r.passed) std::cout << ": " << r.detail;
      std::cout << "\n";
      failed += r.passed ? 0 : 1;
    }
    std::cout << results.size() - failed << " passed, " << failed << " failed\n";
    *exit_code = failed == 0 ? kExitOk : kExitRejected;
  });
}

}  // namespace confide::cli
