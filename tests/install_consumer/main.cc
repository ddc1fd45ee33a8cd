// Hashes "abc" with the installed confide::crypto and checks the FIPS 180-2 answer.
#include <confide/base/hex.h>
#include <confide/crypto/hash.h>

#include <cstdio>

int main() {
  auto digest = confide::crypto::Sha256(confide::AsBytes("abc"));
  bool ok = confide::HexEncode(digest) ==
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  std::puts(ok ? "consumer: ok" : "consumer: WRONG DIGEST");
  return ok ? 0 : 1;
}
